// SPDX-License-Identifier: Apache-2.0
// FullyConnected shape inference: [N, in] x [out, in]^T (+ [out]) -> [N, out].
#include "fully_connected/fully_connected.h"

namespace incept::ops {

Status fully_connected_infer_shape(const FullyConnectedParams& p, const Shape& in, const Shape& weights,
                                   const Shape* bias, Shape* out) {
  const char* op = "FullyConnected";
  char a[64], b[64];
  INCEPT_CHECK(in.rank == 2, kInvalidModel, "%s: input must be [N, features] (rank 2), got rank %d", op, in.rank);
  INCEPT_RETURN_IF_ERROR(check_positive_dims(op, "input", in));
  INCEPT_CHECK(weights.rank == 2, kInvalidModel, "%s: weights must be [out, in] (rank 2), got rank %d", op,
               weights.rank);
  INCEPT_RETURN_IF_ERROR(check_positive_dims(op, "weights", weights));
  INCEPT_RETURN_IF_ERROR(check_activation(op, p.activation));
  INCEPT_CHECK(weights[1] == in[1], kInvalidModel, "%s: weights %s expect %d input features, but input %s has %d", op,
               shape_to_string(weights, a, sizeof(a)), weights[1], shape_to_string(in, b, sizeof(b)), in[1]);
  if (bias != nullptr) {
    INCEPT_CHECK(bias->rank == 1 && bias->dims[0] == weights[0], kInvalidModel,
                 "%s: bias must have shape [%d] (one value per output feature), got %s", op, weights[0],
                 shape_to_string(*bias, a, sizeof(a)));
  }
  *out = Shape{in[0], weights[0]};
  return Status::ok();
}

}  // namespace incept::ops
