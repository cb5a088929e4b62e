// SPDX-License-Identifier: Apache-2.0
// Reference 8-bit MaxPool2D: the max of q over the window (padding never wins), requantised to the output's
// (scale, zero point) by the rule of common/quant.h when they differ: a pool that writes into a concat's
// slice carries the concat's quantisation, its input its own.
#include <algorithm>

#include "max_pool2d/max_pool2d.h"

namespace incept::ops {

template <typename TIn, typename TOut>
void max_pool2d_q8_ref(const MaxPool2DParams& p, Quant qin, Quant qout, ConstTensorView<TIn> in, TensorView<TOut> out) {
  const bool same = qin.scale == qout.scale && qin.zero_point == qout.zero_point;
  const float m = qin.scale / qout.scale;
  const int32_t lo = q8_lower_bound<TOut>(p.activation, qout.zero_point);
  for (int32_t n = 0; n < out.n; ++n) {
    for (int32_t oy = 0; oy < out.h; ++oy) {
      const int32_t y0 = std::max(oy * p.stride.h - p.pad.top, 0);
      const int32_t y1 = std::min(oy * p.stride.h - p.pad.top + p.kernel.h, in.h);
      for (int32_t ox = 0; ox < out.w; ++ox) {
        const int32_t x0 = std::max(ox * p.stride.w - p.pad.left, 0);
        const int32_t x1 = std::min(ox * p.stride.w - p.pad.left + p.kernel.w, in.w);
        for (int32_t c = 0; c < out.c; ++c) {
          int32_t best = QRange<TIn>::lo;
          for (int32_t y = y0; y < y1; ++y)
            for (int32_t x = x0; x < x1; ++x) best = std::max<int32_t>(best, in.at(n, y, x, c));
          const float v =
              same ? static_cast<float>(best - qin.zero_point) : static_cast<float>(best - qin.zero_point) * m;
          out.at(n, oy, ox, c) = static_cast<TOut>(requantize(v, qout.zero_point, lo, QRange<TOut>::hi));
        }
      }
    }
  }
}

template void max_pool2d_q8_ref(const MaxPool2DParams&, Quant, Quant, ConstTensorView<uint8_t>, TensorView<uint8_t>);
template void max_pool2d_q8_ref(const MaxPool2DParams&, Quant, Quant, ConstTensorView<uint8_t>, TensorView<int8_t>);
template void max_pool2d_q8_ref(const MaxPool2DParams&, Quant, Quant, ConstTensorView<int8_t>, TensorView<uint8_t>);
template void max_pool2d_q8_ref(const MaxPool2DParams&, Quant, Quant, ConstTensorView<int8_t>, TensorView<int8_t>);

}  // namespace incept::ops
