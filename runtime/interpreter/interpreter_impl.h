// SPDX-License-Identifier: Apache-2.0
// Interpreter internals shared by prepare.cc (plan() phase by phase, binding), lifetimes.cc (views,
// in-place Adds, lifetimes), fuse.cc (residual Adds folded into convs), kernels.cc (kernel choice from
// the registry), weight_pages.cc (weight memory while kernels pack), placement.cc (blocks and offsets)
// and interpreter.cc (public methods, invoke).
#pragma once

#include <pthreadpool.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "incept/interpreter.h"
#include "interpreter/weight_pages.h"
#include "loader/graph.h"
#include "quantize/quantize.h"

namespace incept {

// Where a tensor lives once planned: its own block, a view into a concat output, or (constants)
// the file. Views chain (nested concats) and are resolved to the root block at bind time.
struct TensorPlace {
  int block = -1;    // index into blocks, for tensors with memory of their own
  int view_of = -1;  // concat output this tensor is a channel slice of, or (in_place) the input it overwrites
  int32_t channel_offset = 0;
  bool in_place = false;  // an Add output written over its input view_of, or (fused) the conv output that is view_of
  bool fused = false;     // a conv output whose residual Add was fused into the conv: it is the Add's output
};

// A residual Add folded into the Conv2D that alone feeds it (fuse.cc): the conv's kernel adds `residual`
// before the Add's activation and writes straight into the Add's output; the Add's step does nothing.
struct ResidualFusion {
  int conv = -1, add = -1;                              // steps
  int conv_out = -1, residual = -1, add_out = -1;       // tensors
  ops::Activation activation = ops::Activation::kNone;  // the Add's
};

// A float32 <-> 8-bit conversion that prepare places around an op whose kernel computes in float32 while
// a neighbour tensor is 8-bit (an op without an 8-bit kernel), and before the first step for an 8-bit graph
// input (the API takes float32). The 8-bit side is seen through a float view, as KernelIo carries it.
struct ConvertStep {
  bool quantize = false;                     // float32 -> 8-bit; else 8-bit -> float32
  ops::DataType type = ops::DataType::kQU8;  // the 8-bit side's
  ops::Quant quant;
  ConstTensorView<float> src;
  TensorView<float> dst;
  const ops::Q8ConvertUkernels* fns = nullptr;  // prepare's choice (ops::best_q8_convert); nullptr: the refs
  int input = -1;                               // an entry convert's graph input index
};

// A camera frame waiting for the next invoke() to quantise it into an 8-bit graph input
// (Interpreter::set_input_image): the caller's pixels and, per channel of the model's order, the quantised
// value of each byte (the preprocessing and the quantisation depend on the byte alone).
struct PendingImage {
  const uint8_t* pixels = nullptr;  // nullptr: none (the float32 staging is the input)
  int32_t height = 0, width = 0, channels = 3;
  size_t row_bytes = 0;
  int32_t source[3] = {0, 1, 2};  // the pixel byte each of the model's channels reads (BGR: 2, 1, 0)
  uint8_t lut[3][256] = {};
};
// Writes the pending image into `dst` (the 8-bit input's view) and forgets it.
void run_pending_image(PendingImage& image, TensorView<float> dst);
void run_convert(const ConvertStep& c);

// One op, fully bound: invoke() only reads these.
struct Step {
  const ops::Kernel* kernel = nullptr;
  const ops::KernelState* state = nullptr;
  ops::KernelIo io;  // arrays point into Impl::io_inputs / io_constants
  // Conversions run before the kernel (8-bit inputs into float32 copies) and after it (the float32 result
  // into the 8-bit output); they point into Impl::converts.
  const ConvertStep* before = nullptr;
  const ConvertStep* after = nullptr;
  int num_before = 0, num_after = 0;
};

// Each tensor's first and last step, -1 for constants and tensors no op touches. Graph inputs and outputs
// live for the whole run. Views are not merged with their roots here (placement does that).
struct Lifetimes {
  std::vector<int> first, last;  // tensor -> step
};

// The arena sizes the memory plan comes to (placement.cc), for PlanStats.
struct PlanSizes {
  size_t arena_bytes = 0;        // the planner's arena, before read slack
  size_t lower_bound_bytes = 0;  // max over steps of the bytes live at that step
  size_t copy_concat_bytes = 0;  // the planner's arena if every concat input were copied (no views)
};

// A float32 copy of an 8-bit input (input >= 0) or output (input == -1) of an op whose kernel computes in
// float32: `offset` bytes into the step's scratch, after the kernel's own scratch.
struct ShadowTensor {
  int input = -1;
  int tensor = -1;
  size_t offset = 0;
};

// Per-op choice made at plan time.
struct KernelChoice {
  const ops::Kernel* kernel = nullptr;
  ops::KernelPlan plan;  // the kernel's state, scratch size, name
  int scratch_block = -1;
  double flops = 0.0;
  int residual = -1;        // a conv with a residual Add fused: the tensor its kernel adds (KernelIo::residual)
  bool fused_away = false;  // an Add fused into the conv before it: its step does nothing
  std::vector<ShadowTensor> shadows;  // float32 copies of 8-bit tensors, for a float32 kernel
  size_t shadow_bytes = 0;
  // The step's scratch block: the kernel's scratch, then the shadows (each 64-byte aligned).
  size_t kernel_scratch_bytes() const { return (plan.scratch_bytes + 63) / 64 * 64; }
  size_t step_scratch_bytes() const {
    return shadows.empty() ? plan.scratch_bytes : kernel_scratch_bytes() + shadow_bytes;
  }
};

struct Interpreter::Impl {
  const detail::ModelData* model = nullptr;
  InterpreterOptions options;

