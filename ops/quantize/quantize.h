// SPDX-License-Identifier: Apache-2.0
// The steps between float32 and 8-bit tensors that prepare places where an op's kernel and its neighbours
// disagree on types (an op without an int8 kernel, the float graph input and output). Not ops of the file:
// the interpreter adds them. The arithmetic is common/quant.h's.
#pragma once

#include "common/kernel.h"
#include "common/quant.h"
#include "incept/shape.h"

namespace incept::ops {

// out = quantize_value(in * float(1 / q.scale)) element by element; `in` and `out` may be strided slices.
template <typename T>
void quantize_ref(Quant q, ConstTensorView<float> in, TensorView<T> out);

// out = float(q - zero_point) * scale.
template <typename T>
void dequantize_ref(Quant q, ConstTensorView<T> in, TensorView<float> out);

// An ISA table's vector conversions (quantize_rows.h, compiled per ISA: IsaTable::q8_convert) over n
// contiguous elements of the 8-bit type t: the refs' values, byte for byte.
struct Q8ConvertUkernels {
  void (*quantize)(const float* src, uint8_t* dst, int64_t n, DataType t, Quant q) = nullptr;
  void (*dequantize)(const uint8_t* src, float* dst, int64_t n, DataType t, Quant q) = nullptr;
};

// The conversions of the best ISA table this CPU may run (the INCEPT_ISA cap as it is now), or nullptr where no
// table has them (then quantize_ref / dequantize_ref).
const Q8ConvertUkernels* best_q8_convert();

// A whole tensor (strided slices allowed; 8-bit bytes behind float views, as KernelIo holds them) with k: one
// run when both sides are dense, else a run per pixel.
void quantize_with(const Q8ConvertUkernels& k, DataType t, Quant q, ConstTensorView<float> in, TensorView<float> out);
void dequantize_with(const Q8ConvertUkernels& k, DataType t, Quant q, ConstTensorView<float> in, TensorView<float> out);

}  // namespace incept::ops
