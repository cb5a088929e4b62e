// SPDX-License-Identifier: Apache-2.0
// gemm 6x16 for x86-64 AVX2 + FMA3 (this file alone is compiled with -mavx2 -mfma).
// Registers: 12 accumulators + 2 weight vectors + 1 broadcast = 15 of 16 ymm; A rows as 6 pointers.
// Half kernel 6x8: 6 accumulators; single-row kernel 1 x NR for a lone row (batch-1 fully connected).
#include "gemm/gemm.h"

#include <cmath>

#if defined(__x86_64__)
#include <immintrin.h>

namespace incept::ops {
namespace {

#include "common/simd_avx2.h"

#include "gemm/gemm_ukernel.h"

void gemm_6x16_avx2_fma(const GemmTile& t) { gemm_ukernel<VecAvx2, 6, 2>(t); }
void gemm_6x8_avx2_fma(const GemmTile& t) { gemm_ukernel<VecAvx2, 6, 1>(t); }

void gemm_1x16_avx2_fma(const GemmTile& t) { gemm_ukernel<VecAvx2, 1, 2>(t); }

const GemmUkernel kUkernel = {"6x16", Isa::kAvx2Fma, 6, 16, gemm_6x16_avx2_fma, gemm_6x8_avx2_fma, gemm_1x16_avx2_fma};

}  // namespace

const GemmUkernel* gemm_ukernel_avx2_fma() { return &kUkernel; }

}  // namespace incept::ops
#endif
