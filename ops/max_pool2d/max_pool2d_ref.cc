// SPDX-License-Identifier: Apache-2.0
// Reference MaxPool2D: the oracle. Each window is clipped to the image, so padded positions (and, with
// ceil rounding, positions past the padding) never take part. check_window's pad rule guarantees every
// clipped window is non-empty.
#include "max_pool2d/max_pool2d.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace incept::ops {

void max_pool2d_f32_ref(const MaxPool2DParams& p, ConstTensorView<float> in, TensorView<float> out) {
  for (int32_t n = 0; n < out.n; ++n) {
    for (int32_t oy = 0; oy < out.h; ++oy) {
      const int32_t y0 = std::max(oy * p.stride.h - p.pad.top, 0);
      const int32_t y1 = std::min(oy * p.stride.h - p.pad.top + p.kernel.h, in.h);
      for (int32_t ox = 0; ox < out.w; ++ox) {
        const int32_t x0 = std::max(ox * p.stride.w - p.pad.left, 0);
        const int32_t x1 = std::min(ox * p.stride.w - p.pad.left + p.kernel.w, in.w);
        for (int32_t c = 0; c < out.c; ++c) {
          float m = -std::numeric_limits<float>::infinity();
          for (int32_t y = y0; y < y1; ++y) {
            for (int32_t x = x0; x < x1; ++x) {
              const float v = in.at(n, y, x, c);
              if (v > m || std::isnan(v)) m = v;  // a NaN propagates, as in PyTorch
            }
          }
          out.at(n, oy, ox, c) = apply_activation(p.activation, m);
        }
      }
    }
  }
}

}  // namespace incept::ops
