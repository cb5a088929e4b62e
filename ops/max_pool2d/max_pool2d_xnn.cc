// SPDX-License-Identifier: Apache-2.0
// MaxPool2D on XNNPACK (xnn_create_max_pooling2d_nhwc_f32).
//
// ceil_mode: XNNPACK always rounds the output size down, so the last window that ceil rounding adds
// is produced by extra bottom/right padding, just enough that (in + pads + extra - kernel) / stride
// + 1 equals the output size. Padding never wins: XNNPACK's indirection buffer does not read padding
// at all, it clamps each padded row/column to the nearest image row/column. Every window contains
// that nearest row/column (each window starts inside the image, since check_window keeps pads below
// the kernel and ceil rounding drops windows that start in the trailing padding, and reaches at
// least as far as it), so the clamped duplicate never changes the max. The tests check this with
// all-negative inputs.
//
// 1x1 windows: XNNPACK refuses them ("1x1 pooling is meaningless"), but with pads 0 (check_window's
// rule for a 1-wide kernel) they are a strided subsample, computed here exactly as a depthwise 1x1
// convolution with weights 1 and no bias (x * 1 + 0 == x). Ceil rounding never adds a window then.
#include "max_pool2d/max_pool2d_xnn.h"

#include <cmath>
#include <vector>

namespace incept::ops {
namespace {

bool is_1x1(const MaxPool2DParams& p) { return p.kernel.h == 1 && p.kernel.w == 1; }

}  // namespace

Status max_pool2d_f32_xnn_create(const MaxPool2DParams& p, const Shape& in, const Shape& out, int32_t in_pixel_stride,
                                 int32_t out_pixel_stride, XnnOp* op) {
  INCEPT_RETURN_IF_ERROR(xnn_ensure_initialized());
  const int32_t c = in[3];
  INCEPT_CHECK(in_pixel_stride >= c && out_pixel_stride >= c, kInvalidArgument,
               "MaxPool2D (XNNPACK): pixel strides %d (input) and %d (output) must be >= the channel count %d",
               in_pixel_stride, out_pixel_stride, c);
  const uint32_t extra_h = xnn_ceil_extra_padding(in[1], p.kernel.h, p.stride.h, p.pad.top, p.pad.bottom, out[1]);
  const uint32_t extra_w = xnn_ceil_extra_padding(in[2], p.kernel.w, p.stride.w, p.pad.left, p.pad.right, out[2]);
  const float out_min = xnn_output_min(p.activation);
  xnn_status s;
  if (is_1x1(p)) {
    INCEPT_CHECK(extra_h == 0 && extra_w == 0, kUnsupported,
                 "MaxPool2D (XNNPACK): a 1x1 window with ceil rounding past the image has no exact XNNPACK form");
    const std::vector<float> ones(static_cast<size_t>(c), 1.0f);  // prepare time: XNNPACK packs a copy
    s = xnn_create_convolution2d_nhwc_f32(
        0, 0, 0, 0, 1, 1, static_cast<uint32_t>(p.stride.h), static_cast<uint32_t>(p.stride.w), 1, 1,
        static_cast<uint32_t>(c), 1, 1, static_cast<size_t>(in_pixel_stride), static_cast<size_t>(out_pixel_stride),
        ones.data(), nullptr, out_min, INFINITY, XNN_FLAG_DEPTHWISE_CONVOLUTION, op->out());
  } else {
    s = xnn_create_max_pooling2d_nhwc_f32(
        static_cast<uint32_t>(p.pad.top), static_cast<uint32_t>(p.pad.right) + extra_w,
        static_cast<uint32_t>(p.pad.bottom) + extra_h, static_cast<uint32_t>(p.pad.left),
        static_cast<uint32_t>(p.kernel.h), static_cast<uint32_t>(p.kernel.w), static_cast<uint32_t>(p.stride.h),
        static_cast<uint32_t>(p.stride.w), 1, 1, static_cast<size_t>(c), static_cast<size_t>(in_pixel_stride),
        static_cast<size_t>(out_pixel_stride), out_min, INFINITY, /*flags=*/0, op->out());
  }
  INCEPT_CHECK(s == xnn_status_success, kUnsupported,
               "MaxPool2D (XNNPACK): XNNPACK refused window %dx%d, stride %dx%d, padding %d/%d/%d/%d (%s)", p.kernel.h,
               p.kernel.w, p.stride.h, p.stride.w, p.pad.top, p.pad.bottom, p.pad.left, p.pad.right,
               xnn_status_name(s));
  return Status::ok();
}

Status max_pool2d_f32_xnn_setup(const MaxPool2DParams& p, const XnnOp& op, ConstTensorView<float> in,
                                TensorView<float> out, pthreadpool_t pool) {
  INCEPT_CHECK(op.get() != nullptr, kInternal, "MaxPool2D (XNNPACK): setup called before a successful create");
  const size_t n = static_cast<size_t>(in.n), h = static_cast<size_t>(in.h), w = static_cast<size_t>(in.w);
  const xnn_status s = is_1x1(p) ? xnn_setup_convolution2d_nhwc_f32(op.get(), n, h, w, in.data, out.data, pool)
                                 : xnn_setup_max_pooling2d_nhwc_f32(op.get(), n, h, w, in.data, out.data, pool);
  INCEPT_CHECK(s == xnn_status_success, kInternal, "MaxPool2D (XNNPACK): setup failed for a %dx%dx%d input (%s)", in.h,
               in.w, in.c, xnn_status_name(s));
  return Status::ok();
}

}  // namespace incept::ops
