// SPDX-License-Identifier: Apache-2.0
// The aarch64 NEON dot-product table (ARMv8.2 SDOT; this file alone is compiled with
// -march=armv8.2-a+dotprod, and only for aarch64): the int8 GEMM 8x8 on packed A (gemm/gemm_q8_neondot.h). It holds
// nothing else: these CPUs run the float kernels of the NEON table.
#include <algorithm>
#include <cstdint>
#include <cstring>

#include "isa/isa_table.h"

#if defined(__aarch64__)
#include <arm_neon.h>

namespace incept::ops {
namespace {

#include "gemm/gemm_q8_neon.h"
#include "gemm/gemm_q8_neondot.h"

const IsaTable kTable = {
    Isa::kNeonDot,
    {},
    nullptr,
    nullptr,
    0,
    {Isa::kNeonDot, 8, 8, 4, Q8AForm::kS8, q8_gemm_neondot_8x8, nullptr, true},
    {},
    {},
    {},
};

}  // namespace

const IsaTable& isa_table_neondot() { return kTable; }

}  // namespace incept::ops
#endif
