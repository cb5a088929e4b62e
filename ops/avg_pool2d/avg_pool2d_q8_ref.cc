// SPDX-License-Identifier: Apache-2.0
// Reference 8-bit AvgPool2D: the int32 sum of (q - zero point) over the window clipped as avg_pool2d_f32_ref
// clips it, times float(s_in / (s_out * float(divisor))), requantised by the rule of common/quant.h.
#include <algorithm>

#include "avg_pool2d/avg_pool2d.h"

namespace incept::ops {

template <typename TIn, typename TOut>
void avg_pool2d_q8_ref(const AvgPool2DParams& p, Quant qin, Quant qout, ConstTensorView<TIn> in, TensorView<TOut> out) {
  const int32_t lo = q8_lower_bound<TOut>(p.activation, qout.zero_point);
  for (int32_t n = 0; n < out.n; ++n) {
    for (int32_t oy = 0; oy < out.h; ++oy) {
      const int32_t ys = oy * p.stride.h - p.pad.top;
      const int32_t ye = std::min(ys + p.kernel.h, in.h + p.pad.bottom);
      const int32_t y0 = std::max(ys, 0), y1 = std::min(ye, in.h);
      for (int32_t ox = 0; ox < out.w; ++ox) {
        const int32_t xs = ox * p.stride.w - p.pad.left;
        const int32_t xe = std::min(xs + p.kernel.w, in.w + p.pad.right);
        const int32_t x0 = std::max(xs, 0), x1 = std::min(xe, in.w);
        const int32_t divisor = p.count_include_pad ? (ye - ys) * (xe - xs) : (y1 - y0) * (x1 - x0);
        const float m = avg_multiplier(qin.scale, qout.scale, divisor);
        for (int32_t c = 0; c < out.c; ++c) {
          int64_t sum = 0;
          for (int32_t y = y0; y < y1; ++y)
            for (int32_t x = x0; x < x1; ++x) sum += static_cast<int32_t>(in.at(n, y, x, c)) - qin.zero_point;
          out.at(n, oy, ox, c) =
              static_cast<TOut>(requantize(static_cast<float>(sum) * m, qout.zero_point, lo, QRange<TOut>::hi));
        }
      }
    }
  }
}

template void avg_pool2d_q8_ref(const AvgPool2DParams&, Quant, Quant, ConstTensorView<uint8_t>, TensorView<uint8_t>);
template void avg_pool2d_q8_ref(const AvgPool2DParams&, Quant, Quant, ConstTensorView<uint8_t>, TensorView<int8_t>);
template void avg_pool2d_q8_ref(const AvgPool2DParams&, Quant, Quant, ConstTensorView<int8_t>, TensorView<uint8_t>);
template void avg_pool2d_q8_ref(const AvgPool2DParams&, Quant, Quant, ConstTensorView<int8_t>, TensorView<int8_t>);

}  // namespace incept::ops
