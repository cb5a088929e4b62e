// SPDX-License-Identifier: Apache-2.0
// Which activations share memory (concat inputs as views of the concat's output, Adds written over an
// input) and each tensor's lifetime in steps: the first phases of plan() (prepare.cc).
#include <algorithm>
#include <vector>

#include "interpreter/interpreter_impl.h"

namespace incept {

using detail::ModelData;
using detail::OpKind;
using detail::OpNode;

std::vector<bool> graph_io_mask(const ModelData& d) {
  std::vector<bool> mask(d.tensors.size(), false);
  for (int t : d.inputs) mask[t] = true;
  for (int t : d.outputs) mask[t] = true;
  return mask;
}

// Which concat inputs become views: an activation produced by an op (so a kernel can write it
// strided), not a graph input or output, not already a slice of another concat, and listed once in
// this concat. Anything else is copied into its slice at invoke time.
int assign_views(const ModelData& d, std::vector<TensorPlace>* places) {
  const std::vector<bool> is_graph_io = graph_io_mask(d);
  int copied = 0;
  for (const OpNode& n : d.ops) {
    if (n.kind != OpKind::kConcat) continue;
    const int out = n.outputs[0];
    int32_t offset = 0;
    for (size_t j = 0; j < n.inputs.size(); ++j) {
      const int t = n.inputs[j];
      const bool repeated = std::count(n.inputs.begin(), n.inputs.end(), t) > 1;
      if (!is_graph_io[t] && (*places)[t].view_of < 0 && !repeated && t != out) {
        (*places)[t].view_of = out;
        (*places)[t].channel_offset = offset;
      } else {
        ++copied;
      }
      const Shape& s = d.tensors[t].shape;
      offset += s[s.rank - 1];
    }
  }
  return copied;
}

Lifetimes tensor_lifetimes(const ModelData& d) {
  const int num_steps = static_cast<int>(d.ops.size());
  Lifetimes life;
  life.first.assign(d.tensors.size(), -1);
  life.last.assign(d.tensors.size(), -1);
  auto touch = [&](int t, int step) {
    if (t < 0 || d.tensors[t].is_constant()) return;
    life.first[t] = life.first[t] < 0 ? step : std::min(life.first[t], step);
    life.last[t] = std::max(life.last[t], step);
  };
  for (int t : d.inputs) touch(t, 0), touch(t, num_steps - 1);
  for (int t : d.outputs) touch(t, 0), touch(t, num_steps - 1);
  for (int k = 0; k < num_steps; ++k) {
    for (int t : d.ops[k].inputs) touch(t, k);
    for (int t : d.ops[k].outputs) touch(t, k);
  }
  return life;
}

// Adds that write over an input in place (a residual block's x + branches): the input must die at
// this op, have the output's shape, be an activation with memory of its own (not a graph input or
// output, not a channel slice of a concat) and not be the other operand too. The output then lives
// in the input's block (view_of = that input, channel offset 0, same pixel stride), so the residual
// sum needs no second buffer. Elementwise kernels read each element before writing it.
bool may_add_in_place(const Interpreter::Impl& impl, const std::vector<int>& last, const std::vector<bool>& is_graph_io,
                      int k, int t) {
  const ModelData& d = *impl.model;
  const OpNode& n = d.ops[k];
  const int out = n.outputs[0];
  if (n.kind != OpKind::kAdd || is_graph_io[out] || impl.places[out].view_of >= 0 || n.inputs[0] == n.inputs[1])
    return false;
  return t >= 0 && !is_graph_io[t] && !d.tensors[t].is_constant() && impl.places[t].view_of < 0 && last[t] == k &&
         d.tensors[t].shape == d.tensors[out].shape && impl.element_bytes(t) == impl.element_bytes(out);
}

void place_add_in_place(Interpreter::Impl& impl, const std::vector<int>& last, const std::vector<bool>& is_graph_io,
                        int k) {
  for (int t : impl.model->ops[k].inputs) {
    if (!may_add_in_place(impl, last, is_graph_io, k, t)) continue;
    impl.places[impl.model->ops[k].outputs[0]].view_of = t;
    impl.places[impl.model->ops[k].outputs[0]].in_place = true;
    return;
  }
}

void assign_in_place(Interpreter::Impl& impl, const std::vector<int>& last) {
  const std::vector<bool> is_graph_io = graph_io_mask(*impl.model);
  for (int k = 0; k < static_cast<int>(impl.model->ops.size()); ++k) place_add_in_place(impl, last, is_graph_io, k);
}

int Interpreter::Impl::root_of(int t, int32_t* channel) const {
  int32_t offset = 0;
  while (places[t].view_of >= 0) {
    offset += places[t].channel_offset;
    t = places[t].view_of;
  }
  if (channel != nullptr) *channel = offset;
  return t;
}

int32_t Interpreter::Impl::pixel_stride(int t) const {
  const Shape& s = model->tensors[root_of(t)].shape;
  return s[s.rank - 1];
}

}  // namespace incept
