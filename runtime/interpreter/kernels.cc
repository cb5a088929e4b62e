// SPDX-License-Identifier: Apache-2.0
// Kernel choice: walks each op's registry list (ops/op_registry.h) in priority order, under the user's
// backend choice, the op's tensor types and this CPU's ISA. Nothing here knows an op or a family by name.
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "interpreter/interpreter_impl.h"

namespace incept {
namespace {

// Op k's KernelConfig and the arrays it points into (alive as long as this).
struct OpConfig {
  ops::KernelInputs inputs;
  ops::KernelConfig config;
  OpConfig() = default;
  OpConfig(const OpConfig&) = delete;
  OpConfig& operator=(const OpConfig&) = delete;
};

// The types of op n's tensors as kernels see them: float32 activations, and float32 weights where it
// has constant inputs (narrow weights are widened before their consumer's kernel is chosen).
ops::KernelTypes op_types(const detail::ModelData& d, const detail::OpNode& n) {
  ops::KernelTypes t;
  t.weights = ops::DataType::kNone;
  for (int in : n.inputs)
    if (in >= 0 && d.tensors[in].is_constant()) t.weights = ops::DataType::kF32;
  return t;
}

// Fills *c for op k as the plan has placed its tensors (views assigned).
void make_config(const Interpreter::Impl& impl, int k, OpConfig* c) {
  const detail::ModelData& d = *impl.model;
  const detail::OpNode& n = d.ops[k];
  const int num_inputs = static_cast<int>(n.inputs.size());
  ops::KernelInputs& in = c->inputs;
  in.resize(num_inputs);
  in.shapes = input_shapes(d, n);
  for (int i = 0; i < num_inputs; ++i) {
    const int t = n.inputs[i];
    if (t < 0) continue;  // absent optional input
    in.constants[i] = impl.constant_data(t);
    if (!d.tensors[t].is_constant()) in.strides[i] = impl.pixel_stride(t);
    in.in_output_slice[i] = impl.places[t].view_of == n.outputs[0] && !impl.places[t].in_place;
  }
  ops::KernelConfig& config = c->config;
  in.bind(&config);
  config.types = op_types(d, n);
  config.params = ops::op_params(n.params);
  config.output_shape = d.tensors[n.outputs[0]].shape;
  config.output_stride = impl.pixel_stride(n.outputs[0]);
  config.threads = impl.options.threads;
  config.winograd = impl.options.winograd;
}

// The flops of the Add step `add` (moved into its conv's step when fused).
double add_flops(const detail::ModelData& d, int add) {
  const detail::OpNode& n = d.ops[add];
  const std::vector<Shape> shapes = input_shapes(d, n);
  return ops::op_def(n.kind).flops(ops::op_params(n.params), shapes.data(), static_cast<int>(shapes.size()),
                                   d.tensors[n.outputs[0]].shape);
}

}  // namespace

ops::KernelFamily family_of(Backend b) {
  switch (b) {
    case Backend::kEigen: return ops::KernelFamily::kEigen;
    case Backend::kXnnpack: return ops::KernelFamily::kXnnpack;
    case Backend::kNative: return ops::KernelFamily::kNative;
    case Backend::kAuto:
    case Backend::kRef: break;
  }
  return ops::KernelFamily::kRef;
}

Status choose_kernel(Interpreter::Impl& impl, int k, const ResidualFusion* fusion, KernelChoice* choice) {
  const detail::OpNode& n = impl.model->ops[k];
  const ops::OpDef& def = ops::op_def(n.kind);
  OpConfig c;
  make_config(impl, k, &c);
  const ops::KernelConfig& config = c.config;
  choice->flops = def.flops(config.params, config.input_shapes, config.num_inputs, config.output_shape);
  // With a residual Add to fold in: what kernels that fuse see (the residual's stride, the Add's activation).
  ops::KernelConfig fused = config;
  if (fusion != nullptr) {
    fused.residual_stride = impl.pixel_stride(fusion->residual);
    fused.fused_activation = fusion->activation;
  }

  // auto: every family in list order. A named family: its kernels first, then ref for what it lacks.
  const Backend want = impl.options.backend;
  const int passes = want == Backend::kAuto ? 1 : 2;
  for (int pass = 0; pass < passes; ++pass) {
    for (int i = 0; i < def.num_kernels; ++i) {
      const ops::Kernel& kernel = *def.kernels[i];
      if (want != Backend::kAuto && kernel.family != (pass == 0 ? family_of(want) : ops::KernelFamily::kRef)) continue;
      if (!ops::types_match(kernel.types, config.types) || !ops::kernel_usable(kernel)) continue;
      const bool fuse = fusion != nullptr && kernel.fuses_residual;
      ops::KernelPlan plan;
      const Status s = ops::create_kernel(kernel, fuse ? fused : config, &plan);
      if (s.code() == StatusCode::kUnsupported) continue;
      if (!s.is_ok()) return Status::error(s.code(), "%s: %s (kernel %s)", n.label.c_str(), s.message(), kernel.name);
      if (plan.name[0] == '\0') std::snprintf(plan.name, sizeof(plan.name), "%s", kernel.name);
      choice->kernel = &kernel;
      choice->plan = std::move(plan);
      choice->residual = fuse ? fusion->residual : -1;
      if (fuse) choice->flops += add_flops(*impl.model, fusion->add);  // the Add's work moves into this step
      return Status::ok();
    }
  }
  return Status::error(StatusCode::kInternal, "%s: no kernel accepted the op (its reference kernel should)",
                       n.label.c_str());
}

Status choose_kernels(Interpreter::Impl& impl, const std::vector<int>& last, const std::vector<ResidualFusion>& fusions,
                      WeightLifecycle* weights) {
  const int num_steps = static_cast<int>(impl.model->ops.size());
  std::vector<const ResidualFusion*> fusion_at(num_steps, nullptr);  // by conv step, then by add step
  for (const ResidualFusion& f : fusions) fusion_at[f.conv] = fusion_at[f.add] = &f;
  for (int k = 0; k < num_steps; ++k) {
    INCEPT_RETURN_IF_ERROR(weights->widen_inputs(k));
    KernelChoice& choice = impl.kernels[k];
    const ResidualFusion* f = fusion_at[k];
    if (f != nullptr && f->add == k && impl.kernels[f->conv].residual >= 0) {
      choose_fused_away(impl, k, &choice);
    } else {
      INCEPT_RETURN_IF_ERROR(choose_kernel(impl, k, f != nullptr && f->conv == k ? f : nullptr, &choice));
      if (f != nullptr && f->conv == k && choice.residual < 0) undo_residual_fusion(impl, *f, last);
    }
    weights->consumed(k, choice.plan.reads_constants);
  }
  return Status::ok();
}

}  // namespace incept
