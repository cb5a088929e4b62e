// SPDX-License-Identifier: Apache-2.0
// Reference Softmax: the oracle. Per pixel: m = max_c(beta * x_c), e_c = exp(beta * x_c - m),
// out_c = e_c / sum(e). Subtracting m keeps exp() in range for any beta sign. `out` may alias `in`
// exactly: each element is read before it is written.
#include "softmax/softmax.h"

#include <algorithm>
#include <cmath>

namespace incept::ops {

void softmax_f32_ref(const SoftmaxParams& p, ConstTensorView<float> in, TensorView<float> out) {
  for (int32_t n = 0; n < in.n; ++n) {
    for (int32_t y = 0; y < in.h; ++y) {
      for (int32_t x = 0; x < in.w; ++x) {
        const float* src = in.pixel(n, y, x);
        float* dst = out.pixel(n, y, x);
        float m = p.beta * src[0];
        for (int32_t c = 1; c < in.c; ++c) m = std::max(m, p.beta * src[c]);
        float sum = 0.0f;
        for (int32_t c = 0; c < in.c; ++c) {
          const float e = std::exp(p.beta * src[c] - m);
          dst[c] = e;
          sum += e;
        }
        const float inv = 1.0f / sum;
        for (int32_t c = 0; c < in.c; ++c) dst[c] *= inv;
      }
    }
  }
}

}  // namespace incept::ops
