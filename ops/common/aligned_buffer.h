// SPDX-License-Identifier: Apache-2.0
// AlignedFloats: a zeroed, 64-byte aligned float array owned by a prepared kernel (packed weights, a
// row of zeros). Allocated at prepare time only; never in invoke().
#pragma once

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace incept::ops {

class AlignedFloats {
 public:
  // Replaces the contents with n zeros; false (and empty) when the memory is not there.
  [[nodiscard]] bool allocate(size_t n) {
    data_.reset();
    size_ = 0;
    void* p = nullptr;
    const size_t bytes = (n * sizeof(float) + 63) / 64 * 64;
    if (n > (SIZE_MAX - 63) / sizeof(float) || posix_memalign(&p, 64, bytes == 0 ? 64 : bytes) != 0) return false;
    std::memset(p, 0, bytes == 0 ? 64 : bytes);
    data_.reset(static_cast<float*>(p));
    size_ = n;
    return true;
  }
  float* data() { return data_.get(); }
  const float* data() const { return data_.get(); }
  size_t size() const { return size_; }
  size_t bytes() const { return size_ * sizeof(float); }

 private:
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  std::unique_ptr<float, Free> data_;
  size_t size_ = 0;
};

}  // namespace incept::ops
