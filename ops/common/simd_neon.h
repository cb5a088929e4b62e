// SPDX-License-Identifier: Apache-2.0
// VecNeon: the 4-float vector type of the per-ISA kernel templates (see simd_avx2.h for the contract),
// for aarch64 NEON, with by-element FMA (kLaneFma: load4 of A + fma_lane<L>). Include only from the
// aarch64 kernel files, inside an anonymous namespace.
struct VecNeon {
  using Reg = float32x4_t;
  static constexpr int kWidth = 4;
  static constexpr bool kLaneFma = true;
  static Reg load(const float* p) { return vld1q_f32(p); }
  static Reg load_partial(const float* p, int32_t n) {
    float lanes[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
    for (int32_t i = 0; i < n; ++i) lanes[i] = p[i];
    return vld1q_f32(lanes);
  }
  static Reg broadcast(const float* p) { return vld1q_dup_f32(p); }
  static Reg set1(float v) { return vdupq_n_f32(v); }
  static Reg fma(Reg a, Reg b, Reg acc) { return vfmaq_f32(acc, a, b); }
  template <int L>
  static Reg fma_lane(Reg acc, Reg b, Reg a) {
    return vfmaq_laneq_f32(acc, b, a, L);
  }
  // SSE's order, which the kernels rely on: b where either is NaN (max(0, x) keeps a NaN x).
  static Reg max(Reg a, Reg b) {
    const uint32x4_t a_wins = vcgtq_f32(a, b);   // false where either is NaN
    return vbslq_f32(a_wins, a, b);
  }
  static Reg zero() { return vdupq_n_f32(0.0f); }
  static Reg add(Reg a, Reg b) { return vaddq_f32(a, b); }
  static Reg sub(Reg a, Reg b) { return vsubq_f32(a, b); }
  static Reg take_if_greater_or_nan(Reg m, Reg v) {
    const uint32x4_t take = vorrq_u32(vcgtq_f32(v, m), vmvnq_u32(vceqq_f32(v, v)));
    return vbslq_f32(take, v, m);
  }
  static void store(float* p, Reg v) { vst1q_f32(p, v); }
  static void store_partial(float* p, Reg v, int32_t n) {
    float lanes[4];
    vst1q_f32(lanes, v);
    for (int32_t i = 0; i < n; ++i) p[i] = lanes[i];
  }
};