  bool planned = false;
  bool prepared = false;
  std::vector<TensorPlace> places;
  std::vector<int> block_tensor;  // block -> its tensor (-1 for scratch blocks)
  std::vector<size_t> offsets;    // block -> arena offset
  std::vector<int> block_first, block_last;
  std::vector<KernelChoice> kernels;  // per op
  std::vector<int> staging_block;     // graph input i -> its float32 staging block when it is 8-bit, else -1
  PlanStats stats;
  pthreadpool_t pool = nullptr;  // nullptr when threads == 1

  std::unique_ptr<uint8_t[]> owned_arena;
  uint8_t* arena = nullptr;
  std::vector<TensorView<float>> views;  // tensor -> bound view (activations)
  std::vector<Step> steps;
  std::vector<MappedFloats> expanded;             // tensor -> narrow weights widened to float32 (while needed)
  std::vector<ConstTensorView<float>> io_inputs;  // every step's input views, step after step
  std::vector<const float*> io_constants;         // likewise, constants' data (nullptr for activations)
  std::vector<ConvertStep> converts;              // every step's conversions, step after step
  std::vector<ConvertStep> entry_converts;        // 8-bit graph inputs, from their float32 staging
  std::vector<TensorView<float>> staging;         // graph input i -> its float32 staging view (8-bit inputs)
  std::vector<PendingImage> images;               // graph input i -> a frame set for the next invoke()

