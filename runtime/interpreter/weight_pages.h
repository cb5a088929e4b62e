// SPDX-License-Identifier: Apache-2.0
// Weight memory during prepare: the file pages of weights given back once they are packed (WeightPages),
// the float32 pages that narrow weights are widened into (MappedFloats), and the two together as kernels
// are chosen op after op (WeightLifecycle).
#pragma once

#include <cstddef>
#include <vector>

#include "incept/status.h"
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
  [[nodiscard]] bool allocate(size_t n);  // false (and empty) when the memory is not there
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
  void release(int t);  // tensor t's weight is done with (no kernel reads it in place)

 private:
  const detail::ModelData& d_;
  std::vector<int> order_, rank_;  // constants by file offset; tensor -> its place there
  std::vector<bool> done_;
};

// The weights' memory while plan() chooses kernels, op after op. Weights that every consumer repacked
// (native, XNNPACK) are never read from the file again: their pages are given back right after the last
// consumer packs them (file-backed mappings only), so peak memory holds each weight about once. The rest
// are read in place and count as file weights. Narrow weights (float16, int8) are widened just before
// their first consumer's kernel is chosen (their file pages given back at once) and dropped after the
// last one packed them: one layer's float32 copy at a time, in pages of its own (MappedFloats), so peak
// memory stays that of a float32 file. Where a kernel reads weights as they are (ref, eigen) the float32
// copy stays with the interpreter (held_widened_bytes(), counted as packed in PlanStats).
//
//   WeightLifecycle weights(model, &widened);
//   for each step k: weights.widen_inputs(k); choose op k's kernel; weights.consumed(k, plan.reads_constants);
//
// Holds references to the model data and to *widened, which must outlive it.
class WeightLifecycle {
 public:
  // Empties *widened and sizes it to one entry per tensor of d (where widen_inputs() puts the copies).
  WeightLifecycle(const detail::ModelData& d, std::vector<MappedFloats>* widened);
  // Before op k's kernel is chosen: widens each narrow constant input of op k not widened yet and gives
  // its file pages back. Fails (kInternal) when the memory for a copy is not there.
  [[nodiscard]] Status widen_inputs(int k);
  // Once op k's kernel is chosen (reads_constants: KernelPlan::reads_constants): each constant input that
  // op k was the last consumer of is counted as read in place, or given back (pages and widened copy).
  void consumed(int k, bool reads_constants);
  size_t file_bytes() const { return file_bytes_; }                  // weights kernels read in the file
  size_t held_widened_bytes() const { return held_widened_bytes_; }  // widened copies kernels read

 private:
  const detail::ModelData& d_;
  std::vector<MappedFloats>& widened_;
  WeightPages pages_;
  std::vector<int> pending_;   // tensor -> consumers whose kernel is not chosen yet
  std::vector<int> in_place_;  // tensor -> consumers whose kernel reads it at run time
  size_t file_bytes_ = 0, held_widened_bytes_ = 0;
};

}  // namespace incept
