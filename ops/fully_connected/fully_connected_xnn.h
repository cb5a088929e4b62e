// SPDX-License-Identifier: Apache-2.0
// FullyConnected on XNNPACK (xnn_create_fully_connected_nc_f32): weights [out, in] row-major are
// XNNPACK's default layout (no XNN_FLAG_TRANSPOSE_WEIGHTS); bias may be nullptr; fused ReLU. Every
// shape is supported. Input and output rows may be strided slices ([N, 1, 1, C] views).
//
// XNNPACK reads (never writes) up to XNN_EXTRA_BYTES past the end of the input view.
#pragma once

#include "common/xnn_op.h"
#include "fully_connected/fully_connected.h"

namespace incept::ops {

// Creates the operator and packs weights and bias into memory it owns; `weights` and `bias` may be
// freed afterwards. Shapes were validated by fully_connected_infer_shape (`in` [N, in], `out` [N, out]);
// in_pixel_stride / out_pixel_stride are the row strides of the views setup will bind.
[[nodiscard]] Status fully_connected_f32_xnn_create(const FullyConnectedParams& p, const Shape& in, const Shape& out,
                                                    int32_t in_pixel_stride, int32_t out_pixel_stride,
                                                    const float* weights, const float* bias, XnnOp* op);

// Binds the views (with the strides given to create) and the threadpool (nullptr: the calling
// thread); afterwards xnn_run_operator(op.get(), pool) computes the reference's function without
// allocating. Called once, after the arena is bound.
[[nodiscard]] Status fully_connected_f32_xnn_setup(const FullyConnectedParams& p, const XnnOp& op,
                                                   ConstTensorView<float> in, TensorView<float> out,
                                                   pthreadpool_t pool);

}  // namespace incept::ops
