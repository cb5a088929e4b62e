// SPDX-License-Identifier: Apache-2.0
// AvgPool2D on XNNPACK. Three cases, chosen by choose_form() from the params and shapes alone, so
// create and setup agree:
//
// kPooling - xnn_create_average_pooling2d_nhwc_f32. Without padding XNNPACK multiplies each window
//   sum by 1 / (kH * kW); with any padding it multiplies by 1 / (in-image elements of the window),
//   i.e. count_include_pad = false. That is the reference's divisor when count_include_pad is false,
//   and also when it is true but every pad is 0 (the window clipped to the padded image is then the
//   in-image part). ceil_mode: XNNPACK rounds the output size down, so extra bottom/right padding makes
//   it produce the windows ceil rounding adds; being padding, it is never counted, like the reference.
// kDepthwise - count_include_pad = true with padding: a depthwise convolution (groups = channels)
//   with every weight 1 / (kH * kW) and XNNPACK's zero padding sums the window and divides by the
//   full window size, padding included. Exact while no window reaches past the padding; ceil rounding
//   can add one that does, and its divisor (the clipped window) differs: then kUnsupported. Also used
//   for 1x1 windows (pads are 0 there), which XNNPACK's pooling refuses: weight 1, x * 1 + 0 == x.
// Rounding differs from the reference (sum * (1/k) instead of sum / k, another summation order) by a
// few ulp; the tests bound it.
#include "avg_pool2d/avg_pool2d_xnn.h"

#include <cmath>
#include <vector>

namespace incept::ops {
namespace {

enum class Form { kPooling, kDepthwise, kUnsupported };

Form choose_form(const AvgPool2DParams& p, uint32_t extra_h, uint32_t extra_w) {
  const bool any_pad = (p.pad.top | p.pad.bottom | p.pad.left | p.pad.right) != 0;
  const bool is_1x1 = p.kernel.h == 1 && p.kernel.w == 1;
  if (!is_1x1 && (!p.count_include_pad || !any_pad)) return Form::kPooling;
  return extra_h == 0 && extra_w == 0 ? Form::kDepthwise : Form::kUnsupported;
}

}  // namespace

Status avg_pool2d_f32_xnn_create(const AvgPool2DParams& p, const Shape& in, const Shape& out, int32_t in_pixel_stride,
                                 int32_t out_pixel_stride, XnnOp* op) {
  INCEPT_RETURN_IF_ERROR(xnn_ensure_initialized());
  const int32_t c = in[3];
  INCEPT_CHECK(in_pixel_stride >= c && out_pixel_stride >= c, kInvalidArgument,
               "AvgPool2D (XNNPACK): pixel strides %d (input) and %d (output) must be >= the channel count %d",
               in_pixel_stride, out_pixel_stride, c);
  const uint32_t extra_h = xnn_ceil_extra_padding(in[1], p.kernel.h, p.stride.h, p.pad.top, p.pad.bottom, out[1]);
  const uint32_t extra_w = xnn_ceil_extra_padding(in[2], p.kernel.w, p.stride.w, p.pad.left, p.pad.right, out[2]);
  const Form form = choose_form(p, extra_h, extra_w);
  INCEPT_CHECK(form != Form::kUnsupported, kUnsupported,
               "AvgPool2D (XNNPACK): count_include_pad with padding %d/%d/%d/%d and ceil rounding gives a window "
               "reaching past the padding (its divisor shrinks), which no XNNPACK operator computes exactly",
               p.pad.top, p.pad.bottom, p.pad.left, p.pad.right);
  const float out_min = xnn_output_min(p.activation);
  const uint32_t kh = static_cast<uint32_t>(p.kernel.h), kw = static_cast<uint32_t>(p.kernel.w);
  const uint32_t sh = static_cast<uint32_t>(p.stride.h), sw = static_cast<uint32_t>(p.stride.w);
  const uint32_t pt = static_cast<uint32_t>(p.pad.top), pb = static_cast<uint32_t>(p.pad.bottom);
  const uint32_t pl = static_cast<uint32_t>(p.pad.left), pr = static_cast<uint32_t>(p.pad.right);
  xnn_status s;
  if (form == Form::kPooling) {
    s = xnn_create_average_pooling2d_nhwc_f32(pt, pr + extra_w, pb + extra_h, pl, kh, kw, sh, sw,
                                              static_cast<size_t>(c), static_cast<size_t>(in_pixel_stride),
                                              static_cast<size_t>(out_pixel_stride), out_min, INFINITY, 0, op->out());
  } else {
    // Weights [kH, kW, C] (depthwise layout), packed into the operator by XNNPACK; prepare time only.
    const float w = 1.0f / static_cast<float>(p.kernel.h * p.kernel.w);
    const std::vector<float> weights(static_cast<size_t>(p.kernel.h) * p.kernel.w * c, w);
    s = xnn_create_convolution2d_nhwc_f32(pt, pr, pb, pl, kh, kw, sh, sw, 1, 1, static_cast<uint32_t>(c), 1, 1,
                                          static_cast<size_t>(in_pixel_stride), static_cast<size_t>(out_pixel_stride),
                                          weights.data(), nullptr, out_min, INFINITY, XNN_FLAG_DEPTHWISE_CONVOLUTION,
                                          op->out());
  }
  INCEPT_CHECK(s == xnn_status_success, kUnsupported,
               "AvgPool2D (XNNPACK): XNNPACK refused window %dx%d, stride %dx%d, padding %d/%d/%d/%d (%s)", p.kernel.h,
               p.kernel.w, p.stride.h, p.stride.w, p.pad.top, p.pad.bottom, p.pad.left, p.pad.right,
               xnn_status_name(s));
  return Status::ok();
}

Status avg_pool2d_f32_xnn_setup(const AvgPool2DParams& p, const XnnOp& op, ConstTensorView<float> in,
                                TensorView<float> out, pthreadpool_t pool) {
  INCEPT_CHECK(op.get() != nullptr, kInternal, "AvgPool2D (XNNPACK): setup called before a successful create");
  const uint32_t extra_h = xnn_ceil_extra_padding(in.h, p.kernel.h, p.stride.h, p.pad.top, p.pad.bottom, out.h);
  const uint32_t extra_w = xnn_ceil_extra_padding(in.w, p.kernel.w, p.stride.w, p.pad.left, p.pad.right, out.w);
  const size_t n = static_cast<size_t>(in.n), h = static_cast<size_t>(in.h), w = static_cast<size_t>(in.w);
  const xnn_status s = choose_form(p, extra_h, extra_w) == Form::kPooling
                           ? xnn_setup_average_pooling2d_nhwc_f32(op.get(), n, h, w, in.data, out.data, pool)
                           : xnn_setup_convolution2d_nhwc_f32(op.get(), n, h, w, in.data, out.data, pool);
  INCEPT_CHECK(s == xnn_status_success, kInternal, "AvgPool2D (XNNPACK): setup failed for a %dx%dx%d input (%s)", in.h,
               in.w, in.c, xnn_status_name(s));
  return Status::ok();
}

}  // namespace incept::ops
