// SPDX-License-Identifier: Apache-2.0
// Small helpers shared by the C++ tests: a deterministic random generator, dense tensors, strided
// views that live inside a wider buffer (to prove kernels stay inside their channel slice), and
// comparisons. Header-only, plain std::vector storage.
//
//   test::Rng rng(0x5eed);                                   // fixed seed: failures reproduce
//   test::Tensor x = test::random_tensor(rng, Shape{1, 7, 7, 8});
//   test::StridedTensor s(x.shape, /*offset=*/3, /*pixel_stride=*/16, /*fill=*/1e30f);
//   s.copy_from(x);                                          // x's values, now at channels [3, 11) of 16
//   CHECK(test::max_abs_diff(x, s.to_dense()) == 0.0f);
//   CHECK(s.outside_untouched());                            // every element outside the slice is still `fill`
#pragma once

#include <pthreadpool.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "incept/shape.h"
#include "incept/status.h"

namespace incept::test {

// splitmix64: tiny, fast, and the same sequence on every platform and compiler.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}

  uint64_t next_u64() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  // Uniform in [lo, hi] (both inclusive); requires lo <= hi.
  int32_t uniform_int(int32_t lo, int32_t hi) {
    const uint64_t range = static_cast<uint64_t>(static_cast<int64_t>(hi) - lo) + 1;
    return static_cast<int32_t>(lo + static_cast<int64_t>(next_u64() % range));
  }
  // Uniform in [0, 1): the top 24 bits, so every value is exactly representable.
  float uniform01() { return static_cast<float>(next_u64() >> 40) * (1.0f / 16777216.0f); }
  float uniform(float lo, float hi) { return lo + (hi - lo) * uniform01(); }
  bool coin(float p_true = 0.5f) { return uniform01() < p_true; }
  // One of the `n` elements of `items`.
  template <typename T>
  const T& pick(const T* items, int n) {
    return items[uniform_int(0, n - 1)];
  }

 private:
  uint64_t state_;
};

// A dense fp32 tensor: NHWC for rank 4, [N, C] for rank 2 (viewed as N x 1 x 1 x C), any rank for
// plain buffers (weights, bias).
struct Tensor {
  Shape shape;
  std::vector<float> data;

  Tensor() = default;
  explicit Tensor(const Shape& s, float fill = 0.0f) : shape(s), data(static_cast<size_t>(s.num_elements()), fill) {}
  int64_t size() const { return static_cast<int64_t>(data.size()); }
  // Views need rank 2 or 4.
  TensorView<float> view() { return dense_view(data.data(), shape); }
  ConstTensorView<float> cview() const { return dense_view(data.data(), shape); }
};

// Values uniform in [lo, hi].
inline Tensor random_tensor(Rng& rng, const Shape& s, float lo = -1.0f, float hi = 1.0f) {
  Tensor t(s);
  for (float& v : t.data) v = rng.uniform(lo, hi);
  return t;
}

// NHWC dims of a rank-2 or rank-4 shape as {n, h, w, c}.
inline Shape as_nhwc(const Shape& s) { return s.rank == 2 ? Shape{s[0], 1, 1, s[1]} : s; }

// A tensor of shape `s` (rank 2 or 4) stored as channels [offset, offset + c) of a wider
// [n, h, w, pixel_stride] buffer whose other elements all hold `fill`: the layout of a concat branch.
struct StridedTensor {
  Shape shape;
  int32_t offset = 0, pixel_stride = 0;
  float fill = 0.0f;
  std::vector<float> buffer;

