// SPDX-License-Identifier: Apache-2.0
// Reference 8-bit Add: v = float(a - zp_a) * float(s_a / s_out) + float(b - zp_b) * float(s_b / s_out), each
// product rounded to float32 before the add, then requantised by the rule of common/quant.h (the same
// epilogue a conv with a fused residual runs).
#include <algorithm>

#include "add/add.h"

namespace incept::ops {

template <typename TA, typename TB, typename TOut>
void add_q8_ref(const AddParams& p, Quant qa, Quant qb, Quant qout, ConstTensorView<TA> a, ConstTensorView<TB> b,
                TensorView<TOut> out) {
  const float ma = qa.scale / qout.scale, mb = qb.scale / qout.scale;
  const int32_t lo = q8_lower_bound<TOut>(p.activation, qout.zero_point);
  for (int32_t n = 0; n < out.n; ++n)
    for (int32_t y = 0; y < out.h; ++y)
      for (int32_t x = 0; x < out.w; ++x)
        for (int32_t c = 0; c < out.c; ++c) {
          const float va = static_cast<float>(static_cast<int32_t>(a.at(n, y, x, c)) - qa.zero_point) * ma;
          const float vb = static_cast<float>(static_cast<int32_t>(b.at(n, y, x, c)) - qb.zero_point) * mb;
          out.at(n, y, x, c) = static_cast<TOut>(requantize(va + vb, qout.zero_point, lo, QRange<TOut>::hi));
        }
}

#define INCEPT_ADD_Q8(TA, TB, TOut)                                                                  \
  template void add_q8_ref<TA, TB, TOut>(const AddParams&, Quant, Quant, Quant, ConstTensorView<TA>, \
                                         ConstTensorView<TB>, TensorView<TOut>);
INCEPT_ADD_Q8(uint8_t, uint8_t, uint8_t)
INCEPT_ADD_Q8(uint8_t, uint8_t, int8_t)
INCEPT_ADD_Q8(uint8_t, int8_t, uint8_t)
INCEPT_ADD_Q8(uint8_t, int8_t, int8_t)
INCEPT_ADD_Q8(int8_t, uint8_t, uint8_t)
INCEPT_ADD_Q8(int8_t, uint8_t, int8_t)
INCEPT_ADD_Q8(int8_t, int8_t, uint8_t)
INCEPT_ADD_Q8(int8_t, int8_t, int8_t)
#undef INCEPT_ADD_Q8

}  // namespace incept::ops
