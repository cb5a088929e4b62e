// SPDX-License-Identifier: Apache-2.0
// y = x W^T + b: input [N, in], weights [out, in], optional bias [out] -> [N, out].
#pragma once

#include "common/op_types.h"
#include "common/quant.h"

namespace incept::ops {

struct FullyConnectedParams {
  Activation activation = Activation::kNone;
};

[[nodiscard]] Status fully_connected_infer_shape(const FullyConnectedParams& p, const Shape& in, const Shape& weights,
                                                 const Shape* bias, Shape* out);
// `in` and `out` are viewed as [N, 1, 1, C] and may be strided slices; `bias` may be nullptr.
void fully_connected_f32_ref(const FullyConnectedParams& p, ConstTensorView<float> in, const float* weights,
                             const float* bias, TensorView<float> out);

// 8-bit: in [N, in] (seen as [N, 1, 1, in]), q.weights [out, in]; the oracle of the int8 FC kernels. TOut
// float: the float32 logits float(acc) * q.multiplier (q.out {1, 0}: s_in * s_w), the activation applied.
template <typename TIn, typename TOut>
void fully_connected_q8_ref(const QLinear& q, ConstTensorView<TIn> in, TensorView<TOut> out);

}  // namespace incept::ops
