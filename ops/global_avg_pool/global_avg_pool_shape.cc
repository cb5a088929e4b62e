// SPDX-License-Identifier: Apache-2.0
// GlobalAvgPool shape inference: [N, H, W, C] -> [N, C].
#include "global_avg_pool/global_avg_pool.h"

namespace incept::ops {

Status global_avg_pool_infer_shape(const GlobalAvgPoolParams&, const Shape& in, Shape* out) {
  const char* op = "GlobalAvgPool";
  INCEPT_CHECK(in.rank == 4, kInvalidModel, "%s: input must be NHWC (rank 4), got rank %d", op, in.rank);
  INCEPT_RETURN_IF_ERROR(check_positive_dims(op, "input", in));
  *out = Shape{in[0], in[3]};
  return Status::ok();
}

}  // namespace incept::ops
