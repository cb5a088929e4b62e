// SPDX-License-Identifier: Apache-2.0
// Residual adds folded into the conv that feeds them. Inception-ResNet ends every block with
// relu(x + up(branches)): a linear 1x1 "up" conv whose output only the Add reads. Our conv kernels add
// x in their epilogue (KernelConfig::residual_stride) and write the sum where the Add would have: the
// conv's output tensor becomes the Add's output (same memory, no block of its own) and the Add's step
// does nothing. Same bits as without: the epilogue computes (conv + bias) + x, then the activation.
//
// Placement: the Add's output goes over x when x dies at the Add, nothing between the conv and the Add
// reads x, and the conv does not read x's memory (it writes it); otherwise it has a block of its own,
// which costs no more than unfused (the conv output's block is gone instead). Kernels that do not fuse
// (XNNPACK, Eigen, the float ref) leave the pair as it was: undo_residual_fusion() restores the plain placement.
//
// 8-bit: when the conv's output, the residual and the Add's output are all 8-bit and the conv runs an 8-bit
// kernel, the epilogue requantises float(acc) * m + float(q_x - zp_x) * (s_x / s_out) straight into the Add's
// output quantisation (common/quant.h): one rounding where unfused there are two (the conv's output, then the
// Add's). The converter's int8 reference fuses the same pairs, so both sides compute the same bytes.
#include <cstdio>
#include <vector>

#include "interpreter/interpreter_impl.h"

namespace incept {
namespace {

using detail::ModelData;
using detail::OpKind;
using detail::OpNode;

// The fusion for Add step k with its input slot `slot` as the conv output, if the graph allows it.
bool candidate(const ModelData& d, const std::vector<int>& producer, const std::vector<int>& uses,
               const std::vector<bool>& is_graph_io, const std::vector<TensorPlace>& places, int k, int slot,
               ResidualFusion* f) {
  const OpNode& add = d.ops[k];
  const int c = add.inputs[slot], x = add.inputs[1 - slot], o = add.outputs[0];
  if (c < 0 || x < 0 || c == x || d.tensors[c].is_constant() || d.tensors[x].is_constant()) return false;
  const int j = producer[c];
  if (j < 0 || d.ops[j].kind != OpKind::kConv2D) return false;
  const ops::Conv2DParams& conv = std::get<ops::Conv2DParams>(d.ops[j].params);
  // The conv's output feeds this Add alone; the residual is ready before the conv runs; same shapes; the
  // Add's output is not a concat slice (so the conv's output stride stays its own).
  if (conv.activation != ops::Activation::kNone || uses[c] != 1 || is_graph_io[c] || places[c].view_of >= 0 ||
      producer[x] >= j || d.tensors[c].shape != d.tensors[o].shape || d.tensors[x].shape != d.tensors[o].shape ||
      (places[o].view_of >= 0 && !places[o].in_place))
    return false;
  f->conv = j;
  f->add = k;
  f->conv_out = c;
  f->residual = x;
  f->add_out = o;
  f->activation = std::get<ops::AddParams>(add.params).activation;
  return true;
}

// Some op in steps (from, to) reads tensor t.
bool read_between(const ModelData& d, int t, int from, int to) {
  for (int m = from + 1; m < to; ++m)
    for (int in : d.ops[m].inputs)
      if (in == t) return true;
  return false;
}

void add_fused_run(const ops::KernelState*, const ops::KernelIo&, pthreadpool_t) {}

const ops::Kernel kAddFused = {"add_f32_fused", ops::KernelFamily::kNative, ops::Isa::kScalar, nullptr, nullptr,
                               add_fused_run};
const ops::Kernel kAddFusedQ8 = {"add_q8_fused",
                                 ops::KernelFamily::kNative,
                                 ops::Isa::kScalar,
                                 nullptr,
                                 nullptr,
                                 add_fused_run,
                                 false,
                                 0,
                                 {ops::DataType::kQ8, ops::DataType::kNone, ops::DataType::kQ8}};

}  // namespace

std::vector<ResidualFusion> plan_residual_fusions(Interpreter::Impl& impl, const std::vector<int>& last) {
  const ModelData& d = *impl.model;
  const int num_tensors = static_cast<int>(d.tensors.size());
  std::vector<int> producer(num_tensors, -1), uses(num_tensors, 0);
  for (int k = 0; k < static_cast<int>(d.ops.size()); ++k) {
    for (int t : d.ops[k].inputs)
      if (t >= 0) ++uses[t];
    for (int t : d.ops[k].outputs) producer[t] = k;
  }
  const std::vector<bool> is_graph_io = graph_io_mask(d);
  std::vector<ResidualFusion> fusions;
  for (int k = 0; k < static_cast<int>(d.ops.size()); ++k) {
    if (d.ops[k].kind != OpKind::kAdd || d.ops[k].inputs.size() != 2) continue;
    ResidualFusion f;
    if (!candidate(d, producer, uses, is_graph_io, impl.places, k, 0, &f) &&
        !candidate(d, producer, uses, is_graph_io, impl.places, k, 1, &f))
      continue;
    // Float32 all three, or 8-bit all three (the 8-bit conv's epilogue then writes the Add's output in its
    // quantisation: converter/incept_convert/quant/reference.py fuses the same pairs).
    const bool q8 = d.tensors[f.conv_out].is_8bit_activation(), r8 = d.tensors[f.residual].is_8bit_activation(),
               o8 = d.tensors[f.add_out].is_8bit_activation();
    if (q8 != r8 || q8 != o8) continue;
    TensorPlace& out = impl.places[f.add_out];
    out = TensorPlace{};
    const int conv_in = d.ops[f.conv].inputs[0];
    if (may_add_in_place(impl, last, is_graph_io, k, f.residual) && !read_between(d, f.residual, f.conv, k) &&
        (conv_in < 0 || impl.root_of(conv_in) != f.residual)) {
      out.view_of = f.residual;
      out.in_place = true;
    }
    TensorPlace& conv_out = impl.places[f.conv_out];
    conv_out = TensorPlace{};
    conv_out.view_of = f.add_out;
    conv_out.in_place = true;
    conv_out.fused = true;
    fusions.push_back(f);
  }
  return fusions;
}

void undo_residual_fusion(Interpreter::Impl& impl, const ResidualFusion& f, const std::vector<int>& last) {
  impl.places[f.conv_out] = TensorPlace{};
  impl.places[f.add_out] = TensorPlace{};
  place_add_in_place(impl, last, graph_io_mask(*impl.model), f.add);
}

void choose_fused_away(const Interpreter::Impl& impl, int k, KernelChoice* choice) {
  const bool q8 = impl.model->tensors[impl.model->ops[k].outputs[0]].is_8bit_activation();
  choice->kernel = q8 ? &kAddFusedQ8 : &kAddFused;
  choice->plan = ops::KernelPlan{};
  std::snprintf(choice->plan.name, sizeof(choice->plan.name), "%s", choice->kernel->name);
  choice->fused_away = true;
  choice->flops = 0.0;  // counted with the conv that does the adding (choose_kernel)
}

}  // namespace incept
