// SPDX-License-Identifier: Apache-2.0
// Max pooling over NHWC; padded positions never win (PyTorch semantics).
#pragma once

#include "common/op_types.h"

namespace incept::ops {

struct MaxPool2DParams {
  Size2D kernel, stride;
  Pad2D pad;
  bool ceil_mode = false;
  Activation activation = Activation::kNone;
};

[[nodiscard]] Status max_pool2d_infer_shape(const MaxPool2DParams& p, const Shape& in, Shape* out);
// Obvious loops: the oracle. `in` and `out` may be strided slices (pixel_stride >= c).
void max_pool2d_f32_ref(const MaxPool2DParams& p, ConstTensorView<float> in, TensorView<float> out);

}  // namespace incept::ops
