// SPDX-License-Identifier: Apache-2.0
// Average pooling over NHWC. count_include_pad: divide by the full window (PyTorch's default) or by
// the in-image part of it. Windows that reach past the padding (ceil rounding) never count that part.
#pragma once

#include "common/op_types.h"
#include "common/quant.h"

namespace incept::ops {

struct AvgPool2DParams {
  Size2D kernel, stride;
  Pad2D pad;
  bool ceil_mode = false;
  bool count_include_pad = true;
  Activation activation = Activation::kNone;
};

[[nodiscard]] Status avg_pool2d_infer_shape(const AvgPool2DParams& p, const Shape& in, Shape* out);
// Obvious loops: the oracle. `in` and `out` may be strided slices (pixel_stride >= c).
void avg_pool2d_f32_ref(const AvgPool2DParams& p, ConstTensorView<float> in, TensorView<float> out);

// 8-bit: the int32 sum over the window (the float reference's clipping and divisor), requantised.
template <typename TIn, typename TOut>
void avg_pool2d_q8_ref(const AvgPool2DParams& p, Quant qin, Quant qout, ConstTensorView<TIn> in, TensorView<TOut> out);

}  // namespace incept::ops
