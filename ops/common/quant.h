// SPDX-License-Identifier: Apache-2.0
// The int8 arithmetic every kernel shares: one rule, written once here, so that every ISA's kernel writes the
// bytes the reference int8 kernels write (tests/ops/quant_ref_test.cc holds the rule to its definition).
//
// An 8-bit tensor holds q with real = scale * (q - zero_point): uint8 (q in [0, 255]) or int8 ([-128, 127]).
// Weights are int8, symmetric per output channel (zero point 0, q in [-127, 127]).
//
//   accumulate  int32: acc[o] = bias_q[o] + sum (q_in - zp_in) * q_w[o]      (exact; padding adds nothing).
//               A kernel with int32 accumulators takes a conv only where |acc| cannot reach 2^31
//               (q8_accumulator_fits); the reference sums in int64, the same value wherever both run.
//   bias        bias_q[o] = round half away from zero (double(bias[o]) / (double(s_in) * double(s_w[o]))),
//               clamped to int32 (prepare time)
//   multiplier  m[o] = float(float(s_in * s_w[o]) / s_out): two float32 operations in this order
//   requantise  v = float(acc) * m[o]                               (float32 multiply, never fused with an add)
//               [fused residual: v = v + float(q_r - zp_r) * m_r, m_r = float(s_r / s_out), the product
//                rounded to float32 before the add]
//               q_out = requantize(v, zp_out, lo, hi): clamp v to [lo - zp_out, hi - zp_out], round to
//               nearest, ties to even, add zp_out. A ReLU is lo = zp_out (real 0).
//   quantise    float -> q: requantize(x * inv_s, zp, qmin, qmax) with inv_s = float(1 / s)
//   dequantise  q -> float: float(q - zp) * s
//   pools       max: the max of q, requantised as v = float(q - zp_in) * float(s_in / s_out) when the
//               output's (scale, zero point) differ (max commutes with a positive scale); average: the int32
//               sum of (q - zp_in) over the window, v = float(sum) * float(s_in / (s_out * float(count)))
//
// Every step is exact or one IEEE float32 operation, so scalar, SSE/AVX and NEON code agree bit for bit
// (round to nearest even is the default rounding mode everywhere, and cvtps2dq / vcvtnq round that way).
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

#include "common/op_types.h"

namespace incept::ops {

// An 8-bit activation's quantisation (the loader checked: scale finite and > 0, zero point in range).
struct Quant {
  float scale = 1.0f;
  int32_t zero_point = 0;
};

// The range of an 8-bit storage type.
template <typename T>
struct QRange {
  static constexpr int32_t lo = std::numeric_limits<T>::min();
  static constexpr int32_t hi = std::numeric_limits<T>::max();
};

// v in the output's scale (before its zero point) -> q in [lo, hi]. NaN (an input or weight that was NaN, or
// 0 x inf from scales whose ratio overflows) becomes lo: v > vlo is false for it, as a vector max that
// returns its second operand on NaN gives.
inline int32_t requantize(float v, int32_t zero_point, int32_t lo, int32_t hi) {
  const float vlo = static_cast<float>(lo - zero_point), vhi = static_cast<float>(hi - zero_point);
  v = v > vlo ? v : vlo;  // integers: clamping before rounding equals clamping after
  v = v < vhi ? v : vhi;
  return static_cast<int32_t>(std::nearbyint(v)) + zero_point;
}

// The per-channel requantisation multiplier (the rule's operation order).
inline float requant_multiplier(float s_in, float s_w, float s_out) { return (s_in * s_w) / s_out; }

// The bias in accumulator units, rounded half away from zero and clamped to int32.
inline int32_t quantize_bias(float bias, float s_in, float s_w) {
  const double v = std::round(static_cast<double>(bias) / (static_cast<double>(s_in) * static_cast<double>(s_w)));
  constexpr double kMin = std::numeric_limits<int32_t>::min(), kMax = std::numeric_limits<int32_t>::max();
  if (std::isnan(v)) return 0;  // a NaN bias (the file's float32 weights are not checked for NaN)
  return static_cast<int32_t>(v < kMin ? kMin : v > kMax ? kMax : v);
}

// The average pools' multiplier for a window of `count` elements: float(s_in / (s_out * float(count))).
inline float avg_multiplier(float s_in, float s_out, int64_t count) {
  return s_in / (s_out * static_cast<float>(count));
}

// Whether an int32 accumulator holds every possible sum of a dot product of length k between 8-bit
// activations (|q - zp| <= 255) and int8 weights (|w| <= 127), plus a bias of magnitude |bias_q|.
inline bool q8_accumulator_fits(int64_t k, int64_t max_abs_bias) {
  return k >= 0 && k <= (int64_t{1} << 31) / (255 * 127) && max_abs_bias + k * 255 * 127 < (int64_t{1} << 31);
}

// An 8-bit conv or fully connected op as its kernels take it: int8 weights (OHWI, or [out, in]), symmetric
// per output channel, the bias and requantisation multipliers that q8_linear_prepare made, the activation
// applied last (after a fused residual: Inception-ResNet's relu(conv + x)).
struct QLinear {
  Quant in, out, residual;  // residual: the fused residual's, when there is one
  const int8_t* weights = nullptr;
  const int32_t* bias = nullptr;      // [O], accumulator units
  const float* multiplier = nullptr;  // [O]
  Activation activation = Activation::kNone;
};

// Prepare time: bias_q[o] = quantize_bias(bias[o]) (0 without a bias), multiplier[o] = requant_multiplier().
inline void q8_linear_prepare(const float* bias, Quant in, const float* weight_scales, Quant out, int32_t cout,
                              int32_t* bias_q, float* multiplier) {
  for (int32_t o = 0; o < cout; ++o) {
    bias_q[o] = bias != nullptr ? quantize_bias(bias[o], in.scale, weight_scales[o]) : 0;
    multiplier[o] = requant_multiplier(in.scale, weight_scales[o], out.scale);
  }
}

// The lowest q an output may take: its zero point (real 0) under a ReLU, else the type's minimum.
template <typename T>
inline int32_t q8_lower_bound(Activation a, int32_t zero_point) {
  return a == Activation::kRelu && zero_point > QRange<T>::lo ? zero_point : QRange<T>::lo;
}

template <typename T>
inline T quantize_value(float x, float inv_scale, int32_t zero_point) {
  return static_cast<T>(requantize(x * inv_scale, zero_point, QRange<T>::lo, QRange<T>::hi));
}

template <typename T>
inline float dequantize_value(T q, Quant qp) {
  return static_cast<float>(static_cast<int32_t>(q) - qp.zero_point) * qp.scale;
}

}  // namespace incept::ops
