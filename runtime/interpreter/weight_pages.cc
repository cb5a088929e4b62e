// SPDX-License-Identifier: Apache-2.0
// Weight memory during prepare (weight_pages.h). See plan() in prepare.cc for how it is used.
#include <sys/mman.h>

#include <algorithm>
#include <cinttypes>
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

WeightLifecycle::WeightLifecycle(const detail::ModelData& d, std::vector<MappedFloats>* widened)
    : d_(d), widened_(*widened), pages_(d), pending_(d.tensors.size(), 0), in_place_(d.tensors.size(), 0) {
  for (const detail::OpNode& n : d.ops)
    for (int t : n.inputs)
      if (t >= 0 && d.tensors[t].is_constant()) ++pending_[t];
  widened_.clear();
  widened_.resize(d.tensors.size());
}

Status WeightLifecycle::widen_inputs(int k) {
  for (int t : d_.ops[k].inputs) {
    if (t < 0 || !d_.tensors[t].is_constant() || d_.tensors[t].data != nullptr || widened_[t].data() != nullptr)
      continue;
    const detail::TensorInfo& w = d_.tensors[t];
    INCEPT_CHECK(widened_[t].allocate(static_cast<size_t>(w.num_elements)), kInternal,
                 "out of memory widening %s weights '%s' (%" PRId64 " elements) to float32",
                 detail::storage_name(w.storage), w.shown.c_str(), w.num_elements);
    detail::expand_weights(w, widened_[t].data());
    pages_.release(t);  // every consumer reads the widened copy from here on
  }
  return Status::ok();
}

void WeightLifecycle::consumed(int k, bool reads_constants) {
  for (int t : d_.ops[k].inputs) {
    if (t < 0 || !d_.tensors[t].is_constant()) continue;
    in_place_[t] += reads_constants ? 1 : 0;
    if (--pending_[t] > 0) continue;
    const detail::TensorInfo& w = d_.tensors[t];
    if (in_place_[t] > 0 && (w.data != nullptr || widened_[t].data() == nullptr)) {
      file_bytes_ += w.raw_bytes;  // read in place as stored (float32, or int8 by an 8-bit kernel)
    } else if (in_place_[t] > 0) {
      held_widened_bytes_ += widened_[t].bytes();  // a kernel reads the widened copy at run time
    } else {
      pages_.release(t);
      widened_[t].reset();
    }
  }
}

}  // namespace incept
