// SPDX-License-Identifier: Apache-2.0
// Sliding-window arithmetic shared by conv and the pools.
#include "common/op_types.h"

#include <cstdint>
#include <limits>

namespace incept::ops {

int32_t window_out_size(int32_t in, int32_t kernel, int32_t stride, int32_t dilation, int32_t pad_a, int32_t pad_b,
                        bool ceil_mode) {
  if (in < 1 || kernel < 1 || stride < 1 || dilation < 1 || pad_a < 0 || pad_b < 0) return -1;
  // 64-bit throughout: every term is below 2^31, so sums and the product below cannot overflow.
  const int64_t span = int64_t{dilation} * (kernel - 1) + 1;
  const int64_t padded = int64_t{in} + pad_a + pad_b;
  if (padded < span) return -1;
  const int64_t room = padded - span;
  int64_t out = (ceil_mode ? (room + stride - 1) / stride : room / stride) + 1;
  // PyTorch (pooling_output_shape): with ceil rounding, a last window that would start inside the
  // trailing padding (at or past in + pad_a in padded coordinates) is dropped.
  if (ceil_mode && (out - 1) * stride >= int64_t{in} + pad_a) --out;
  if (out < 1 || out > std::numeric_limits<int32_t>::max()) return -1;
  return static_cast<int32_t>(out);
}

// Rule for pads: each side must be smaller than the kernel span, dilation * (kernel - 1) + 1. With
// dilation 1 (every pool) this guarantees that every window, first and last, overlaps the image, so a
// max pool never yields -inf and an average that excludes padding never divides by zero. It accepts
// every torchvision GoogLeNet / Inception-v3 layer (largest: conv1 7x7 pad 3; 1x7 pad (0, 3)) and
// TensorFlow SAME padding (at most kernel / 2 per side), and is looser than PyTorch's pooling rule
// (pad <= kernel / 2), which a shape check need not copy since the semantics stay well defined.
Status check_window(const char* op, Size2D kernel, Size2D stride, Size2D dilation, Pad2D pad) {
  INCEPT_CHECK(kernel.h >= 1 && kernel.w >= 1, kInvalidModel, "%s: kernel must be >= 1x1, got %dx%d", op, kernel.h,
               kernel.w);
  INCEPT_CHECK(stride.h >= 1 && stride.w >= 1, kInvalidModel, "%s: stride must be >= 1x1, got %dx%d", op, stride.h,
               stride.w);
  INCEPT_CHECK(dilation.h >= 1 && dilation.w >= 1, kInvalidModel, "%s: dilation must be >= 1x1, got %dx%d", op,
               dilation.h, dilation.w);
  INCEPT_CHECK(pad.top >= 0 && pad.bottom >= 0 && pad.left >= 0 && pad.right >= 0, kInvalidModel,
               "%s: padding must be >= 0 on every side, got top %d, bottom %d, left %d, right %d", op, pad.top,
               pad.bottom, pad.left, pad.right);
  const int64_t span_h = int64_t{dilation.h} * (kernel.h - 1) + 1;
  const int64_t span_w = int64_t{dilation.w} * (kernel.w - 1) + 1;
  INCEPT_CHECK(pad.top < span_h && pad.bottom < span_h, kInvalidModel,
               "%s: padding top %d / bottom %d must be smaller than the kernel's height span %lld (kernel %d, "
               "dilation %d)",
               op, pad.top, pad.bottom, static_cast<long long>(span_h), kernel.h, dilation.h);
  INCEPT_CHECK(pad.left < span_w && pad.right < span_w, kInvalidModel,
               "%s: padding left %d / right %d must be smaller than the kernel's width span %lld (kernel %d, "
               "dilation %d)",
               op, pad.left, pad.right, static_cast<long long>(span_w), kernel.w, dilation.w);
  return Status::ok();
}

Status check_positive_dims(const char* op, const char* what, const Shape& s) {
  char buf[64];
  INCEPT_CHECK(s.rank >= 1 && s.rank <= Shape::kMaxRank, kInvalidModel, "%s: %s must have rank 1 to %d, got rank %d",
               op, what, Shape::kMaxRank, s.rank);
  for (int i = 0; i < s.rank; ++i) {
    INCEPT_CHECK(s.dims[i] >= 1, kInvalidModel, "%s: %s dims must all be >= 1, got %s (dim %d is %d)", op, what,
                 shape_to_string(s, buf, sizeof(buf)), i, s.dims[i]);
  }
  INCEPT_CHECK(checked_num_elements(s) >= 0, kInvalidModel, "%s: %s %s has more than 2^40 elements", op, what,
               shape_to_string(s, buf, sizeof(buf)));
  return Status::ok();
}

Status check_activation(const char* op, Activation a) {
  INCEPT_CHECK(a == Activation::kNone || a == Activation::kRelu, kInvalidModel,
               "%s: activation must be NONE (0) or RELU (1), got %d", op, static_cast<int>(a));
  return Status::ok();
}

Status pool2d_infer_shape(const char* op, Size2D kernel, Size2D stride, Pad2D pad, bool ceil_mode,
                          Activation activation, const Shape& in, Shape* out) {
  INCEPT_CHECK(in.rank == 4, kInvalidModel, "%s: input must be NHWC (rank 4), got rank %d", op, in.rank);
  INCEPT_RETURN_IF_ERROR(check_positive_dims(op, "input", in));
  INCEPT_RETURN_IF_ERROR(check_activation(op, activation));
  INCEPT_RETURN_IF_ERROR(check_window(op, kernel, stride, Size2D{1, 1}, pad));
  const int32_t oh = window_out_size(in[1], kernel.h, stride.h, 1, pad.top, pad.bottom, ceil_mode);
  const int32_t ow = window_out_size(in[2], kernel.w, stride.w, 1, pad.left, pad.right, ceil_mode);
  INCEPT_CHECK(oh >= 1, kInvalidModel, "%s: window height %d does not fit input height %d plus padding %d + %d", op,
               kernel.h, in[1], pad.top, pad.bottom);
  INCEPT_CHECK(ow >= 1, kInvalidModel, "%s: window width %d does not fit input width %d plus padding %d + %d", op,
               kernel.w, in[2], pad.left, pad.right);
  *out = Shape{in[0], oh, ow, in[3]};
  return Status::ok();
}

}  // namespace incept::ops
