// SPDX-License-Identifier: Apache-2.0
// Memory planner: a pure function from tensor lifetimes to arena offsets.
//
// Greedy by size with best fit (Pisarchyk & Lee 2020, "Efficient Memory Management for Deep Neural
// Net Inference"; TFLite's GreedyMemoryPlanner): blocks are placed largest first; each goes into the
// smallest gap, between blocks already placed whose lifetimes overlap its own, that holds it, or
// after the highest of them. Every size is rounded up to `alignment` so all offsets are aligned.
// plan_best() runs the same placement in two more orders and keeps the smallest arena: largest-first
// alone left Winograd scratch blocks stranding gaps (GoogLeNet on two threads: 1.054x the lower bound,
// 1.000x with plan_best).
#pragma once

#include <cstddef>
#include <vector>

namespace incept::planner {

struct Block {
  size_t size = 0;  // bytes (rounded up to the alignment by the planner)
  int first = 0;    // first step that uses it (inclusive)
  int last = 0;     // last step that uses it (inclusive); first <= last
};

struct Plan {
  std::vector<size_t> offsets;  // one per block, multiples of the alignment
  size_t arena_bytes = 0;       // max over blocks of offset + aligned size
};

Plan plan_greedy_by_size(const std::vector<Block>& blocks, size_t alignment = 64);

// The smallest of the greedy placements in three orders: largest first (plan_greedy_by_size), longest-lived
// first, earliest first use first (ties to the earlier in that list). What prepare uses.
Plan plan_best(const std::vector<Block>& blocks, size_t alignment = 64);

// Max over steps of the aligned bytes live at that step: no placement can use less.
size_t lower_bound_bytes(const std::vector<Block>& blocks, size_t alignment = 64);

inline size_t align_up(size_t n, size_t alignment) { return (n + alignment - 1) / alignment * alignment; }

}  // namespace incept::planner