  StridedTensor(const Shape& s, int32_t channel_offset, int32_t stride, float fill_value)
      : shape(s), offset(channel_offset), pixel_stride(stride), fill(fill_value) {
    const Shape d = as_nhwc(s);
    buffer.assign(static_cast<size_t>(int64_t{d[0]} * d[1] * d[2] * stride), fill_value);
  }
  TensorView<float> view() {
    const Shape d = as_nhwc(shape);
    return {buffer.data() + offset, d[0], d[1], d[2], d[3], pixel_stride};
  }
  ConstTensorView<float> cview() const {
    const Shape d = as_nhwc(shape);
    return {buffer.data() + offset, d[0], d[1], d[2], d[3], pixel_stride};
  }
  // Writes the dense tensor `t` (same shape) into the slice.
  void copy_from(const Tensor& t) {
    const TensorView<float> v = view();
    const int64_t pixels = v.num_pixels();
    for (int64_t p = 0; p < pixels; ++p) {
      std::memcpy(v.data + p * pixel_stride, t.data.data() + p * v.c, sizeof(float) * static_cast<size_t>(v.c));
    }
  }
  // The slice, copied out into a dense tensor.
  Tensor to_dense() const {
    Tensor t(shape);
    const ConstTensorView<float> v = cview();
    const int64_t pixels = v.num_pixels();
    for (int64_t p = 0; p < pixels; ++p) {
      std::memcpy(t.data.data() + p * v.c, v.data + p * pixel_stride, sizeof(float) * static_cast<size_t>(v.c));
    }
    return t;
  }
  // True when every element outside the slice still holds `fill`, bit for bit.
  bool outside_untouched() const {
    const int32_t c = as_nhwc(shape)[3];
    for (size_t i = 0; i < buffer.size(); ++i) {
      const int32_t ch = static_cast<int32_t>(i % static_cast<size_t>(pixel_stride));
      if (ch >= offset && ch < offset + c) continue;
      if (std::memcmp(&buffer[i], &fill, sizeof(float)) != 0) return false;
    }
    return true;
  }
};

// Largest |a[i] - b[i]|. Equal values (infinities included) and NaN against NaN count as 0; a NaN
// against a number gives +inf, so a NaN where none belongs always fails a tolerance check.
inline float max_abs_diff(const float* a, const float* b, int64_t n) {
  float worst = 0.0f;
  for (int64_t i = 0; i < n; ++i) {
    if (a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i]))) continue;
    if (std::isnan(a[i]) || std::isnan(b[i])) return std::numeric_limits<float>::infinity();
    const float d = std::fabs(a[i] - b[i]);
    if (d > worst) worst = d;
  }
  return worst;
}
// +inf when the sizes (or shapes) differ.
inline float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  if (a.size() != b.size()) return std::numeric_limits<float>::infinity();
  return max_abs_diff(a.data(), b.data(), static_cast<int64_t>(a.size()));
}
inline float max_abs_diff(const Tensor& a, const Tensor& b) {
  if (a.shape != b.shape) return std::numeric_limits<float>::infinity();
  return max_abs_diff(a.data, b.data);
}

// True when `s` failed with `code` and its message contains `needle`. Use with the message, so a
// failure shows what was said:  CHECK_MESSAGE(failed_with(s, StatusCode::kInvalidModel, "stride"), s.message());
inline bool failed_with(const Status& s, StatusCode code, const char* needle) {
  return s.code() == code && std::string(s.message()).find(needle) != std::string::npos;
}

// Doctest check (include <doctest/doctest.h> first) that `status_expr` failed with StatusCode::`want`
// and a message containing `needle`; on failure it prints the code and message actually returned.
#define CHECK_FAILED_WITH(status_expr, want, needle)                                                           \
  do {                                                                                                         \
    const ::incept::Status incept_st_ = (status_expr);                                                         \
    CHECK_MESSAGE(::incept::test::failed_with(incept_st_, ::incept::StatusCode::want, needle),                 \
                  (std::string(::incept::status_code_name(incept_st_.code())) + ": " + incept_st_.message())); \
  } while (0)

// "[1, 35, 35, 192]", for CAPTURE and messages.
inline std::string to_string(const Shape& s) {
  char buf[64];
  return shape_to_string(s, buf, sizeof(buf));
}

// A pthreadpool of `threads` threads for the test's lifetime.
class Pool {
 public:
  explicit Pool(size_t threads) : pool_(pthreadpool_create(threads)) {}
  ~Pool() { pthreadpool_destroy(pool_); }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  pthreadpool_t get() const { return pool_; }

 private:
  pthreadpool_t pool_;
};

}  // namespace incept::test
