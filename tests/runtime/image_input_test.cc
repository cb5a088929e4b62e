// SPDX-License-Identifier: Apache-2.0
// Interpreter::set_input_image (the camera path): a uint8 HWC frame, RGB or RGBA with padded rows, into a
// float32 input (written at once, the model's formula) and into an 8-bit input (normalised and quantised in
// one pass by the next invoke): the same bytes and logits as writing the float32 formula into input(i) and
// invoking, for RGB and BGR models; once per call; every bad argument refused by name; no heap in invoke.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "incept/incept.h"
#include "support/heap_counter.h"
#include "support/model_builder.h"
#include "support/test_util.h"

namespace incept {
namespace {

using test::AlignedBytes;
using test::ModelBuilder;

constexpr int kInt8 = 2, kUInt8 = 3;
constexpr int kH = 6, kW = 5;

// x [1, 6, 5, 3] -> conv 1x1 (3 -> 4, ReLU) -> global average pool -> fully connected -> logits [1, 2]; with
// q8, x and the conv's and pool's outputs are 8-bit (x int8 with a zero point, the rest uint8).
std::vector<uint8_t> tiny_net(bool q8, bool bgr) {
  ModelBuilder b;
  b.set_bgr(bgr);
  const int x = b.tensor("x", {1, kH, kW, 3});
  const int c = b.tensor("c", {1, kH, kW, 4}), g = b.tensor("g", {1, 4}), y = b.tensor("y", {1, 2});
  std::vector<float> w(4 * 3);
  for (size_t i = 0; i < w.size(); ++i) w[i] = 0.1f * static_cast<float>(static_cast<int>(i % 7) - 3);
  int cw;
  if (q8) {
    b.set_dtype(x, kInt8);
    b.set_quant(x, 0.0173f, -9);
    b.set_dtype(c, kUInt8);
    b.set_quant(c, 0.011f, 0);
    b.set_dtype(g, kUInt8);
    b.set_quant(g, 0.007f, 0);
    std::vector<uint8_t> wq(w.size());
    for (size_t i = 0; i < w.size(); ++i) wq[i] = static_cast<uint8_t>(static_cast<int8_t>(w[i] * 300.0f));
    cw = b.constant_bytes("c.w", {4, 1, 1, 3}, kInt8, wq);
    b.set_scales(cw, {0.0033f, 0.0033f, 0.0033f, 0.0033f});
  } else {
    cw = b.constant("c.w", {4, 1, 1, 3}, w);
  }
  b.conv2d("c", x, cw, b.constant("c.b", {4}, {0.1f, -0.2f, 0.3f, 0.05f}), c, {1, 1}, {1, 1}, {},
           ops::Activation::kRelu);
  b.global_avg_pool("g", c, g);
  b.fully_connected("y", g, b.constant("y.w", {2, 4}, {0.5f, -0.25f, 1.0f, 0.75f, -0.5f, 0.3f, 0.2f, -0.1f}),
                    b.constant("y.b", {2}, {0.01f, -0.02f}), y);
  return b.finish({x}, {y});
}

// A frame with `channels` bytes a pixel and `pad` bytes after each row.
std::vector<uint8_t> frame(int channels, int pad, uint32_t seed) {
  std::vector<uint8_t> px(static_cast<size_t>(kH) * (kW * channels + pad));
  for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<uint8_t>((i * 2654435761u + seed) >> 13);
  return px;
}

// What the API's float path computes: the formula of Model::mean()'s comment, written into input(0).
void write_formula(Interpreter& it, const Model& m, const std::vector<uint8_t>& px, int channels, int pad) {
  float* in = it.input(0).data;
  const bool bgr = m.channel_order() == ChannelOrder::kBgr;
  for (int y = 0; y < kH; ++y)
    for (int x = 0; x < kW; ++x)
      for (int c = 0; c < 3; ++c) {
        const uint8_t v = px[static_cast<size_t>(y) * (kW * channels + pad) + x * channels + (bgr ? 2 - c : c)];
        in[(y * kW + x) * 3 + c] = (static_cast<float>(v) / 255.0f - m.mean()[c]) / m.std_dev()[c];
      }
}

std::vector<float> logits(const Interpreter& it) {
  const TensorRef out = it.output(0);
  return std::vector<float>(out.data, out.data + 2);
}

TEST_CASE("image input: a uint8 frame gives the float formula's logits, float32 and 8-bit inputs, RGB and BGR") {
  for (bool q8 : {false, true}) {
    for (bool bgr : {false, true}) {
      CAPTURE(q8);
      CAPTURE(bgr);
      AlignedBytes file(tiny_net(q8, bgr));
      Result<Model> model = Model::from_bytes(file.data(), file.size());
      REQUIRE(model.ok());
      Interpreter it(*model);
      REQUIRE(it.prepare().is_ok());
      for (const std::pair<int, int>& layout : {std::pair{3, 0}, std::pair{4, 0}, std::pair{3, 7}, std::pair{4, 1}}) {
        const int channels = layout.first, pad = layout.second;  // not a structured binding: CAPTURE takes them
        CAPTURE(channels);
        CAPTURE(pad);
        const std::vector<uint8_t> px = frame(channels, pad, static_cast<uint32_t>(channels * 31 + pad));
        write_formula(it, *model, px, channels, pad);
        REQUIRE(it.invoke().is_ok());
        const std::vector<float> want = logits(it);
        std::memset(it.input(0).data, 0, it.input(0).bytes);  // the float input no longer holds the frame
        REQUIRE(it.set_input_image(0, px.data(), kH, kW, channels, static_cast<size_t>(kW * channels + pad)).is_ok());
        test::heap_count_begin();
        REQUIRE(it.invoke().is_ok());
        const long allocations = test::heap_count_end();
        if (allocations >= 0) CHECK(allocations == 0);
        CHECK(std::memcmp(logits(it).data(), want.data(), sizeof(float) * 2) == 0);
        if (q8) {
          // Once: the next invoke reads the float32 input again (zeros now, other logits).
          REQUIRE(it.invoke().is_ok());
          CHECK(std::memcmp(logits(it).data(), want.data(), sizeof(float) * 2) != 0);
        } else {
          // A float32 input holds the frame's values at once.
          std::vector<float> direct(it.input(0).data, it.input(0).data + kH * kW * 3);
          write_formula(it, *model, px, channels, pad);
          CHECK(std::memcmp(direct.data(), it.input(0).data, direct.size() * sizeof(float)) == 0);
        }
      }
    }
  }
}

TEST_CASE("image input: bad arguments are refused by name") {
  AlignedBytes file(tiny_net(true, false));
  Result<Model> model = Model::from_bytes(file.data(), file.size());
  REQUIRE(model.ok());
  Interpreter it(*model);
  const std::vector<uint8_t> px = frame(3, 0, 1);
  CHECK(test::failed_with(it.set_input_image(0, px.data(), kH, kW), StatusCode::kInvalidArgument, "before"));
  REQUIRE(it.prepare().is_ok());
  CHECK(test::failed_with(it.set_input_image(1, px.data(), kH, kW), StatusCode::kInvalidArgument, "out of range"));
  CHECK(test::failed_with(it.set_input_image(-1, px.data(), kH, kW), StatusCode::kInvalidArgument, "out of range"));
  CHECK(test::failed_with(it.set_input_image(0, nullptr, kH, kW), StatusCode::kInvalidArgument, "null"));
  CHECK(test::failed_with(it.set_input_image(0, px.data(), kH, kW, 2), StatusCode::kInvalidArgument, "channels"));
  CHECK(test::failed_with(it.set_input_image(0, px.data(), kW, kH), StatusCode::kInvalidArgument, "scale it to 5x6"));
  CHECK(test::failed_with(it.set_input_image(0, px.data(), kH, kW, 3, 14), StatusCode::kInvalidArgument,
                          "rows of 14 bytes"));
  // Refused calls leave nothing pending: the next invoke reads the float32 input.
  REQUIRE(it.invoke().is_ok());
}

}  // namespace
}  // namespace incept
