// SPDX-License-Identifier: Apache-2.0
// The convert steps on the ISA tables' vector runs (quantize_rows.h): which table, and the walk over pixels.
#include "isa/isa_table.h"
#include "quantize/quantize.h"

namespace incept::ops {

const Q8ConvertUkernels* best_q8_convert() {
  for (const IsaTable* t : isa_tables())
    if (t->q8_convert.quantize != nullptr && isa_usable(t->isa)) return &t->q8_convert;
  return nullptr;
}

void quantize_with(const Q8ConvertUkernels& k, DataType t, Quant q, ConstTensorView<float> in, TensorView<float> out) {
  const TensorView<uint8_t> bytes = view_as<uint8_t>(out);  // pixel strides count elements: bytes here
  if (in.dense() && out.dense()) return k.quantize(in.data, bytes.data, in.num_pixels() * in.c, t, q);
  for (int32_t n = 0; n < in.n; ++n)
    for (int32_t y = 0; y < in.h; ++y)
      for (int32_t x = 0; x < in.w; ++x) k.quantize(in.pixel(n, y, x), bytes.pixel(n, y, x), in.c, t, q);
}

void dequantize_with(const Q8ConvertUkernels& k, DataType t, Quant q, ConstTensorView<float> in,
                     TensorView<float> out) {
  const ConstTensorView<uint8_t> bytes = view_as<uint8_t>(in);
  if (in.dense() && out.dense()) return k.dequantize(bytes.data, out.data, in.num_pixels() * in.c, t, q);
  for (int32_t n = 0; n < in.n; ++n)
    for (int32_t y = 0; y < in.h; ++y)
      for (int32_t x = 0; x < in.w; ++x) k.dequantize(bytes.pixel(n, y, x), out.pixel(n, y, x), in.c, t, q);
}

}  // namespace incept::ops
