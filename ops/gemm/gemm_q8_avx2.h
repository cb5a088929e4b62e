// SPDX-License-Identifier: Apache-2.0
// The int8 micro-kernel for AVX2 (gemm_q8.h's contract): MR x 16 outputs, A in the kS16 form, kr = 2.
// Exact without VNNI: VPMADDUBSW would add two u8 x s8 products in int16 and saturate (255 * 127 * 2 >
// 32767), so A is widened to int16 when the driver gathers it and each pair of products is summed by
// VPMADDWD into int32, which cannot overflow. Per pair along the reduction: two 32-byte loads of weights
// packed as int16 (16 columns x 2; sign-extending int8 ones at every use cost 5 % of Inception-ResNet-v2's
// time in its 1x1 convs, for twice the packed bytes) and, per row, its pair broadcast and two VPMADDWD +
// VPADDD.
// MR = 4: 8 accumulators + 2 weight vectors + the broadcast and the products, within the 16 ymm registers.
// Included only by isa_avx2.cc (inside its anonymous namespace), compiled with -mavx2 -mfma.

// 8 lanes of the rule (common/quant.h) stored as bytes, n of them at dst: acc * m, plus the residual's
// (q_r - r_zp) * r_m where r is not null (n bytes, int8 where r_signed), clamped to [lo, hi] - zp, rounded,
// plus zp. Shared by the GEMM's tiles and the int8 Winograd's output transform.
inline void q8_requant8_avx2(__m256i acc, __m256 m, const uint8_t* r, bool r_signed, int32_t r_zp, float r_m,
                             int32_t zp, int32_t lo, int32_t hi, uint8_t* dst, int32_t n) {
  __m256 v = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), m);
  if (r != nullptr) {  // read before the row is written (r may be dst)
    uint64_t bytes = 0;
    std::memcpy(&bytes, r, static_cast<size_t>(n < 8 ? n : 8));
    const __m128i rb = _mm_cvtsi64_si128(static_cast<int64_t>(bytes));
    const __m256i ri = r_signed ? _mm256_cvtepi8_epi32(rb) : _mm256_cvtepu8_epi32(rb);
    const __m256 rv =
        _mm256_mul_ps(_mm256_cvtepi32_ps(_mm256_sub_epi32(ri, _mm256_set1_epi32(r_zp))), _mm256_set1_ps(r_m));
    v = _mm256_add_ps(v, rv);
  }
  // requantize(): clamp (a NaN becomes the low bound: max returns its second operand), round to nearest
  // even (the default rounding mode), add the zero point, keep the low byte of each lane (in range).
  v = _mm256_max_ps(v, _mm256_set1_ps(static_cast<float>(lo - zp)));
  v = _mm256_min_ps(v, _mm256_set1_ps(static_cast<float>(hi - zp)));
  const __m256i q = _mm256_add_epi32(_mm256_cvtps_epi32(v), _mm256_set1_epi32(zp));
  const __m256i low =
      _mm256_shuffle_epi8(q, _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 4, 8, 12,
                                              -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1));
  const __m128i b = _mm_unpacklo_epi32(_mm256_castsi256_si128(low), _mm256_extracti128_si256(low, 1));
  if (n >= 8) {
    _mm_storel_epi64(reinterpret_cast<__m128i*>(dst), b);
  } else {
    const uint64_t out = static_cast<uint64_t>(_mm_cvtsi128_si64(b));
    std::memcpy(dst, &out, static_cast<size_t>(n));
  }
}

// 8 requantised outputs of one row (8 columns from column c0 of the tile) stored as bytes (or as float32,
// t.f32): n of them.
inline void q8_store8_avx2(const Q8GemmTile& t, __m256i acc, __m256 m, int32_t row, int32_t c0, int32_t n) {
  if (t.f32) {
    const __m256 v = _mm256_max_ps(_mm256_mul_ps(_mm256_cvtepi32_ps(acc), m), _mm256_set1_ps(t.f_lo));
    float* c = reinterpret_cast<float*>(t.c + static_cast<size_t>(row) * t.c_stride) + c0;
    if (n >= 8) {
      _mm256_storeu_ps(c, v);
    } else {
      alignas(32) float lanes[8];
      _mm256_store_ps(lanes, v);
      std::memcpy(c, lanes, static_cast<size_t>(n) * sizeof(float));
    }
    return;
  }
  const uint8_t* r = t.r == nullptr ? nullptr : t.r + static_cast<size_t>(row) * t.r_stride + c0;
  q8_requant8_avx2(acc, m, r, t.r_signed, t.r_zp, t.r_m, t.zp, t.lo, t.hi,
                   t.c + static_cast<size_t>(row) * t.c_stride + c0, n);
}

