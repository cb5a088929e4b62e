// SPDX-License-Identifier: Apache-2.0
// Byte runs as the int8 GEMM engine gathers and copies its rows of A (conv2d_q8_gemm.cc): 8-bit values into
// the micro-kernel's form (XOR 0x80 between uint8 and int8, or widened to int16) and fills, word by word.
// Baseline code (SSE2 or NEON through vector extensions); included only by the int8 engine
// (conv2d_q8_rows.cc, conv2d_q8_gemm.cc).
#pragma once

#include <cstdint>
#include <cstring>

namespace incept::ops::q8_rows {

// n bytes of the input in the kernel's form. Short runs (a stem's window row over RGB: 9 or 21 bytes) dominate
// small convs, so they move 8 bytes at a time, the last word overlapping the one before (never a byte
// outside [0, n) of either side), and only runs under 8 bytes go byte by byte.
inline void convert_bytes(uint8_t* dst, const uint8_t* src, int32_t n, uint8_t x) {
  if (n < 8) {
    for (int32_t j = 0; j < n; ++j) dst[j] = static_cast<uint8_t>(src[j] ^ x);
    return;
  }
  const uint64_t x8 = 0x0101010101010101ull * x;
  auto word = [&](int32_t j) {
    uint64_t w;
    std::memcpy(&w, src + j, 8);
    w ^= x8;
    std::memcpy(dst + j, &w, 8);
  };
  for (int32_t j = 0; j + 8 < n; j += 8) word(j);
  word(n - 8);
}
// n bytes widened to int16, 8 at a time in vector registers (SSE2 or NEON at the baseline), the last 8
// overlapping the ones before, as convert_bytes: a stem's 21-byte window rows would otherwise go byte by byte.
using U8x8 = uint8_t __attribute__((vector_size(8)));
using S8x8 = int8_t __attribute__((vector_size(8)));
using I16x8 = int16_t __attribute__((vector_size(16)));
template <typename In>
inline void widen_words(int16_t* dst, const uint8_t* src, int32_t n) {
  auto word = [&](int32_t j) {
    In in;
    std::memcpy(&in, src + j, 8);
    const I16x8 out = __builtin_convertvector(in, I16x8);
    std::memcpy(dst + j, &out, 16);
  };
  for (int32_t j = 0; j + 8 < n; j += 8) word(j);
  word(n - 8);
}
inline void convert_widen(int16_t* dst, const uint8_t* src, int32_t n, bool is_signed) {
  if (n >= 8) {
    if (is_signed) {
      widen_words<S8x8>(dst, src, n);
    } else {
      widen_words<U8x8>(dst, src, n);
    }
    return;
  }
  if (is_signed) {
    for (int32_t j = 0; j < n; ++j) dst[j] = static_cast<int8_t>(src[j]);
  } else {
    for (int32_t j = 0; j < n; ++j) dst[j] = src[j];
  }
}
template <typename T>
inline void fill(T* dst, int64_t n, T v) {
  if constexpr (sizeof(T) == 1) {
    if (n >= 8) {  // words, the last overlapping (as convert_bytes)
      const uint64_t v8 = 0x0101010101010101ull * static_cast<uint8_t>(v);
      for (int64_t j = 0; j + 8 < n; j += 8) std::memcpy(dst + j, &v8, 8);
      std::memcpy(dst + n - 8, &v8, 8);
      return;
    }
  }
  for (int64_t j = 0; j < n; ++j) dst[j] = v;
}

}  // namespace incept::ops::q8_rows
