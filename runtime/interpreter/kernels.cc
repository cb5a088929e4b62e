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

ops::DataType data_type(const detail::TensorInfo& t) {
  if (!t.is_8bit_activation()) return ops::DataType::kF32;
  return t.storage == detail::Storage::kUInt8 ? ops::DataType::kQU8 : ops::DataType::kQS8;
}

// Whether op n touches an 8-bit activation (then its kernel may compute in 8 bits, or in float32 behind
// conversions).
bool has_8bit(const detail::ModelData& d, const detail::OpNode& n) {
  if (d.tensors[n.outputs[0]].is_8bit_activation()) return true;
  for (int in : n.inputs)
    if (in >= 0 && d.tensors[in].is_8bit_activation()) return true;
  return false;
}

// The types of op n's tensors as kernels see them. float32 (the `as_float` plan, or an op without 8-bit
// tensors): float32 activations and float32 weights where it has constant inputs (narrow weights are widened
// before such a kernel is chosen). 8-bit: when every input activation is 8-bit, the first one's type and the
// output's (8-bit, or kF32: a classifier writing float logits, which only kernels of kQ8ToF32LinearTypes take),
// and kQS8 weights where they are int8 (kF32 otherwise, which no 8-bit kernel takes); an op that mixes float32
// and 8-bit input activations has input kNone, which no kernel takes (it runs as float32).
ops::KernelTypes op_types(const detail::ModelData& d, const detail::OpNode& n, bool as_float) {
  as_float = as_float || !has_8bit(d, n);
  ops::KernelTypes t;
  t.weights = ops::DataType::kNone;
  for (int in : n.inputs) {
    if (in < 0 || !d.tensors[in].is_constant() || t.weights != ops::DataType::kNone) continue;
    t.weights =
        !as_float && d.tensors[in].storage == detail::Storage::kInt8 ? ops::DataType::kQS8 : ops::DataType::kF32;
  }
  if (as_float) return t;
  t.output = data_type(d.tensors[n.outputs[0]]);
  t.input = ops::DataType::kNone;
  for (int in : n.inputs) {
    if (in < 0 || d.tensors[in].is_constant()) continue;
    const ops::DataType type = data_type(d.tensors[in]);
    if (type == ops::DataType::kF32) {
      t.input = ops::DataType::kNone;  // a mix: no kernel takes it as it is
      return t;
    }
    if (t.input == ops::DataType::kNone) t.input = type;
  }
  return t;
}

