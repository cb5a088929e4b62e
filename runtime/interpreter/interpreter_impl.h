// SPDX-License-Identifier: Apache-2.0
// Interpreter internals shared by prepare.cc (planning, binding), kernels.cc (kernel choice from the
// registry, set-up) and interpreter.cc (public methods, invoke).
#pragma once

#include <pthreadpool.h>

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
  int view_of = -1;        // concat output this tensor is a channel slice of, or (in_place) the input it overwrites
  int32_t channel_offset = 0;
  bool in_place = false;   // an Add output written over its input view_of
};

// One op, fully bound: invoke() only reads these.
struct Step {
  const ops::Kernel* kernel = nullptr;
  const ops::KernelState* state = nullptr;
  ops::KernelIo io;   // arrays point into Impl::io_inputs / io_constants
};

// Per-op choice made at plan time.
struct KernelChoice {
  const ops::Kernel* kernel = nullptr;
  ops::KernelPlan plan;   // the kernel's state, scratch size, name
  int scratch_block = -1;
  double flops = 0.0;
};

struct Interpreter::Impl {
  const detail::ModelData* model = nullptr;
  InterpreterOptions options;

  bool planned = false;
  bool prepared = false;
  std::vector<TensorPlace> places;
  std::vector<int> block_tensor;   // block -> its tensor (-1 for scratch blocks)
  std::vector<size_t> offsets;     // block -> arena offset
  std::vector<int> block_first, block_last;
  std::vector<KernelChoice> kernels;   // per op
  PlanStats stats;
  pthreadpool_t pool = nullptr;        // nullptr when threads == 1

  std::unique_ptr<uint8_t[]> owned_arena;
  uint8_t* arena = nullptr;
  std::vector<TensorView<float>> views;   // tensor -> bound view (activations)
  std::vector<Step> steps;
  std::vector<ConstTensorView<float>> io_inputs;   // every step's input views, step after step
  std::vector<const float*> io_constants;          // likewise, constants' data (nullptr for activations)

  ~Impl();
  Status plan();
  Status bind(uint8_t* arena_base);
  // The tensor whose block holds t (t itself unless t is a concat view, through nested concats), and
  // t's first channel inside it (*channel may be null).
  int root_of(int t, int32_t* channel = nullptr) const;
  int32_t pixel_stride(int t) const;   // floats between pixels of tensor t once placed (after views)
};

// prepare.cc
// The shapes of op n's inputs in order; an absent optional input (-1) has rank 0, as OpDef and Kernel take them.
std::vector<Shape> input_shapes(const detail::ModelData& d, const detail::OpNode& n);

// kernels.cc
// Picks op k's kernel from its registry list (views are assigned): the first of the allowed families
// that is usable on this CPU and accepts the op; packs weights and sizes scratch.
[[nodiscard]] Status choose_kernel(Interpreter::Impl& impl, int k, KernelChoice* choice);
// The family a backend stands for.
ops::KernelFamily family_of(Backend b);

}  // namespace incept
