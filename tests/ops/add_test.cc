// SPDX-License-Identifier: Apache-2.0
// Add: shape rules, exact results (fp32 a + b is correctly rounded), relu, in-place aliasing and
// strided views (Inception-ResNet's residual add, concat-branch slices).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "add/add.h"
#include "support/test_util.h"

namespace incept {
namespace {

using ops::Activation;
using ops::AddParams;
using test::Rng;
using test::Tensor;

Status infer_status(const Shape& a, const Shape& b, Shape* out, Activation act = Activation::kNone) {
  AddParams p;
  p.activation = act;
  return ops::add_infer_shape(p, a, b, out);
}

TEST_CASE("add: shape inference") {
  Shape out;
  REQUIRE(infer_status({1, 35, 35, 320}, {1, 35, 35, 320}, &out).code() == StatusCode::kOk);   // Inception-ResNet-A
  CHECK(out == Shape{1, 35, 35, 320});
  REQUIRE(infer_status({2, 10}, {2, 10}, &out).code() == StatusCode::kOk);
  CHECK(out == Shape{2, 10});
}

TEST_CASE("add: bad shapes are rejected with a message naming the problem") {
  Shape out;
  CHECK_FAILED_WITH(infer_status({1, 35, 35, 320}, {1, 35, 35, 256}, &out), kInvalidModel,
                    "Add: input shapes must be equal (no broadcasting), got [1, 35, 35, 320] and [1, 35, 35, 256]");
  CHECK_FAILED_WITH(infer_status({1, 35, 35, 320}, {1, 320}, &out), kInvalidModel, "input shapes must be equal");
  CHECK_FAILED_WITH(infer_status({35, 35, 320}, {35, 35, 320}, &out), kInvalidModel, "input 0 has rank 3");
  CHECK_FAILED_WITH(infer_status({1, 0, 35, 320}, {1, 0, 35, 320}, &out), kInvalidModel,
                    "input 0 dims must all be >= 1");
  CHECK_FAILED_WITH(infer_status({1, 35, 35, 320}, {1, 35, -35, 320}, &out), kInvalidModel,
                    "input 1 dims must all be >= 1, got [1, 35, -35, 320] (dim 2 is -35)");
  CHECK_FAILED_WITH(infer_status({1, 4}, {1, 4}, &out, static_cast<Activation>(5)), kInvalidModel,
                    "activation must be NONE (0) or RELU (1), got 5");
}

// a + b in float, then relu: exact, since float addition is correctly rounded.
std::vector<float> expected(const Tensor& a, const Tensor& b, bool relu) {
  std::vector<float> out(a.data.size());
  for (size_t i = 0; i < out.size(); ++i) {
    out[i] = a.data[i] + b.data[i];
    if (relu && out[i] < 0) out[i] = 0;
  }
  return out;
}

TEST_CASE("add: ref is exact on seeded random shapes, with and without relu") {
  Rng rng(0xadd);
  for (int i = 0; i < 40; ++i) {
    const Shape s{rng.uniform_int(1, 2), rng.uniform_int(1, 6), rng.uniform_int(1, 6), rng.uniform_int(1, 20)};
    const Tensor a = test::random_tensor(rng, s), b = test::random_tensor(rng, s);
    AddParams p;
    p.activation = rng.coin() ? Activation::kRelu : Activation::kNone;
    Tensor y(s, 99.0f);
    ops::add_f32_ref(p, a.cview(), b.cview(), y.view());
    CHECK(y.data == expected(a, b, p.activation == Activation::kRelu));
  }
}

TEST_CASE("add: hand-checked with relu") {
  Tensor a(Shape{1, 4}), b(Shape{1, 4});
  a.data = {1, -2, 0.5f, -0.25f};
  b.data = {2, 1, -1, 0.25f};
  Tensor y(Shape{1, 4});
  AddParams p;
  ops::add_f32_ref(p, a.cview(), b.cview(), y.view());
  CHECK(y.data == std::vector<float>{3, -1, -0.5f, 0});
  p.activation = Activation::kRelu;
  ops::add_f32_ref(p, a.cview(), b.cview(), y.view());
  CHECK(y.data == std::vector<float>{3, 0, 0, 0});
}

TEST_CASE("add: out may alias a or b exactly") {
  Rng rng(0xadd2);
  const Shape s{1, 5, 5, 7};
  const Tensor a = test::random_tensor(rng, s), b = test::random_tensor(rng, s);
  AddParams p;
  p.activation = Activation::kRelu;
  const std::vector<float> want = expected(a, b, true);
  Tensor a2 = a;
  ops::add_f32_ref(p, a2.cview(), b.cview(), a2.view());   // residual add into its input
  CHECK(a2.data == want);
  Tensor b2 = b;
  ops::add_f32_ref(p, a.cview(), b2.cview(), b2.view());
  CHECK(b2.data == want);
  Tensor both = a;                                         // a + a, all three the same buffer
  ops::add_f32_ref(p, both.cview(), both.cview(), both.view());
  CHECK(both.data == expected(a, a, true));
}

TEST_CASE("add: strided inputs and output give the dense result and touch nothing else") {
  Rng rng(0xadd3);
  for (int i = 0; i < 20; ++i) {
    const Shape s{rng.uniform_int(1, 2), rng.uniform_int(1, 4), rng.uniform_int(1, 4), rng.uniform_int(1, 9)};
    CAPTURE(test::to_string(s));
    const Tensor a = test::random_tensor(rng, s), b = test::random_tensor(rng, s);
    test::StridedTensor as(s, 1, s[3] + 1, std::nanf("")), bs(s, 0, s[3] + 4, std::nanf(""));
    as.copy_from(a);
    bs.copy_from(b);
    test::StridedTensor ys(s, 2, s[3] + 2, 12345.5f);
    ops::add_f32_ref({}, as.cview(), bs.cview(), ys.view());
    CHECK(ys.to_dense().data == expected(a, b, false));
    CHECK(ys.outside_untouched());
    // In place on a strided slice: out is exactly a's view.
    ops::add_f32_ref({}, as.cview(), bs.cview(), as.view());
    CHECK(as.to_dense().data == expected(a, b, false));
    CHECK(std::isnan(as.buffer[0]));   // channel 0 lies outside a's slice [1, 1 + C)
  }
}

}  // namespace
}  // namespace incept
