// SPDX-License-Identifier: Apache-2.0
// VecNeon: the 4-float vector type of the per-ISA kernel templates (see simd_avx2.h for the contract),
// for ARM NEON. Include only from the *_neon.cc kernel files, inside an anonymous namespace.
// - aarch64: fma is a fused multiply-add, and by-element FMA (kLaneFma: fma_lane<L>, a lane of a q
//   register) lets one 4-float load of A serve four k steps.
// - armv7 (32-bit, -mfpu=neon): FMA is not part of NEON there (VFPv4 adds it, which Cortex-A8/A9 lack)
//   and A32 has no by-element FMA at all, so fma is vmla (multiply, round, add, round: the same value
//   as a multiply then an add) and A is broadcast per row (kLaneFma false). ARMv7 NEON arithmetic
//   flushes subnormal inputs and results to zero and returns the default NaN for any NaN.
struct VecNeon {
  using Reg = float32x4_t;
  static constexpr int kWidth = 4;
#if defined(__aarch64__)
  static constexpr bool kLaneFma = true;
#else
  static constexpr bool kLaneFma = false;
#endif
  static Reg load(const float* p) { return vld1q_f32(p); }
  static Reg load_partial(const float* p, int32_t n) {
    float lanes[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
    for (int32_t i = 0; i < n; ++i) lanes[i] = p[i];
    return vld1q_f32(lanes);
  }
  static Reg broadcast(const float* p) { return vld1q_dup_f32(p); }
  static Reg set1(float v) { return vdupq_n_f32(v); }
#if defined(__aarch64__)
  static Reg fma(Reg a, Reg b, Reg acc) { return vfmaq_f32(acc, a, b); }
  template <int L>
  static Reg fma_lane(Reg acc, Reg b, Reg a) {
    return vfmaq_laneq_f32(acc, b, a, L);
  }
#else
  static Reg fma(Reg a, Reg b, Reg acc) { return vmlaq_f32(acc, a, b); }
#endif
  // a > b lane by lane: false where either is NaN. GCC's arm_neon.h for armv7 writes vcgtq_f32 as the
  // generic vector `>`, which GCC then expands lane by lane in scalar VFP code (NEON compares flush
  // subnormals, so it uses them only under unsafe math): the instruction is written out instead.
  static uint32x4_t greater(Reg a, Reg b) {
#if defined(__aarch64__)
    return vcgtq_f32(a, b);
#else
    uint32x4_t r;
    __asm__("vcgt.f32 %q0, %q1, %q2" : "=w"(r) : "w"(a), "w"(b));
    return r;
#endif
  }
  // SSE's order, which the kernels rely on: b where either is NaN (max(0, x) keeps a NaN x).
  static Reg max(Reg a, Reg b) {
    const uint32x4_t a_wins = greater(a, b);  // false where either is NaN
    return vbslq_f32(a_wins, a, b);
  }
  static Reg zero() { return vdupq_n_f32(0.0f); }
  static Reg add(Reg a, Reg b) { return vaddq_f32(a, b); }
  static Reg sub(Reg a, Reg b) { return vsubq_f32(a, b); }
  static Reg take_if_greater_or_nan(Reg m, Reg v) {
    const uint32x4_t take = vorrq_u32(greater(v, m), vmvnq_u32(vceqq_f32(v, v)));
    return vbslq_f32(take, v, m);
  }
  static void store(float* p, Reg v) { vst1q_f32(p, v); }
  static void store_partial(float* p, Reg v, int32_t n) {
    float lanes[4];
    vst1q_f32(lanes, v);
    for (int32_t i = 0; i < n; ++i) p[i] = lanes[i];
  }
};
