// SPDX-License-Identifier: Apache-2.0
// VecAvx512: the 16-float vector type of the per-ISA kernel templates (see simd_avx2.h for the
// contract), for x86-64 AVX-512F. Include only from files compiled with -mavx512f, inside an anonymous
// namespace.

// GCC 12 warns that _mm512_max_ps's _mm512_undefined_ps() pass-through may be used uninitialized: it is
// never used (no mask), a known false positive.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

struct VecAvx512 {
  using Reg = __m512;
  static constexpr int kWidth = 16;
  static constexpr bool kLaneFma = false;
  static __mmask16 first_lanes(int32_t n) { return static_cast<__mmask16>((1u << n) - 1u); }
  static Reg load(const float* p) { return _mm512_loadu_ps(p); }
  static Reg load_partial(const float* p, int32_t n) {
    return _mm512_mask_loadu_ps(_mm512_set1_ps(-INFINITY), first_lanes(n), p);
  }
  static Reg broadcast(const float* p) { return _mm512_set1_ps(*p); }
  static Reg set1(float v) { return _mm512_set1_ps(v); }
  static Reg fma(Reg a, Reg b, Reg acc) { return _mm512_fmadd_ps(a, b, acc); }
  static Reg max(Reg a, Reg b) { return _mm512_max_ps(a, b); }
  static Reg zero() { return _mm512_setzero_ps(); }
  static Reg add(Reg a, Reg b) { return _mm512_add_ps(a, b); }
  static Reg sub(Reg a, Reg b) { return _mm512_sub_ps(a, b); }
  static Reg take_if_greater_or_nan(Reg m, Reg v) {
    const __mmask16 take = _mm512_cmp_ps_mask(v, m, _CMP_GT_OQ) | _mm512_cmp_ps_mask(v, v, _CMP_UNORD_Q);
    return _mm512_mask_mov_ps(m, take, v);
  }
  static void store(float* p, Reg v) { _mm512_storeu_ps(p, v); }
  static void store_partial(float* p, Reg v, int32_t n) { _mm512_mask_storeu_ps(p, first_lanes(n), v); }
};
