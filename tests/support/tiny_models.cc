// SPDX-License-Identifier: Apache-2.0
#include "support/tiny_models.h"

namespace incept::test {
namespace {

std::vector<float> random_values(Rng& rng, int64_t n, float scale) {
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = rng.uniform(-scale, scale);
  return v;
}

}  // namespace

TinyInception::TinyInception(uint64_t seed) {
  Rng rng(seed);
  ModelBuilder& b = builder;
  using ops::Activation;
  auto conv = [&](const char* name, int in, int cin, int cout, ops::Size2D k, ops::Pad2D pad, int h, int w,
                  ops::Size2D stride = {1, 1}) {
    const int wt = b.constant(std::string(name) + ".w", {cout, k.h, k.w, cin},
                              random_values(rng, int64_t{cout} * k.h * k.w * cin, 0.5f));
    const int bias = b.constant(std::string(name) + ".b", {cout}, random_values(rng, cout, 0.2f));
    const int out = b.tensor(std::string(name) + ".out", {1, h, w, cout});
    b.conv2d(name, in, wt, bias, out, k, stride, pad, Activation::kRelu);
    return out;
  };
  input = b.tensor("input", {1, 10, 10, 3});
  const int stem = conv("stem", input, 3, 8, {3, 3}, {1, 1, 1, 1}, 10, 10);
  const int b1 = conv("b1x1", stem, 8, 4, {1, 1}, {}, 10, 10);
  const int b2r = conv("b3x3_reduce", stem, 8, 3, {1, 1}, {}, 10, 10);
  const int b2 = conv("b3x3", b2r, 3, 5, {3, 3}, {1, 1, 1, 1}, 10, 10);
  const int b3r = conv("b13_reduce", stem, 8, 4, {1, 1}, {}, 10, 10);
  const int b3a = conv("b1x3", b3r, 4, 3, {1, 3}, {0, 0, 1, 1}, 10, 10);
  const int b3b = conv("b3x1", b3r, 4, 3, {3, 1}, {1, 1, 0, 0}, 10, 10);
  const int b3 = b.tensor("b13_cat", {1, 10, 10, 6});
  b.concat("b13_cat", {b3a, b3b}, b3);
  const int p = b.tensor("pool", {1, 10, 10, 8});
  b.max_pool2d("pool", stem, p, {3, 3}, {1, 1}, {1, 1, 1, 1});
  const int b4 = conv("pool_proj", p, 8, 4, {1, 1}, {}, 10, 10);
  const int cat = b.tensor("module", {1, 10, 10, 19});
  b.concat("module", {b1, b2, b3, b4}, cat);
  const int down = b.tensor("down", {1, 5, 5, 19});
  b.max_pool2d("down", cat, down, {3, 3}, {2, 2}, {}, /*ceil_mode=*/true);
  const int avg = b.tensor("avg", {1, 5, 5, 19});
  b.avg_pool2d("avg", down, avg, {3, 3}, {1, 1}, {1, 1, 1, 1}, /*count_include_pad=*/true);
  const int sum = b.tensor("sum", {1, 5, 5, 19});
  b.add("sum", down, avg, sum, Activation::kRelu);
  const int gap = b.tensor("gap", {1, 19});
  b.global_avg_pool("gap", sum, gap);
  const int fw = b.constant("fc.w", {10, 19}, random_values(rng, 190, 0.5f));
  const int fb = b.constant("fc.b", {10}, random_values(rng, 10, 0.1f));
  logits = b.tensor("logits", {1, 10});
  b.fully_connected("fc", gap, fw, fb, logits);
  probs = b.tensor("probs", {1, 10});
  b.softmax("softmax", logits, probs);
}

}  // namespace incept::test
