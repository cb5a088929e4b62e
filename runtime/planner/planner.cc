// SPDX-License-Identifier: Apache-2.0
#include "planner/planner.h"

#include <algorithm>
#include <cstdint>
#include <numeric>

namespace incept::planner {

namespace {

// Places the blocks in `order`, each at the best fit among the placed blocks its lifetime overlaps.
Plan place_in_order(const std::vector<Block>& blocks, const std::vector<size_t>& order, size_t alignment) {
  const size_t n = blocks.size();
  Plan plan;
  plan.offsets.assign(n, 0);
  std::vector<size_t> placed;  // indices of placed blocks
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
    size_t cursor = 0;  // lowest free address seen so far
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

// The block indices sorted by `before` (a strict weak order), ties by index: plans are deterministic.
template <class Less>
std::vector<size_t> order_by(size_t n, Less before) {
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), before);
  return order;
}

}  // namespace

Plan plan_greedy_by_size(const std::vector<Block>& blocks, size_t alignment) {
  // Largest (aligned) first; ties by earlier first use.
  return place_in_order(blocks,
                        order_by(blocks.size(),
                                 [&](size_t a, size_t b) {
                                   const size_t sa = align_up(blocks[a].size, alignment),
                                                sb = align_up(blocks[b].size, alignment);
                                   if (sa != sb) return sa > sb;
                                   return blocks[a].first < blocks[b].first;
                                 }),
                        alignment);
}

Plan plan_best(const std::vector<Block>& blocks, size_t alignment) {
  Plan best = plan_greedy_by_size(blocks, alignment);
  if (best.arena_bytes <= lower_bound_bytes(blocks, alignment)) return best;
  // Longest-lived first (ties: largest), then earliest first use (ties: largest): each wins on lifetimes
  // where largest-first strands a gap (a short scratch block placed before the long tensors around it).
  const auto longer = [&](size_t a, size_t b) {
    const int la = blocks[a].last - blocks[a].first, lb = blocks[b].last - blocks[b].first;
    if (la != lb) return la > lb;
    return blocks[a].size > blocks[b].size;
  };
  const auto earlier = [&](size_t a, size_t b) {
    if (blocks[a].first != blocks[b].first) return blocks[a].first < blocks[b].first;
    return blocks[a].size > blocks[b].size;
  };
  for (const std::vector<size_t>& order : {order_by(blocks.size(), longer), order_by(blocks.size(), earlier)}) {
    Plan p = place_in_order(blocks, order, alignment);
    if (p.arena_bytes < best.arena_bytes) best = std::move(p);
  }
  return best;
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
