// SPDX-License-Identifier: Apache-2.0
// Conv2D shape inference: every check on params, input, weights and bias happens here.
#include "conv2d/conv2d.h"

namespace incept::ops {

Status conv2d_infer_shape(const Conv2DParams& p, const Shape& in, const Shape& weights, const Shape* bias, Shape* out) {
  const char* op = "Conv2D";
  char a[64], b[64];
  INCEPT_CHECK(in.rank == 4, kInvalidModel, "%s: input must be NHWC (rank 4), got rank %d", op, in.rank);
  INCEPT_RETURN_IF_ERROR(check_positive_dims(op, "input", in));
  INCEPT_CHECK(weights.rank == 4, kInvalidModel, "%s: weights must be OHWI (rank 4), got rank %d", op, weights.rank);
  INCEPT_RETURN_IF_ERROR(check_positive_dims(op, "weights", weights));
  INCEPT_RETURN_IF_ERROR(check_activation(op, p.activation));
  INCEPT_RETURN_IF_ERROR(check_window(op, p.kernel, p.stride, p.dilation, p.pad));
  INCEPT_CHECK(weights[1] == p.kernel.h && weights[2] == p.kernel.w, kInvalidModel,
               "%s: weights %s do not match the kernel size %dx%d (OHWI expects dims 1 and 2 to be the kernel)", op,
               shape_to_string(weights, a, sizeof(a)), p.kernel.h, p.kernel.w);

  const int32_t channels = in[3], out_channels = weights[0];
  INCEPT_CHECK(p.groups >= 1, kInvalidModel, "%s: groups must be >= 1, got %d", op, p.groups);
  INCEPT_CHECK(channels % p.groups == 0, kInvalidModel, "%s: groups (%d) must divide the input channels (%d)", op,
               p.groups, channels);
  INCEPT_CHECK(out_channels % p.groups == 0, kInvalidModel,
               "%s: groups (%d) must divide the output channels (%d, weights dim 0)", op, p.groups, out_channels);
  INCEPT_CHECK(weights[3] == channels / p.groups, kInvalidModel,
               "%s: weights %s expect %d input channels per group, but input %s with %d groups has %d", op,
               shape_to_string(weights, a, sizeof(a)), weights[3], shape_to_string(in, b, sizeof(b)), p.groups,
               channels / p.groups);
  if (bias != nullptr) {
    INCEPT_CHECK(bias->rank == 1 && bias->dims[0] == out_channels, kInvalidModel,
                 "%s: bias must have shape [%d] (one value per output channel), got %s", op, out_channels,
                 shape_to_string(*bias, a, sizeof(a)));
  }

  const int32_t oh = window_out_size(in[1], p.kernel.h, p.stride.h, p.dilation.h, p.pad.top, p.pad.bottom, false);
  const int32_t ow = window_out_size(in[2], p.kernel.w, p.stride.w, p.dilation.w, p.pad.left, p.pad.right, false);
  INCEPT_CHECK(oh >= 1, kInvalidModel,
               "%s: kernel height %d (dilation %d) does not fit input height %d plus padding %d + %d", op, p.kernel.h,
               p.dilation.h, in[1], p.pad.top, p.pad.bottom);
  INCEPT_CHECK(ow >= 1, kInvalidModel,
               "%s: kernel width %d (dilation %d) does not fit input width %d plus padding %d + %d", op, p.kernel.w,
               p.dilation.w, in[2], p.pad.left, p.pad.right);
  const Shape result{in[0], oh, ow, out_channels};
  INCEPT_RETURN_IF_ERROR(check_positive_dims(op, "output", result));
  *out = result;
  return Status::ok();
}

}  // namespace incept::ops
