// SPDX-License-Identifier: Apache-2.0
// In-place residual adds: an Add writes over an input that dies at it, so a residual block needs no
// buffer for its sum; the numbers are the same bits as without the sharing, on every backend.
#include <doctest/doctest.h>

#include <cstring>
#include <vector>

#include "incept/incept.h"
#include "support/model_builder.h"
#include "support/test_util.h"

namespace incept {
namespace {

using test::ModelBuilder;

// x -> conv a (relu) -> conv up; s = relu(a + up) -> conv -> y: a residual block. `keep` lists which of
// a (1), up (2) are also graph outputs (so they may not be overwritten); `self_add` adds up to itself.
struct Residual {
  std::vector<uint8_t> bytes;
  int a = -1, up = -1, sum = -1, y = -1;
  Residual(int keep, bool self_add = false) {
    test::Rng rng(5);
    ModelBuilder b;
    auto weights = [&](int n) {
      std::vector<float> v(static_cast<size_t>(n));
      for (float& w : v) w = rng.uniform(-0.5f, 0.5f);
      return v;
    };
    const int x = b.tensor("x", {1, 6, 6, 4});
    a = b.tensor("a", {1, 6, 6, 8});
    b.conv2d("conv_a", x, b.constant("wa", {8, 1, 1, 4}, weights(32)), b.constant("ba", {8}, weights(8)), a, {1, 1},
             {1, 1}, {}, ops::Activation::kRelu);
    up = b.tensor("up", {1, 6, 6, 8});
    b.conv2d("conv_up", a, b.constant("wu", {8, 3, 3, 8}, weights(576)), b.constant("bu", {8}, weights(8)), up,
             {3, 3}, {1, 1}, {1, 1, 1, 1});
    sum = b.tensor("sum", {1, 6, 6, 8});
    b.add("sum", self_add ? up : a, up, sum, ops::Activation::kRelu);
    y = b.tensor("y", {1, 6, 6, 3});
    b.conv2d("conv_y", sum, b.constant("wy", {3, 1, 1, 8}, weights(24)), -2, y, {1, 1}, {1, 1}, {});
    std::vector<int> outs = {y};
    if (keep & 1) outs.push_back(a);
    if (keep & 2) outs.push_back(up);
    bytes = b.finish({x}, outs);
  }
};

// Runs the model; returns y and fills the plan stats and the placements of a, up and sum.
std::vector<float> run(const Residual& r, Backend backend, int threads, PlanStats* stats, TensorPlacement* sum,
                       TensorPlacement* a = nullptr, TensorPlacement* up = nullptr) {
  test::AlignedBytes file(r.bytes);
  Result<Model> m = Model::from_bytes(file.data(), file.size());
  REQUIRE(m.ok());
  Interpreter it(*m, InterpreterOptions{backend, threads});
  REQUIRE(it.prepare().is_ok());
  const TensorRef in = it.input(0);
  for (size_t i = 0; i < in.bytes / sizeof(float); ++i) in.data[i] = static_cast<float>(i % 13) * 0.25f - 1.5f;
  REQUIRE(it.invoke().is_ok());
  *stats = it.plan_stats();
  *sum = it.tensor_placement(r.sum);
  if (a != nullptr) *a = it.tensor_placement(r.a);
  if (up != nullptr) *up = it.tensor_placement(r.up);
  return std::vector<float>(it.output(0).data, it.output(0).data + it.output(0).bytes / sizeof(float));
}

TEST_CASE("in place: a residual Add writes over the input that dies there, with the same bits") {
  for (Backend backend : {Backend::kRef, Backend::kEigen, Backend::kXnnpack, Backend::kNative}) {
    if (!backend_available(backend)) continue;
    for (int threads : {1, 2}) {
      CAPTURE(backend_name(backend));
      CAPTURE(threads);
      PlanStats st_free, st_keep_a, st_kept;
      TensorPlacement p_free, p_keep_a, p_kept, a_free, up_keep_a;
      const Residual free_(0), keep_a(1), kept(3);
      const std::vector<float> y_free = run(free_, backend, threads, &st_free, &p_free, &a_free);
      const std::vector<float> y_keep_a = run(keep_a, backend, threads, &st_keep_a, &p_keep_a, nullptr, &up_keep_a);
      const std::vector<float> y_kept = run(kept, backend, threads, &st_kept, &p_kept);

      CHECK(st_free.num_in_place == 1);   // over a (the first input that dies there)
      CHECK(p_free.in_place);
      CHECK(p_free.view_of == free_.a);
      CHECK(st_keep_a.num_in_place == 1);   // a is a graph output: over up instead
      CHECK(p_keep_a.view_of == keep_a.up);
      CHECK(st_kept.num_in_place == 0);   // both are graph outputs: a buffer of its own
      CHECK(!p_kept.in_place);
      CHECK(p_kept.view_of == -1);
      // Shared memory: the sum sits exactly on the input it overwrites, and that block lives on.
      CHECK(p_free.offset == a_free.offset);
      CHECK(a_free.last_step == 3);
      CHECK(p_keep_a.offset == up_keep_a.offset);
      CHECK(st_free.lower_bound_bytes <= st_free.arena_bytes);
      // Every variant computes the same bits.
      REQUIRE(y_free.size() == y_kept.size());
      CHECK(std::memcmp(y_free.data(), y_kept.data(), y_free.size() * sizeof(float)) == 0);
      CHECK(std::memcmp(y_keep_a.data(), y_kept.data(), y_free.size() * sizeof(float)) == 0);
    }
  }
}

TEST_CASE("in place: not over an input that is still read later or is both operands") {
  PlanStats st;
  TensorPlacement p;
  const Residual self(0, /*self_add=*/true);   // sum = up + up: overwriting up would be fine per element,
  run(self, Backend::kRef, 1, &st, &p);        // but is not done: one rule, no special cases
  CHECK(st.num_in_place == 0);
  CHECK(!p.in_place);
}

}  // namespace
}  // namespace incept
