// SPDX-License-Identifier: Apache-2.0
// Reference 8-bit FullyConnected: [N, in] x int8 [out, in], int32 accumulation, the epilogue of common/quant.h.
#include <type_traits>

#include "fully_connected/fully_connected.h"

namespace incept::ops {

template <typename TIn, typename TOut>
void fully_connected_q8_ref(const QLinear& q, ConstTensorView<TIn> in, TensorView<TOut> out) {
  for (int32_t n = 0; n < out.n; ++n) {
    const TIn* x = in.pixel(n, 0, 0);
    for (int32_t o = 0; o < out.c; ++o) {
      const int8_t* w = q.weights + static_cast<int64_t>(o) * in.c;
      int64_t acc = q.bias[o];
      for (int32_t i = 0; i < in.c; ++i) acc += (static_cast<int32_t>(x[i]) - q.in.zero_point) * w[i];
      const float v = static_cast<float>(acc) * q.multiplier[o];
      if constexpr (std::is_same_v<TOut, float>) {
        out.at(n, 0, 0, o) = apply_activation(q.activation, v);
      } else {
        const int32_t lo = q8_lower_bound<TOut>(q.activation, q.out.zero_point);
        out.at(n, 0, 0, o) = static_cast<TOut>(requantize(v, q.out.zero_point, lo, QRange<TOut>::hi));
      }
    }
  }
}

template void fully_connected_q8_ref(const QLinear&, ConstTensorView<uint8_t>, TensorView<uint8_t>);
template void fully_connected_q8_ref(const QLinear&, ConstTensorView<uint8_t>, TensorView<int8_t>);
template void fully_connected_q8_ref(const QLinear&, ConstTensorView<int8_t>, TensorView<uint8_t>);
template void fully_connected_q8_ref(const QLinear&, ConstTensorView<int8_t>, TensorView<int8_t>);
template void fully_connected_q8_ref(const QLinear&, ConstTensorView<uint8_t>, TensorView<float>);
template void fully_connected_q8_ref(const QLinear&, ConstTensorView<int8_t>, TensorView<float>);

}  // namespace incept::ops
