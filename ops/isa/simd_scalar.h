// SPDX-License-Identifier: Apache-2.0
// VecScalar: one float as the per-ISA templates' vector type (see simd_avx2.h for the contract), for the
// channels left over after the last full vector. Include from a per-ISA file, inside its anonymous
// namespace, like the vector types.
struct VecScalar {
  using Reg = float;
  static constexpr int kWidth = 1;
  static constexpr bool kLaneFma = false;
  static Reg load(const float* p) { return *p; }
  static Reg set1(float v) { return v; }
  static Reg fma(Reg a, Reg b, Reg acc) { return __builtin_fmaf(a, b, acc); }
  static Reg max(Reg a, Reg b) { return a > b ? a : b; }  // b where either is NaN, as SSE's
  static Reg zero() { return 0.0f; }
  static Reg add(Reg a, Reg b) { return a + b; }
  static Reg sub(Reg a, Reg b) { return a - b; }
  static void store(float* p, Reg v) { *p = v; }
};
