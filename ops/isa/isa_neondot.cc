// SPDX-License-Identifier: Apache-2.0
// The aarch64 NEON dot-product table (ARMv8.2 SDOT; this file alone is compiled with
// -march=armv8.2-a+dotprod, and only for aarch64): the int8 GEMM 4x16 (gemm/gemm_q8_neon.h). It holds
// nothing else: these CPUs run the float kernels of the NEON table.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include "isa/isa_table.h"

#if defined(__aarch64__)
#include <arm_neon.h>

namespace incept::ops {
namespace {

#include "gemm/gemm_q8_neon.h"

const IsaTable kTable = {
    Isa::kNeonDot,
    {},
    nullptr,
    nullptr,
    0,
    {Isa::kNeonDot, 4, 16, 4, Q8AForm::kS8, q8_gemm_neondot<4, 4>, q8_gemm_neondot<4, 2>},
    {},
    {},
    {},
};

}  // namespace

const IsaTable& isa_table_neondot() { return kTable; }

}  // namespace incept::ops
#endif
