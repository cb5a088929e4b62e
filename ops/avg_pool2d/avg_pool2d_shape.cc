// SPDX-License-Identifier: Apache-2.0
// AvgPool2D shape inference.
#include "avg_pool2d/avg_pool2d.h"

namespace incept::ops {

Status avg_pool2d_infer_shape(const AvgPool2DParams& p, const Shape& in, Shape* out) {
  const char* op = "AvgPool2D";
  INCEPT_CHECK(in.rank == 4, kInvalidModel, "%s: input must be NHWC (rank 4), got rank %d", op, in.rank);
  INCEPT_RETURN_IF_ERROR(check_positive_dims(op, "input", in));
  INCEPT_RETURN_IF_ERROR(check_activation(op, p.activation));
  INCEPT_RETURN_IF_ERROR(check_window(op, p.kernel, p.stride, Size2D{1, 1}, p.pad));
  const int32_t oh = window_out_size(in[1], p.kernel.h, p.stride.h, 1, p.pad.top, p.pad.bottom, p.ceil_mode);
  const int32_t ow = window_out_size(in[2], p.kernel.w, p.stride.w, 1, p.pad.left, p.pad.right, p.ceil_mode);
  INCEPT_CHECK(oh >= 1, kInvalidModel, "%s: window height %d does not fit input height %d plus padding %d + %d", op,
               p.kernel.h, in[1], p.pad.top, p.pad.bottom);
  INCEPT_CHECK(ow >= 1, kInvalidModel, "%s: window width %d does not fit input width %d plus padding %d + %d", op,
               p.kernel.w, in[2], p.pad.left, p.pad.right);
  *out = Shape{in[0], oh, ow, in[3]};
  return Status::ok();
}

}  // namespace incept::ops
