// SPDX-License-Identifier: Apache-2.0
// Element-wise a + b (same shapes), then the activation. `out` may alias `a` or `b` exactly.
#pragma once

#include "common/op_types.h"
#include "common/quant.h"

namespace incept::ops {

struct AddParams {
  Activation activation = Activation::kNone;
};

[[nodiscard]] Status add_infer_shape(const AddParams& p, const Shape& a, const Shape& b, Shape* out);
// The oracle. Inputs are [N, C] or NHWC; any view may be a strided slice.
void add_f32_ref(const AddParams& p, ConstTensorView<float> a, ConstTensorView<float> b, TensorView<float> out);

// 8-bit (each type uint8_t or int8_t): both inputs rescaled to the output's scale, added, requantised.
template <typename TA, typename TB, typename TOut>
void add_q8_ref(const AddParams& p, Quant qa, Quant qb, Quant qout, ConstTensorView<TA> a, ConstTensorView<TB> b,
                TensorView<TOut> out);

}  // namespace incept::ops
