// SPDX-License-Identifier: Apache-2.0
// gemm 8x32 for x86-64 AVX-512F (this file alone is compiled with -mavx512f).
// Registers: 16 accumulators + 2 weight vectors + 1 broadcast = 19 of 32 zmm; the broadcasts fold into
// the FMAs ({1to16}). A rows as 8 pointers, so the general-purpose registers do not spill either.
// Half kernel 8x16: 8 accumulators; single-row kernel 1 x NR for a lone row (batch-1 fully connected).
#include "gemm/gemm.h"

#include <cmath>

#if defined(__x86_64__)
#include <immintrin.h>

namespace incept::ops {
namespace {

#include "common/simd_avx512.h"

#include "gemm/gemm_ukernel.h"

void gemm_8x32_avx512f(const GemmTile& t) { gemm_ukernel<VecAvx512, 8, 2>(t); }
void gemm_8x16_avx512f(const GemmTile& t) { gemm_ukernel<VecAvx512, 8, 1>(t); }

void gemm_1x32_avx512f(const GemmTile& t) { gemm_ukernel<VecAvx512, 1, 2>(t); }

const GemmUkernel kUkernel = {"8x32", Isa::kAvx512f, 8, 32, gemm_8x32_avx512f, gemm_8x16_avx512f, gemm_1x32_avx512f};

}  // namespace

const GemmUkernel* gemm_ukernel_avx512f() { return &kUkernel; }

}  // namespace incept::ops
#endif
