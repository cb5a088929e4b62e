// SPDX-License-Identifier: Apache-2.0
// Channel concat. The planner makes each input it can a view into its slice of the output, so the
// producers write there directly; the one kernel (concat_kernels.cc) copies the rest.
#pragma once

#include "common/op_types.h"

namespace incept::ops {

struct ConcatParams {
  int32_t axis = 3;
};

// All inputs must have the same rank (2 or 4) and equal dims except on `axis`, which must be the
// last axis (channels). Negative axis counts from the end.
[[nodiscard]] Status concat_infer_shape(const ConcatParams& p, const Shape* inputs, int num_inputs, Shape* out);

}  // namespace incept::ops
