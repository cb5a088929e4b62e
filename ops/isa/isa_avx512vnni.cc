// SPDX-License-Identifier: Apache-2.0
// The x86-64 AVX-512 VNNI table (this file alone is compiled with -mavx512f -mavx512bw -mavx512vl
// -mavx512vnni): the int8 GEMM 8x32 on VPDPBUSD (gemm/gemm_q8_avx512vnni.h) and the 8-bit pools 64 bytes a
// vector (AVX-512BW). It holds nothing else: these CPUs run the float kernels of the AVX-512F table.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "isa/isa_table.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace incept::ops {
namespace {

#include "common/q8_pool_rows.h"
#include "gemm/gemm_q8_avx512vnni.h"
#include "quantize/quantize_rows.h"

const IsaTable kTable = {
    Isa::kAvx512Vnni,
    {},
    nullptr,
    nullptr,
    0,
    {Isa::kAvx512Vnni, 8, 32, 4, Q8AForm::kU8, q8_gemm_vnni<8, 2>, q8_gemm_vnni<8, 1>},
    {q8_max_pool_row, q8_avg_pool_row, 64},
    {q8_quantize_run, q8_dequantize_run},
    {},
};

}  // namespace

const IsaTable& isa_table_avx512vnni() { return kTable; }

}  // namespace incept::ops
#endif
