// SPDX-License-Identifier: Apache-2.0
// Reference AvgPool2D: the oracle, following PyTorch's avg_pool2d. A window is first clipped to the
// padded image [-pad_a, in + pad_b); with count_include_pad its size after that clip is the divisor
// (so the part past the padding that ceil rounding can create is never counted). It is then clipped
// to the image for summing; without count_include_pad that in-image count is the divisor, which the
// pad rule in check_window keeps >= 1.
#include "avg_pool2d/avg_pool2d.h"

#include <algorithm>

namespace incept::ops {

void avg_pool2d_f32_ref(const AvgPool2DParams& p, ConstTensorView<float> in, TensorView<float> out) {
  for (int32_t n = 0; n < out.n; ++n) {
    for (int32_t oy = 0; oy < out.h; ++oy) {
      const int32_t ys = oy * p.stride.h - p.pad.top;
      const int32_t ye = std::min(ys + p.kernel.h, in.h + p.pad.bottom);
      const int32_t y0 = std::max(ys, 0), y1 = std::min(ye, in.h);
      for (int32_t ox = 0; ox < out.w; ++ox) {
        const int32_t xs = ox * p.stride.w - p.pad.left;
        const int32_t xe = std::min(xs + p.kernel.w, in.w + p.pad.right);
        const int32_t x0 = std::max(xs, 0), x1 = std::min(xe, in.w);
        const int64_t divisor = p.count_include_pad ? int64_t{ye - ys} * (xe - xs) : int64_t{y1 - y0} * (x1 - x0);
        for (int32_t c = 0; c < out.c; ++c) {
          float sum = 0.0f;
          for (int32_t y = y0; y < y1; ++y) {
            for (int32_t x = x0; x < x1; ++x) sum += in.at(n, y, x, c);
          }
          out.at(n, oy, ox, c) = apply_activation(p.activation, sum / static_cast<float>(divisor));
        }
      }
    }
  }
}

}  // namespace incept::ops
