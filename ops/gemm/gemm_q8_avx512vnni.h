// SPDX-License-Identifier: Apache-2.0
// The int8 micro-kernel for AVX-512 VNNI (gemm_q8.h's contract): MR x 32 outputs, A in the kU8 form,
// kr = 4. Per group of 4 along the reduction: two 64-byte weight loads (32 columns x 4) and, per row, one
// VPDPBUSD per 16 columns with the row's 4 bytes broadcast from memory ({1to16}). MR = 8: 16 accumulators
// + 2 weight vectors of the 32 zmm registers. Included only by isa_avx512vnni.cc (inside its anonymous
// namespace), compiled with -mavx512f -mavx512bw -mavx512vl -mavx512vnni.

// GCC 12 warns that the intrinsics' _mm512_undefined_*() pass-through may be used uninitialized: never
// (no mask), the false positive simd_avx512.h silences too.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// 16 requantised outputs of one row (16 columns from column c0 of the tile) stored as bytes (or as float32,
// t.f32): n of them.
inline void q8_store16_avx512(const Q8GemmTile& t, __m512i acc, __m512 m, int32_t row, int32_t c0, int32_t n) {
  __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), m);
  const __mmask16 mask = n >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << n) - 1u);
  if (t.f32) {
    float* c = reinterpret_cast<float*>(t.c + static_cast<size_t>(row) * t.c_stride) + c0;
    _mm512_mask_storeu_ps(c, mask, _mm512_max_ps(v, _mm512_set1_ps(t.f_lo)));
    return;
  }
  if (t.r != nullptr) {  // read before the row is written (r may be c)
    const __m128i rb = _mm_maskz_loadu_epi8(mask, t.r + static_cast<size_t>(row) * t.r_stride + c0);
    const __m512i ri = t.r_signed ? _mm512_cvtepi8_epi32(rb) : _mm512_cvtepu8_epi32(rb);
    const __m512 r =
        _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(ri, _mm512_set1_epi32(t.r_zp))), _mm512_set1_ps(t.r_m));
    v = _mm512_add_ps(v, r);
  }
  // requantize(): clamp (a NaN becomes the low bound: max returns its second operand), round to nearest
  // even (the default rounding mode), add the zero point, keep the low byte (the value is in range).
  v = _mm512_max_ps(v, _mm512_set1_ps(static_cast<float>(t.lo - t.zp)));
  v = _mm512_min_ps(v, _mm512_set1_ps(static_cast<float>(t.hi - t.zp)));
  const __m512i q = _mm512_add_epi32(_mm512_cvtps_epi32(v), _mm512_set1_epi32(t.zp));
  _mm_mask_storeu_epi8(t.c + static_cast<size_t>(row) * t.c_stride + c0, mask, _mm512_cvtepi32_epi8(q));
}

// The 32-lane epilogue's constants for one tile's columns (from column c0, n of them), made once and kept in
// registers across its rows. fast: t.small_m and not f32 (else q8_store32_avx512 takes two q8_store16_avx512).
struct Q8Rows32 {
  const Q8GemmTile* t = nullptr;
  uint8_t* c = nullptr;        // row 0's first output
  const uint8_t* r = nullptr;  // row 0's first residual byte, or nullptr
  __m512 m0, m1, rm;
  __m512i zp, lo, hi, rzp;  // zp, lo, hi as int16 lanes; rzp as int32
  __mmask32 mask;
  bool fast = false;
};
inline Q8Rows32 q8_rows32(const Q8GemmTile& t, __m512 m0, __m512 m1, int32_t c0, int32_t n) {
  Q8Rows32 e;
  e.t = &t;
  e.c = t.c + c0;
  e.r = t.r == nullptr ? nullptr : t.r + c0;
  e.m0 = m0, e.m1 = m1;
  e.rm = _mm512_set1_ps(t.r_m);
  e.rzp = _mm512_set1_epi32(t.r_zp);
  e.zp = _mm512_set1_epi16(static_cast<int16_t>(t.zp));
  e.lo = _mm512_set1_epi16(static_cast<int16_t>(t.lo));
  e.hi = _mm512_set1_epi16(static_cast<int16_t>(t.hi));
  e.mask = n >= 32 ? ~__mmask32{0} : (__mmask32{1} << n) - 1;
  e.fast = t.small_m && !t.f32;
  return e;
}

