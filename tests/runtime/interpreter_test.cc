// SPDX-License-Identifier: Apache-2.0
// The interpreter: concat views give the same numbers as dense ops joined by a copy, arenas (own
// and caller-provided), and the plan statistics.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <memory>

#include "conv2d/conv2d.h"
#include "incept/incept.h"
#include "max_pool2d/max_pool2d.h"
#include "support/model_builder.h"
#include "support/model_run.h"
#include "support/test_util.h"
#include "support/tiny_models.h"

namespace incept {
namespace {

using test::AlignedBytes;
using test::ModelBuilder;

struct Loaded {
  AlignedBytes bytes;
  Result<Model> model;
  explicit Loaded(const std::vector<uint8_t>& b) : bytes(b), model(Model::from_bytes(bytes.data(), bytes.size())) {}
};

// Dense concatenation along channels of NHWC tensors (the obvious way, for comparison).
test::Tensor concat_dense(const std::vector<const test::Tensor*>& parts) {
  Shape s = parts[0]->shape;
  int32_t c = 0;
  for (const test::Tensor* p : parts) c += p->shape[3];
  s[3] = c;
  test::Tensor out(s);
  int32_t off = 0;
  for (const test::Tensor* p : parts) {
    for (int64_t px = 0; px < int64_t{s[0]} * s[1] * s[2]; ++px)
      std::memcpy(&out.data[px * c + off], &p->data[px * p->shape[3]], sizeof(float) * p->shape[3]);
    off += p->shape[3];
  }
  return out;
}

TEST_CASE("interpreter: concat inputs are views and match dense ops + copy") {
  test::Rng rng(0xc0ca7);
  const test::Tensor x = test::random_tensor(rng, Shape{1, 5, 6, 3});
  const test::Tensor wa = test::random_tensor(rng, Shape{2, 1, 1, 3});
  const test::Tensor wb = test::random_tensor(rng, Shape{4, 3, 3, 3});
  const test::Tensor bb = test::random_tensor(rng, Shape{4});

  ModelBuilder b;
  const int in = b.tensor("x", {1, 5, 6, 3});
  const int a = b.tensor("a", {1, 5, 6, 2});
  const int bt = b.tensor("b", {1, 5, 6, 4});
  const int p = b.tensor("p", {1, 5, 6, 3});
  const int inner = b.tensor("inner", {1, 5, 6, 6});
  const int y = b.tensor("y", {1, 5, 6, 9});
  b.conv2d("a", in, b.constant("wa", {2, 1, 1, 3}, wa.data), -2, a, {1, 1}, {1, 1}, {});
  b.conv2d("b", in, b.constant("wb", {4, 3, 3, 3}, wb.data), b.constant("bb", {4}, bb.data), bt, {3, 3}, {1, 1},
           {1, 1, 1, 1}, ops::Activation::kRelu);
  b.max_pool2d("p", in, p, {3, 3}, {1, 1}, {1, 1, 1, 1});
  b.concat("inner", {a, bt}, inner);  // nested: inner is itself a slice of y
  b.concat("y", {inner, p}, y);
  Loaded l(b.finish({in}, {y}));
  REQUIRE(l.model.ok());

  ops::Conv2DParams pa;
  test::Tensor ra(Shape{1, 5, 6, 2}), rb(Shape{1, 5, 6, 4}), rp(Shape{1, 5, 6, 3});
  ops::conv2d_f32_ref(pa, x.cview(), wa.data.data(), nullptr, ra.view());
  ops::Conv2DParams pb;
  pb.kernel = {3, 3};
  pb.pad = {1, 1, 1, 1};
  pb.activation = ops::Activation::kRelu;
  ops::conv2d_f32_ref(pb, x.cview(), wb.data.data(), bb.data.data(), rb.view());
  ops::MaxPool2DParams pp;
  pp.kernel = {3, 3};
  pp.pad = {1, 1, 1, 1};
  ops::max_pool2d_f32_ref(pp, x.cview(), rp.view());
  const test::Tensor ri = concat_dense({&ra, &rb});
  const test::Tensor want = concat_dense({&ri, &rp});

  for (Backend backend : {Backend::kRef, Backend::kAuto, Backend::kEigen, Backend::kXnnpack}) {
    if (!backend_available(backend)) continue;
    for (int threads : {1, 2}) {
      CAPTURE(backend_name(backend));
      CAPTURE(threads);
      Interpreter it(*l.model, InterpreterOptions{backend, threads});
      REQUIRE(it.prepare().is_ok());
      CHECK(test::run_and_diff(it, x, want) <= test::model_tolerance(backend, want));
      const PlanStats& st = it.plan_stats();
      CHECK(st.num_views == 4);  // a, b, inner, p
      CHECK(st.num_copied_concat_inputs == 0);
      CHECK(st.arena_bytes < st.copy_concat_bytes);
      CHECK(st.arena_bytes >= st.lower_bound_bytes);
      for (int k = 0; k < it.num_ops(); ++k) {
        const OpInfo info = it.op_info(k);
        if (std::string(info.kind) == "Concat") CHECK(std::string(info.backend) == "view");
        if (backend == Backend::kRef)
          CHECK((std::string(info.backend) == "ref" || std::string(info.backend) == "view"));
      }
    }
  }
}

TEST_CASE("interpreter: graph inputs and repeated tensors are copied into their slice") {
  ModelBuilder b;
  const int x = b.tensor("x", {1, 2, 2, 2});
  const int s = b.tensor("s", {1, 2, 2, 2});
  const int y = b.tensor("y", {1, 2, 2, 6});
  b.avg_pool2d("s", x, s, {1, 1}, {1, 1}, {});
  b.concat("y", {x, s, s}, y);
  Loaded l(b.finish({x}, {y}));
  REQUIRE(l.model.ok());
  Interpreter it(*l.model);
  REQUIRE(it.prepare().is_ok());
  CHECK(it.plan_stats().num_copied_concat_inputs == 3);
  for (int i = 0; i < 8; ++i) it.input(0).data[i] = static_cast<float>(i);
  REQUIRE(it.invoke().is_ok());
  const float* o = it.output(0).data;
  for (int px = 0; px < 4; ++px)
    for (int k = 0; k < 3; ++k) {
      CHECK(o[px * 6 + 2 * k] == static_cast<float>(2 * px));
      CHECK(o[px * 6 + 2 * k + 1] == static_cast<float>(2 * px + 1));
    }
}

TEST_CASE("interpreter: caller arena, arena too small, invoke before prepare") {
  const test::TinyInception tiny(3);
  Loaded l(tiny.bytes());
  REQUIRE(l.model.ok());
  Interpreter it(*l.model);
  CHECK(it.invoke().code() == StatusCode::kInvalidArgument);
  size_t need = 0;
  REQUIRE(it.arena_bytes_required(&need).is_ok());
  CHECK(need > 0);
  CHECK(need % 64 == 0);
  CHECK(need == it.plan_stats().arena_bytes);

  std::unique_ptr<uint8_t[]> small(new uint8_t[need]);
  const Status s = it.prepare(small.get() + 1, need - 1);  // misaligned and short
  CHECK(s.code() == StatusCode::kArenaTooSmall);
  CHECK(std::string(s.message()).find(std::to_string(need)) != std::string::npos);

  std::unique_ptr<uint8_t[]> arena(new uint8_t[need + 64]);
  REQUIRE(it.prepare(arena.get() + 3, need + 61).is_ok());
  CHECK(reinterpret_cast<uintptr_t>(it.input(0).data) % 64 == 0);
  test::Rng rng(5);
  for (size_t i = 0; i < it.input(0).bytes / sizeof(float); ++i) it.input(0).data[i] = rng.uniform(-1, 1);
  REQUIRE(it.invoke().is_ok());
  std::vector<float> first(it.output(0).data, it.output(0).data + 10);
  float sum = 0;
  for (float v : first) sum += v;
  CHECK(sum == doctest::Approx(1.0f).epsilon(1e-5));
  // The input survives an invoke, so a second one gives the same bits.
  REQUIRE(it.invoke().is_ok());
  CHECK(std::memcmp(first.data(), it.output(0).data, sizeof(float) * 10) == 0);

  // A second interpreter on the same model, with its own arena, agrees.
  Interpreter it2(*l.model);
  REQUIRE(it2.prepare().is_ok());
  std::memcpy(it2.input(0).data, it.input(0).data, it.input(0).bytes);
  REQUIRE(it2.invoke().is_ok());
  CHECK(std::memcmp(first.data(), it2.output(0).data, sizeof(float) * 10) == 0);
}

TEST_CASE("interpreter: options are validated at prepare") {
  const test::TinyInception tiny(4);
  Loaded l(tiny.bytes());
  REQUIRE(l.model.ok());
  InterpreterOptions o;
  o.threads = 0;
  Interpreter it(*l.model, o);
  const Status s = it.prepare();
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(std::string(s.message()).find("threads must be in 1..1024, got 0") != std::string::npos);
}

}  // namespace
}  // namespace incept
