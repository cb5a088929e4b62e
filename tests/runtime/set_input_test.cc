// SPDX-License-Identifier: Apache-2.0
// Interpreter::set_input: a float32 buffer into a graph input, NHWC copied as it is, NCHW (PyTorch's order)
// transposed on the copy, a non-4-D input copied as it is; the same logits as writing NHWC by hand; every bad
// argument refused by name.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "incept/incept.h"
#include "support/model_builder.h"
#include "support/test_util.h"

namespace incept {
namespace {

using test::ModelBuilder;

constexpr int kH = 2, kW = 3, kC = 4;

// x [1, 2, 3, 4] -> global average pool -> fully connected -> logits [1, 2].
std::vector<uint8_t> net() {
  ModelBuilder b;
  const int x = b.tensor("x", {1, kH, kW, kC});
  const int g = b.tensor("g", {1, kC}), y = b.tensor("y", {1, 2});
  b.global_avg_pool("g", x, g);
  b.fully_connected("y", g, b.constant("y.w", {2, kC}, {0.5f, -0.25f, 1.0f, 0.75f, -0.5f, 0.3f, 0.2f, -0.1f}),
                    b.constant("y.b", {2}, {0.01f, -0.02f}), y);
  return b.finish({x}, {y});
}

bool mentions(const Status& s, const char* text) { return std::string(s.message()).find(text) != std::string::npos; }

TEST_CASE("set_input: NCHW is transposed to NHWC on the copy, NHWC copied as it is") {
  const std::vector<uint8_t> bytes = net();
  test::AlignedBytes a(bytes);
  Result<Model> m = Model::from_bytes(a.data(), a.size());
  REQUIRE(m.ok());
  Interpreter it(*m);
  REQUIRE(it.prepare().is_ok());
  std::vector<float> x(kH * kW * kC);
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i);
  const TensorRef in = it.input(0);

  REQUIRE(it.set_input(0, x.data(), x.size(), Layout::kNchw).is_ok());
  for (int y = 0; y < kH; ++y)
    for (int w = 0; w < kW; ++w)
      for (int c = 0; c < kC; ++c) {
        CAPTURE(y);
        CAPTURE(w);
        CAPTURE(c);
        CHECK(in.data[(y * kW + w) * kC + c] == x[(c * kH + y) * kW + w]);
      }
  std::vector<float> by_hand(in.data, in.data + x.size());
  REQUIRE(it.invoke().is_ok());
  const std::vector<float> logits(it.output(0).data, it.output(0).data + 2);

  REQUIRE(it.set_input(0, x.data(), x.size()).is_ok());  // NHWC by default
  CHECK(std::memcmp(in.data, x.data(), x.size() * sizeof(float)) == 0);
  std::memcpy(in.data, by_hand.data(), by_hand.size() * sizeof(float));
  REQUIRE(it.invoke().is_ok());
  CHECK(std::memcmp(it.output(0).data, logits.data(), sizeof(float) * 2) == 0);
  CHECK(std::string(layout_name(Layout::kNchw)) == "NCHW");
  CHECK(std::string(layout_name(Layout::kNhwc)) == "NHWC");
}

TEST_CASE("set_input: bad arguments are refused by name") {
  const std::vector<uint8_t> bytes = net();
  test::AlignedBytes a(bytes);
  Result<Model> m = Model::from_bytes(a.data(), a.size());
  REQUIRE(m.ok());
  Interpreter it(*m);
  std::vector<float> x(kH * kW * kC, 1.0f);
  CHECK(mentions(it.set_input(0, x.data(), x.size()), "before a successful prepare()"));
  REQUIRE(it.prepare().is_ok());
  Status s = it.set_input(0, x.data(), x.size() - 1, Layout::kNchw);
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(mentions(s, "23 floats for input 0 'x' of shape [1, 2, 3, 4] (NHWC), which holds 24"));
  CHECK(mentions(it.set_input(1, x.data(), x.size()), "input index 1 out of range"));
  CHECK(mentions(it.set_input(0, nullptr, x.size()), "data is null"));
  CHECK(mentions(it.set_input(0, x.data(), x.size(), static_cast<Layout>(5)), "layout 5"));
}

}  // namespace
}  // namespace incept
