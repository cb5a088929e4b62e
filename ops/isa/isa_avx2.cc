// SPDX-License-Identifier: Apache-2.0
// The x86-64 AVX2 + FMA table (this file alone is compiled with -mavx2 -mfma).
// GEMM 6x16: 12 accumulators + 2 weight vectors + 1 broadcast = 15 of 16 ymm; A rows as 6 pointers.
// Half kernel 6x8: 6 accumulators. Winograd transforms and max pool rows 8 channels a vector.
// int8 GEMM 4x16 over int16 pairs (gemm/gemm_q8_avx2.h); exact int8 Winograd on an int16 GEMM 4x16
// (conv2d/winograd_q8_transforms.h).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "conv2d/winograd_axes.h"
#include "conv2d/winograd_q8_axes.h"
#include "isa/isa_table.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace incept::ops {
namespace {

#include "isa/simd_avx2.h"
#include "isa/simd_scalar.h"

#include "isa/isa_kernels.h"

#include "common/q8_pool_rows.h"
#include "conv2d/winograd_q8_transforms.h"
#include "gemm/gemm_q8_avx2.h"
#include "quantize/quantize_rows.h"

const IsaTable kTable = {
    Isa::kAvx2Fma,
    gemm_f32_entry<VecAvx2, 6>(Isa::kAvx2Fma),
    wino_fns<VecAvx2>,
    max_pool2d_rows<VecAvx2>,
    VecAvx2::kWidth,
    {Isa::kAvx2Fma, 4, 16, 2, Q8AForm::kS16, q8_gemm_avx2<4, 2>, q8_gemm_avx2<4, 1>},
    {q8_max_pool_row, q8_avg_pool_row, 32},
    {q8_quantize_run, q8_dequantize_run},
    {{Isa::kAvx2Fma, 4, 16, 2, q16_gemm_avx2<4>}, qw_fns},
};

}  // namespace

const IsaTable& isa_table_avx2_fma() { return kTable; }

}  // namespace incept::ops
#endif
