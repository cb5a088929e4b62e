// SPDX-License-Identifier: Apache-2.0
// MaxPool2D on XNNPACK. Every MaxPool2DParams the shape check accepts is supported, ceil_mode
// included; see max_pool2d_xnn.cc for how. One difference from max_pool2d_f32_ref, which propagates
// NaN like PyTorch: XNNPACK's SIMD max/min drop a NaN input, or (depending on where it sits in the
// window) turn it into +inf in the output clamp. Finite inputs give bit-identical results.
//
// XNNPACK reads (never writes) up to XNN_EXTRA_BYTES past the end of the input view.
#pragma once

#include "common/xnn_op.h"
#include "max_pool2d/max_pool2d.h"

namespace incept::ops {

// Creates the operator at prepare time. Shapes were validated by max_pool2d_infer_shape;
// in_pixel_stride / out_pixel_stride are the pixel strides of the views setup will bind (>= channels).
[[nodiscard]] Status max_pool2d_f32_xnn_create(const MaxPool2DParams& p, const Shape& in, const Shape& out,
                                               int32_t in_pixel_stride, int32_t out_pixel_stride, XnnOp* op);

// Binds the views (with the pixel strides given to create) and the threadpool (nullptr: the calling
// thread); afterwards xnn_run_operator(op.get(), pool) computes the reference's function without
// allocating. Called once, after the arena is bound.
[[nodiscard]] Status max_pool2d_f32_xnn_setup(const MaxPool2DParams& p, const XnnOp& op, ConstTensorView<float> in,
                                              TensorView<float> out, pthreadpool_t pool);

}  // namespace incept::ops
