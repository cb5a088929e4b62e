// SPDX-License-Identifier: Apache-2.0
// Shape (rank <= 4, NHWC for activations) and strided tensor views. Plain data, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>

namespace incept {

struct Shape {
  static constexpr int kMaxRank = 4;
  int rank = 0;
  int32_t dims[kMaxRank] = {0, 0, 0, 0};

  Shape() = default;
  // For code and tests that spell shapes out; a list longer than kMaxRank keeps its first four dims.
  // (The loader builds shapes from file data itself and rejects rank > kMaxRank.)
  Shape(std::initializer_list<int32_t> d) {
    for (int32_t v : d) {
      if (rank < kMaxRank) dims[rank] = v;
      ++rank;
    }
    if (rank > kMaxRank) rank = kMaxRank;
  }
  int32_t operator[](int i) const { return dims[i]; }
  int32_t& operator[](int i) { return dims[i]; }
  // Product of the dims; callers that hold unchecked dims use checked_num_elements().
  int64_t num_elements() const {
    int64_t n = 1;
    for (int i = 0; i < rank && i < kMaxRank; ++i) n *= dims[i];
    return n;
  }
  bool operator==(const Shape& o) const {
    if (rank != o.rank) return false;
    for (int i = 0; i < rank && i < kMaxRank; ++i)
      if (dims[i] != o.dims[i]) return false;
    return true;
  }
  bool operator!=(const Shape& o) const { return !(*this == o); }
};

// Element count of `s`, or -1 if a dim is negative or the product exceeds `limit`.
int64_t checked_num_elements(const Shape& s, int64_t limit = int64_t{1} << 40);

// Writes "[1, 35, 35, 192]" into buf (always NUL-terminated); returns buf.
const char* shape_to_string(const Shape& s, char* buf, size_t size);

// An NHWC tensor in memory whose channel slice may be part of a wider tensor: element (n, y, x, c)
// lives at data[((n * h + y) * w + x) * pixel_stride + c]. pixel_stride == c for a dense tensor; a
// branch writing into its slice of a concat output has pixel_stride == the concat's channels.
// Rank-2 tensors ([N, C]) are viewed as [N, 1, 1, C].
template <typename T>
struct TensorView {
  T* data = nullptr;
  int32_t n = 0, h = 0, w = 0, c = 0;
  int32_t pixel_stride = 0;

  T& at(int32_t in, int32_t y, int32_t x, int32_t ch) const {
    return data[((static_cast<int64_t>(in) * h + y) * w + x) * pixel_stride + ch];
  }
  T* pixel(int32_t in, int32_t y, int32_t x) const {
    return data + ((static_cast<int64_t>(in) * h + y) * w + x) * pixel_stride;
  }
  int64_t num_pixels() const { return static_cast<int64_t>(n) * h * w; }
  bool dense() const { return pixel_stride == c; }
};
template <typename T>
using ConstTensorView = TensorView<const T>;

template <typename T>
inline ConstTensorView<T> as_const(TensorView<T> v) {
  return {v.data, v.n, v.h, v.w, v.c, v.pixel_stride};
}

// Dense view over `data` with NHWC shape `s` (rank 4) or [N, C] (rank 2, seen as N x 1 x 1 x C).
template <typename T>
inline TensorView<T> dense_view(T* data, const Shape& s) {
  if (s.rank == 2) return {data, s[0], 1, 1, s[1], s[1]};
  return {data, s[0], s[1], s[2], s[3], s[3]};
}

}  // namespace incept
