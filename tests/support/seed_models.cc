// SPDX-License-Identifier: Apache-2.0
#include "support/seed_models.h"

#include "support/model_builder.h"
#include "support/tiny_models.h"

namespace incept::test {
namespace {

using incept::ops::Activation;

std::vector<float> ramp(int n, float scale) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) v[static_cast<size_t>(i)] = scale * static_cast<float>((i * 37) % 17 - 8) / 8.0f;
  return v;
}

// Grouped, dilated, strided convs with asymmetric padding, then an FC with ReLU.
std::vector<uint8_t> conv_variants() {
  ModelBuilder b;
  const int x = b.tensor("x", {1, 9, 9, 4});
  const int w1 = b.constant("g.w", {6, 3, 3, 2}, ramp(108, 0.4f));
  const int b1 = b.constant("g.b", {6}, ramp(6, 0.1f));
  const int y1 = b.tensor("grouped", {1, 9, 9, 6});
  b.conv2d("grouped", x, w1, b1, y1, {3, 3}, {1, 1}, {2, 2, 2, 2}, Activation::kRelu, /*groups=*/2, {2, 2});
  const int w2 = b.constant("s.w", {5, 3, 2, 6}, ramp(180, 0.3f));
  const int y2 = b.tensor("strided", {1, 4, 5, 5});
  b.conv2d("strided", y1, w2, -1, y2, {3, 2}, {2, 2}, {0, 1, 1, 0});
  const int g = b.tensor("gap", {1, 5});
  b.global_avg_pool("gap", y2, g);
  const int fw = b.constant("fc.w", {3, 5}, ramp(15, 0.5f));
  const int fb = b.constant("fc.b", {3}, ramp(3, 0.1f));
  const int out = b.tensor("out", {1, 3});
  b.fully_connected("fc", g, fw, fb, out, Activation::kRelu);
  return b.finish({x}, {out});
}

// Ceil-mode pools with padding, average pools with and without counting it, an LRN with an even
// window wider than C, a strided add.
std::vector<uint8_t> pools() {
  ModelBuilder b;
  const int x = b.tensor("x", {1, 8, 8, 3});
  const int m = b.tensor("max", {1, 5, 5, 3});
  b.max_pool2d("max", x, m, {3, 3}, {2, 2}, {1, 1, 1, 1}, /*ceil_mode=*/true);
  const int l = b.tensor("lrn", {1, 5, 5, 3});
  b.lrn("lrn", m, l, /*size=*/4, /*alpha=*/0.5f, /*beta=*/0.75f, /*bias=*/2.0f);
  const int a = b.tensor("avg_excl", {1, 5, 5, 3});
  b.avg_pool2d("avg_excl", l, a, {3, 3}, {1, 1}, {1, 1, 1, 1}, /*count_include_pad=*/false);
  const int c = b.tensor("avg_ceil", {1, 3, 3, 3});
  b.avg_pool2d("avg_ceil", a, c, {2, 2}, {2, 2}, {}, /*count_include_pad=*/true, /*ceil_mode=*/true);
  const int d = b.tensor("cat", {1, 3, 3, 6});
  const int e = b.tensor("max2", {1, 3, 3, 3});
  b.max_pool2d("max2", m, e, {3, 3}, {2, 2}, {1, 1, 1, 1});
  b.concat("cat", {c, e}, d);
  const int s = b.tensor("sum", {1, 3, 3, 3});
  b.add("sum", c, e, s, Activation::kRelu);
  const int out = b.tensor("out", {1, 3, 3, 9});
  b.concat("out", {d, s}, out);
  return b.finish({x}, {out});
}

