// SPDX-License-Identifier: Apache-2.0
// Mean over H and W: NHWC [N, H, W, C] -> [N, C].
#pragma once

#include "common/op_types.h"
#include "common/quant.h"

namespace incept::ops {

struct GlobalAvgPoolParams {};

[[nodiscard]] Status global_avg_pool_infer_shape(const GlobalAvgPoolParams& p, const Shape& in, Shape* out);
// `out` is viewed as [N, 1, 1, C]; `in` and `out` may be strided slices.
void global_avg_pool_f32_ref(const GlobalAvgPoolParams& p, ConstTensorView<float> in, TensorView<float> out);

// 8-bit: the int32 sum over H x W, requantised; `out` is [N, C] seen as [N, 1, 1, C].
template <typename TIn, typename TOut>
void global_avg_pool_q8_ref(Quant qin, Quant qout, ConstTensorView<TIn> in, TensorView<TOut> out);

}  // namespace incept::ops
