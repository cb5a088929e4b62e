// SPDX-License-Identifier: Apache-2.0
// Reference quantise / dequantise: the oracles of the convert steps (common/quant.h has the rule).
#include "quantize/quantize.h"

namespace incept::ops {

template <typename T>
void quantize_ref(Quant q, ConstTensorView<float> in, TensorView<T> out) {
  const float inv_scale = 1.0f / q.scale;
  for (int32_t n = 0; n < in.n; ++n)
    for (int32_t y = 0; y < in.h; ++y)
      for (int32_t x = 0; x < in.w; ++x) {
        const float* src = in.pixel(n, y, x);
        T* dst = out.pixel(n, y, x);
        for (int32_t c = 0; c < in.c; ++c) dst[c] = quantize_value<T>(src[c], inv_scale, q.zero_point);
      }
}

template <typename T>
void dequantize_ref(Quant q, ConstTensorView<T> in, TensorView<float> out) {
  for (int32_t n = 0; n < in.n; ++n)
    for (int32_t y = 0; y < in.h; ++y)
      for (int32_t x = 0; x < in.w; ++x) {
        const T* src = in.pixel(n, y, x);
        float* dst = out.pixel(n, y, x);
        for (int32_t c = 0; c < in.c; ++c) dst[c] = dequantize_value(src[c], q);
      }
}

template void quantize_ref(Quant, ConstTensorView<float>, TensorView<uint8_t>);
template void quantize_ref(Quant, ConstTensorView<float>, TensorView<int8_t>);
template void dequantize_ref(Quant, ConstTensorView<uint8_t>, TensorView<float>);
template void dequantize_ref(Quant, ConstTensorView<int8_t>, TensorView<float>);

}  // namespace incept::ops