// Every Winograd variant (ops/conv2d/conv2d_winograd.h, each where its rule takes it): on a 32 x 32 map
// 3x3 -> F(4x4,3x3), 1x7 -> F(2,7), 7x1, 1x3 -> F(4,3), 3x1; then pooled to 16 x 16 and widened to 64
// channels, 3x3 -> F(2x2,3x3).
std::vector<uint8_t> winograd_convs() {
  ModelBuilder b;
  int x = b.tensor("x", {1, 32, 32, 16});
  const int in = x;
  const struct {
    const char* name;
    incept::ops::Size2D kernel;
    incept::ops::Pad2D pad;
  } convs[] = {{"c3x3", {3, 3}, {1, 1, 1, 1}},
               {"c1x7", {1, 7}, {0, 0, 3, 3}},
               {"c7x1", {7, 1}, {3, 3, 0, 0}},
               {"c1x3", {1, 3}, {0, 0, 1, 1}},
               {"c3x1", {3, 1}, {1, 1, 0, 0}}};
  int seed = 1;
  for (const auto& c : convs) {
    const int taps = c.kernel.h * c.kernel.w;
    const int w =
        b.constant(std::string(c.name) + ".w", {16, c.kernel.h, c.kernel.w, 16}, ramp(16 * taps * 16, 0.6f / taps));
    const int bias = b.constant(std::string(c.name) + ".b", {16}, ramp(16, 0.05f * seed++));
    const int y = b.tensor(c.name, {1, 32, 32, 16});
    b.conv2d(c.name, x, w, bias, y, c.kernel, {1, 1}, c.pad, Activation::kRelu);
    x = y;
  }
  const int pooled = b.tensor("pool", {1, 16, 16, 16});
  b.max_pool2d("pool", x, pooled, {2, 2}, {2, 2}, {});
  const int ww = b.constant("widen.w", {64, 1, 1, 16}, ramp(64 * 16, 0.3f));
  const int wide = b.tensor("widen", {1, 16, 16, 64});
  b.conv2d("widen", pooled, ww, -1, wide, {1, 1}, {1, 1}, {}, Activation::kRelu);
  const int w2 = b.constant("small.w", {16, 3, 3, 64}, ramp(16 * 9 * 64, 0.05f));
  const int out = b.tensor("small", {1, 16, 16, 16});
  b.conv2d("small", wide, w2, -1, out, {3, 3}, {1, 1}, {1, 1, 1, 1});
  return b.finish({in}, {out});
}

// Weights stored narrow (schema DType FLOAT16, INT8 with per-channel scales) in a residual block whose
// Add the native convs fuse: x -> conv a (int8, relu) -> conv up (float16, 3x3) -> relu(a + up) -> conv.
std::vector<uint8_t> narrow_residual() {
  ModelBuilder b;
  const int x = b.tensor("x", {1, 12, 12, 8});
  std::vector<uint8_t> q(16 * 8);
  for (size_t i = 0; i < q.size(); ++i) q[i] = static_cast<uint8_t>(static_cast<int8_t>((i * 29) % 255 - 127));
  const int wa = b.constant_bytes("a.w", {16, 1, 1, 8}, /*INT8*/ 2, q);
  std::vector<float> scales(16);
  for (int o = 0; o < 16; ++o) scales[static_cast<size_t>(o)] = 0.002f * static_cast<float>(o + 1);
  b.set_scales(wa, scales);
  const int a = b.tensor("a", {1, 12, 12, 16});
  b.conv2d("a", x, wa, b.constant("a.b", {16}, ramp(16, 0.1f)), a, {1, 1}, {1, 1}, {}, Activation::kRelu);
  std::vector<uint8_t> halves(16 * 9 * 16 * 2);
  for (size_t i = 0; i < halves.size(); i += 2) {  // float16 values in (-0.03, 0.03): exponent 9..10
    const uint16_t h = static_cast<uint16_t>(((i / 2) % 2 ? 0x8000 : 0) | ((9 + (i / 2) % 2) << 10) | ((i * 7) % 1024));
    halves[i] = static_cast<uint8_t>(h & 0xff);
    halves[i + 1] = static_cast<uint8_t>(h >> 8);
  }
  const int up = b.tensor("up", {1, 12, 12, 16});
  b.conv2d("up", a, b.constant_bytes("up.w", {16, 3, 3, 16}, /*FLOAT16*/ 1, halves),
           b.constant("up.b", {16}, ramp(16, 0.05f)), up, {3, 3}, {1, 1}, {1, 1, 1, 1});
  const int sum = b.tensor("sum", {1, 12, 12, 16});
  b.add("sum", a, up, sum, Activation::kRelu);
  const int out = b.tensor("out", {1, 12, 12, 4});
  b.conv2d("out", sum, b.constant("out.w", {4, 1, 1, 16}, ramp(64, 0.2f)), -1, out, {1, 1}, {1, 1}, {});
  return b.finish({x}, {out});
}

