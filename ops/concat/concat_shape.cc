// SPDX-License-Identifier: Apache-2.0
// Concat shape inference. There is no kernel: the planner turns inputs into views of the output.
#include "concat/concat.h"

#include <cstdint>
#include <cstdio>

namespace incept::ops {

Status concat_infer_shape(const ConcatParams& p, const Shape* inputs, int num_inputs, Shape* out) {
  const char* op = "Concat";
  char a[64], b[64];
  INCEPT_CHECK(num_inputs >= 1, kInvalidModel, "%s: needs at least 1 input, got %d", op, num_inputs);
  INCEPT_CHECK(inputs != nullptr, kInvalidModel, "%s: the %d input shapes are missing (null pointer)", op, num_inputs);
  const Shape& first = inputs[0];
  INCEPT_CHECK(first.rank == 2 || first.rank == 4, kInvalidModel,
               "%s: inputs must have rank 2 ([N, C]) or 4 (NHWC), input 0 has rank %d", op, first.rank);
  const int rank = first.rank;
  const int axis = p.axis < 0 ? p.axis + rank : p.axis;
  INCEPT_CHECK(axis == rank - 1, kInvalidModel,
               "%s: only the channel axis (the last, %d or -1 for rank %d) is supported, got axis %d", op, rank - 1,
               rank, p.axis);
  int64_t channels = 0;
  for (int i = 0; i < num_inputs; ++i) {
    const Shape& s = inputs[i];
    INCEPT_CHECK(s.rank == rank, kInvalidModel, "%s: input %d has rank %d but input 0 has rank %d", op, i, s.rank,
                 rank);
    char what[24];
    std::snprintf(what, sizeof(what), "input %d", i);
    INCEPT_RETURN_IF_ERROR(check_positive_dims(op, what, s));
    for (int d = 0; d < rank - 1; ++d) {
      INCEPT_CHECK(s[d] == first[d], kInvalidModel,
                   "%s: input %d %s differs from input 0 %s in dim %d; only the channel axis may differ", op, i,
                   shape_to_string(s, a, sizeof(a)), shape_to_string(first, b, sizeof(b)), d);
    }
    channels += s[rank - 1];
  }
  INCEPT_CHECK(channels <= INT32_MAX, kInvalidModel, "%s: the inputs have %lld channels in total, more than 2^31 - 1",
               op, static_cast<long long>(channels));
  Shape result = first;
  result[rank - 1] = static_cast<int32_t>(channels);
  INCEPT_RETURN_IF_ERROR(check_positive_dims(op, "output", result));
  *out = result;
  return Status::ok();
}

}  // namespace incept::ops