// Fills *c for op k as the plan has placed its tensors (views assigned). `as_float`: for a float32 kernel
// behind conversions, each 8-bit activation replaced by a dense float32 copy (KernelChoice::shadows).
void make_config(const Interpreter::Impl& impl, int k, bool as_float, OpConfig* c) {
  const detail::ModelData& d = *impl.model;
  const detail::OpNode& n = d.ops[k];
  const int num_inputs = static_cast<int>(n.inputs.size());
  ops::KernelInputs& in = c->inputs;
  in.resize(num_inputs);
  in.shapes = input_shapes(d, n);
  for (int i = 0; i < num_inputs; ++i) {
    const int t = n.inputs[i];
    if (t < 0) continue;  // absent optional input
    const detail::TensorInfo& info = d.tensors[t];
    in.constants[i] = impl.constant_data(t);
    if (!info.is_constant()) in.strides[i] = impl.pixel_stride(t);
    in.in_output_slice[i] = impl.places[t].view_of == n.outputs[0] && !impl.places[t].in_place;
    if (info.is_8bit_activation() && as_float) {  // a dense float32 copy
      in.strides[i] = info.shape[info.shape.rank - 1];
      in.in_output_slice[i] = false;
    } else if (info.is_8bit_activation()) {
      in.types[i] = data_type(info);
      in.quant[i] = {info.quant.scale, info.quant.zero_point};
    } else if (info.storage == detail::Storage::kInt8 && !as_float) {
      in.constants_q8[i] = reinterpret_cast<const int8_t*>(info.raw);
      in.constant_scales[i] = info.scales;
    }
  }
  ops::KernelConfig& config = c->config;
  in.bind(&config);
  config.types = op_types(d, n, as_float);
  config.params = ops::op_params(n.params);
  const detail::TensorInfo& out = d.tensors[n.outputs[0]];
  config.output_shape = out.shape;
  config.output_stride = impl.pixel_stride(n.outputs[0]);
  if (out.is_8bit_activation() && as_float) {
    config.output_stride = out.shape[out.shape.rank - 1];
  } else if (out.is_8bit_activation()) {
    config.output_type = data_type(out);
    config.output_quant = {out.quant.scale, out.quant.zero_point};
  }
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

// The float32 copies an op needs to run a float32 kernel between 8-bit tensors, in its step's scratch.
void plan_shadows(const Interpreter::Impl& impl, int k, KernelChoice* choice) {
  const detail::ModelData& d = *impl.model;
  const detail::OpNode& n = d.ops[k];
  choice->shadows.clear();
  choice->shadow_bytes = 0;
  auto add = [&](int input, int t) {
    choice->shadows.push_back({input, t, choice->shadow_bytes});
    choice->shadow_bytes += (static_cast<size_t>(d.tensors[t].num_elements) * sizeof(float) + 63) / 64 * 64;
  };
  for (size_t i = 0; i < n.inputs.size(); ++i)
    if (n.inputs[i] >= 0 && d.tensors[n.inputs[i]].is_8bit_activation()) add(static_cast<int>(i), n.inputs[i]);
  if (d.tensors[n.outputs[0]].is_8bit_activation()) add(-1, n.outputs[0]);
}

Status choose_kernel(Interpreter::Impl& impl, int k, const ResidualFusion* fusion, bool as_float,
                     KernelChoice* choice) {
  const detail::OpNode& n = impl.model->ops[k];
  const ops::OpDef& def = ops::op_def(n.kind);
  OpConfig c;
  make_config(impl, k, as_float, &c);
  const ops::KernelConfig& config = c.config;
  choice->flops = def.flops(config.params, config.input_shapes, config.num_inputs, config.output_shape);
  // With a residual Add to fold in: what kernels that fuse see (the residual's stride, the Add's activation).
  ops::KernelConfig fused = config;
  if (fusion != nullptr) {
    fused.residual_stride = impl.pixel_stride(fusion->residual);
    fused.fused_activation = fusion->activation;
    const detail::TensorInfo& r = impl.model->tensors[fusion->residual];
    if (!as_float && r.is_8bit_activation()) {  // an 8-bit kernel writes the Add's output with its quantisation
      const detail::TensorInfo& o = impl.model->tensors[fusion->add_out];
      fused.residual_type = data_type(r);
      fused.residual_quant = {r.quant.scale, r.quant.zero_point};
      fused.output_type = data_type(o);
      fused.output_quant = {o.quant.scale, o.quant.zero_point};
    }
  }

  // auto: every family in list order. A named family: its kernels first, then ref for what it lacks.
  const Backend want = impl.options.backend;
  const int passes = want == Backend::kAuto ? 1 : 2;
  for (int pass = 0; pass < passes; ++pass) {
    for (int i = 0; i < def.num_kernels; ++i) {
      const ops::Kernel& kernel = *def.kernels[i];
      if (want != Backend::kAuto && kernel.family != (pass == 0 ? family_of(want) : ops::KernelFamily::kRef)) continue;
      if (!ops::types_match(kernel.types, config.types) || !ops::kernel_usable(kernel)) continue;
      // 8-bit residuals fuse into 8-bit kernels only (a float kernel between conversions would read bytes).
      const bool fuse = fusion != nullptr && kernel.fuses_residual &&
                        !(as_float && impl.model->tensors[fusion->residual].is_8bit_activation());
      ops::KernelPlan plan;
      const Status s = ops::create_kernel(kernel, fuse ? fused : config, &plan);
      if (s.code() == StatusCode::kUnsupported) continue;
      if (!s.is_ok()) return Status::error(s.code(), "%s: %s (kernel %s)", n.label.c_str(), s.message(), kernel.name);
      if (plan.name[0] == '\0') std::snprintf(plan.name, sizeof(plan.name), "%s", kernel.name);
      choice->kernel = &kernel;
      choice->plan = std::move(plan);
      choice->residual = fuse ? fusion->residual : -1;
      if (fuse) choice->flops += add_flops(*impl.model, fusion->add);  // the Add's work moves into this step
      if (as_float) plan_shadows(impl, k, choice);
      return Status::ok();
    }
  }
  if (!as_float && has_8bit(*impl.model, n))
    return Status::error(StatusCode::kUnsupported, "%s: no 8-bit kernel", n.label.c_str());
  return Status::error(StatusCode::kInternal, "%s: no kernel accepted the op (its reference kernel should)",
                       n.label.c_str());
}

Status choose_kernels(Interpreter::Impl& impl, const std::vector<int>& last, const std::vector<ResidualFusion>& fusions,
                      WeightLifecycle* weights) {
  const int num_steps = static_cast<int>(impl.model->ops.size());
  std::vector<const ResidualFusion*> fusion_at(num_steps, nullptr);  // by conv step, then by add step
  for (const ResidualFusion& f : fusions) fusion_at[f.conv] = fusion_at[f.add] = &f;
  for (int k = 0; k < num_steps; ++k) {
    KernelChoice& choice = impl.kernels[k];
    const ResidualFusion* f = fusion_at[k];
    if (f != nullptr && f->add == k && impl.kernels[f->conv].residual >= 0) {
      choose_fused_away(impl, k, &choice);
    } else {
      // An op with 8-bit tensors takes an 8-bit kernel that reads int8 weights as they are when one accepts
      // it; otherwise (and always for float32 ops) a float32 kernel on widened weights.
      const ResidualFusion* fusion = f != nullptr && f->conv == k ? f : nullptr;
      Status s = Status::error(StatusCode::kUnsupported, "float32 op");
      if (has_8bit(*impl.model, impl.model->ops[k])) s = choose_kernel(impl, k, fusion, false, &choice);
      if (s.code() == StatusCode::kUnsupported) {
        INCEPT_RETURN_IF_ERROR(weights->widen_inputs(k));
        s = choose_kernel(impl, k, fusion, has_8bit(*impl.model, impl.model->ops[k]), &choice);
      }
      INCEPT_RETURN_IF_ERROR(s);
      if (f != nullptr && f->conv == k && choice.residual < 0) undo_residual_fusion(impl, *f, last);
    }
    weights->consumed(k, choice.plan.reads_constants);
  }
  return Status::ok();
}

}  // namespace incept