// 8-bit activations (schema revision 4): an int8 input with a zero point, two uint8 conv branches (one with
// int8 weights) and a max pool that requantises into a uint8 concat, all sharing the concat's QuantParams,
// then a global pool and a float32 FC output.
std::vector<uint8_t> quantised_inception() {
  ModelBuilder b;
  const int kInt8 = 2, kUInt8 = 3;
  const int x = b.tensor("x", {1, 8, 8, 4});
  b.set_dtype(x, kInt8);
  b.set_quant(x, 0.0173f, -5);
  std::vector<uint8_t> q(6 * 4);
  for (size_t i = 0; i < q.size(); ++i) q[i] = static_cast<uint8_t>(static_cast<int8_t>((i * 41) % 255 - 127));
  const int w1 = b.constant_bytes("b1.w", {6, 1, 1, 4}, kInt8, q);
  b.set_scales(w1, {0.01f, 0.02f, 0.004f, 0.03f, 0.011f, 0.007f});
  const int a = b.tensor("b1", {1, 8, 8, 6});
  const int c = b.tensor("b2", {1, 8, 8, 5});
  const int m = b.tensor("pool", {1, 8, 8, 4});
  const int cat = b.tensor("cat", {1, 8, 8, 15});
  for (int t : {a, c, m, cat}) {
    b.set_dtype(t, kUInt8);
    b.set_quant(t, 0.0421f, 0);
  }
  b.conv2d("b1", x, w1, b.constant("b1.b", {6}, ramp(6, 0.1f)), a, {1, 1}, {1, 1}, {}, Activation::kRelu);
  b.conv2d("b2", x, b.constant("b2.w", {5, 3, 3, 4}, ramp(180, 0.2f)), b.constant("b2.b", {5}, ramp(5, 0.1f)), c,
           {3, 3}, {1, 1}, {1, 1, 1, 1}, Activation::kRelu);
  b.max_pool2d("pool", x, m, {3, 3}, {1, 1}, {1, 1, 1, 1});
  b.concat("cat", {a, c, m}, cat);
  const int g = b.tensor("gap", {1, 15});
  b.set_dtype(g, kUInt8);
  b.set_quant(g, 0.0123f, 0);
  b.global_avg_pool("gap", cat, g);
  const int out = b.tensor("logits", {1, 3});
  b.fully_connected("fc", g, b.constant("fc.w", {3, 15}, ramp(45, 0.5f)), b.constant("fc.b", {3}, ramp(3, 0.1f)), out);
  return b.finish({x}, {out});
}

}  // namespace

std::vector<SeedModel> seed_models() {
  return {{"tiny_inception.incept", TinyInception(1).bytes()},
          {"conv_variants.incept", conv_variants()},
          {"pools.incept", pools()},
          {"winograd_convs.incept", winograd_convs()},
          {"narrow_residual.incept", narrow_residual()},
          {"quantised_inception.incept", quantised_inception()}};
}

std::vector<uint8_t> seed_model(const std::string& name) {
  if (name == "tiny_inception.incept") return TinyInception(1).bytes();
  if (name == "conv_variants.incept") return conv_variants();
  if (name == "pools.incept") return pools();
  if (name == "winograd_convs.incept") return winograd_convs();
  if (name == "narrow_residual.incept") return narrow_residual();
  if (name == "quantised_inception.incept") return quantised_inception();
  return {};
}

}  // namespace incept::test
