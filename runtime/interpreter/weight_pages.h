// SPDX-License-Identifier: Apache-2.0
// Weight memory during prepare: the file pages of weights given back once they are packed (WeightPages),
// and the float32 pages that narrow weights are widened into (MappedFloats).
#pragma once

#include <cstddef>
#include <vector>

#include "loader/graph.h"

namespace incept {

// Float32 pages of their own (an anonymous mapping, unmapped on destruction): where prepare widens
// narrow weights. Not the heap: a layer's widened copy lives only while its kernel packs it, and heap
// blocks freed between the packed panels would stay resident (and raise malloc's mmap threshold).
class MappedFloats {
 public:
  MappedFloats() = default;
  MappedFloats(MappedFloats&& o) noexcept : data_(o.data_), bytes_(o.bytes_) { o.data_ = nullptr, o.bytes_ = 0; }
  MappedFloats& operator=(MappedFloats&& o) noexcept;
  MappedFloats(const MappedFloats&) = delete;
  MappedFloats& operator=(const MappedFloats&) = delete;
  ~MappedFloats() { reset(); }
  [[nodiscard]] bool allocate(size_t n);   // false (and empty) when the memory is not there
  void reset();
  float* data() const { return data_; }
  size_t bytes() const { return bytes_; }

 private:
  float* data_ = nullptr;
  size_t bytes_ = 0;
};

// Gives the file pages of weights back as they are done with (file-backed mappings). A page is given back
// once every weight on it is done: each release covers the whole run of done weights around the new one,
// in file order, so the pages neighbours share go too, as do pages the kernel mapped around an earlier
// read (fault-around) after their weight was done. Weights that kernels read in place are never released.
// Holds a reference to the model data, which must outlive it.
class WeightPages {
 public:
  explicit WeightPages(const detail::ModelData& d);
  void release(int t);   // tensor t's weight is done with (no kernel reads it in place)

 private:
  const detail::ModelData& d_;
  std::vector<int> order_, rank_;   // constants by file offset; tensor -> its place there
  std::vector<bool> done_;
};

}  // namespace incept
