// SPDX-License-Identifier: Apache-2.0
// 2-D convolution, NHWC activations, OHWI weights [O, kH, kW, I / groups], optional bias [O].
#pragma once

#include "common/op_types.h"
#include "common/quant.h"

namespace incept::ops {

struct Conv2DParams {
  Size2D kernel, stride, dilation;
  Pad2D pad;
  int32_t groups = 1;
  Activation activation = Activation::kNone;
};

// Pure. Validates p against the input (NHWC), weights (OHWI) and optional bias ([O], nullptr when
// absent) and writes the output shape. Prepare-time only.
[[nodiscard]] Status conv2d_infer_shape(const Conv2DParams& p, const Shape& in, const Shape& weights, const Shape* bias,
                                        Shape* out);

// Obvious loops: the oracle. `bias` may be nullptr. `in` and `out` may be strided slices.
void conv2d_f32_ref(const Conv2DParams& p, ConstTensorView<float> in, const float* weights, const float* bias,
                    TensorView<float> out);

// Obvious loops over 8-bit tensors (TIn, TOut, TRes each uint8_t or int8_t): the oracle of the int8 kernels.
// `residual` (data null: none) is added before the activation, in the rule's order.
template <typename TIn, typename TOut, typename TRes = TOut>
void conv2d_q8_ref(const Conv2DParams& p, const QLinear& q, ConstTensorView<TIn> in, TensorView<TOut> out,
                   ConstTensorView<TRes> residual = {});

}  // namespace incept::ops
