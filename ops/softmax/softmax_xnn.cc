// SPDX-License-Identifier: Apache-2.0
// Softmax on XNNPACK. Per row XNNPACK finds the max, writes exp(x - max) (a polynomial approximation
// within a few ulp) to the output while summing, then scales the output by 1 / sum: the reference's
// steps, so aliasing in and out exactly is safe (each element is read before it is written).
#include "softmax/softmax_xnn.h"

namespace incept::ops {

Status softmax_f32_xnn_create(const SoftmaxParams& p, const Shape& in, const Shape&, int32_t in_pixel_stride,
                              int32_t out_pixel_stride, XnnOp* op) {
  INCEPT_RETURN_IF_ERROR(xnn_ensure_initialized());
  INCEPT_CHECK(p.beta == 1.0f, kUnsupported,
               "Softmax (XNNPACK): beta %g is not 1, and XNNPACK's softmax has no beta (it would need a scaled copy of "
               "the input)",
               static_cast<double>(p.beta));
  const int32_t c = in[in.rank - 1];
  INCEPT_CHECK(in_pixel_stride >= c && out_pixel_stride >= c, kInvalidArgument,
               "Softmax (XNNPACK): pixel strides %d (input) and %d (output) must be >= the channel count %d",
               in_pixel_stride, out_pixel_stride, c);
  const xnn_status s = xnn_create_softmax_nc_f32(static_cast<size_t>(c), static_cast<size_t>(in_pixel_stride),
                                                 static_cast<size_t>(out_pixel_stride), /*flags=*/0, op->out());
  INCEPT_CHECK(s == xnn_status_success, kUnsupported, "Softmax (XNNPACK): XNNPACK refused %d channels (%s)", c,
               xnn_status_name(s));
  return Status::ok();
}

Status softmax_f32_xnn_setup(const SoftmaxParams&, const XnnOp& op, ConstTensorView<float> in, TensorView<float> out,
                             pthreadpool_t pool) {
  INCEPT_CHECK(op.get() != nullptr, kInternal, "Softmax (XNNPACK): setup called before a successful create");
  const xnn_status s =
      xnn_setup_softmax_nc_f32(op.get(), static_cast<size_t>(in.num_pixels()), in.data, out.data, pool);
  INCEPT_CHECK(s == xnn_status_success, kInternal, "Softmax (XNNPACK): setup failed for %lld rows (%s)",
               static_cast<long long>(in.num_pixels()), xnn_status_name(s));
  return Status::ok();
}

}  // namespace incept::ops
