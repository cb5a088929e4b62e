// SPDX-License-Identifier: Apache-2.0
// prepare(): plan() phase by phase (shape inference against the file's shapes, then views, lifetimes,
// kernels, placement and stats, each in its own file), and binding every step to its arena views. All
// allocation happens here.
#include <algorithm>
#include <vector>

#include "interpreter/interpreter_impl.h"
#include "planner/planner.h"
#include "quantize/quantize.h"
#if INCEPT_WITH_XNNPACK
#include "common/xnn_op.h"
#endif

namespace incept {
namespace {

using detail::ModelData;
using detail::OpNode;

Status infer_shape(const ModelData& d, const OpNode& n, Shape* out) {
  const std::vector<Shape> shapes = input_shapes(d, n);
  const void* params = ops::op_params(n.params);
  return ops::op_def(n.kind).infer_shape(params, shapes.data(), static_cast<int>(shapes.size()), out);
}

Status check_shapes(const ModelData& d) {
  for (const OpNode& n : d.ops) {
    Shape inferred;
    const Status s = infer_shape(d, n, &inferred);
    if (!s.is_ok()) return Status::error(s.code(), "%s: %s", n.label.c_str(), s.message());
    const detail::TensorInfo& out = d.tensors[n.outputs[0]];
    if (inferred != out.shape) {
      char a[64], b[64];
      return Status::error(StatusCode::kInvalidModel, "%s: output tensor '%s' is stored as %s but the op produces %s",
                           n.label.c_str(), out.shown.c_str(), shape_to_string(out.shape, a, sizeof(a)),
                           shape_to_string(inferred, b, sizeof(b)));
    }
  }
  return Status::ok();
}

Status check_options(const InterpreterOptions& options) {
  INCEPT_CHECK(options.threads >= 1 && options.threads <= 1024, kInvalidArgument, "threads must be in 1..1024, got %d",
               options.threads);
  INCEPT_CHECK(backend_available(options.backend), kUnsupported,
               "backend '%s' is not available in this build or on this CPU", backend_name(options.backend));
  return Status::ok();
}

// Weight bytes that libraries hold packed on their own (XNNPACK's), outside KernelPlan::packed_bytes: plan()
// counts what this grows by while kernels are chosen.
size_t library_packed_bytes() {
#if INCEPT_WITH_XNNPACK
  return ops::xnn_live_bytes();
#else
  return 0;
#endif
}

constexpr size_t kArenaLine = 64;

// Slack past the end of the arena for kernels that read past the end of an input
// (Kernel::read_past_end_bytes): inside the arena such reads land on other tensors and are harmless,
// past its end they would not be. Whole 64-byte lines; none when no chosen kernel reads past an end.
size_t read_slack_bytes(const std::vector<KernelChoice>& kernels) {
  size_t most = 0;
  for (const KernelChoice& kc : kernels) most = std::max<size_t>(most, kc.kernel->read_past_end_bytes);
  return planner::align_up(most, kArenaLine);
}

}  // namespace

std::vector<Shape> input_shapes(const ModelData& d, const OpNode& n) {
  std::vector<Shape> shapes(n.inputs.size());
  for (size_t i = 0; i < n.inputs.size(); ++i)
    if (n.inputs[i] >= 0) shapes[i] = d.tensors[n.inputs[i]].shape;
  return shapes;
}

Status Interpreter::Impl::plan() {
  if (planned) return Status::ok();
  const ModelData& d = *model;
  INCEPT_RETURN_IF_ERROR(check_options(options));
  INCEPT_RETURN_IF_ERROR(check_shapes(d));
  places.assign(d.tensors.size(), TensorPlace{});
  kernels.clear();
  kernels.resize(d.ops.size());

  const int num_copied = assign_views(d, &places);
  const Lifetimes life = tensor_lifetimes(d);
  assign_in_place(*this, life.last);
  const std::vector<ResidualFusion> fusions = plan_residual_fusions(*this, life.last);
  INCEPT_RETURN_IF_ERROR(check_activations_fit(*this, life));

  WeightLifecycle weights(d, &expanded);
  const size_t library_before = library_packed_bytes();
  INCEPT_RETURN_IF_ERROR(choose_kernels(*this, life.last, fusions, &weights));
  const size_t library_after = library_packed_bytes();

  const PlanSizes sizes = place_blocks(life);
  INCEPT_RETURN_IF_ERROR(
      fill_stats(sizes, num_copied, weights, library_after > library_before ? library_after - library_before : 0));
  planned = true;
  return Status::ok();
}

Status Interpreter::Impl::fill_stats(const PlanSizes& sizes, int num_copied, const WeightLifecycle& weights,
                                     size_t library_packed) {
  stats = PlanStats{};
  stats.arena_bytes = sizes.arena_bytes + read_slack_bytes(kernels);
  INCEPT_CHECK(options.max_arena_bytes == 0 || stats.arena_bytes <= options.max_arena_bytes, kArenaTooSmall,
               "the plan needs %zu arena bytes, over the cap of %zu (InterpreterOptions::max_arena_bytes)",
               stats.arena_bytes, options.max_arena_bytes);
  stats.lower_bound_bytes = sizes.lower_bound_bytes;
  stats.copy_concat_bytes = sizes.copy_concat_bytes;
  for (const TensorPlace& pl : places) {
    stats.num_views += pl.view_of >= 0 && !pl.in_place ? 1 : 0;
    stats.num_in_place += pl.in_place && !pl.fused ? 1 : 0;
    stats.num_fused_adds += pl.fused ? 1 : 0;
  }
  stats.num_copied_concat_inputs = num_copied;
  double flops = 0.0;
  for (const KernelChoice& kc : kernels) {
    flops += kc.flops;
    stats.scratch_bytes = std::max(stats.scratch_bytes, kc.step_scratch_bytes());
    stats.packed_weights_bytes += kc.plan.packed_bytes;
  }
  stats.packed_weights_bytes += weights.held_widened_bytes() + library_packed;
  stats.gflop = flops * 1e-9;
  stats.file_weights_bytes = weights.file_bytes();
  return Status::ok();
}

namespace {

ConvertStep convert_step(const detail::TensorInfo& t, bool quantize, ConstTensorView<float> src,
                         TensorView<float> dst) {
  ConvertStep c;
  c.quantize = quantize;
  c.type = t.storage == detail::Storage::kUInt8 ? ops::DataType::kQU8 : ops::DataType::kQS8;
  c.quant = {t.quant.scale, t.quant.zero_point};
  c.src = src;
  c.dst = dst;
  c.fns = ops::best_q8_convert();
  return c;
}

}  // namespace

// Step k of a float32 kernel between 8-bit tensors: its inputs and output become the float32 copies in the
// step's scratch, and the conversions into and out of them are bound (into Impl::converts).
void Interpreter::Impl::bind_shadows(const KernelChoice& kc, uint8_t* base, size_t k, Step* s) {
  if (kc.shadows.empty()) return;
  const ModelData& d = *model;
  const OpNode& n = d.ops[k];
  uint8_t* shadow_base = base + offsets[kc.scratch_block] + kc.kernel_scratch_bytes();
  auto* inputs = const_cast<ConstTensorView<float>*>(s->io.inputs);
  const size_t first = converts.size();
  for (const ShadowTensor& sh : kc.shadows) {  // inputs first, in input order: the conversions before
    if (sh.input < 0) continue;
    const TensorView<float> copy =
        dense_view(reinterpret_cast<float*>(shadow_base + sh.offset), d.tensors[sh.tensor].shape);
    converts.push_back(convert_step(d.tensors[sh.tensor], false, inputs[sh.input], copy));
    inputs[sh.input] = as_const(copy);
  }
  s->num_before = static_cast<int>(converts.size() - first);
  for (const ShadowTensor& sh : kc.shadows) {  // the output: the conversion after
    if (sh.input >= 0) continue;
    const TensorView<float> copy =
        dense_view(reinterpret_cast<float*>(shadow_base + sh.offset), d.tensors[n.outputs[0]].shape);
    converts.push_back(convert_step(d.tensors[sh.tensor], true, as_const(copy), s->io.out));
    s->io.out = copy;
    s->num_after = 1;
  }
  s->before = converts.data() + first;
  s->after = s->before + s->num_before;
}

Status Interpreter::Impl::bind(uint8_t* base) {
  const ModelData& d = *model;
  const int num_tensors = static_cast<int>(d.tensors.size());
  views.assign(num_tensors, TensorView<float>{});
  for (int t = 0; t < num_tensors; ++t) {
    if (d.tensors[t].is_constant() || places[t].block < 0) continue;
    views[t] = dense_view(reinterpret_cast<float*>(base + offsets[places[t].block]), d.tensors[t].shape);
  }
  // Views: the root's memory, shifted by the accumulated channel offset (in the root's elements), with the
  // root's pixel stride.
  for (int t = 0; t < num_tensors; ++t) {
    if (places[t].view_of < 0) continue;
    int32_t offset = 0;
    const int r = root_of(t, &offset);
    uint8_t* data = reinterpret_cast<uint8_t*>(views[r].data) + static_cast<size_t>(offset) * element_bytes(r);
    TensorView<float> v = dense_view(reinterpret_cast<float*>(data), d.tensors[t].shape);
    v.pixel_stride = views[r].pixel_stride;
    views[t] = v;
  }
  // 8-bit graph inputs: the API writes float32 into the staging block, quantised before the first step.
  staging.assign(d.inputs.size(), TensorView<float>{});
  entry_converts.clear();
  for (size_t i = 0; i < d.inputs.size(); ++i) {
    if (staging_block[i] < 0) continue;
    const int t = d.inputs[i];
    staging[i] = dense_view(reinterpret_cast<float*>(base + offsets[staging_block[i]]), d.tensors[t].shape);
    entry_converts.push_back(convert_step(d.tensors[t], true, as_const(staging[i]), views[t]));
    entry_converts.back().input = static_cast<int>(i);
  }
  images.assign(d.inputs.size(), PendingImage{});

  steps.clear();
  steps.reserve(d.ops.size());
  size_t total_inputs = 0, total_shadows = 0;
  for (const OpNode& n : d.ops) total_inputs += n.inputs.size();
  for (const KernelChoice& kc : kernels) total_shadows += kc.shadows.size();
  io_inputs.assign(total_inputs, ConstTensorView<float>{});  // sized once: steps keep pointers into them
  io_constants.assign(total_inputs, nullptr);
  converts.clear();
  converts.reserve(total_shadows);
  size_t next = 0;
  for (size_t k = 0; k < d.ops.size(); ++k) {
    const OpNode& n = d.ops[k];
    KernelChoice& kc = kernels[k];
    Step s;
    s.kernel = kc.kernel;
    s.state = kc.plan.state.get();
    s.io.inputs = io_inputs.data() + next;
    s.io.constants = io_constants.data() + next;
    s.io.num_inputs = static_cast<int>(n.inputs.size());
    for (int t : n.inputs) {
      if (t >= 0 && d.tensors[t].is_constant()) {
        io_constants[next] = constant_data(t);
      } else if (t >= 0) {
        io_inputs[next] = as_const(views[t]);
      }
      ++next;
    }
    s.io.out = views[n.outputs[0]];
    if (kc.scratch_block >= 0) s.io.scratch = reinterpret_cast<float*>(base + offsets[kc.scratch_block]);
    bind_shadows(kc, base, k, &s);
    if (kc.residual >= 0) s.io.residual = as_const(views[kc.residual]);
    if (kc.kernel->setup != nullptr) {
      const Status st = kc.kernel->setup(kc.plan.state.get(), s.io, pool);
      if (!st.is_ok())
        return Status::error(st.code(), "%s: %s (kernel %s)", n.label.c_str(), st.message(), kc.plan.name);
    }
    steps.push_back(s);
  }
  arena = base;
  return Status::ok();
}

}  // namespace incept
