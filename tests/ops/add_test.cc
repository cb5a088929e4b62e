// SPDX-License-Identifier: Apache-2.0
// Add: shape rules; exact results (fp32 a + b is correctly rounded), relu and in-place aliasing on every
// kernel, through the registry. (Strided views, concat-branch slices and in place in a slice:
// add_conformance_test.cc.)
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "add/add.h"
#include "support/kernel_runner.h"

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
  REQUIRE(infer_status({1, 35, 35, 320}, {1, 35, 35, 320}, &out).code() == StatusCode::kOk);  // Inception-ResNet-A
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

// Every kernel that takes the layout (XNNPACK: dense only), on a and b as `inputs` say, with `layout`.
std::vector<std::pair<std::string, Tensor>> every_kernel(const AddParams& p,
                                                         const std::vector<test::KernelInput>& inputs, const Shape& s,
                                                         const test::Slices& layout = test::kDense) {
  std::vector<std::pair<std::string, Tensor>> out;
  for (const ops::Kernel* k : test::runnable_kernels(ops::OpKind::kAdd)) {
    test::KernelRun r;
    if (!test::run_kernel(*k, &p, inputs, s, nullptr, layout, &r)) continue;
    CHECK(r.outside_untouched);
    out.emplace_back(k->name, r.out);
  }
  REQUIRE(!out.empty());
  return out;
}

TEST_CASE("add: exact on seeded random shapes, with and without relu, on every kernel") {
  Rng rng(0xadd);
  for (int i = 0; i < 40; ++i) {
    const Shape s{rng.uniform_int(1, 2), rng.uniform_int(1, 6), rng.uniform_int(1, 6), rng.uniform_int(1, 20)};
    CAPTURE(test::to_string(s));
    const Tensor a = test::random_tensor(rng, s), b = test::random_tensor(rng, s);
    AddParams p;
    p.activation = rng.coin() ? Activation::kRelu : Activation::kNone;
    for (const auto& [kernel_name, y] : every_kernel(p, {test::KernelInput::of(a), test::KernelInput::of(b)}, s)) {
      const auto& kernel = kernel_name;  // a binding cannot be captured (CAPTURE) before C++20
      CAPTURE(kernel);
      CHECK(y.data == expected(a, b, p.activation == Activation::kRelu));
    }
  }
}

TEST_CASE("add: hand-checked with relu, on every kernel") {
  Tensor a(Shape{1, 4}), b(Shape{1, 4});
  a.data = {1, -2, 0.5f, -0.25f};
  b.data = {2, 1, -1, 0.25f};
  AddParams p;
  for (const auto& [kernel_name, y] : every_kernel(p, {test::KernelInput::of(a), test::KernelInput::of(b)}, a.shape)) {
    const auto& kernel = kernel_name;  // a binding cannot be captured (CAPTURE) before C++20
    CAPTURE(kernel);
    CHECK(y.data == std::vector<float>{3, -1, -0.5f, 0});
  }
  p.activation = Activation::kRelu;
  for (const auto& [kernel_name, y] : every_kernel(p, {test::KernelInput::of(a), test::KernelInput::of(b)}, a.shape)) {
    const auto& kernel = kernel_name;  // a binding cannot be captured (CAPTURE) before C++20
    CAPTURE(kernel);
    CHECK(y.data == std::vector<float>{3, 0, 0, 0});
  }
}

TEST_CASE("add: out may alias a or b exactly, or be a + a in one buffer, on every kernel") {
  Rng rng(0xadd2);
  const Shape s{1, 5, 5, 7};
  const Tensor a = test::random_tensor(rng, s), b = test::random_tensor(rng, s);
  AddParams p;
  p.activation = Activation::kRelu;
  const std::vector<float> want = expected(a, b, true);
  const std::vector<test::KernelInput> ab = {test::KernelInput::of(a), test::KernelInput::of(b)};
  for (int alias : {0, 1}) {  // residual add into a, or into b
    CAPTURE(alias);
    for (const auto& [kernel_name, y] : every_kernel(p, ab, s, test::Slices{0, 0, 0, 0, alias})) {
      const auto& kernel = kernel_name;  // a binding cannot be captured (CAPTURE) before C++20
      CAPTURE(kernel);
      CHECK(y.data == want);
    }
  }
  // a + a, all three the same buffer.
  for (const auto& [kernel_name, y] :
       every_kernel(p, {test::KernelInput::of(a), test::KernelInput::same(0, s)}, s, test::Slices{0, 0, 0, 0, 0})) {
    const auto& kernel = kernel_name;  // a binding cannot be captured (CAPTURE) before C++20
    CAPTURE(kernel);
    CHECK(y.data == expected(a, a, true));
  }
}

}  // namespace
}  // namespace incept
