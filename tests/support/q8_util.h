// SPDX-License-Identifier: Apache-2.0
// What the 8-bit kernel tests share: strided 8-bit tensors with guard bytes around, the ranges of the 8-bit
// types, and seeded fills.
#pragma once

#include <cstdint>
#include <vector>

#include "common/kernel.h"
#include "support/test_util.h"

namespace incept::test {

// 8-bit NHWC bytes with a pixel stride, and guard bytes around: a slice of a wider tensor.
struct Bytes {
  Shape shape;
  int32_t stride = 0, offset = 0;
  std::vector<uint8_t> data;
  Bytes(const Shape& s, int32_t extra_before, int32_t extra_after, uint8_t fill)
      : shape(s), stride(s[3] + extra_before + extra_after), offset(extra_before) {
    data.assign(static_cast<size_t>(int64_t{s[0]} * s[1] * s[2] * stride) + 64, fill);
  }
  uint8_t* base() { return data.data() + offset; }
  TensorView<uint8_t> view() { return {base(), shape[0], shape[1], shape[2], shape[3], stride}; }
  ConstTensorView<uint8_t> cview() { return {base(), shape[0], shape[1], shape[2], shape[3], stride}; }
  // As KernelIo carries 8-bit tensors: the bytes behind a float view whose strides count elements.
  TensorView<float> io_view() {
    return {reinterpret_cast<float*>(base()), shape[0], shape[1], shape[2], shape[3], stride};
  }
  ConstTensorView<float> io_cview() {
    return {reinterpret_cast<const float*>(base()), shape[0], shape[1], shape[2], shape[3], stride};
  }
};

inline int32_t lo_of(ops::DataType t) { return t == ops::DataType::kQS8 ? -128 : 0; }
inline int32_t hi_of(ops::DataType t) { return t == ops::DataType::kQS8 ? 127 : 255; }

// Every byte (guards included) random in the type's range; `extremes`: only its two ends.
inline void fill_random(Rng& rng, Bytes& b, ops::DataType t, bool extremes) {
  for (uint8_t& v : b.data) {
    const int32_t x = extremes ? (rng.coin() ? lo_of(t) : hi_of(t)) : rng.uniform_int(lo_of(t), hi_of(t));
    v = static_cast<uint8_t>(x);
  }
}

}  // namespace incept::test
