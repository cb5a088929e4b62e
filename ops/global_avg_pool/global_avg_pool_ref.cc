// SPDX-License-Identifier: Apache-2.0
// Reference GlobalAvgPool: the oracle. Sums each channel over H x W in float, row-major order, then
// divides once by H * W.
#include "global_avg_pool/global_avg_pool.h"

namespace incept::ops {

void global_avg_pool_f32_ref(const GlobalAvgPoolParams&, ConstTensorView<float> in, TensorView<float> out) {
  const float count = static_cast<float>(static_cast<int64_t>(in.h) * in.w);
  for (int32_t n = 0; n < in.n; ++n) {
    for (int32_t c = 0; c < in.c; ++c) {
      float sum = 0.0f;
      for (int32_t y = 0; y < in.h; ++y) {
        for (int32_t x = 0; x < in.w; ++x) sum += in.at(n, y, x, c);
      }
      out.at(n, 0, 0, c) = sum / count;
    }
  }
}

}  // namespace incept::ops
