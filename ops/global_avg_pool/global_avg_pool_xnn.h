// SPDX-License-Identifier: Apache-2.0
// GlobalAvgPool on XNNPACK (xnn_create_global_average_pooling_nwc_f32): [N, H, W, C] seen as N rows
// of H * W pixels, reduced to the [N, C] output viewed as [N, 1, 1, C]. Every shape is supported;
// XNNPACK multiplies each sum by 1 / (H * W) where the reference divides, a few ulp apart.
//
// XNNPACK reads (never writes) up to XNN_EXTRA_BYTES past the end of the input view.
#pragma once

#include "common/xnn_op.h"
#include "global_avg_pool/global_avg_pool.h"

namespace incept::ops {

// Creates the operator at prepare time. Shapes were validated by global_avg_pool_infer_shape (`out`
// is [N, C]); in_pixel_stride / out_pixel_stride are the pixel strides of the views setup will bind.
[[nodiscard]] Status global_avg_pool_f32_xnn_create(const GlobalAvgPoolParams& p, const Shape& in, const Shape& out,
                                                    int32_t in_pixel_stride, int32_t out_pixel_stride, XnnOp* op);

// Binds the views (with the pixel strides given to create) and the threadpool (nullptr: the calling
// thread); afterwards xnn_run_operator(op.get(), pool) computes the reference's function without
// allocating. Called once, after the arena is bound.
[[nodiscard]] Status global_avg_pool_f32_xnn_setup(const GlobalAvgPoolParams& p, const XnnOp& op,
                                                   ConstTensorView<float> in, TensorView<float> out,
                                                   pthreadpool_t pool);

}  // namespace incept::ops
