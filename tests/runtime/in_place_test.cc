// SPDX-License-Identifier: Apache-2.0
// Residual adds. Where the conv that feeds an Add runs on one of our kernels, the Add is fused into it
// (the conv adds x in its epilogue and writes the sum); elsewhere the Add writes over an input that dies
// at it, so a residual block needs no buffer for its sum. Either way: the same bits as without, on every
// backend and thread count.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "incept/incept.h"
#include "support/isa.h"
#include "support/model_builder.h"
#include "support/test_util.h"

namespace incept {
namespace {

using test::ModelBuilder;

struct Block {
  int keep = 0;           // which of a (1), up (2) are also graph outputs (so they may not be overwritten)
  bool self_add = false;  // sum = up + up
  bool deep = false;      // conv_up reads b = conv_b(a), not a: the sum may go over a
  bool read_between =
      false;             // (deep) a 1x1 conv of a runs between conv_up and the Add (its output p is a graph output)
  bool up_relu = false;  // conv_up has its own ReLU: relu(up) + a is not up + a, so nothing fuses
  int hw = 6, ch = 8;    // map size and channels (28, 16: conv_up takes Winograd F(4x4,3x3) on x86 and NEON)
};

// x -> conv a (relu) [-> conv b (relu)] -> conv up; s = relu(a + up) -> conv -> y: a residual block.
struct Residual {
  std::vector<uint8_t> bytes;
  int a = -1, up = -1, sum = -1, y = -1;
  explicit Residual(const Block& s) {
    test::Rng rng(5);
    ModelBuilder b;
    auto weights = [&](int n) {
      std::vector<float> v(static_cast<size_t>(n));
      for (float& w : v) w = rng.uniform(-0.5f, 0.5f);
      return v;
    };
    const int c = s.ch;
    const int x = b.tensor("x", {1, s.hw, s.hw, 4});
    a = b.tensor("a", {1, s.hw, s.hw, c});
    b.conv2d("conv_a", x, b.constant("wa", {c, 1, 1, 4}, weights(4 * c)), b.constant("ba", {c}, weights(c)), a, {1, 1},
             {1, 1}, {}, ops::Activation::kRelu);
    int up_in = a;
    if (s.deep) {
      up_in = b.tensor("b", {1, s.hw, s.hw, c});
      b.conv2d("conv_b", a, b.constant("wb", {c, 1, 1, c}, weights(c * c)), b.constant("bb", {c}, weights(c)), up_in,
               {1, 1}, {1, 1}, {}, ops::Activation::kRelu);
    }
    up = b.tensor("up", {1, s.hw, s.hw, c});
    b.conv2d("conv_up", up_in, b.constant("wu", {c, 3, 3, c}, weights(9 * c * c)), b.constant("bu", {c}, weights(c)),
             up, {3, 3}, {1, 1}, {1, 1, 1, 1}, s.up_relu ? ops::Activation::kRelu : ops::Activation::kNone);
    int p = -1;
    if (s.read_between) {
      p = b.tensor("p", {1, s.hw, s.hw, 2});
      b.conv2d("conv_p", a, b.constant("wp", {2, 1, 1, c}, weights(2 * c)), -2, p, {1, 1}, {1, 1}, {});
    }
    sum = b.tensor("sum", {1, s.hw, s.hw, c});
    b.add("sum", s.self_add ? up : a, up, sum, ops::Activation::kRelu);
    y = b.tensor("y", {1, s.hw, s.hw, 3});
    b.conv2d("conv_y", sum, b.constant("wy", {3, 1, 1, c}, weights(3 * c)), -2, y, {1, 1}, {1, 1}, {});
    std::vector<int> outs = {y};
    if (s.keep & 1) outs.push_back(a);
    if (s.keep & 2) outs.push_back(up);
    if (p >= 0) outs.push_back(p);
    bytes = b.finish({x}, outs);
  }
};

struct Ran {
  std::vector<float> y;
  PlanStats stats;
  TensorPlacement a, up, sum;
  std::string up_kernel, sum_kernel, sum_backend;
};

Ran run(const Residual& r, Backend backend, int threads, bool winograd = true) {
  test::AlignedBytes file(r.bytes);
  Result<Model> m = Model::from_bytes(file.data(), file.size());
  REQUIRE(m.ok());
  InterpreterOptions options{backend, threads};
  options.winograd = winograd;
  Interpreter it(*m, options);
  REQUIRE(it.prepare().is_ok());
  const TensorRef in = it.input(0);
  for (size_t i = 0; i < in.bytes / sizeof(float); ++i) in.data[i] = static_cast<float>(i % 13) * 0.25f - 1.5f;
  REQUIRE(it.invoke().is_ok());
  Ran out;
  out.y.assign(it.output(0).data, it.output(0).data + it.output(0).bytes / sizeof(float));
  out.stats = it.plan_stats();
  out.a = it.tensor_placement(r.a);
  out.up = it.tensor_placement(r.up);
  out.sum = it.tensor_placement(r.sum);
  for (int i = 0; i < it.num_ops(); ++i) {
    const OpInfo info = it.op_info(i);
    if (std::string(info.name) == "conv_up") out.up_kernel = info.kernel;
    if (std::string(info.name) == "sum") out.sum_kernel = info.kernel, out.sum_backend = info.backend;
  }
  return out;
}

bool same_bits(const std::vector<float>& a, const std::vector<float>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0;
}

TEST_CASE("in place: without fusion, a residual Add writes over the input that dies there, with the same bits") {
  for (Backend backend : {Backend::kRef, Backend::kEigen, Backend::kXnnpack}) {  // their convs do not fuse
    if (!backend_available(backend)) continue;
    for (int threads : {1, 2}) {
      CAPTURE(backend_name(backend));
      CAPTURE(threads);
      const Residual free_({0}), keep_a({1}), kept({3});
      const Ran f = run(free_, backend, threads), ka = run(keep_a, backend, threads), k = run(kept, backend, threads);
      CHECK(f.stats.num_fused_adds == 0);
      CHECK(f.stats.num_in_place == 1);  // over a (the first input that dies there)
      CHECK(f.sum.in_place);
      CHECK(f.sum.view_of == free_.a);
      CHECK(ka.stats.num_in_place == 1);  // a is a graph output: over up instead
      CHECK(ka.sum.view_of == keep_a.up);
      CHECK(k.stats.num_in_place == 0);  // both are graph outputs: a buffer of its own
      CHECK(!k.sum.in_place);
      CHECK(k.sum.view_of == -1);
      // Shared memory: the sum sits exactly on the input it overwrites, and that block lives on.
      CHECK(f.sum.offset == f.a.offset);
      CHECK(f.a.last_step == 3);
      CHECK(ka.sum.offset == ka.up.offset);
      CHECK(f.stats.lower_bound_bytes <= f.stats.arena_bytes);
      CHECK(f.sum_backend != "fused");
      // Every variant computes the same bits.
      CHECK(same_bits(f.y, k.y));
      CHECK(same_bits(ka.y, k.y));
    }
  }
}

TEST_CASE("in place: not over an input that is still read later or is both operands") {
  const Residual self(Block{0, /*self_add=*/true});  // sum = up + up: overwriting up would be fine per element,
  const Ran r = run(self, Backend::kRef, 1);         // but is not done: one rule, no special cases
  CHECK(r.stats.num_in_place == 0);
  CHECK(!r.sum.in_place);
}

TEST_CASE("fusion: our conv kernels fold the residual Add in, with the same bits as the Add run apart") {
  if (!test::cpu_runs_native_kernels()) {
    MESSAGE("skipped: this CPU has no ISA our conv kernels are built for, so nothing fuses");
    return;
  }
  REQUIRE(backend_available(Backend::kNative));
  for (int hw : {6, 28}) {
    for (int threads : {1, 2}) {
      CAPTURE(hw);
      CAPTURE(threads);
      const int ch = hw == 6 ? 8 : 16;
      Block s_free, s_keep_a, s_kept, s_deep, s_between;
      s_free.hw = s_keep_a.hw = s_kept.hw = s_deep.hw = s_between.hw = hw;
      s_free.ch = s_keep_a.ch = s_kept.ch = s_deep.ch = s_between.ch = ch;
      s_keep_a.keep = 1;
      s_kept.keep = 3;
      s_deep.deep = s_between.deep = true;
      s_between.read_between = true;
      const Residual free_(s_free), keep_a(s_keep_a), kept(s_kept), deep(s_deep), between(s_between);
      const Ran f = run(free_, Backend::kNative, threads), ka = run(keep_a, Backend::kNative, threads);
      const Ran k = run(kept, Backend::kNative, threads), d = run(deep, Backend::kNative, threads);
      const Ran bw = run(between, Backend::kNative, threads);
      if (hw == 28) CHECK(f.up_kernel.find("winograd") != std::string::npos);  // the output transform adds it
      // up is a graph output: it must exist, so nothing fuses and the sum goes as before.
      CHECK(k.stats.num_fused_adds == 0);
      CHECK(k.sum_kernel != "add_f32_fused");
      // conv_up reads a, the residual: the sum cannot go over a (the conv would overwrite what it reads) and
      // takes a block of its own, which up shares: as many bytes as a over-a plan without fusion.
      for (const Ran* r : {&f, &ka}) {
        CHECK(r->stats.num_fused_adds == 1);
        CHECK(r->stats.num_in_place == 0);
        CHECK(r->sum_kernel == "add_f32_fused");
        CHECK(r->sum_backend == "fused");
        CHECK(r->up.fused);
        CHECK(r->up.in_place);
        CHECK(r->up.view_of == (r == &f ? free_.sum : keep_a.sum));
        CHECK(r->up.offset == r->sum.offset);
        CHECK(!r->sum.in_place);
      }
      // No more bytes than the unfused plan (the reference backend's: the sum over a); direct convs, no scratch.
      CHECK(run(free_, Backend::kNative, threads, /*winograd=*/false).stats.arena_bytes <=
            run(free_, Backend::kRef, threads).stats.arena_bytes);
      // deep: conv_up reads b, a dies at the Add and nothing reads it in between: the conv writes the sum over a.
      CHECK(d.stats.num_fused_adds == 1);
      CHECK(d.sum.in_place);
      CHECK(d.sum.view_of == deep.a);
      CHECK(d.sum.offset == d.a.offset);
      CHECK(d.up.offset == d.a.offset);
      // ... unless another op reads a after conv_up has run: then the sum takes its own block.
      CHECK(bw.stats.num_fused_adds == 1);
      CHECK(!bw.sum.in_place);
      CHECK(bw.sum.offset != bw.a.offset);
      // The same bits as the unfused plan, and as the Add on the reference backend after our conv.
      CHECK(same_bits(f.y, k.y));
      CHECK(same_bits(ka.y, k.y));
      Block s_deep_kept = s_deep;
      s_deep_kept.keep = 2;
      const Ran dk = run(Residual(s_deep_kept), Backend::kNative, threads);
      CHECK(dk.stats.num_fused_adds == 0);
      CHECK(same_bits(d.y, dk.y));
      Block s_between_kept = s_between;
      s_between_kept.keep = 2;
      CHECK(same_bits(bw.y, run(Residual(s_between_kept), Backend::kNative, threads).y));
      // Direct and Winograd both fuse.
      CHECK(same_bits(run(free_, Backend::kNative, threads, /*winograd=*/false).y,
                      run(kept, Backend::kNative, threads, /*winograd=*/false).y));
    }
  }
}

TEST_CASE("fusion: not into a conv with an activation of its own, and not on backends whose convs cannot") {
  Block relu;
  relu.up_relu = true;
  for (Backend backend : {Backend::kNative, Backend::kAuto}) {
    if (!backend_available(backend)) continue;
    const Ran r = run(Residual(relu), backend, 1);
    CHECK(r.stats.num_fused_adds == 0);
    CHECK(r.stats.num_in_place == 1);  // over a, as without fusion
    CHECK(r.sum.in_place);
    CHECK(r.sum.offset == r.a.offset);
  }
  for (Backend backend : {Backend::kRef, Backend::kEigen, Backend::kXnnpack}) {
    if (!backend_available(backend)) continue;
    CAPTURE(backend_name(backend));
    const Ran r = run(Residual({0}), backend, 2);
    CHECK(r.stats.num_fused_adds == 0);
    CHECK(!r.up.fused);
  }
}

}  // namespace
}  // namespace incept
