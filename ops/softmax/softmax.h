// SPDX-License-Identifier: Apache-2.0
// softmax(beta * x) over the last axis (channels), computed stably (max subtracted first).
#pragma once

#include "common/op_types.h"

namespace incept::ops {

struct SoftmaxParams {
  float beta = 1.0f;  // any finite value (shape inference rejects NaN and infinities)
};

[[nodiscard]] Status softmax_infer_shape(const SoftmaxParams& p, const Shape& in, Shape* out);
// The oracle. `in` and `out` may be strided slices, and `out` may alias `in` exactly.
void softmax_f32_ref(const SoftmaxParams& p, ConstTensorView<float> in, TensorView<float> out);

}  // namespace incept::ops
