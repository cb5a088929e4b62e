// SPDX-License-Identifier: Apache-2.0
// gemm 8x8 for aarch64 NEON (Advanced SIMD with FMA is baseline there: no extra flags).
// Registers: 16 accumulators + 8 A vectors (four k steps of each row, used by lane) + 2 weight vectors
// = 26 of 32 q registers; per four k steps 8 A loads + 8 W loads feed 64 by-element FMAs. (8x12 would
// need 24 + 8 + 3 = 35 registers with A read in place: it needs A packed, which costs a pass over A.)
// Half kernel 8x4: 8 accumulators; single-row kernel 1 x NR for a lone row (batch-1 fully connected).
#include "gemm/gemm.h"

#include <cmath>

#if defined(__aarch64__)
#include <arm_neon.h>

namespace incept::ops {
namespace {

#include "common/simd_neon.h"

#include "gemm/gemm_ukernel.h"

void gemm_8x8_neon(const GemmTile& t) { gemm_ukernel<VecNeon, 8, 2>(t); }
void gemm_8x4_neon(const GemmTile& t) { gemm_ukernel<VecNeon, 8, 1>(t); }

void gemm_1x8_neon(const GemmTile& t) { gemm_ukernel<VecNeon, 1, 2>(t); }

const GemmUkernel kUkernel = {"8x8", Isa::kNeon, 8, 8, gemm_8x8_neon, gemm_8x4_neon, gemm_1x8_neon};

}  // namespace

const GemmUkernel* gemm_ukernel_neon() { return &kUkernel; }

}  // namespace incept::ops
#endif
