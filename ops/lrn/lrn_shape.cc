// SPDX-License-Identifier: Apache-2.0
// LRN shape inference: NHWC in, the same shape out; the parameters are range-checked here too.
#include <cmath>

#include "lrn/lrn.h"

namespace incept::ops {

Status lrn_infer_shape(const LRNParams& p, const Shape& in, Shape* out) {
  const char* op = "LRN";
  INCEPT_CHECK(in.rank == 4, kInvalidModel, "%s: input must be NHWC (rank 4), got rank %d", op, in.rank);
  INCEPT_RETURN_IF_ERROR(check_positive_dims(op, "input", in));
  INCEPT_CHECK(p.size >= 1 && p.size <= kMaxLrnSize, kInvalidModel, "%s: size must be within 1..%d, got %d", op,
               kMaxLrnSize, p.size);
  INCEPT_CHECK(std::isfinite(p.alpha) && p.alpha >= 0.0f, kInvalidModel, "%s: alpha must be finite and >= 0, got %g",
               op, static_cast<double>(p.alpha));
  INCEPT_CHECK(std::isfinite(p.beta), kInvalidModel, "%s: beta must be a finite number, got %g", op,
               static_cast<double>(p.beta));
  INCEPT_CHECK(std::isfinite(p.bias) && p.bias > 0.0f, kInvalidModel, "%s: bias must be finite and > 0, got %g", op,
               static_cast<double>(p.bias));
  *out = in;
  return Status::ok();
}

}  // namespace incept::ops
