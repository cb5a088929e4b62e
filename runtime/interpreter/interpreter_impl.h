// SPDX-License-Identifier: Apache-2.0
// Interpreter internals shared by prepare.cc (planning, binding) and interpreter.cc (invoke).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "incept/interpreter.h"
#include "loader/graph.h"

namespace incept {

// Where a tensor lives once planned: its own block, a view into a concat output, or (constants)
// the file. Views chain (nested concats) and are resolved to the root block at bind time.
struct TensorPlace {
  int block = -1;          // index into blocks, for tensors with memory of their own
  int view_of = -1;        // concat output this tensor is a channel slice of
  int32_t channel_offset = 0;
};

// One op, fully bound: invoke() only reads these.
struct Step {
  detail::OpKind kind = detail::OpKind::kConv2D;
  const detail::OpParams* params = nullptr;
  TensorView<float> out;
  ConstTensorView<float> in0, in1;
  const float* weights = nullptr;
  const float* bias = nullptr;
  uint32_t first_copy = 0, num_copies = 0;   // Concat: inputs that are not views, copied into their slice
};

struct CopyJob {
  ConstTensorView<float> src;
  TensorView<float> dst;
};

struct Interpreter::Impl {
  const detail::ModelData* model = nullptr;
  InterpreterOptions options;

  bool planned = false;
  bool prepared = false;
  std::vector<TensorPlace> places;
  std::vector<int> block_tensor;   // block -> its tensor
  std::vector<size_t> offsets;     // block -> arena offset
  PlanStats stats;

  std::unique_ptr<uint8_t[]> owned_arena;
  uint8_t* arena = nullptr;
  std::vector<TensorView<float>> views;   // tensor -> bound view (activations)
  std::vector<Step> steps;
  std::vector<CopyJob> copies;

  Status plan();
  Status bind(uint8_t* arena_base);
};

}  // namespace incept