  ~Impl();
  // The whole plan: shapes checked, views and in-place Adds, lifetimes, residual fusions, kernels (weights
  // packed), offsets and stats. Once it succeeded, later calls return at once.
  Status plan();
  // Runs the planner over the activations' and the chosen kernels' scratch blocks and records the result:
  // offsets, block_tensor, block_first/last, places[t].block, kernels[k].scratch_block (placement.cc).
  PlanSizes place_blocks(const Lifetimes& life);
  // stats from the finished plan; kArenaTooSmall when the arena would pass options.max_arena_bytes.
  [[nodiscard]] Status fill_stats(const PlanSizes& sizes, int num_copied, const WeightLifecycle& weights,
                                  size_t library_packed_bytes);
  Status bind(uint8_t* arena_base);
  void bind_shadows(const KernelChoice& kc, uint8_t* base, size_t k, Step* s);
  // The tensor whose block holds t (t itself unless t is a concat view, through nested concats), and
  // t's first channel inside it (*channel may be null).
  int root_of(int t, int32_t* channel = nullptr) const;
  int32_t pixel_stride(int t) const;  // elements between pixels of tensor t once placed (after views)
  // Bytes of one element of tensor t in the arena: 1 for 8-bit activations, 4 for float32.
  size_t element_bytes(int t) const { return model->tensors[t].is_8bit_activation() ? 1 : sizeof(float); }
  // A constant's float32 values: in the file (float32 storage) or widened at prepare; nullptr for activations.
  const float* constant_data(int t) const {
    return model->tensors[t].data != nullptr ? model->tensors[t].data : expanded[t].data();
  }
};

// prepare.cc
// The shapes of op n's inputs in order; an absent optional input (-1) has rank 0, as OpDef and Kernel take them.
std::vector<Shape> input_shapes(const detail::ModelData& d, const detail::OpNode& n);

// lifetimes.cc: true for each tensor that is a graph input or output (they keep memory of their own).
std::vector<bool> graph_io_mask(const detail::ModelData& d);
// Makes each concat input that can live in its channel slice of the concat's output a view of it
// (places[t].view_of and channel_offset); returns how many concat inputs stay copied.
int assign_views(const detail::ModelData& d, std::vector<TensorPlace>* places);
// Each activation's lifetime in steps.
Lifetimes tensor_lifetimes(const detail::ModelData& d);
// Whether Add step k may write its output over its input t: t dies at k (last[t] == k), has the output's
// shape and memory of its own (not a graph input or output, not a concat slice), and is not both operands.
bool may_add_in_place(const Interpreter::Impl& impl, const std::vector<int>& last, const std::vector<bool>& is_graph_io,
                      int k, int t);
// Places Add step k's output over the first of its inputs that may take it (may_add_in_place), if any.
void place_add_in_place(Interpreter::Impl& impl, const std::vector<int>& last, const std::vector<bool>& is_graph_io,
                        int k);
// place_add_in_place() for every step (views assigned).
void assign_in_place(Interpreter::Impl& impl, const std::vector<int>& last);

// fuse.cc
// Finds the residual Adds to fold into the conv before them, places their tensors for it (the conv's
// output becomes the Add's output; the Add's output goes over the residual where that is safe) and
// returns them; `last` is each tensor's last step, in-place Adds already assigned.
std::vector<ResidualFusion> plan_residual_fusions(Interpreter::Impl& impl, const std::vector<int>& last);
// The conv's kernel did not take the residual: places both tensors as without fusion.
void undo_residual_fusion(Interpreter::Impl& impl, const ResidualFusion& f, const std::vector<int>& last);
// The choice for an Add that was fused (its step's kernel does nothing).
void choose_fused_away(const Interpreter::Impl& impl, int k, KernelChoice* choice);

// kernels.cc
// Picks op k's kernel from its registry list (views are assigned): the first of the allowed families
// that is usable on this CPU and accepts the op; packs weights and sizes scratch. With `fusion` (op k is
// its conv), a kernel that fuses residuals gets the residual; one that does not takes the conv alone
// (choice->residual says which). An op with 8-bit tensors: an 8-bit kernel (kUnsupported when none takes
// it), or with `as_float` a float32 kernel between float32 copies of them (choice->shadows).
[[nodiscard]] Status choose_kernel(Interpreter::Impl& impl, int k, const ResidualFusion* fusion, bool as_float,
                                   KernelChoice* choice);
// choose_kernel() for every op in step order, or the fused-away choice for an Add whose conv took it;
// undoes the fusion of a conv whose kernel did not. Around each op, `weights` widens its narrow weights
// and gives back what no later op reads.
[[nodiscard]] Status choose_kernels(Interpreter::Impl& impl, const std::vector<int>& last,
                                    const std::vector<ResidualFusion>& fusions, WeightLifecycle* weights);
// The family a backend stands for.
ops::KernelFamily family_of(Backend b);

// placement.cc
// With InterpreterOptions::max_arena_bytes set: kArenaTooSmall when the activations alone (their lower
// bound, before any kernel is chosen) need more. Checked before any weight is packed.
[[nodiscard]] Status check_activations_fit(const Interpreter::Impl& impl, const Lifetimes& life);

}  // namespace incept
