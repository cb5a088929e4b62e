// SPDX-License-Identifier: Apache-2.0
// The memory plan's last phase (plan() in prepare.cc): planner blocks from the lifetimes and the chosen
// kernels' scratch, their arena offsets, and the sizes PlanStats reports.
#include <algorithm>
#include <vector>

#include "interpreter/interpreter_impl.h"
#include "planner/planner.h"

namespace incept {
namespace {

// Planner blocks and what each stands for.
struct BlockList {
  std::vector<planner::Block> blocks;
  std::vector<int> owner;          // block -> its tensor (-1 for scratch blocks)
  std::vector<int> block_of;       // tensor -> its block (-1 when it has none of its own)
  std::vector<int> scratch_block;  // step -> its kernel's scratch block (-1 when none)
  std::vector<int> staging_block;  // graph input -> its float32 staging block (8-bit inputs), else -1
};

// One block per tensor with memory of its own, covering the lifetimes of every view into it (with_views;
// without, every activation has a block of its own: the plan if every concat input were copied); then one
// per kernel scratch (with the float32 copies of 8-bit tensors a float32 kernel reads and writes), live for
// its op's step only; then one float32 staging block per 8-bit graph input, live for the whole run (the API
// takes float32, and an input written once may be invoked on again). Blocks come in tensor order, then step
// order, then graph input order.
BlockList make_blocks(const Interpreter::Impl& impl, const Lifetimes& life, bool with_views) {
  const detail::ModelData& d = *impl.model;
  const int num_tensors = static_cast<int>(d.tensors.size());
  const int num_steps = static_cast<int>(d.ops.size());
  BlockList b;
  b.block_of.assign(num_tensors, -1);
  b.scratch_block.assign(num_steps, -1);
  for (int t = 0; t < num_tensors; ++t) {
    if (life.first[t] < 0) continue;
    const int r = with_views ? impl.root_of(t) : t;
    if (b.block_of[r] < 0) {
      b.block_of[r] = static_cast<int>(b.blocks.size());
      b.blocks.push_back(
          {static_cast<size_t>(d.tensors[r].num_elements) * impl.element_bytes(r), life.first[t], life.last[t]});
      b.owner.push_back(r);
    }
    planner::Block& block = b.blocks[b.block_of[r]];
    block.first = std::min(block.first, life.first[t]);
    block.last = std::max(block.last, life.last[t]);
  }
  for (int k = 0; k < num_steps; ++k) {
    const size_t scratch = impl.kernels[k].step_scratch_bytes();
    if (scratch == 0) continue;
    b.scratch_block[k] = static_cast<int>(b.blocks.size());
    b.blocks.push_back({scratch, k, k});
    b.owner.push_back(-1);
  }
  b.staging_block.assign(d.inputs.size(), -1);
  for (size_t i = 0; i < d.inputs.size(); ++i) {
    const detail::TensorInfo& t = d.tensors[d.inputs[i]];
    if (!t.is_8bit_activation()) continue;
    b.staging_block[i] = static_cast<int>(b.blocks.size());
    b.blocks.push_back({static_cast<size_t>(t.num_elements) * sizeof(float), 0, std::max(num_steps - 1, 0)});
    b.owner.push_back(-1);
  }
  return b;
}

}  // namespace

Status check_activations_fit(const Interpreter::Impl& impl, const Lifetimes& life) {
  const size_t cap = impl.options.max_arena_bytes;
  if (cap == 0) return Status::ok();
  const size_t need = planner::lower_bound_bytes(make_blocks(impl, life, true).blocks);
  INCEPT_CHECK(need <= cap, kArenaTooSmall,
               "the activations alone need at least %zu arena bytes, over the cap of %zu "
               "(InterpreterOptions::max_arena_bytes)",
               need, cap);
  return Status::ok();
}

PlanSizes Interpreter::Impl::place_blocks(const Lifetimes& life) {
  const BlockList b = make_blocks(*this, life, true);
  const planner::Plan p = planner::plan_best(b.blocks);
  offsets = p.offsets;
  block_tensor = b.owner;
  block_first.clear();
  block_last.clear();
  for (const planner::Block& block : b.blocks) block_first.push_back(block.first), block_last.push_back(block.last);
  for (size_t t = 0; t < places.size(); ++t)
    if (b.block_of[t] >= 0) places[t].block = b.block_of[t];
  for (size_t k = 0; k < kernels.size(); ++k) kernels[k].scratch_block = b.scratch_block[k];
  staging_block = b.staging_block;

  PlanSizes sizes;
  sizes.arena_bytes = p.arena_bytes;
  sizes.lower_bound_bytes = planner::lower_bound_bytes(b.blocks);
  sizes.copy_concat_bytes = planner::plan_best(make_blocks(*this, life, false).blocks).arena_bytes;
  return sizes;
}

}  // namespace incept
