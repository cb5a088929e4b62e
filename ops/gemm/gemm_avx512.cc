// SPDX-License-Identifier: Apache-2.0
// gemm 8x32 for x86-64 AVX-512F (this file alone is compiled with -mavx512f).
// Registers: 16 accumulators + 2 weight vectors + 1 broadcast = 19 of 32 zmm; the broadcasts fold into
// the FMAs ({1to16}). A rows as 8 pointers, so the general-purpose registers do not spill either.
// Half kernel 8x16: 8 accumulators.
#include "gemm/gemm.h"

#if defined(__x86_64__)
#include <immintrin.h>

// GCC 12 warns that _mm512_max_ps's _mm512_undefined_ps() pass-through may be used uninitialized: it is
// never used (no mask), a known false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

namespace incept::ops {
namespace {

struct VecAvx512 {
  using Reg = __m512;
  static constexpr int kWidth = 16;
  static constexpr bool kLaneFma = false;
  static Reg load(const float* p) { return _mm512_loadu_ps(p); }
  static Reg broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static Reg set1(float v) { return _mm512_set1_ps(v); }
  static Reg fma(Reg a, Reg b, Reg acc) { return _mm512_fmadd_ps(a, b, acc); }
  static Reg max(Reg a, Reg b) { return _mm512_max_ps(a, b); }
  static void store(float* p, Reg v) { _mm512_storeu_ps(p, v); }
  static void store_partial(float* p, Reg v, int32_t n) {
    _mm512_mask_storeu_ps(p, static_cast<__mmask16>((1u << n) - 1u), v);
  }
};

#include "gemm/gemm_ukernel.h"

void gemm_8x32_avx512f(const GemmTile& t) { gemm_ukernel<VecAvx512, 8, 2>(t); }
void gemm_8x16_avx512f(const GemmTile& t) { gemm_ukernel<VecAvx512, 8, 1>(t); }

const GemmUkernel kUkernel = {"8x32", Isa::kAvx512f, 8, 32, gemm_8x32_avx512f, gemm_8x16_avx512f};

}  // namespace

const GemmUkernel* gemm_ukernel_avx512f() { return &kUkernel; }

}  // namespace incept::ops
#endif
