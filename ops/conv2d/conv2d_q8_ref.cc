// SPDX-License-Identifier: Apache-2.0
// Reference 8-bit Conv2D: the oracle of every int8 conv kernel. Direct loops; the accumulator is int32 and
// exact, the epilogue is the one rule of common/quant.h. Assumes conv2d_infer_shape accepted the shapes.
#include "conv2d/conv2d.h"

namespace incept::ops {

template <typename TIn, typename TOut, typename TRes>
void conv2d_q8_ref(const Conv2DParams& p, const QLinear& q, ConstTensorView<TIn> in, TensorView<TOut> out,
                   ConstTensorView<TRes> residual) {
  const int32_t kh = p.kernel.h, kw = p.kernel.w;
  const int32_t group_in = in.c / p.groups, group_out = out.c / p.groups;
  const int32_t zp_in = q.in.zero_point, zp_out = q.out.zero_point;
  const int32_t lo = q8_lower_bound<TOut>(q.activation, zp_out);
  const float m_res = residual.data != nullptr ? q.residual.scale / q.out.scale : 0.0f;
  for (int32_t n = 0; n < out.n; ++n) {
    for (int32_t oy = 0; oy < out.h; ++oy) {
      for (int32_t ox = 0; ox < out.w; ++ox) {
        for (int32_t oc = 0; oc < out.c; ++oc) {
          const int32_t in_c0 = (oc / group_out) * group_in;
          int64_t acc = q.bias[oc];  // int64: no overflow even where the int32 kernels refuse (huge K)
          for (int32_t ky = 0; ky < kh; ++ky) {
            const int32_t iy = oy * p.stride.h - p.pad.top + ky * p.dilation.h;
            if (iy < 0 || iy >= in.h) continue;  // padding holds real zero: q - zp = 0
            for (int32_t kx = 0; kx < kw; ++kx) {
              const int32_t ix = ox * p.stride.w - p.pad.left + kx * p.dilation.w;
              if (ix < 0 || ix >= in.w) continue;
              const TIn* x = in.pixel(n, iy, ix) + in_c0;
              const int8_t* w = q.weights + ((static_cast<int64_t>(oc) * kh + ky) * kw + kx) * group_in;
              for (int32_t ic = 0; ic < group_in; ++ic) acc += (static_cast<int32_t>(x[ic]) - zp_in) * w[ic];
            }
          }
          float v = static_cast<float>(acc) * q.multiplier[oc];
          if (residual.data != nullptr) {
            const float r =
                static_cast<float>(static_cast<int32_t>(residual.at(n, oy, ox, oc)) - q.residual.zero_point) * m_res;
            v = v + r;
          }
          out.at(n, oy, ox, oc) = static_cast<TOut>(requantize(v, zp_out, lo, QRange<TOut>::hi));
        }
      }
    }
  }
}

#define INCEPT_CONV_Q8(TIn, TOut, TRes)                                                                   \
  template void conv2d_q8_ref<TIn, TOut, TRes>(const Conv2DParams&, const QLinear&, ConstTensorView<TIn>, \
                                               TensorView<TOut>, ConstTensorView<TRes>);
INCEPT_CONV_Q8(uint8_t, uint8_t, uint8_t)
INCEPT_CONV_Q8(uint8_t, uint8_t, int8_t)
INCEPT_CONV_Q8(uint8_t, int8_t, uint8_t)
INCEPT_CONV_Q8(uint8_t, int8_t, int8_t)
INCEPT_CONV_Q8(int8_t, uint8_t, uint8_t)
INCEPT_CONV_Q8(int8_t, uint8_t, int8_t)
INCEPT_CONV_Q8(int8_t, int8_t, uint8_t)
INCEPT_CONV_Q8(int8_t, int8_t, int8_t)
#undef INCEPT_CONV_Q8

}  // namespace incept::ops
