// SPDX-License-Identifier: Apache-2.0
// AvgPool2D shape inference.
#include "avg_pool2d/avg_pool2d.h"

namespace incept::ops {

Status avg_pool2d_infer_shape(const AvgPool2DParams& p, const Shape& in, Shape* out) {
  return pool2d_infer_shape("AvgPool2D", p.kernel, p.stride, p.pad, p.ceil_mode, p.activation, in, out);
}

}  // namespace incept::ops
