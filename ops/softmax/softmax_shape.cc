// SPDX-License-Identifier: Apache-2.0
// Softmax shape inference: the output has the input's shape.
#include "softmax/softmax.h"

#include <cmath>

namespace incept::ops {

Status softmax_infer_shape(const SoftmaxParams& p, const Shape& in, Shape* out) {
  const char* op = "Softmax";
  INCEPT_CHECK(in.rank == 2 || in.rank == 4, kInvalidModel,
               "%s: input must be [N, C] (rank 2) or NHWC (rank 4), got rank %d", op, in.rank);
  INCEPT_RETURN_IF_ERROR(check_positive_dims(op, "input", in));
  INCEPT_CHECK(std::isfinite(p.beta), kInvalidModel, "%s: beta must be a finite number, got %g", op,
               static_cast<double>(p.beta));
  *out = in;
  return Status::ok();
}

}  // namespace incept::ops
