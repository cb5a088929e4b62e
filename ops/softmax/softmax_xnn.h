// SPDX-License-Identifier: Apache-2.0
// Softmax over channels on XNNPACK (xnn_create_softmax_nc_f32): every pixel is one row, rows are the
// views' pixel strides apart, and `out` may alias `in` exactly. XNNPACK has no beta, so beta != 1 is
// kUnsupported (scaling would need a scratch copy of the input this op does not have).
//
// XNNPACK reads (never writes) up to XNN_EXTRA_BYTES past the end of the input view.
#pragma once

#include "common/xnn_op.h"
#include "softmax/softmax.h"

namespace incept::ops {

// Creates the operator at prepare time. Shapes were validated by softmax_infer_shape;
// in_pixel_stride / out_pixel_stride are the pixel strides of the views setup will bind (>= channels).
[[nodiscard]] Status softmax_f32_xnn_create(const SoftmaxParams& p, const Shape& in, const Shape& out,
                                            int32_t in_pixel_stride, int32_t out_pixel_stride, XnnOp* op);

// Binds the views (with the pixel strides given to create) and the threadpool (nullptr: the calling
// thread); afterwards xnn_run_operator(op.get(), pool) computes the reference's function without
// allocating. Called once, after the arena is bound.
[[nodiscard]] Status softmax_f32_xnn_setup(const SoftmaxParams& p, const XnnOp& op, ConstTensorView<float> in,
                                           TensorView<float> out, pthreadpool_t pool);

}  // namespace incept::ops
