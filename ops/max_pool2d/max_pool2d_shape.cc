// SPDX-License-Identifier: Apache-2.0
// MaxPool2D shape inference.
#include "max_pool2d/max_pool2d.h"

namespace incept::ops {

Status max_pool2d_infer_shape(const MaxPool2DParams& p, const Shape& in, Shape* out) {
  return pool2d_infer_shape("MaxPool2D", p.kernel, p.stride, p.pad, p.ceil_mode, p.activation, in, out);
}

}  // namespace incept::ops
