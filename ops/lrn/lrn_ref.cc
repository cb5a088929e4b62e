// SPDX-License-Identifier: Apache-2.0
// Reference LRN. Per pixel one sweep over the channels keeps S(c), the sum of squares over the window
// of channel c: S(c + 1) = S(c) + x[c + 1 + after]^2 - x[c - before]^2 (terms outside [0, C) are
// skipped), so the cost is O(C) per pixel whatever the size. The sum is kept in double: squares of
// floats are exact in double and the add/subtract pairs cannot leave a large value's rounding error
// behind after it leaves the window, as a float running sum would (a 1e4 next to 1e-2s). The base is
// then bias + (alpha / size) * S, as ONNX writes it, raised to -beta in float. beta = 0.75 (GoogLeNet's,
// AlexNet's, Caffe's default) takes two square roots instead of powf: ~3x faster, within 3 ulp.
#include <algorithm>
#include <cmath>

#include "lrn/lrn.h"

namespace incept::ops {

void lrn_f32_ref(const LRNParams& p, ConstTensorView<float> in, TensorView<float> out) {
  const int64_t channels = in.c;
  const int64_t before = (p.size - 1) / 2;  // floor((size - 1) / 2) channels below c
  const int64_t after = p.size / 2;         // ceil((size - 1) / 2) channels above c
  const double scale = static_cast<double>(p.alpha) / p.size;
  const double bias = p.bias;
  const float neg_beta = -p.beta;
  const bool three_quarters = p.beta == 0.75f;
  for (int32_t n = 0; n < in.n; ++n) {
    for (int32_t y = 0; y < in.h; ++y) {
      for (int32_t x = 0; x < in.w; ++x) {
        const float* src = in.pixel(n, y, x);
        float* dst = out.pixel(n, y, x);
        double sum = 0.0;  // S(0): channels [0, min(after, C - 1)]
        for (int64_t i = 0; i <= std::min(after, channels - 1); ++i) sum += static_cast<double>(src[i]) * src[i];
        for (int64_t c = 0; c < channels; ++c) {
          const float base = static_cast<float>(bias + scale * std::max(sum, 0.0));
          if (three_quarters) {
            const float r = std::sqrt(base);  // base^0.75 = sqrt(base) * sqrt(sqrt(base))
            dst[c] = src[c] / (r * std::sqrt(r));
          } else {
            dst[c] = src[c] * std::pow(base, neg_beta);
          }
          const int64_t enter = c + 1 + after, leave = c - before;
          if (enter < channels) sum += static_cast<double>(src[enter]) * src[enter];
          if (leave >= 0) sum -= static_cast<double>(src[leave]) * src[leave];
        }
      }
    }
  }
}

}  // namespace incept::ops
