// SPDX-License-Identifier: Apache-2.0
// Reference 8-bit GlobalAvgPool: per image and channel, the int32 sum of (q - zero point) over H x W times
// float(s_in / (s_out * float(H * W))), requantised by the rule of common/quant.h.
#include "global_avg_pool/global_avg_pool.h"

namespace incept::ops {

template <typename TIn, typename TOut>
void global_avg_pool_q8_ref(Quant qin, Quant qout, ConstTensorView<TIn> in, TensorView<TOut> out) {
  const float m = avg_multiplier(qin.scale, qout.scale, in.h * in.w);
  for (int32_t n = 0; n < in.n; ++n) {
    for (int32_t c = 0; c < in.c; ++c) {
      int64_t sum = 0;
      for (int32_t y = 0; y < in.h; ++y)
        for (int32_t x = 0; x < in.w; ++x) sum += static_cast<int32_t>(in.at(n, y, x, c)) - qin.zero_point;
      out.at(n, 0, 0, c) = static_cast<TOut>(
          requantize(static_cast<float>(sum) * m, qout.zero_point, QRange<TOut>::lo, QRange<TOut>::hi));
    }
  }
}

template void global_avg_pool_q8_ref(Quant, Quant, ConstTensorView<uint8_t>, TensorView<uint8_t>);
template void global_avg_pool_q8_ref(Quant, Quant, ConstTensorView<uint8_t>, TensorView<int8_t>);
template void global_avg_pool_q8_ref(Quant, Quant, ConstTensorView<int8_t>, TensorView<uint8_t>);
template void global_avg_pool_q8_ref(Quant, Quant, ConstTensorView<int8_t>, TensorView<int8_t>);

}  // namespace incept::ops
