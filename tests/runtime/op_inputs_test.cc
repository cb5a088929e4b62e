// SPDX-License-Identifier: Apache-2.0
// Op inputs as OpDef states them and the loader enforces them: the bias of Conv2D and FullyConnected is
// optional (absent or left out means zero, on every backend), the weights are not, and only a bias may be
// absent. The converter holds the same rule (converter/incept_convert/opspec.py, tests/converter/test_opspec.py).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>

#include "conv2d/conv2d.h"
#include "fully_connected/fully_connected.h"
#include "incept/incept.h"
#include "support/model_builder.h"
#include "support/model_run.h"
#include "support/test_util.h"

namespace incept {
namespace {

using test::AlignedBytes;
using test::ModelBuilder;

bool mentions(const Status& s, const char* text) { return std::string(s.message()).find(text) != std::string::npos; }

// How a model gives its op the bias: a zero constant, an absent index (-1), or no third input at all.
enum class Bias { kZeros, kAbsent, kLeftOut };

int bias_input(ModelBuilder& b, Bias how, int channels) {
  switch (how) {
    case Bias::kZeros: return b.constant("b", {channels}, std::vector<float>(static_cast<size_t>(channels), 0.0f));
    case Bias::kAbsent: return -1;
    case Bias::kLeftOut: return -2;
  }
  return -2;
}

// Runs the one-input model on x with every available backend; each output must match `want`.
void check_runs(const std::vector<uint8_t>& bytes, const test::Tensor& x, const test::Tensor& want) {
  AlignedBytes a(bytes);
  Result<Model> m = Model::from_bytes(a.data(), a.size());
  REQUIRE(m.ok());
  for (Backend backend : {Backend::kRef, Backend::kAuto, Backend::kEigen, Backend::kXnnpack}) {
    if (!backend_available(backend)) continue;
    CAPTURE(backend_name(backend));
    Interpreter it(*m, InterpreterOptions{backend, 1});
    REQUIRE(it.prepare().is_ok());
    CHECK(test::run_and_diff(it, x, want) <= test::model_tolerance(backend, want));
  }
}

TEST_CASE("op inputs: a Conv2D without bias (absent or left out) runs as conv + 0") {
  test::Rng rng(0xb1a5);
  const test::Tensor x = test::random_tensor(rng, Shape{1, 7, 6, 5});
  const test::Tensor w = test::random_tensor(rng, Shape{8, 3, 3, 5});
  ops::Conv2DParams p;
  p.kernel = {3, 3};
  p.pad = {1, 1, 1, 1};
  p.activation = ops::Activation::kRelu;
  test::Tensor want(Shape{1, 7, 6, 8});
  ops::conv2d_f32_ref(p, x.cview(), w.data.data(), nullptr, want.view());
  for (Bias how : {Bias::kZeros, Bias::kAbsent, Bias::kLeftOut}) {
    CAPTURE(static_cast<int>(how));
    ModelBuilder b;
    const int in = b.tensor("x", {1, 7, 6, 5});
    const int wt = b.constant("w", {8, 3, 3, 5}, w.data);
    const int out = b.tensor("y", {1, 7, 6, 8});
    b.conv2d("conv", in, wt, bias_input(b, how, 8), out, {3, 3}, {1, 1}, {1, 1, 1, 1}, ops::Activation::kRelu);
    check_runs(b.finish({in}, {out}), x, want);
  }
}

TEST_CASE("op inputs: a FullyConnected without bias (absent or left out) runs as x W^T + 0") {
  test::Rng rng(0xfc0b);
  const test::Tensor x = test::random_tensor(rng, Shape{2, 24});
  const test::Tensor w = test::random_tensor(rng, Shape{10, 24});
  test::Tensor want(Shape{2, 10});
  ops::fully_connected_f32_ref(ops::FullyConnectedParams{}, x.cview(), w.data.data(), nullptr, want.view());
  for (Bias how : {Bias::kZeros, Bias::kAbsent, Bias::kLeftOut}) {
    CAPTURE(static_cast<int>(how));
    ModelBuilder b;
    const int in = b.tensor("x", {2, 24});
    const int wt = b.constant("w", {10, 24}, w.data);
    const int out = b.tensor("y", {2, 10});
    b.fully_connected("fc", in, wt, bias_input(b, how, 10), out);
    check_runs(b.finish({in}, {out}), x, want);
  }
}

TEST_CASE("op inputs: only a bias may be absent (never weights or an activation)") {
  auto load = [](const std::vector<uint8_t>& bytes) { return test::load_and_prepare(bytes); };
  SUBCASE("conv weights absent") {
    ModelBuilder b;
    const int x = b.tensor("x", {1, 4, 4, 2});
    const int y = b.tensor("y", {1, 4, 4, 3});
    b.conv2d("conv", x, -1, -2, y, {1, 1}, {1, 1}, {});
    const Status s = load(b.finish({x}, {y}));
    CHECK(s.code() == StatusCode::kInvalidModel);
    CHECK(mentions(s, "node 0 'conv' (Conv2D): input 1: tensor index -1 is out of range"));
  }
  SUBCASE("a concat of nothing") {
    ModelBuilder b;
    const int x = b.tensor("x", {1, 2, 2, 1});
    const int y = b.tensor("y", {1, 2, 2, 1});
    b.concat("cat", {}, y);
    const Status s = load(b.finish({x}, {y}));
    CHECK(mentions(s, "node 0 'cat' (Concat): takes 1..65536 inputs, got 0"));
  }
  SUBCASE("conv bias given as an activation") {
    ModelBuilder b;
    const int x = b.tensor("x", {1, 4, 4, 2});
    const int bias = b.tensor("b", {3});
    const int y = b.tensor("y", {1, 4, 4, 3});
    b.conv2d("conv", x, b.constant("w", {3, 1, 1, 2}, std::vector<float>(6, 0.5f)), bias, y, {1, 1}, {1, 1}, {});
    const Status s = load(b.finish({x, bias}, {y}));
    CHECK(mentions(s, "node 0 'conv' (Conv2D): input 2 (tensor 1 'b') must be a constant with data (weights)"));
  }
  SUBCASE("a concat input absent, past the first few") {
    ModelBuilder b;
    const int x = b.tensor("x", {1, 2, 2, 1});
    std::vector<int> ins(120, x);
    ins[110] = -1;
    const int y = b.tensor("y", {1, 2, 2, 120});
    b.concat("cat", ins, y);
    const Status s = load(b.finish({x}, {y}));
    CHECK(s.code() == StatusCode::kInvalidModel);
    CHECK(mentions(s, "node 0 'cat' (Concat): input 110: tensor index -1 is out of range"));
  }
  SUBCASE("an add operand absent") {
    ModelBuilder b;
    const int x = b.tensor("x", {1, 4});
    const int y = b.tensor("y", {1, 4});
    b.add("sum", x, -1, y);
    const Status s = load(b.finish({x}, {y}));
    CHECK(mentions(s, "node 0 'sum' (Add): input 1: tensor index -1 is out of range"));
  }
}

}  // namespace
}  // namespace incept
