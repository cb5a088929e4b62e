// SPDX-License-Identifier: Apache-2.0
// Reference Conv2D: the oracle. Direct loops over the PyTorch definition, accumulated in float in a
// fixed order (bias, then ky, kx, input channel). Assumes conv2d_infer_shape accepted the shapes.
#include "conv2d/conv2d.h"

namespace incept::ops {

void conv2d_f32_ref(const Conv2DParams& p, ConstTensorView<float> in, const float* weights, const float* bias,
                    TensorView<float> out) {
  const int32_t kh = p.kernel.h, kw = p.kernel.w;
  const int32_t group_in = in.c / p.groups;    // input channels seen by one output channel
  const int32_t group_out = out.c / p.groups;  // output channels per group
  for (int32_t n = 0; n < out.n; ++n) {
    for (int32_t oy = 0; oy < out.h; ++oy) {
      for (int32_t ox = 0; ox < out.w; ++ox) {
        for (int32_t oc = 0; oc < out.c; ++oc) {
          const int32_t in_c0 = (oc / group_out) * group_in;
          float acc = bias != nullptr ? bias[oc] : 0.0f;
          for (int32_t ky = 0; ky < kh; ++ky) {
            const int32_t iy = oy * p.stride.h - p.pad.top + ky * p.dilation.h;
            if (iy < 0 || iy >= in.h) continue;  // zero padding contributes nothing
            for (int32_t kx = 0; kx < kw; ++kx) {
              const int32_t ix = ox * p.stride.w - p.pad.left + kx * p.dilation.w;
              if (ix < 0 || ix >= in.w) continue;
              const float* x = in.pixel(n, iy, ix) + in_c0;
              const float* w = weights + ((static_cast<int64_t>(oc) * kh + ky) * kw + kx) * group_in;
              for (int32_t ic = 0; ic < group_in; ++ic) acc += x[ic] * w[ic];
            }
          }
          out.at(n, oy, ox, oc) = apply_activation(p.activation, acc);
        }
      }
    }
  }
}

}  // namespace incept::ops
