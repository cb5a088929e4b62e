// SPDX-License-Identifier: Apache-2.0
// The steps between float32 and 8-bit tensors that prepare places where an op's kernel and its neighbours
// disagree on types (an op without an int8 kernel, the float graph input and output). Not ops of the file:
// the interpreter adds them. The arithmetic is common/quant.h's.
#pragma once

#include "common/quant.h"
#include "incept/shape.h"

namespace incept::ops {

// out = quantize_value(in * float(1 / q.scale)) element by element; `in` and `out` may be strided slices.
template <typename T>
void quantize_ref(Quant q, ConstTensorView<float> in, TensorView<T> out);

// out = float(q - zero_point) * scale.
template <typename T>
void dequantize_ref(Quant q, ConstTensorView<T> in, TensorView<float> out);

}  // namespace incept::ops
