// SPDX-License-Identifier: Apache-2.0
// Add shape inference: both inputs must have the same shape (no broadcasting).
#include "add/add.h"

namespace incept::ops {

Status add_infer_shape(const AddParams& p, const Shape& a, const Shape& b, Shape* out) {
  const char* op = "Add";
  char sa[64], sb[64];
  INCEPT_CHECK(a.rank == 2 || a.rank == 4, kInvalidModel,
               "%s: inputs must be [N, C] (rank 2) or NHWC (rank 4), input 0 has rank %d", op, a.rank);
  INCEPT_RETURN_IF_ERROR(check_positive_dims(op, "input 0", a));
  INCEPT_RETURN_IF_ERROR(check_positive_dims(op, "input 1", b));
  INCEPT_RETURN_IF_ERROR(check_activation(op, p.activation));
  INCEPT_CHECK(a == b, kInvalidModel, "%s: input shapes must be equal (no broadcasting), got %s and %s", op,
               shape_to_string(a, sa, sizeof(sa)), shape_to_string(b, sb, sizeof(sb)));
  *out = a;
  return Status::ok();
}

}  // namespace incept::ops
