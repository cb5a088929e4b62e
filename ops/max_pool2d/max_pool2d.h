// SPDX-License-Identifier: Apache-2.0
// Max pooling over NHWC; padded positions never win (PyTorch semantics).
#pragma once

#include "common/op_types.h"
#include "common/quant.h"

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

// 8-bit (TIn, TOut each uint8_t or int8_t): the max of q, requantised when qin and qout differ (common/quant.h).
template <typename TIn, typename TOut>
void max_pool2d_q8_ref(const MaxPool2DParams& p, Quant qin, Quant qout, ConstTensorView<TIn> in, TensorView<TOut> out);

}  // namespace incept::ops
