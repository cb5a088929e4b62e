// SPDX-License-Identifier: Apache-2.0
// The int8 micro-kernel for AVX-512 VNNI (gemm_q8.h's contract): MR x 32 outputs, A in the kU8 form,
// kr = 4. Per group of 4 along the reduction: two 64-byte weight loads (32 columns x 4) and, per row, one
// VPDPBUSD per 16 columns with the row's 4 bytes broadcast from memory ({1to16}). MR = 8: 16 accumulators
// + 2 weight vectors of the 32 zmm registers. Included only by isa_avx512vnni.cc (inside its anonymous
// namespace), compiled with -mavx512f -mavx512bw -mavx512vl -mavx512vnni.

// GCC 12 warns that the intrinsics' _mm512_undefined_*() pass-through may be used uninitialized: never
// (no mask), the false positive simd_avx512.h silences too.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// 16 requantised outputs of one row (16 columns from column c0 of the tile) stored as bytes: n of them.
inline void q8_store16_avx512(const Q8GemmTile& t, __m512i acc, __m512 m, int32_t row, int32_t c0, int32_t n) {
  __m512 v = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), m);
  const __mmask16 mask = n >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << n) - 1u);
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

template <int MR>
void q8_gemm_vnni(const Q8GemmTile& t) {
  const int8_t* w = t.w;
  __m512i acc[MR][2];
  acc[0][0] = _mm512_load_si512(w);
  acc[0][1] = _mm512_load_si512(w + 64);
#pragma GCC unroll 16
  for (int i = 1; i < MR; ++i) acc[i][0] = acc[0][0], acc[i][1] = acc[0][1];
  const __m512 m0 = _mm512_load_ps(w + 128), m1 = _mm512_load_ps(w + 192);
  w += 256;
  const uint8_t* a[MR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) a[i] = static_cast<const uint8_t*>(t.a[i]);
  for (int32_t k = 0; k < t.k; k += 4, w += 128) {
    const __m512i w0 = _mm512_load_si512(w), w1 = _mm512_load_si512(w + 64);
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      int32_t four;
      std::memcpy(&four, a[i] + k, 4);
      const __m512i av = _mm512_set1_epi32(four);
      acc[i][0] = _mm512_dpbusd_epi32(acc[i][0], av, w0);
      acc[i][1] = _mm512_dpbusd_epi32(acc[i][1], av, w1);
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    if (i < t.rows) {
      q8_store16_avx512(t, acc[i][0], m0, i, 0, t.cols);
      if (t.cols > 16) q8_store16_avx512(t, acc[i][1], m1, i, 16, t.cols - 16);
    }
  }
}
