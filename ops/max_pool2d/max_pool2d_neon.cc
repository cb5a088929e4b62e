// SPDX-License-Identifier: Apache-2.0
// max_pool2d_rows on VecNeon (NEON is baseline on aarch64; armv7 builds this file with -mfpu=neon;
// see max_pool2d_rows.h).
#include "max_pool2d/max_pool2d_native.h"

#include <cmath>

#if defined(__aarch64__) || defined(__arm__)
#include <arm_neon.h>

namespace incept::ops {
namespace {

#include "common/simd_neon.h"

#include "max_pool2d/max_pool2d_rows.h"

}  // namespace

void max_pool2d_rows_neon(const MaxPool2DParams& p, ConstTensorView<float> in, TensorView<float> out, int64_t row_begin,
                         int64_t row_end) {
  max_pool2d_rows<VecNeon>(p, in, out, row_begin, row_end);
}

}  // namespace incept::ops
#endif
