// SPDX-License-Identifier: Apache-2.0
// VecAvx2: the thin 8-float vector type the per-ISA kernel templates are written over (gemm_ukernel.h,
// max_pool2d_rows.h), for x86-64 AVX2 + FMA. Include only from files compiled with -mavx2 -mfma, inside
// an anonymous namespace, so nothing built for this ISA has external linkage by accident.
//
// Every Vec type provides: Reg, kWidth, kLaneFma, load, load_partial (the first n lanes, the rest
// -infinity), broadcast (from memory), set1, fma(a, b, acc) = acc + a * b, max (SSE order: the second
// operand where either is NaN), take_if_greater_or_nan(m, v) = (v > m || v is NaN) ? v : m lane by lane,
// store, store_partial (the first n lanes), zero, add, sub.
struct VecAvx2 {
  using Reg = __m256;
  static constexpr int kWidth = 8;
  static constexpr bool kLaneFma = false;
  static __m256i first_lanes(int32_t n) {
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  }
  static Reg load(const float* p) { return _mm256_loadu_ps(p); }
  static Reg load_partial(const float* p, int32_t n) {
    const __m256i mask = first_lanes(n);
    return _mm256_blendv_ps(_mm256_set1_ps(-INFINITY), _mm256_maskload_ps(p, mask), _mm256_castsi256_ps(mask));
  }
  static Reg broadcast(const float* p) { return _mm256_broadcast_ss(p); }
  static Reg set1(float v) { return _mm256_set1_ps(v); }
  static Reg fma(Reg a, Reg b, Reg acc) { return _mm256_fmadd_ps(a, b, acc); }
  static Reg max(Reg a, Reg b) { return _mm256_max_ps(a, b); }
  static Reg zero() { return _mm256_setzero_ps(); }
  static Reg add(Reg a, Reg b) { return _mm256_add_ps(a, b); }
  static Reg sub(Reg a, Reg b) { return _mm256_sub_ps(a, b); }
  static Reg take_if_greater_or_nan(Reg m, Reg v) {
    const Reg take = _mm256_or_ps(_mm256_cmp_ps(v, m, _CMP_GT_OQ), _mm256_cmp_ps(v, v, _CMP_UNORD_Q));
    return _mm256_blendv_ps(m, v, take);
  }
  static void store(float* p, Reg v) { _mm256_storeu_ps(p, v); }
  static void store_partial(float* p, Reg v, int32_t n) { _mm256_maskstore_ps(p, first_lanes(n), v); }
};
