// SPDX-License-Identifier: Apache-2.0
// Conv2D: shape inference on real Inception layers and bad params; the reference kernel against an
// independent double-precision oracle (PyTorch's NCHW/OIHW definition), dense and strided.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "conv2d/conv2d.h"
#include "support/test_util.h"

namespace incept {
namespace {

using ops::Activation;
using ops::Conv2DParams;
using test::Rng;
using test::Tensor;

Conv2DParams conv(int kh, int kw, int stride = 1, ops::Pad2D pad = {}, int groups = 1) {
  Conv2DParams p;
  p.kernel = {kh, kw};
  p.stride = {stride, stride};
  p.pad = pad;
  p.groups = groups;
  return p;
}

Shape infer(const Conv2DParams& p, const Shape& in, const Shape& w, const Shape* bias = nullptr) {
  Shape out;
  const Status s = ops::conv2d_infer_shape(p, in, w, bias, &out);
  CHECK_MESSAGE(s.code() == StatusCode::kOk, std::string(s.message()));
  return out;
}

Status infer_status(const Conv2DParams& p, const Shape& in, const Shape& w, const Shape* bias = nullptr) {
  Shape out;
  return ops::conv2d_infer_shape(p, in, w, bias, &out);
}

TEST_CASE("conv2d: shape inference on torchvision GoogLeNet and Inception-v3 layers") {
  const Shape b64{64};
  CHECK(infer(conv(7, 7, 2, {3, 3, 3, 3}), {1, 224, 224, 3}, {64, 7, 7, 3}, &b64) == Shape{1, 112, 112, 64});
  CHECK(infer(conv(3, 3, 1, {1, 1, 1, 1}), {1, 56, 56, 64}, {192, 3, 3, 64}) == Shape{1, 56, 56, 192});
  CHECK(infer(conv(1, 1), {1, 28, 28, 192}, {64, 1, 1, 192}) == Shape{1, 28, 28, 64});
  CHECK(infer(conv(3, 3, 2), {1, 299, 299, 3}, {32, 3, 3, 3}) == Shape{1, 149, 149, 32});      // Conv2d_1a
  CHECK(infer(conv(3, 3), {1, 149, 149, 32}, {32, 3, 3, 32}) == Shape{1, 147, 147, 32});       // Conv2d_2a
  CHECK(infer(conv(3, 3), {1, 73, 73, 80}, {192, 3, 3, 80}) == Shape{1, 71, 71, 192});         // Conv2d_4a
  CHECK(infer(conv(3, 3, 2), {1, 35, 35, 288}, {384, 3, 3, 288}) == Shape{1, 17, 17, 384});    // Mixed_6a
  CHECK(infer(conv(1, 7, 1, {0, 0, 3, 3}), {1, 17, 17, 128}, {128, 1, 7, 128}) == Shape{1, 17, 17, 128});
  CHECK(infer(conv(7, 1, 1, {3, 3, 0, 0}), {1, 17, 17, 128}, {192, 7, 1, 128}) == Shape{1, 17, 17, 192});
  CHECK(infer(conv(3, 3, 2), {1, 17, 17, 192}, {320, 3, 3, 192}) == Shape{1, 8, 8, 320});      // Mixed_7a
  CHECK(infer(conv(1, 3, 1, {0, 0, 1, 1}), {1, 8, 8, 384}, {384, 1, 3, 384}) == Shape{1, 8, 8, 384});
  CHECK(infer(conv(3, 1, 1, {1, 1, 0, 0}), {1, 8, 8, 384}, {384, 3, 1, 384}) == Shape{1, 8, 8, 384});
  CHECK(infer(conv(3, 3, 1, {1, 1, 1, 1}, 16), {2, 8, 8, 16}, {32, 3, 3, 1}) == Shape{2, 8, 8, 32});
  Conv2DParams dil = conv(3, 3, 1, {2, 2, 2, 2});
  dil.dilation = {2, 2};
  CHECK(infer(dil, {1, 10, 10, 4}, {4, 3, 3, 4}) == Shape{1, 10, 10, 4});
  CHECK(infer(conv(3, 3, 2, {0, 1, 0, 1}), {1, 8, 8, 4}, {4, 3, 3, 4}) == Shape{1, 4, 4, 4});  // TF SAME
}

TEST_CASE("conv2d: bad params and shapes are rejected with a message naming the problem") {
  const Shape in{1, 17, 17, 128}, w{192, 3, 3, 128};
  struct Bad {
    const char* what;
    Status status;
    const char* needle;
  };
  Conv2DParams zero_stride = conv(3, 3);
  zero_stride.stride = {0, 1};
  Conv2DParams zero_dilation = conv(3, 3);
  zero_dilation.dilation = {1, 0};
  Conv2DParams relu6 = conv(3, 3);
  relu6.activation = static_cast<Activation>(6);
  const Shape bias_short{191}, bias_2d{1, 192};
  const Bad cases[] = {
      {"zero stride", infer_status(zero_stride, in, w), "stride must be >= 1x1, got 0x1"},
      {"zero dilation", infer_status(zero_dilation, in, w), "dilation must be >= 1x1, got 1x0"},
      {"negative pad", infer_status(conv(3, 3, 1, {-1, 0, 0, 0}), in, w), "padding must be >= 0"},
      {"pad >= span", infer_status(conv(3, 3, 1, {0, 0, 0, 3}), in, w), "right 3 must be smaller"},
      {"bad activation", infer_status(relu6, in, w), "activation"},
      {"rank-3 input", infer_status(conv(3, 3), Shape{17, 17, 128}, w), "input must be NHWC (rank 4), got rank 3"},
      {"zero dim", infer_status(conv(3, 3), Shape{1, 0, 17, 128}, w), "input dims must all be >= 1"},
      {"negative dim", infer_status(conv(3, 3), Shape{1, 17, -17, 128}, w), "dim 2 is -17"},
      {"zero out channels", infer_status(conv(3, 3), in, Shape{0, 3, 3, 128}), "weights dims must all be >= 1"},
      {"rank-2 weights", infer_status(conv(3, 3), in, Shape{192, 128}), "weights must be OHWI (rank 4)"},
      {"kernel vs weights", infer_status(conv(3, 3), in, Shape{192, 1, 7, 128}), "do not match the kernel size 3x3"},
      {"channel mismatch", infer_status(conv(3, 3), in, Shape{192, 3, 3, 64}), "expect 64 input channels per group"},
      {"zero groups", infer_status(conv(3, 3, 1, {}, 0), in, w), "groups must be >= 1, got 0"},
      {"groups vs in", infer_status(conv(3, 3, 1, {}, 3), in, Shape{192, 3, 3, 42}),
       "groups (3) must divide the input channels (128)"},
      {"groups vs out", infer_status(conv(3, 3, 1, {}, 2), Shape{1, 17, 17, 128}, Shape{191, 3, 3, 64}),
       "groups (2) must divide the output channels (191"},
      {"bias length", infer_status(conv(3, 3), in, w, &bias_short), "bias must have shape [192]"},
      {"bias rank", infer_status(conv(3, 3), in, w, &bias_2d), "got [1, 192]"},
      {"window > input", infer_status(conv(3, 3), Shape{1, 2, 17, 128}, w), "does not fit input height 2"},
      {"window > input w", infer_status(conv(1, 7), Shape{1, 17, 5, 128}, Shape{8, 1, 7, 128}),
       "kernel width 7 (dilation 1) does not fit input width 5"},
  };
  for (const Bad& c : cases) {
    CAPTURE(c.what);
    CHECK_FAILED_WITH(c.status, kInvalidModel, c.needle);
  }
}

// One test problem: input shape, params, output channels, whether there is a bias.
struct ConvCase {
  Shape in;
  Conv2DParams p;
  int32_t out_c = 1;
  bool bias = true;
  std::string describe() const {
    char buf[256];
    std::snprintf(buf, sizeof(buf), "in %s O %d k %dx%d s %dx%d d %dx%d pad t%d b%d l%d r%d g %d relu %d bias %d",
                  test::to_string(in).c_str(), out_c, p.kernel.h, p.kernel.w, p.stride.h, p.stride.w, p.dilation.h,
                  p.dilation.w, p.pad.top, p.pad.bottom, p.pad.left, p.pad.right, p.groups,
                  p.activation == Activation::kRelu, bias);
    return buf;
  }
};

// The oracle: PyTorch's definition on NCHW input and OIHW weights, in double. Returns NHWC.
std::vector<double> conv_oracle(const ConvCase& c, const Tensor& x, const Tensor& w, const Tensor& b, int oh, int ow) {
  const int N = c.in[0], H = c.in[1], W = c.in[2], C = c.in[3], O = c.out_c, G = c.p.groups;
  const int KH = c.p.kernel.h, KW = c.p.kernel.w, CG = C / G, OG = O / G;
  std::vector<double> nchw(x.data.size()), oihw(w.data.size());
  for (int n = 0; n < N; ++n)
    for (int y = 0; y < H; ++y)
      for (int xx = 0; xx < W; ++xx)
        for (int ch = 0; ch < C; ++ch)
          nchw[((n * C + ch) * H + y) * W + xx] = x.data[((n * H + y) * W + xx) * C + ch];
  for (int o = 0; o < O; ++o)
    for (int ky = 0; ky < KH; ++ky)
      for (int kx = 0; kx < KW; ++kx)
        for (int i = 0; i < CG; ++i)
          oihw[((o * CG + i) * KH + ky) * KW + kx] = w.data[((o * KH + ky) * KW + kx) * CG + i];
  std::vector<double> out(static_cast<size_t>(N) * oh * ow * O);
  for (int n = 0; n < N; ++n)
    for (int o = 0; o < O; ++o)
      for (int y = 0; y < oh; ++y)
        for (int xx = 0; xx < ow; ++xx) {
          double acc = c.bias ? b.data[o] : 0.0;
          const int g = o / OG;
          for (int i = 0; i < CG; ++i)
            for (int ky = 0; ky < KH; ++ky)
              for (int kx = 0; kx < KW; ++kx) {
                const int iy = y * c.p.stride.h + ky * c.p.dilation.h - c.p.pad.top;
                const int ix = xx * c.p.stride.w + kx * c.p.dilation.w - c.p.pad.left;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                acc += oihw[((o * CG + i) * KH + ky) * KW + kx] * nchw[((n * C + g * CG + i) * H + iy) * W + ix];
              }
          if (c.p.activation == Activation::kRelu && acc < 0) acc = 0;
          out[((n * oh + y) * ow + xx) * O + o] = acc;
        }
  return out;
}

// Output length straight from the definition (no ceil mode for conv); 0 when the window does not fit.
int out_len(int in, int k, int s, int d, int pa, int pb) {
  const int room = in + pa + pb - d * (k - 1) - 1;
  return room < 0 ? 0 : room / s + 1;
}

ConvCase random_case(Rng& rng) {
  static const ops::Size2D kKernels[] = {{1, 1}, {3, 3}, {5, 5}, {1, 7}, {7, 1}, {1, 3}, {3, 1}, {2, 2}, {2, 4}};
  static const int kGroups[] = {1, 1, 1, 2, 3, 4};
  for (;;) {
    ConvCase c;
    c.p.groups = rng.pick(kGroups, 6);
    c.p.kernel = rng.pick(kKernels, 9);
    c.p.stride = {rng.uniform_int(1, 3), rng.uniform_int(1, 3)};
    c.p.dilation = {rng.coin(0.25f) ? 2 : 1, rng.coin(0.25f) ? 2 : 1};
    const int span_h = c.p.dilation.h * (c.p.kernel.h - 1) + 1, span_w = c.p.dilation.w * (c.p.kernel.w - 1) + 1;
    c.p.pad = {rng.uniform_int(0, span_h - 1), rng.uniform_int(0, span_h - 1), rng.uniform_int(0, span_w - 1),
               rng.uniform_int(0, span_w - 1)};
    c.p.activation = rng.coin() ? Activation::kRelu : Activation::kNone;
    c.in = {rng.uniform_int(1, 2), rng.uniform_int(1, 13), rng.uniform_int(1, 13), c.p.groups * rng.uniform_int(1, 6)};
    c.out_c = c.p.groups * rng.uniform_int(1, 6);
    c.bias = rng.coin(0.8f);
    if (out_len(c.in[1], c.p.kernel.h, c.p.stride.h, c.p.dilation.h, c.p.pad.top, c.p.pad.bottom) >= 1 &&
        out_len(c.in[2], c.p.kernel.w, c.p.stride.w, c.p.dilation.w, c.p.pad.left, c.p.pad.right) >= 1)
      return c;
  }
}

// Named cases: the Inception shapes that random draws may miss, shrunk to test size.
std::vector<ConvCase> named_cases() {
  std::vector<ConvCase> v;
  auto add = [&](Shape in, Conv2DParams p, int out_c) { v.push_back({in, p, out_c, true}); };
  add({1, 9, 9, 5}, conv(1, 7, 1, {0, 0, 3, 3}), 6);
  add({1, 9, 9, 5}, conv(7, 1, 1, {3, 3, 0, 0}), 6);
  add({1, 11, 11, 3}, conv(3, 3, 2), 8);                   // 3x3 s2 valid (stem, grid reductions)
  add({2, 12, 10, 3}, conv(7, 7, 2, {3, 3, 3, 3}), 4);     // GoogLeNet conv1
  add({1, 8, 8, 12}, conv(3, 3, 1, {1, 1, 1, 1}, 12), 12);  // depthwise
  add({1, 7, 9, 6}, conv(3, 3, 2, {0, 2, 1, 0}, 3), 9);    // asymmetric pad, groups 3
  ConvCase d{{1, 10, 10, 4}, conv(3, 3, 1, {2, 2, 2, 2}), 5, false};
  d.p.dilation = {2, 2};
  v.push_back(d);
  v.back().p.activation = Activation::kRelu;
  return v;
}

// Runs the reference kernel on dense tensors and compares with the oracle element by element.
void check_against_oracle(Rng& rng, const ConvCase& c) {
  CAPTURE(c.describe());
  const Shape wshape{c.out_c, c.p.kernel.h, c.p.kernel.w, c.in[3] / c.p.groups};
  const Shape bshape{c.out_c};
  Shape out_shape;
  const Status s = ops::conv2d_infer_shape(c.p, c.in, wshape, c.bias ? &bshape : nullptr, &out_shape);
  REQUIRE_MESSAGE(s.code() == StatusCode::kOk, std::string(s.message()));
  const int oh = out_len(c.in[1], c.p.kernel.h, c.p.stride.h, c.p.dilation.h, c.p.pad.top, c.p.pad.bottom);
  const int ow = out_len(c.in[2], c.p.kernel.w, c.p.stride.w, c.p.dilation.w, c.p.pad.left, c.p.pad.right);
  REQUIRE(out_shape == Shape{c.in[0], oh, ow, c.out_c});
  const Tensor x = test::random_tensor(rng, c.in), w = test::random_tensor(rng, wshape);
  const Tensor b = test::random_tensor(rng, bshape);
  Tensor y(out_shape, -1.0f);
  ops::conv2d_f32_ref(c.p, x.cview(), w.data.data(), c.bias ? b.data.data() : nullptr, y.view());
  const std::vector<double> ref = conv_oracle(c, x, w, b, oh, ow);
  int bad = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    if (!(std::fabs(y.data[i] - ref[i]) <= 1e-5 * (1.0 + std::fabs(ref[i])))) ++bad;
  }
  CHECK(bad == 0);
}

TEST_CASE("conv2d: ref matches the double oracle on named Inception-like cases") {
  Rng rng(0xc0de);
  for (const ConvCase& c : named_cases()) check_against_oracle(rng, c);
}

TEST_CASE("conv2d: ref matches the double oracle on seeded random cases") {
  Rng rng(0xc0417);
  for (int i = 0; i < 150; ++i) check_against_oracle(rng, random_case(rng));
}

TEST_CASE("conv2d: hand-checked 3x3 of ones, pad 1, bias and relu") {
  Conv2DParams p = conv(3, 3, 1, {1, 1, 1, 1});
  p.activation = Activation::kRelu;
  const Tensor x(Shape{1, 3, 3, 1}, 1.0f);
  const std::vector<float> w(9, 1.0f), w_neg(9, -1.0f);
  const float bias[2] = {0.5f, 5.0f};
  std::vector<float> weights = w;
  weights.insert(weights.end(), w_neg.begin(), w_neg.end());   // O = 2: +1s, then -1s
  Tensor y(Shape{1, 3, 3, 2});
  ops::conv2d_f32_ref(p, x.cview(), weights.data(), bias, y.view());
  // Channel 0: window counts 4/6/9 plus 0.5. Channel 1: 5 - count, clipped at 0 by relu.
  const std::vector<float> expect = {4.5f, 1, 6.5f, 0, 4.5f, 1, 6.5f, 0, 9.5f, 0, 6.5f, 0, 4.5f, 1, 6.5f, 0, 4.5f, 1};
  CHECK(test::max_abs_diff(y.data, expect) == 0.0f);
}

TEST_CASE("conv2d: strided input and output views give the dense result and touch nothing else") {
  Rng rng(0x5721de);
  const float nan = std::nanf("");
  for (int i = 0; i < 30; ++i) {
    const ConvCase c = random_case(rng);
    CAPTURE(c.describe());
    const Shape wshape{c.out_c, c.p.kernel.h, c.p.kernel.w, c.in[3] / c.p.groups};
    Shape out_shape;
    REQUIRE(ops::conv2d_infer_shape(c.p, c.in, wshape, nullptr, &out_shape).code() == StatusCode::kOk);
    const Tensor x = test::random_tensor(rng, c.in), w = test::random_tensor(rng, wshape);
    const Tensor b = test::random_tensor(rng, Shape{c.out_c});
    const float* bias = c.bias ? b.data.data() : nullptr;
    Tensor dense(out_shape);
    ops::conv2d_f32_ref(c.p, x.cview(), w.data.data(), bias, dense.view());

    // Input: channels [2, 2 + C) of a wider tensor whose other channels are NaN (reading one shows).
    test::StridedTensor xs(c.in, 2, c.in[3] + 5, nan);
    xs.copy_from(x);
    test::StridedTensor ys(out_shape, 3, c.out_c + 4, 12345.5f);
    ops::conv2d_f32_ref(c.p, xs.cview(), w.data.data(), bias, ys.view());
    CHECK(test::max_abs_diff(ys.to_dense(), dense) == 0.0f);
    CHECK(ys.outside_untouched());
  }
}

}  // namespace
}  // namespace incept
