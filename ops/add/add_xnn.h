// SPDX-License-Identifier: Apache-2.0
// Element-wise Add on XNNPACK (xnn_create_add_nd_f32), then the fused activation. XNNPACK's N-d
// binary ops take dense tensors only, so when any view is a strided slice (pixel stride != channels)
// create returns kUnsupported. `out` may alias `in_a` or `in_b` exactly (a residual add in place).
// The result is bit-identical to add_f32_ref (one rounding per element, and a clamp).
//
// XNNPACK reads (never writes) up to XNN_EXTRA_BYTES past the end of each input.
#pragma once

#include "add/add.h"
#include "common/xnn_op.h"

namespace incept::ops {

// Creates the operator at prepare time. Shapes were validated by add_infer_shape; the strides are
// the pixel strides of the views setup will bind.
[[nodiscard]] Status add_f32_xnn_create(const AddParams& p, const Shape& in_a, const Shape& in_b, const Shape& out,
                                        int32_t in_a_pixel_stride, int32_t in_b_pixel_stride, int32_t out_pixel_stride,
                                        XnnOp* op);

// Binds the dense views and the threadpool (nullptr: the calling thread); afterwards
// xnn_run_operator(op.get(), pool) computes the reference's function without allocating. Called once,
// after the arena is bound.
[[nodiscard]] Status add_f32_xnn_setup(const AddParams& p, const XnnOp& op, ConstTensorView<float> in_a,
                                       ConstTensorView<float> in_b, TensorView<float> out, pthreadpool_t pool);

}  // namespace incept::ops