// MR x (8 * NV) outputs: NV = 2 the full tile, 1 its half (a last panel of at most 8 columns).
template <int MR, int NV>
void q8_gemm_avx2(const Q8GemmTile& t) {
  const int8_t* w = t.w;
  constexpr int kNr = 8 * NV;
  __m256i acc[MR][NV];
#pragma GCC unroll 2
  for (int j = 0; j < NV; ++j) acc[0][j] = _mm256_load_si256(reinterpret_cast<const __m256i*>(w + 32 * j));
#pragma GCC unroll 16
  for (int i = 1; i < MR; ++i)
#pragma GCC unroll 2
    for (int j = 0; j < NV; ++j) acc[i][j] = acc[0][j];
  __m256 m[NV];
#pragma GCC unroll 2
  for (int j = 0; j < NV; ++j) m[j] = _mm256_load_ps(reinterpret_cast<const float*>(w + 4 * kNr + 32 * j));
  w += 8 * kNr;
  const void* const* ap = t.a;
  for (int32_t tap = 0; tap < t.taps; ++tap, ap += MR) {
    const int16_t* a[MR];
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) a[i] = static_cast<const int16_t*>(ap[i]);
    for (int32_t k = 0; k < t.kc; k += 2, w += 4 * kNr) {
      __m256i b[NV];
#pragma GCC unroll 2
      for (int j = 0; j < NV; ++j) b[j] = _mm256_load_si256(reinterpret_cast<const __m256i*>(w + 32 * j));
#pragma GCC unroll 16
      for (int i = 0; i < MR; ++i) {
        int32_t pair;
        std::memcpy(&pair, a[i] + k, 4);
        const __m256i av = _mm256_set1_epi32(pair);
#pragma GCC unroll 2
        for (int j = 0; j < NV; ++j) acc[i][j] = _mm256_add_epi32(acc[i][j], _mm256_madd_epi16(av, b[j]));
      }
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    if (i < t.rows) {
      q8_store8_avx2(t, acc[i][0], m[0], i, 0, t.cols);
      if (NV == 2 && t.cols > 8) q8_store8_avx2(t, acc[i][NV - 1], m[NV - 1], i, 8, t.cols - 8);
    }
  }
}

// The int16 GEMM of the int8 Winograd engine (gemm_q8.h, Q16GemmTile): MR x 16 int32 sums, kr = 2. Per pair
// along the reduction: two 32-byte weight loads (16 columns x 2) and, per row, its pair broadcast and two
// VPMADDWD + VPADDD (the products of transformed values fit a pair sum: conv2d_q8_winograd.h).
template <int MR>
void q16_gemm_avx2(const Q16GemmTile& t) {
  const int16_t* w = t.w;
  __m256i acc[MR][2];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) acc[i][0] = acc[i][1] = _mm256_setzero_si256();
  const int16_t* a[MR];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) a[i] = t.a[i];
  for (int32_t k = 0; k < t.k; k += 2, w += 32) {
    const __m256i b0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(w));
    const __m256i b1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(w + 16));
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) {
      int32_t pair;
      std::memcpy(&pair, a[i] + k, 4);
      const __m256i av = _mm256_set1_epi32(pair);
      acc[i][0] = _mm256_add_epi32(acc[i][0], _mm256_madd_epi16(av, b0));
      acc[i][1] = _mm256_add_epi32(acc[i][1], _mm256_madd_epi16(av, b1));
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i) {
    int32_t* c = t.c + static_cast<size_t>(i) * t.c_stride;
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(c), acc[i][0]);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(c + 8), acc[i][1]);
  }
}
