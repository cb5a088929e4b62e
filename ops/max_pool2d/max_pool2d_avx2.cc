// SPDX-License-Identifier: Apache-2.0
// max_pool2d_rows on VecAvx2 (this file alone is compiled with -mavx2 -mfma; see max_pool2d_rows.h).
#include "max_pool2d/max_pool2d_native.h"

#include <cmath>

#if defined(__x86_64__)
#include <immintrin.h>

namespace incept::ops {
namespace {

#include "common/simd_avx2.h"

#include "max_pool2d/max_pool2d_rows.h"

}  // namespace

void max_pool2d_rows_avx2_fma(const MaxPool2DParams& p, ConstTensorView<float> in, TensorView<float> out, int64_t row_begin,
                         int64_t row_end) {
  max_pool2d_rows<VecAvx2>(p, in, out, row_begin, row_end);
}

}  // namespace incept::ops
#endif
