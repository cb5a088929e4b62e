// SPDX-License-Identifier: Apache-2.0
// The planner as a pure function: exact offsets on small lifetimes, and its lower bound.
#include <doctest/doctest.h>

#include "planner/planner.h"
#include "support/test_util.h"

namespace incept::planner {
namespace {

bool overlaps(const Block& a, const Block& b) { return a.first <= b.last && b.first <= a.last; }

// No two blocks that are live at the same step share a byte.
bool valid(const std::vector<Block>& blocks, const Plan& p) {
  for (size_t i = 0; i < blocks.size(); ++i)
    for (size_t j = i + 1; j < blocks.size(); ++j) {
      if (!overlaps(blocks[i], blocks[j])) continue;
      const size_t ei = p.offsets[i] + align_up(blocks[i].size, 64), ej = p.offsets[j] + align_up(blocks[j].size, 64);
      if (p.offsets[i] < ej && p.offsets[j] < ei) return false;
    }
  return true;
}

TEST_CASE("planner: a chain reuses memory two steps apart") {
  // a -> b -> c: a and c never live together, so c takes a's place.
  const std::vector<Block> blocks = {{100, 0, 1}, {200, 1, 2}, {100, 2, 3}};
  const Plan p = plan_greedy_by_size(blocks);
  CHECK(p.offsets == std::vector<size_t>{256, 0, 256});
  CHECK(p.arena_bytes == 384);
  CHECK(lower_bound_bytes(blocks) == 384);
}

TEST_CASE("planner: best fit picks the smallest gap that holds the block") {
  // Big blocks at 0 and 1024 live throughout, leaving no gap; the two long-lived mid blocks sit
  // apart and free gaps of 192 and 64 bytes during step 2..3.
  const std::vector<Block> blocks = {
      {512, 0, 1},  // A
      {256, 0, 3},  // B
      {192, 0, 1},  // C
      {64, 0, 3},   // D
      {64, 2, 3},   // E: fits the 64-byte gap left by... placed last
  };
  const Plan p = plan_greedy_by_size(blocks);
  // Largest first: A@0, B@512, C@768, D@960, then E (live 2..3, overlapping B and D only):
  // gaps [0,512) (512 bytes) and [768,960) (192 bytes) -> best fit is 768.
  CHECK(p.offsets == std::vector<size_t>{0, 512, 768, 960, 768});
  CHECK(p.arena_bytes == 1024);
  CHECK(valid(blocks, p));
  CHECK(lower_bound_bytes(blocks) == 1024);
}

TEST_CASE("planner: plan_best takes another order where largest-first strands a gap") {
  // Largest first puts the 192-byte block of steps 4..5 at 0, under the two early 192-byte blocks' place,
  // so the long 64-byte block must go above them all (448 bytes); longest-lived first places that one
  // at 0 and reaches the lower bound.
  const std::vector<Block> blocks = {{192, 4, 5}, {64, 3, 6}, {192, 0, 2}, {192, 1, 3}};
  CHECK(plan_greedy_by_size(blocks).arena_bytes == 448);
  const Plan p = plan_best(blocks);
  CHECK(p.offsets == std::vector<size_t>{64, 0, 0, 192});
  CHECK(p.arena_bytes == 384);
  CHECK(lower_bound_bytes(blocks) == 384);
  CHECK(valid(blocks, p));
}

TEST_CASE("planner: sizes are rounded to 64 bytes and offsets aligned") {
  const std::vector<Block> blocks = {{1, 0, 0}, {65, 0, 0}, {3, 0, 0}};
  const Plan p = plan_greedy_by_size(blocks);
  CHECK(p.offsets == std::vector<size_t>{128, 0, 192});
  CHECK(p.arena_bytes == 256);
  for (size_t o : p.offsets) CHECK(o % 64 == 0);
}

TEST_CASE("planner: empty and single") {
  CHECK(plan_greedy_by_size({}).arena_bytes == 0);
  CHECK(lower_bound_bytes({}) == 0);
  const Plan p = plan_greedy_by_size({{4096, 0, 5}});
  CHECK(p.offsets == std::vector<size_t>{0});
  CHECK(p.arena_bytes == 4096);
}

TEST_CASE("planner: random lifetimes never overlap and never beat the lower bound") {
  test::Rng rng(0x91a2);
  for (int round = 0; round < 300; ++round) {
    std::vector<Block> blocks;
    const int n = rng.uniform_int(1, 40);
    for (int i = 0; i < n; ++i) {
      const int first = rng.uniform_int(0, 30);
      blocks.push_back({static_cast<size_t>(rng.uniform_int(1, 100000)), first, first + rng.uniform_int(0, 8)});
    }
    CAPTURE(round);
    const Plan p = plan_greedy_by_size(blocks);
    CHECK(valid(blocks, p));
    CHECK(p.arena_bytes >= lower_bound_bytes(blocks));
    const Plan best = plan_best(blocks);
    CHECK(valid(blocks, best));
    CHECK(best.arena_bytes <= p.arena_bytes);
    CHECK(best.arena_bytes >= lower_bound_bytes(blocks));
  }
}

}  // namespace
}  // namespace incept::planner
