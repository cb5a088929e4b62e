// SPDX-License-Identifier: Apache-2.0
// Kernel choice: walks the op's registry list (ops/op_registry.h) in priority order, under the user's
// backend choice, the op's tensor types and this CPU's ISA. Nothing here knows an op or a family by name.
#include <cstdio>
#include <cstring>
#include <vector>

#include "interpreter/interpreter_impl.h"

namespace incept {

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

// The types of op n's tensors as kernels see them: float32 activations, and float32 weights where it
// has constant inputs (narrow weights are widened before their consumer's kernel is chosen).
static ops::KernelTypes op_types(const detail::ModelData& d, const detail::OpNode& n) {
  ops::KernelTypes t;
  t.weights = ops::DataType::kNone;
  for (int in : n.inputs)
    if (in >= 0 && d.tensors[in].is_constant()) t.weights = ops::DataType::kF32;
  return t;
}

Status choose_kernel(Interpreter::Impl& impl, int k, const ResidualFusion* fusion, KernelChoice* choice) {
  const detail::ModelData& d = *impl.model;
  const detail::OpNode& n = d.ops[k];
  const ops::OpDef& def = ops::op_def(n.kind);
  const int num_inputs = static_cast<int>(n.inputs.size());

  const std::vector<Shape> shapes = input_shapes(d, n);
  std::vector<int32_t> strides(num_inputs, 0);
  std::vector<const float*> constants(num_inputs, nullptr);
  std::unique_ptr<bool[]> in_slice(new bool[num_inputs > 0 ? num_inputs : 1]());
  for (int i = 0; i < num_inputs; ++i) {
    const int t = n.inputs[i];
    if (t < 0) continue;   // absent optional input
    constants[i] = impl.constant_data(t);
    if (!d.tensors[t].is_constant()) strides[i] = impl.pixel_stride(t);
    in_slice[i] = impl.places[t].view_of == n.outputs[0] && !impl.places[t].in_place;
  }
  ops::KernelConfig config;
  config.types = op_types(d, n);
  config.params = ops::op_params(n.params);
  config.num_inputs = num_inputs;
  config.input_shapes = shapes.data();
  config.input_strides = strides.data();
  config.constants = constants.data();
  config.in_output_slice = in_slice.get();
  config.output_shape = d.tensors[n.outputs[0]].shape;
  config.output_stride = impl.pixel_stride(n.outputs[0]);
  config.threads = impl.options.threads;
  config.winograd = impl.options.winograd;
  choice->flops = def.flops(config.params, shapes.data(), num_inputs, config.output_shape);
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
      if (fuse) {   // the Add's work moves into this step
        const detail::OpNode& add = d.ops[fusion->add];
        const std::vector<Shape> add_shapes = input_shapes(d, add);
        choice->flops += ops::op_def(add.kind).flops(ops::op_params(add.params), add_shapes.data(),
                                                     static_cast<int>(add_shapes.size()),
                                                     d.tensors[add.outputs[0]].shape);
      }
      return Status::ok();
    }
  }
  return Status::error(StatusCode::kInternal, "%s: no kernel accepted the op (its reference kernel should)",
                       n.label.c_str());
}

}  // namespace incept
