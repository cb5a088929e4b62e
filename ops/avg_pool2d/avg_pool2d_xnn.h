// SPDX-License-Identifier: Apache-2.0
// AvgPool2D on XNNPACK: XNNPACK's average pooling where its divisor (the in-image part of the window)
// is the reference's, and a depthwise convolution with constant weights for PyTorch's
// count_include_pad = true with padding (torchvision Inception-v3's 3x3 s1 p1 branch_pool). The one
// case without an exact formulation is kUnsupported: count_include_pad = true with non-zero padding
// where ceil rounding adds a window reaching past the padding (its divisor shrinks). See the .cc.
//
// XNNPACK reads (never writes) up to XNN_EXTRA_BYTES past the end of the input view.
#pragma once

#include "avg_pool2d/avg_pool2d.h"
#include "common/xnn_op.h"

namespace incept::ops {

// Creates the operator at prepare time. Shapes were validated by avg_pool2d_infer_shape;
// in_pixel_stride / out_pixel_stride are the pixel strides of the views setup will bind (>= channels).
// kUnsupported (saying why) for the case above; the runtime then uses another backend.
[[nodiscard]] Status avg_pool2d_f32_xnn_create(const AvgPool2DParams& p, const Shape& in, const Shape& out,
                                               int32_t in_pixel_stride, int32_t out_pixel_stride, XnnOp* op);

// Binds the views (with the pixel strides given to create) and the threadpool (nullptr: the calling
// thread); afterwards xnn_run_operator(op.get(), pool) computes the reference's function without
// allocating. Called once, after the arena is bound.
[[nodiscard]] Status avg_pool2d_f32_xnn_setup(const AvgPool2DParams& p, const XnnOp& op, ConstTensorView<float> in,
                                              TensorView<float> out, pthreadpool_t pool);

}  // namespace incept::ops
