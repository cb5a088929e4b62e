// SPDX-License-Identifier: Apache-2.0
// Interpreter internals shared by prepare.cc (planning, binding), kernels.cc (backend choice,
// kernel set-up, dispatch) and interpreter.cc (public methods).
#pragma once

#include <pthreadpool.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "incept/interpreter.h"
#include "loader/graph.h"
#include "conv2d/conv2d_gemm.h"
#if INCEPT_WITH_XNNPACK
#include "common/xnn_op.h"
#endif

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
  detail::OpKind kind = detail::OpKind::kConv2D;
  Backend backend = Backend::kRef;
  const detail::OpParams* params = nullptr;
  TensorView<float> out;
  ConstTensorView<float> in0, in1;
  const float* weights = nullptr;
  const float* bias = nullptr;
  float* scratch = nullptr;                  // eigen: im2col / packing space inside the arena
  void* xnn = nullptr;                       // xnnpack: the set-up xnn_operator_t
  const ops::Conv2DGemm* gemm = nullptr;     // native: the packed conv
  uint32_t first_copy = 0, num_copies = 0;   // Concat: inputs that are not views, copied into their slice
};

struct CopyJob {
  ConstTensorView<float> src;
  TensorView<float> dst;
};

// Per-op choice made at plan time.
struct KernelChoice {
  Backend backend = Backend::kRef;
  char name[48] = "";   // the kernel's name (OpInfo::kernel)
  size_t scratch_bytes = 0;
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
#if INCEPT_WITH_XNNPACK
  std::vector<ops::XnnOp> xnn_ops;     // per op; empty unless the op runs on XNNPACK
#endif
  std::vector<std::unique_ptr<ops::Conv2DGemm>> gemm_convs;   // per op; set where a conv runs native
  PlanStats stats;
  pthreadpool_t pool = nullptr;        // nullptr when threads == 1

  std::unique_ptr<uint8_t[]> owned_arena;
  uint8_t* arena = nullptr;
  std::vector<TensorView<float>> views;   // tensor -> bound view (activations)
  std::vector<Step> steps;
  std::vector<CopyJob> copies;

  ~Impl();
  Status plan();
  Status bind(uint8_t* arena_base);
  // The tensor whose block holds t (t itself unless t is a concat view, through nested concats), and
  // t's first channel inside it (*channel may be null).
  int root_of(int t, int32_t* channel = nullptr) const;
  int32_t pixel_stride(int t) const;   // floats between pixels of tensor t once placed (after views)
};

// kernels.cc
// Picks the backend of op k (views are assigned), creating XNNPACK operators and sizing scratch.
[[nodiscard]] Status choose_kernel(Interpreter::Impl& impl, int k, KernelChoice* choice);
// Binds op k's kernel to its views (XNNPACK setup) once the arena is known.
[[nodiscard]] Status setup_kernel(Interpreter::Impl& impl, int k, Step* step);
void run_step(const Step& s, const CopyJob* copies, pthreadpool_t pool);
// A native micro-kernel is built for this architecture and usable on this CPU (under the INCEPT_ISA cap).
bool native_available();
double op_flops(const detail::ModelData& d, const detail::OpNode& n);

}  // namespace incept
