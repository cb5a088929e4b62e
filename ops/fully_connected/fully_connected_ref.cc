// SPDX-License-Identifier: Apache-2.0
// Reference FullyConnected: the oracle. out[n][o] = bias[o] + sum_i in[n][i] * w[o][i], accumulated in
// float from i = 0 upwards, then the activation.
#include "fully_connected/fully_connected.h"

namespace incept::ops {

void fully_connected_f32_ref(const FullyConnectedParams& p, ConstTensorView<float> in, const float* weights,
                             const float* bias, TensorView<float> out) {
  const int32_t features = in.c;
  for (int32_t n = 0; n < out.n; ++n) {
    const float* x = in.pixel(n, 0, 0);
    for (int32_t o = 0; o < out.c; ++o) {
      const float* w = weights + static_cast<int64_t>(o) * features;
      float acc = bias != nullptr ? bias[o] : 0.0f;
      for (int32_t i = 0; i < features; ++i) acc += x[i] * w[i];
      out.at(n, 0, 0, o) = apply_activation(p.activation, acc);
    }
  }
}

}  // namespace incept::ops
