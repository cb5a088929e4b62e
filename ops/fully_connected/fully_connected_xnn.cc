// SPDX-License-Identifier: Apache-2.0
// FullyConnected on XNNPACK: a GEMM over N rows, each read from / written to its own pixel of the
// [N, 1, 1, C] views, so the row strides are the views' pixel strides.
#include "fully_connected/fully_connected_xnn.h"

#include <cmath>

namespace incept::ops {

Status fully_connected_f32_xnn_create(const FullyConnectedParams& p, const Shape& in, const Shape& out,
                                      int32_t in_pixel_stride, int32_t out_pixel_stride, const float* weights,
                                      const float* bias, XnnOp* op) {
  INCEPT_RETURN_IF_ERROR(xnn_ensure_initialized());
  const int32_t in_features = in[in.rank - 1], out_features = out[out.rank - 1];
  INCEPT_CHECK(in_pixel_stride >= in_features && out_pixel_stride >= out_features, kInvalidArgument,
               "FullyConnected (XNNPACK): row strides %d (input) and %d (output) must be >= the feature counts %d "
               "and %d",
               in_pixel_stride, out_pixel_stride, in_features, out_features);
  const float out_min = xnn_output_min(p.activation);
  const xnn_status s = xnn_create_fully_connected_nc_f32(
      static_cast<size_t>(in_features), static_cast<size_t>(out_features), static_cast<size_t>(in_pixel_stride),
      static_cast<size_t>(out_pixel_stride), weights, bias, out_min, INFINITY, /*flags=*/0, op->out());
  INCEPT_CHECK(s == xnn_status_success, kUnsupported,
               "FullyConnected (XNNPACK): XNNPACK refused %d -> %d features (%s)", in_features, out_features,
               xnn_status_name(s));
  return Status::ok();
}

Status fully_connected_f32_xnn_setup(const FullyConnectedParams&, const XnnOp& op, ConstTensorView<float> in,
                                     TensorView<float> out, pthreadpool_t pool) {
  INCEPT_CHECK(op.get() != nullptr, kInternal, "FullyConnected (XNNPACK): setup called before a successful create");
  const xnn_status s =
      xnn_setup_fully_connected_nc_f32(op.get(), static_cast<size_t>(in.num_pixels()), in.data, out.data, pool);
  INCEPT_CHECK(s == xnn_status_success, kInternal, "FullyConnected (XNNPACK): setup failed for %d rows (%s)", in.n,
               xnn_status_name(s));
  return Status::ok();
}

}  // namespace incept::ops
