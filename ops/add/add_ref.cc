// SPDX-License-Identifier: Apache-2.0
// Reference Add: the oracle. out = act(a + b) element by element; `out` may alias `a` or `b` exactly
// (same data and pixel_stride), since each element is read before it is written.
#include "add/add.h"

namespace incept::ops {

void add_f32_ref(const AddParams& p, ConstTensorView<float> a, ConstTensorView<float> b, TensorView<float> out) {
  for (int32_t n = 0; n < out.n; ++n) {
    for (int32_t y = 0; y < out.h; ++y) {
      for (int32_t x = 0; x < out.w; ++x) {
        const float* pa = a.pixel(n, y, x);
        const float* pb = b.pixel(n, y, x);
        float* po = out.pixel(n, y, x);
        for (int32_t c = 0; c < out.c; ++c) po[c] = apply_activation(p.activation, pa[c] + pb[c]);
      }
    }
  }
}

}  // namespace incept::ops
