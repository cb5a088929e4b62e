// SPDX-License-Identifier: Apache-2.0
// GlobalAvgPool on XNNPACK. NHWC pixels are evenly spaced by the pixel stride across rows and
// columns, so each image is one "NWC" row of width H * W with the input pixel stride, and each output
// row is the image's [1, 1, C] pixel; output rows are out_pixel_stride apart, as in the [N, 1, 1, C] view.
#include "global_avg_pool/global_avg_pool_xnn.h"

#include <cmath>

namespace incept::ops {

Status global_avg_pool_f32_xnn_create(const GlobalAvgPoolParams&, const Shape& in, const Shape& out,
                                      int32_t in_pixel_stride, int32_t out_pixel_stride, XnnOp* op) {
  INCEPT_RETURN_IF_ERROR(xnn_ensure_initialized());
  const int32_t c = in[3];
  INCEPT_CHECK(in_pixel_stride >= c && out_pixel_stride >= c, kInvalidArgument,
               "GlobalAvgPool (XNNPACK): pixel strides %d (input) and %d (output) must be >= the channel count %d",
               in_pixel_stride, out_pixel_stride, c);
  const xnn_status s = xnn_create_global_average_pooling_nwc_f32(
      static_cast<size_t>(c), static_cast<size_t>(in_pixel_stride), static_cast<size_t>(out_pixel_stride), -INFINITY,
      INFINITY, /*flags=*/0, op->out());
  INCEPT_CHECK(s == xnn_status_success, kUnsupported, "GlobalAvgPool (XNNPACK): XNNPACK refused %d channels (%s)", c,
               xnn_status_name(s));
  return Status::ok();
}

Status global_avg_pool_f32_xnn_setup(const GlobalAvgPoolParams&, const XnnOp& op, ConstTensorView<float> in,
                                     TensorView<float> out, pthreadpool_t pool) {
  INCEPT_CHECK(op.get() != nullptr, kInternal, "GlobalAvgPool (XNNPACK): setup called before a successful create");
  const size_t width = static_cast<size_t>(in.h) * static_cast<size_t>(in.w);
  const xnn_status s =
      xnn_setup_global_average_pooling_nwc_f32(op.get(), static_cast<size_t>(in.n), width, in.data, out.data, pool);
  INCEPT_CHECK(s == xnn_status_success, kInternal, "GlobalAvgPool (XNNPACK): setup failed for a %dx%dx%d input (%s)",
               in.h, in.w, in.c, xnn_status_name(s));
  return Status::ok();
}

}  // namespace incept::ops
