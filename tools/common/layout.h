// SPDX-License-Identifier: Apache-2.0
// NCHW (PyTorch) <-> NHWC (incept) for the tools' .npy input and output.
#pragma once

#include <cstdint>
#include <vector>

#include "common/npy.h"
#include "incept/interpreter.h"

namespace incept::tools {

// Fills `dst` (NHWC, or [N, C]) from an NCHW array (or [N, C]); the shapes must correspond.
[[nodiscard]] Status nchw_to_tensor(const NpyArray& src, const TensorRef& dst);
// The tensor as a PyTorch-layout array: NHWC -> NCHW; rank 2 stays as is.
NpyArray tensor_to_nchw(const TensorRef& src);

}  // namespace incept::tools
