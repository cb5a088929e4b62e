// SPDX-License-Identifier: Apache-2.0
// MaxPool2D on our own vector kernels (max_pool2d_rows.h, one per ISA table: IsaTable::max_pool_f32),
// threaded by output rows.
// The same function as max_pool2d_f32_ref, bit for bit. No state, no scratch.
#pragma once

#include <pthreadpool.h>

#include "max_pool2d/max_pool2d.h"

namespace incept::ops {

using MaxPoolRowsFn = void (*)(const MaxPool2DParams& p, ConstTensorView<float> in, TensorView<float> out,
                               int64_t row_begin, int64_t row_end);

// Runs `rows` over every output row (n, oy), split over the pool in blocks of rows.
void max_pool2d_f32_native(MaxPoolRowsFn rows, const MaxPool2DParams& p, ConstTensorView<float> in,
                           TensorView<float> out, pthreadpool_t pool);

}  // namespace incept::ops