// One row of 32 requantised outputs on the fast path (e.fast: every multiplier small enough that float(acc) * m,
// plus a residual's term, stays inside int32): rounded first, then narrowed with saturation to int16, the zero
// point added with saturation and clamped there (every step monotonic, the bounds integers: the bytes of
// requantize()), and stored with one 32-byte write instead of two converts to bytes (VPMOVDB, two uops each) and
// two writes.
inline void q8_store32_row(const Q8Rows32& e, __m512i acc0, __m512i acc1, int32_t row) {
  const Q8GemmTile& t = *e.t;
  __m512 v0 = _mm512_mul_ps(_mm512_cvtepi32_ps(acc0), e.m0), v1 = _mm512_mul_ps(_mm512_cvtepi32_ps(acc1), e.m1);
  if (e.r != nullptr) {  // the residual's 32 bytes, read before the row is written (r may be c)
    const __m256i rb = _mm256_maskz_loadu_epi8(e.mask, e.r + static_cast<size_t>(row) * t.r_stride);
    const __m128i r_lo = _mm256_castsi256_si128(rb), r_hi = _mm256_extracti128_si256(rb, 1);
    const __m512i r0 = t.r_signed ? _mm512_cvtepi8_epi32(r_lo) : _mm512_cvtepu8_epi32(r_lo);
    const __m512i r1 = t.r_signed ? _mm512_cvtepi8_epi32(r_hi) : _mm512_cvtepu8_epi32(r_hi);
    v0 = _mm512_add_ps(v0, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(r0, e.rzp)), e.rm));
    v1 = _mm512_add_ps(v1, _mm512_mul_ps(_mm512_cvtepi32_ps(_mm512_sub_epi32(r1, e.rzp)), e.rm));
  }
  const __m512i q0 = _mm512_cvtps_epi32(v0);
  const __m512i q1 = _mm512_cvtps_epi32(v1);
  // Packed per 128-bit lane: [q0 0-3, q1 0-3 | q0 4-7, q1 4-7 | ...]; the qwords back in column order.
  __m512i w = _mm512_permutexvar_epi64(_mm512_set_epi64(7, 5, 3, 1, 6, 4, 2, 0), _mm512_packs_epi32(q0, q1));
  w = _mm512_min_epi16(_mm512_max_epi16(_mm512_adds_epi16(w, e.zp), e.lo), e.hi);
  _mm256_mask_storeu_epi8(e.c + static_cast<size_t>(row) * t.c_stride, e.mask, _mm512_cvtepi16_epi8(w));
}

// 32 requantised outputs of one row (from column c0 of the tile), n of them stored: q8_store32_row where t.small_m
// allows (and the output is 8-bit), else two q8_store16_avx512.
inline void q8_store32_avx512(const Q8GemmTile& t, __m512i acc0, __m512i acc1, __m512 m0, __m512 m1, int32_t row,
                              int32_t c0, int32_t n) {
  if (!t.small_m || t.f32) {
    q8_store16_avx512(t, acc0, m0, row, c0, n);
    if (n > 16) q8_store16_avx512(t, acc1, m1, row, c0 + 16, n - 16);
    return;
  }
  q8_store32_row(q8_rows32(t, m0, m1, c0, n), acc0, acc1, row);
}

// MR x (16 * NV) outputs: NV = 2 the full tile, 1 its half (a last panel of at most 16 columns).
template <int MR, int NV>
void q8_gemm_vnni(const Q8GemmTile& t) {
  const int8_t* w = t.w;
  constexpr int kNr = 16 * NV;
  __m512i acc[MR][NV];
#pragma GCC unroll 2
  for (int j = 0; j < NV; ++j) acc[0][j] = _mm512_load_si512(w + 64 * j);
#pragma GCC unroll 16
  for (int i = 1; i < MR; ++i)
#pragma GCC unroll 2
    for (int j = 0; j < NV; ++j) acc[i][j] = acc[0][j];
  __m512 m[NV];
#pragma GCC unroll 2
  for (int j = 0; j < NV; ++j) m[j] = _mm512_load_ps(w + 4 * kNr + 64 * j);
  w += 8 * kNr;
  const void* const* ap = t.a;
  for (int32_t tap = 0; tap < t.taps; ++tap, ap += MR) {
    const uint8_t* a[MR];
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) a[i] = static_cast<const uint8_t*>(ap[i]);
    for (int32_t k = 0; k < t.kc; k += 4, w += 4 * kNr) {
      __m512i b[NV];
#pragma GCC unroll 2
      for (int j = 0; j < NV; ++j) b[j] = _mm512_load_si512(w + 64 * j);
#pragma GCC unroll 16
      for (int i = 0; i < MR; ++i) {
        int32_t four;
        std::memcpy(&four, a[i] + k, 4);
        const __m512i av = _mm512_set1_epi32(four);
#pragma GCC unroll 2
        for (int j = 0; j < NV; ++j) acc[i][j] = _mm512_dpbusd_epi32(acc[i][j], av, b[j]);
      }
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    if (i < t.rows) {
      if constexpr (NV == 2) {
        q8_store32_avx512(t, acc[i][0], acc[i][1], m[0], m[1], i, 0, t.cols);
      } else {
        q8_store16_avx512(t, acc[i][0], m[0], i, 0, t.cols);
      }
    }
  }
}
