// SPDX-License-Identifier: Apache-2.0
// MaxPool2D on our own vector kernels, one per ISA (max_pool2d_rows.h), threaded by output rows.
// The same function as max_pool2d_f32_ref, bit for bit. No state, no scratch.
#pragma once

#include <pthreadpool.h>

#include "common/cpu.h"
#include "max_pool2d/max_pool2d.h"

namespace incept::ops {

using MaxPoolRowsFn = void (*)(const MaxPool2DParams& p, ConstTensorView<float> in, TensorView<float> out,
                               int64_t row_begin, int64_t row_end);

// The rows kernel built for `isa`, or nullptr where this build has none.
MaxPoolRowsFn max_pool2d_rows_for(Isa isa);

// Runs `rows` over every output row (n, oy), split over the pool in blocks of rows.
void max_pool2d_f32_native(MaxPoolRowsFn rows, const MaxPool2DParams& p, ConstTensorView<float> in,
                           TensorView<float> out, pthreadpool_t pool);

// Defined by the per-ISA files, each only for its architecture.
void max_pool2d_rows_avx512f(const MaxPool2DParams&, ConstTensorView<float>, TensorView<float>, int64_t, int64_t);
void max_pool2d_rows_avx2_fma(const MaxPool2DParams&, ConstTensorView<float>, TensorView<float>, int64_t, int64_t);
void max_pool2d_rows_neon(const MaxPool2DParams&, ConstTensorView<float>, TensorView<float>, int64_t, int64_t);

}  // namespace incept::ops
