// SPDX-License-Identifier: Apache-2.0
// The ARM NEON table, one GEMM tile per architecture (CMake builds this file only for ARM; on 32-bit ARM
// with -mfpu=neon).
//
// aarch64: GEMM 8x8 (Advanced SIMD with FMA is baseline there: no extra flags).
// Registers: 16 accumulators + 8 A vectors (four k steps of each row, used by lane) + 2 weight vectors
// = 26 of 32 q registers; per four k steps 8 A loads + 8 W loads feed 64 by-element FMAs. (8x12 would
// need 24 + 8 + 3 = 35 registers with A read in place: it needs A packed, which costs a pass over A.)
// Half kernel 8x4: 8 accumulators.
//
// armv7: GEMM 6x8. 16 q registers and no by-element multiply-add with a q-register lane (A32's
// by-scalar VMLA takes a d-register lane, and only from d0-d15), so A is broadcast per row and k step:
// 12 accumulators + 2 weight vectors + 1 broadcast = 15 of 16 q registers; per k step 2 W loads +
// 6 broadcast loads feed 12 VMLAs (multiply-add, not fused: see simd_neon.h). 8x8 would need
// 16 + 2 + 1 = 19. Half kernel 6x4.
//
// Both: Winograd transforms (only the vector ops every VecNeon has) and max pool rows, 4 channels a vector.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "conv2d/winograd_axes.h"
#include "isa/isa_table.h"

#if defined(__aarch64__) || defined(__arm__)
#include <arm_neon.h>

namespace incept::ops {
namespace {

#include "isa/simd_neon.h"
#include "isa/simd_scalar.h"

#include "isa/isa_kernels.h"

#include "common/q8_pool_rows.h"
#include "gemm/gemm_q8_neon.h"
#include "quantize/quantize_rows.h"

#if defined(__aarch64__)
constexpr int kGemmRows = 8;
constexpr int kQ8Rows = 4;
#else
constexpr int kGemmRows = 6;
constexpr int kQ8Rows = 2;
#endif

const IsaTable kTable = {
    Isa::kNeon,
    gemm_f32_entry<VecNeon, kGemmRows>(Isa::kNeon),
    wino_fns<VecNeon>,
    max_pool2d_rows<VecNeon>,
    VecNeon::kWidth,
    {Isa::kNeon, kQ8Rows, 4, 16, Q8AForm::kS8, q8_gemm_neon<kQ8Rows>},
    {q8_max_pool_row, q8_avg_pool_row, 16},
    {q8_quantize_run, q8_dequantize_run},
    {},
};

}  // namespace

const IsaTable& isa_table_neon() { return kTable; }

}  // namespace incept::ops
#endif
