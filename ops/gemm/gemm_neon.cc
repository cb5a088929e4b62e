// SPDX-License-Identifier: Apache-2.0
// gemm micro-kernels for ARM NEON, one tile per architecture (CMake builds this file only for ARM; on
// 32-bit ARM with -mfpu=neon).
//
// aarch64: 8x8 (Advanced SIMD with FMA is baseline there: no extra flags).
// Registers: 16 accumulators + 8 A vectors (four k steps of each row, used by lane) + 2 weight vectors
// = 26 of 32 q registers; per four k steps 8 A loads + 8 W loads feed 64 by-element FMAs. (8x12 would
// need 24 + 8 + 3 = 35 registers with A read in place: it needs A packed, which costs a pass over A.)
// Half kernel 8x4: 8 accumulators; single-row kernel 1 x NR for a lone row (batch-1 fully connected).
//
// armv7: 6x8. 16 q registers and no by-element multiply-add with a q-register lane (A32's by-scalar
// VMLA takes a d-register lane, and only from d0-d15), so A is broadcast per row and k step:
// 12 accumulators + 2 weight vectors + 1 broadcast = 15 of 16 q registers; per k step 2 W loads +
// 6 broadcast loads feed 12 VMLAs (multiply-add, not fused: see common/simd_neon.h). 8x8 would need
// 16 + 2 + 1 = 19. Half kernel 6x4: 6 accumulators; single-row kernel 1x8.
#include "gemm/gemm.h"

#include <cmath>

#if defined(__aarch64__) || defined(__arm__)
#include <arm_neon.h>

namespace incept::ops {
namespace {

#include "common/simd_neon.h"

#include "gemm/gemm_ukernel.h"

#if defined(__aarch64__)
void gemm_8x8_neon(const GemmTile& t) { gemm_ukernel<VecNeon, 8, 2>(t); }
void gemm_8x4_neon(const GemmTile& t) { gemm_ukernel<VecNeon, 8, 1>(t); }

void gemm_1x8_neon(const GemmTile& t) { gemm_ukernel<VecNeon, 1, 2>(t); }

const GemmUkernel kUkernel = {INCEPT_GEMM_NEON_TILE, Isa::kNeon, 8, 8, gemm_8x8_neon, gemm_8x4_neon, gemm_1x8_neon};
#else
void gemm_6x8_neon(const GemmTile& t) { gemm_ukernel<VecNeon, 6, 2>(t); }
void gemm_6x4_neon(const GemmTile& t) { gemm_ukernel<VecNeon, 6, 1>(t); }

void gemm_1x8_neon(const GemmTile& t) { gemm_ukernel<VecNeon, 1, 2>(t); }

const GemmUkernel kUkernel = {INCEPT_GEMM_NEON_TILE, Isa::kNeon, 6, 8, gemm_6x8_neon, gemm_6x4_neon, gemm_1x8_neon};
#endif

}  // namespace

const GemmUkernel* gemm_ukernel_neon() { return &kUkernel; }

}  // namespace incept::ops
#endif
