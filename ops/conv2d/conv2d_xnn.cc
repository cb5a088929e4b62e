// SPDX-License-Identifier: Apache-2.0
// Conv2D on XNNPACK. The parameters map one to one: XNNPACK's subsampling is the stride, its padding
// is zero padding like PyTorch's, and its output size, (in + pads - span) / stride + 1 rounded down,
// is the one conv2d_infer_shape computes. XNNPACK picks GEMM (1x1, stride 1, no padding),
// depthwise (one channel in and out per group) or indirect GEMM kernels by itself.
#include "conv2d/conv2d_xnn.h"

#include <cmath>

namespace incept::ops {

Status conv2d_f32_xnn_create(const Conv2DParams& p, const Shape& in, const Shape& out, int32_t in_pixel_stride,
                             int32_t out_pixel_stride, const float* weights, const float* bias, XnnOp* op) {
  INCEPT_RETURN_IF_ERROR(xnn_ensure_initialized());
  INCEPT_CHECK(in_pixel_stride >= in[3] && out_pixel_stride >= out[3], kInvalidArgument,
               "Conv2D (XNNPACK): pixel strides %d (input) and %d (output) must be >= the channel counts %d and %d",
               in_pixel_stride, out_pixel_stride, in[3], out[3]);
  const float out_min = xnn_output_min(p.activation);
  const xnn_status s = xnn_create_convolution2d_nhwc_f32(
      static_cast<uint32_t>(p.pad.top), static_cast<uint32_t>(p.pad.right), static_cast<uint32_t>(p.pad.bottom),
      static_cast<uint32_t>(p.pad.left), static_cast<uint32_t>(p.kernel.h), static_cast<uint32_t>(p.kernel.w),
      static_cast<uint32_t>(p.stride.h), static_cast<uint32_t>(p.stride.w), static_cast<uint32_t>(p.dilation.h),
      static_cast<uint32_t>(p.dilation.w), static_cast<uint32_t>(p.groups), static_cast<size_t>(in[3] / p.groups),
      static_cast<size_t>(out[3] / p.groups), static_cast<size_t>(in_pixel_stride),
      static_cast<size_t>(out_pixel_stride), weights, bias, out_min, INFINITY, /*flags=*/0, op->out());
  INCEPT_CHECK(s == xnn_status_success, kUnsupported,
               "Conv2D (XNNPACK): xnn_create_convolution2d_nhwc_f32 refused kernel %dx%d, stride %dx%d, groups %d "
               "(%s)",
               p.kernel.h, p.kernel.w, p.stride.h, p.stride.w, p.groups, xnn_status_name(s));
  return Status::ok();
}

Status conv2d_f32_xnn_setup(const Conv2DParams&, const XnnOp& op, ConstTensorView<float> in, TensorView<float> out,
                            pthreadpool_t pool) {
  INCEPT_CHECK(op.get() != nullptr, kInternal, "Conv2D (XNNPACK): setup called before a successful create");
  const xnn_status s = xnn_setup_convolution2d_nhwc_f32(op.get(), static_cast<size_t>(in.n), static_cast<size_t>(in.h),
                                                        static_cast<size_t>(in.w), in.data, out.data, pool);
  INCEPT_CHECK(s == xnn_status_success, kInternal, "Conv2D (XNNPACK): setup failed for a %dx%dx%d input (%s)", in.h,
               in.w, in.c, xnn_status_name(s));
  return Status::ok();
}

}  // namespace incept::ops
