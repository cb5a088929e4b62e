// SPDX-License-Identifier: Apache-2.0
// Weight memory during prepare (weight_pages.h). See plan() in prepare.cc for how it is used.
#include <sys/mman.h>

#include <algorithm>
#include <cstdint>

#include "interpreter/weight_pages.h"

namespace incept {

WeightPages::WeightPages(const detail::ModelData& d) : d_(d), rank_(d.tensors.size(), -1) {
  for (size_t t = 0; t < d.tensors.size(); ++t)
    if (d.tensors[t].is_constant()) order_.push_back(static_cast<int>(t));
  std::sort(order_.begin(), order_.end(), [&](int a, int b) { return d.tensors[a].raw < d.tensors[b].raw; });
  for (size_t i = 0; i < order_.size(); ++i) rank_[order_[i]] = static_cast<int>(i);
  done_.assign(order_.size(), false);
}

void WeightPages::release(int t) {
  const int r = rank_[t];
  done_[r] = true;
  int a = r, b = r;
  while (a > 0 && done_[a - 1]) --a;
  while (b + 1 < static_cast<int>(order_.size()) && done_[b + 1]) ++b;
  const detail::TensorInfo& first = d_.tensors[order_[a]];
  const detail::TensorInfo& last = d_.tensors[order_[b]];
  detail::release_pages(d_, first.raw, static_cast<size_t>(last.raw + last.raw_bytes - first.raw));
}

MappedFloats& MappedFloats::operator=(MappedFloats&& o) noexcept {
  if (this != &o) {
    reset();
    data_ = o.data_, bytes_ = o.bytes_;
    o.data_ = nullptr, o.bytes_ = 0;
  }
  return *this;
}

bool MappedFloats::allocate(size_t n) {
  reset();
  if (n == 0 || n > SIZE_MAX / sizeof(float)) return false;
  void* p = mmap(nullptr, n * sizeof(float), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return false;
  data_ = static_cast<float*>(p);
  bytes_ = n * sizeof(float);
  return true;
}

void MappedFloats::reset() {
  if (data_ != nullptr) munmap(data_, bytes_);
  data_ = nullptr;
  bytes_ = 0;
}

}  // namespace incept
