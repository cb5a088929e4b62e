// SPDX-License-Identifier: Apache-2.0
// Local response normalization across channels (ONNX LRN), per pixel of an NHWC tensor:
//   out[c] = x[c] / (bias + alpha / size * S(c))^beta,   S(c) = sum of x[i]^2 over i in window(c),
//   window(c) = [c - floor((size - 1) / 2), c + ceil((size - 1) / 2)] clipped to [0, C).
// PyTorch's LocalResponseNorm has the same window for odd sizes; for even sizes it sits one channel lower.
#pragma once

#include "common/op_types.h"

namespace incept::ops {

// Largest window accepted (far beyond any network's 3..9; keeps window arithmetic small).
inline constexpr int32_t kMaxLrnSize = 1 << 12;

struct LRNParams {
  int32_t size = 5;     // 1..kMaxLrnSize; may exceed C (the window is clipped)
  float alpha = 1e-4f;  // finite, >= 0
  float beta = 0.75f;   // finite
  float bias = 1.0f;    // finite, > 0: with alpha >= 0 the base is >= bias, so no 0^beta or negative base
};

// Pure. Checks p's ranges and that `in` is NHWC (rank 4); the output has the input's shape.
[[nodiscard]] Status lrn_infer_shape(const LRNParams& p, const Shape& in, Shape* out);
// The oracle, and the kernel every backend runs (XNNPACK and Eigen have no LRN). O(N*H*W*C): a running
// window sum per pixel, independent of size. `in` and `out` may be strided slices; `out` must not
// overlap `in` (it holds the window sums before the final pass).
void lrn_f32_ref(const LRNParams& p, ConstTensorView<float> in, TensorView<float> out);

}  // namespace incept::ops
