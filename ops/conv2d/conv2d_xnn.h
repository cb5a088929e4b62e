// SPDX-License-Identifier: Apache-2.0
// Conv2D on XNNPACK (xnn_create_convolution2d_nhwc_f32). Every Conv2DParams the shape check accepts is
// supported: groups, dilation, asymmetric padding, stride, optional bias, fused ReLU. OHWI weights are
// XNNPACK's [groups, group_out, kH, kW, group_in] layout as they are, so nothing is transposed.
//
//   XnnOp op;
//   INCEPT_RETURN_IF_ERROR(conv2d_f32_xnn_create(p, in_shape, out_shape, in_stride, out_stride, w, b, &op));
//   INCEPT_RETURN_IF_ERROR(conv2d_f32_xnn_setup(p, op, in_view, out_view, pool));   // once the arena is bound
//   xnn_run_operator(op.get(), pool);                                               // every invoke
//
// XNNPACK reads (never writes) up to XNN_EXTRA_BYTES past the end of the input view.
#pragma once

#include "common/xnn_op.h"
#include "conv2d/conv2d.h"

namespace incept::ops {

// Creates the operator and packs weights and bias into memory it owns (from xnn_ensure_initialized's
// allocator); `weights` and `bias` may be freed afterwards, and `bias` may be nullptr. Shapes were
// validated by conv2d_infer_shape. in_pixel_stride / out_pixel_stride are the pixel strides of the
// views that setup will bind (>= the channel counts). kUnsupported when XNNPACK refuses the operator.
[[nodiscard]] Status conv2d_f32_xnn_create(const Conv2DParams& p, const Shape& in, const Shape& out,
                                           int32_t in_pixel_stride, int32_t out_pixel_stride, const float* weights,
                                           const float* bias, XnnOp* op);

// Binds the input and output views (whose pixel strides must be the ones given to create) and the
// threadpool (nullptr: run on the calling thread); after this, xnn_run_operator(op.get(), pool)
// computes conv2d_f32_ref's function without allocating. Called once, after the arena is bound.
[[nodiscard]] Status conv2d_f32_xnn_setup(const Conv2DParams& p, const XnnOp& op, ConstTensorView<float> in,
                                          TensorView<float> out, pthreadpool_t pool);

}  // namespace incept::ops
