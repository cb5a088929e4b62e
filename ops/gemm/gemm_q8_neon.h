// SPDX-License-Identifier: Apache-2.0
// The int8 micro-kernels for ARM NEON (gemm_q8.h's contract), A in the kS8 form:
//  - q8_gemm_neon (every NEON CPU: ARMv7 and ARMv8.0), kr = 16, MR x 4 outputs: per row and column, SMULL
//    and SMLAL add two s8 x s8 products in each int16 lane (at most 2 * 128 * 127 = 32512: the weights stop
//    at -127, so it never overflows), then SADALP adds the lanes' pairs into int32; each output's four
//    partial sums are added at the end. MR = 4 on aarch64 (16 accumulators + 4 A + 4 weight registers of
//    32), 2 on armv7 (8 + 2 + 4 of 16).
// (The dot-product kernel is gemm_q8_neondot.h.) Included only by isa_neon.cc and isa_neondot.cc (inside their
// anonymous namespaces): the dot-product table uses q8_store4_neon.

// 4 requantised outputs of one row (4 columns from c0; acc holds the finished int32 sums) stored as bytes (or
// as float32, t.f32): n of them.
inline void q8_store4_neon(const Q8GemmTile& t, int32x4_t acc, float32x4_t m, int32_t row, int32_t c0, int32_t n) {
  float32x4_t v = vmulq_f32(vcvtq_f32_s32(acc), m);
  const int32_t cnt = n < 4 ? n : 4;
  if (t.f32) {
    float* c = reinterpret_cast<float*>(t.c + static_cast<size_t>(row) * t.c_stride) + c0;
    v = vmaxq_f32(v, vdupq_n_f32(t.f_lo));
    if (cnt == 4) {
      vst1q_f32(c, v);
    } else {
      float lanes[4];
      vst1q_f32(lanes, v);
      for (int32_t j = 0; j < cnt; ++j) c[j] = lanes[j];
    }
    return;
  }
  if (t.r != nullptr) {  // read before the row is written (r may be c)
    const uint8_t* rp = t.r + static_cast<size_t>(row) * t.r_stride + c0;
    int32_t lanes[4] = {0, 0, 0, 0};
    for (int32_t j = 0; j < cnt; ++j) lanes[j] = t.r_signed ? static_cast<int8_t>(rp[j]) : rp[j];
    const int32x4_t ri = vsubq_s32(vld1q_s32(lanes), vdupq_n_s32(t.r_zp));
    v = vaddq_f32(v, vmulq_f32(vcvtq_f32_s32(ri), vdupq_n_f32(t.r_m)));
  }
  // requantize(): v > lo ? v : lo (a NaN becomes the low bound; NEON's max would keep the NaN), then the
  // high bound, round to nearest even, add the zero point.
  const float32x4_t vlo = vdupq_n_f32(static_cast<float>(t.lo - t.zp));
  v = vbslq_f32(vcgtq_f32(v, vlo), v, vlo);
  v = vminq_f32(v, vdupq_n_f32(static_cast<float>(t.hi - t.zp)));
#if defined(__aarch64__)
  const int32x4_t qi = vcvtnq_s32_f32(v);
#else
  // ARMv7 converts by truncation: adding and subtracting 1.5 * 2^23 rounds |v| <= 2^22 to nearest even.
  const float32x4_t magic = vdupq_n_f32(12582912.0f);
  const int32x4_t qi = vcvtq_s32_f32(vsubq_f32(vaddq_f32(v, magic), magic));
#endif
  int32_t q[4];
  vst1q_s32(q, vaddq_s32(qi, vdupq_n_s32(t.zp)));
  uint8_t* c = t.c + static_cast<size_t>(row) * t.c_stride + c0;
  for (int32_t j = 0; j < cnt; ++j) c[j] = static_cast<uint8_t>(q[j]);
}

// The sums of four accumulators' lanes: {sum a0, sum a1, sum a2, sum a3}.
inline int32x4_t q8_reduce4(int32x4_t a0, int32x4_t a1, int32x4_t a2, int32x4_t a3) {
#if defined(__aarch64__)
  return vpaddq_s32(vpaddq_s32(a0, a1), vpaddq_s32(a2, a3));
#else
  const int32x2_t s0 = vpadd_s32(vget_low_s32(a0), vget_high_s32(a0));
  const int32x2_t s1 = vpadd_s32(vget_low_s32(a1), vget_high_s32(a1));
  const int32x2_t s2 = vpadd_s32(vget_low_s32(a2), vget_high_s32(a2));
  const int32x2_t s3 = vpadd_s32(vget_low_s32(a3), vget_high_s32(a3));
  return vcombine_s32(vpadd_s32(s0, s1), vpadd_s32(s2, s3));
#endif
}

template <int MR>
void q8_gemm_neon(const Q8GemmTile& t) {
  const int8_t* w = t.w;
  const int32x4_t bias = vld1q_s32(reinterpret_cast<const int32_t*>(w));
  const float32x4_t m = vld1q_f32(reinterpret_cast<const float*>(w + 16));
  w += 32;
  int32x4_t acc[MR][4];
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
#pragma GCC unroll 4
    for (int j = 0; j < 4; ++j) acc[i][j] = vdupq_n_s32(0);
  const void* const* ap = t.a;
  for (int32_t tap = 0; tap < t.taps; ++tap, ap += MR) {
    const int8_t* a[MR];
#pragma GCC unroll 16
    for (int i = 0; i < MR; ++i) a[i] = static_cast<const int8_t*>(ap[i]);
    for (int32_t k = 0; k < t.kc; k += 16, w += 64) {
      int8x16_t b[4];
#pragma GCC unroll 4
      for (int j = 0; j < 4; ++j) b[j] = vld1q_s8(w + 16 * j);
#pragma GCC unroll 16
      for (int i = 0; i < MR; ++i) {
        const int8x16_t av = vld1q_s8(a[i] + k);
#pragma GCC unroll 4
        for (int j = 0; j < 4; ++j) {
          int16x8_t p = vmull_s8(vget_low_s8(av), vget_low_s8(b[j]));
#if defined(__aarch64__)
          p = vmlal_high_s8(p, av, b[j]);
#else
          p = vmlal_s8(p, vget_high_s8(av), vget_high_s8(b[j]));
#endif
          acc[i][j] = vpadalq_s16(acc[i][j], p);
        }
      }
    }
  }
#pragma GCC unroll 16
  for (int i = 0; i < MR; ++i)
    if (i < t.rows)
      q8_store4_neon(t, vaddq_s32(bias, q8_reduce4(acc[i][0], acc[i][1], acc[i][2], acc[i][3])), m, i, 0, t.cols);
}
