// SPDX-License-Identifier: Apache-2.0
// gemm 6x16 for x86-64 AVX2 + FMA3 (this file alone is compiled with -mavx2 -mfma).
// Registers: 12 accumulators + 2 weight vectors + 1 broadcast = 15 of 16 ymm; A rows as 6 pointers.
// Half kernel 6x8: 6 accumulators.
#include "gemm/gemm.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace incept::ops {
namespace {

struct VecAvx2 {
  using Reg = __m256;
  static constexpr int kWidth = 8;
  static constexpr bool kLaneFma = false;
  static Reg load(const float* p) { return _mm256_loadu_ps(p); }
  static Reg broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static Reg set1(float v) { return _mm256_set1_ps(v); }
  static Reg fma(Reg a, Reg b, Reg acc) { return _mm256_fmadd_ps(a, b, acc); }
  static Reg max(Reg a, Reg b) { return _mm256_max_ps(a, b); }
  static void store(float* p, Reg v) { _mm256_storeu_ps(p, v); }
  static void store_partial(float* p, Reg v, int32_t n) {
    const __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
    _mm256_maskstore_ps(p, mask, v);
  }
};

#include "gemm/gemm_ukernel.h"

void gemm_6x16_avx2_fma(const GemmTile& t) { gemm_ukernel<VecAvx2, 6, 2>(t); }
void gemm_6x8_avx2_fma(const GemmTile& t) { gemm_ukernel<VecAvx2, 6, 1>(t); }

const GemmUkernel kUkernel = {"6x16", Isa::kAvx2Fma, 6, 16, gemm_6x16_avx2_fma, gemm_6x8_avx2_fma};

}  // namespace

const GemmUkernel* gemm_ukernel_avx2_fma() { return &kUkernel; }

}  // namespace incept::ops
#endif
