// SPDX-License-Identifier: Apache-2.0
// Element-wise a + b (same shapes), then the activation. `out` may alias `a` or `b` exactly.
#pragma once

#include "common/op_types.h"

namespace incept::ops {

struct AddParams {
  Activation activation = Activation::kNone;
};

[[nodiscard]] Status add_infer_shape(const AddParams& p, const Shape& a, const Shape& b, Shape* out);
// The oracle. Inputs are [N, C] or NHWC; any view may be a strided slice.
void add_f32_ref(const AddParams& p, ConstTensorView<float> a, ConstTensorView<float> b, TensorView<float> out);

}  // namespace incept::ops
