// SPDX-License-Identifier: Apache-2.0
#include "planner/planner.h"

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace incept::planner {

Plan plan_greedy_by_size(const std::vector<Block>& blocks, size_t alignment) {
  const size_t n = blocks.size();
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  // Largest (aligned) first; ties by earlier first use, then by index, so plans are deterministic.
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const size_t sa = align_up(blocks[a].size, alignment), sb = align_up(blocks[b].size, alignment);
    if (sa != sb) return sa > sb;
    return blocks[a].first < blocks[b].first;
  });

  Plan plan;
  plan.offsets.assign(n, 0);
  std::vector<size_t> placed;      // indices of placed blocks
  std::vector<size_t> overlapping;
  placed.reserve(n);
  overlapping.reserve(n);
  for (size_t b : order) {
    const size_t size = align_up(blocks[b].size, alignment);
    overlapping.clear();
    for (size_t p : placed)
      if (blocks[p].first <= blocks[b].last && blocks[b].first <= blocks[p].last) overlapping.push_back(p);
    std::sort(overlapping.begin(), overlapping.end(),
              [&](size_t x, size_t y) { return plan.offsets[x] < plan.offsets[y]; });
    size_t cursor = 0;                 // lowest free address seen so far
    size_t best = SIZE_MAX, best_gap = SIZE_MAX;
    for (size_t p : overlapping) {
      const size_t start = plan.offsets[p];
      if (start >= cursor + size && start - cursor < best_gap) {
        best = cursor;
        best_gap = start - cursor;
      }
      cursor = std::max(cursor, start + align_up(blocks[p].size, alignment));
    }
    plan.offsets[b] = best != SIZE_MAX ? best : cursor;
    plan.arena_bytes = std::max(plan.arena_bytes, plan.offsets[b] + size);
    placed.push_back(b);
  }
  return plan;
}

size_t lower_bound_bytes(const std::vector<Block>& blocks, size_t alignment) {
  int steps = 0;
  for (const Block& b : blocks) steps = std::max(steps, b.last + 1);
  // Difference array: add at first, subtract after last.
  std::vector<long long> delta(static_cast<size_t>(steps) + 1, 0);
  for (const Block& b : blocks) {
    delta[b.first] += static_cast<long long>(align_up(b.size, alignment));
    delta[b.last + 1] -= static_cast<long long>(align_up(b.size, alignment));
  }
  size_t best = 0;
  long long running = 0;
  for (int s = 0; s < steps; ++s) {
    running += delta[s];
    best = std::max(best, static_cast<size_t>(running));
  }
  return best;
}

}  // namespace incept::planner
