// SPDX-License-Identifier: Apache-2.0
// Conv2D: shape inference on real Inception layers and bad params; the reference kernel, run through the
// registry, against an independent double-precision oracle (PyTorch's NCHW/OIHW definition); hand-checked
// values from every kernel. (Strided views and the fast kernels: conv2d_conformance_test.cc.)
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "conv2d/conv2d.h"
#include "support/cases.h"
#include "support/kernel_runner.h"

namespace incept {
namespace {

using ops::Activation;
using ops::Conv2DParams;
using test::ConvCase;
using test::Rng;
using test::Tensor;

// Without an activation (the shape rule's cases and the hand-checked outputs are linear).
Conv2DParams conv(int kh, int kw, int stride = 1, ops::Pad2D pad = {}, int groups = 1) {
  return test::conv(kh, kw, stride, pad, /*relu=*/false, groups);
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
  CHECK(infer(conv(3, 3, 2), {1, 299, 299, 3}, {32, 3, 3, 3}) == Shape{1, 149, 149, 32});    // Conv2d_1a
  CHECK(infer(conv(3, 3), {1, 149, 149, 32}, {32, 3, 3, 32}) == Shape{1, 147, 147, 32});     // Conv2d_2a
  CHECK(infer(conv(3, 3), {1, 73, 73, 80}, {192, 3, 3, 80}) == Shape{1, 71, 71, 192});       // Conv2d_4a
  CHECK(infer(conv(3, 3, 2), {1, 35, 35, 288}, {384, 3, 3, 288}) == Shape{1, 17, 17, 384});  // Mixed_6a
  CHECK(infer(conv(1, 7, 1, {0, 0, 3, 3}), {1, 17, 17, 128}, {128, 1, 7, 128}) == Shape{1, 17, 17, 128});
  CHECK(infer(conv(7, 1, 1, {3, 3, 0, 0}), {1, 17, 17, 128}, {192, 7, 1, 128}) == Shape{1, 17, 17, 192});
  CHECK(infer(conv(3, 3, 2), {1, 17, 17, 192}, {320, 3, 3, 192}) == Shape{1, 8, 8, 320});  // Mixed_7a
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

// The oracle: PyTorch's definition on NCHW input and OIHW weights, in double. Returns NHWC.
std::vector<double> conv_oracle(const ConvCase& c, const Tensor& x, const Tensor& w, const Tensor& b, int oh, int ow) {
  const int N = c.in[0], H = c.in[1], W = c.in[2], C = c.in[3], O = c.out_c, G = c.p.groups;
  const int KH = c.p.kernel.h, KW = c.p.kernel.w, CG = C / G, OG = O / G;
  std::vector<double> nchw(x.data.size()), oihw(w.data.size());
  for (int n = 0; n < N; ++n)
    for (int y = 0; y < H; ++y)
      for (int xx = 0; xx < W; ++xx)
        for (int ch = 0; ch < C; ++ch) nchw[((n * C + ch) * H + y) * W + xx] = x.data[((n * H + y) * W + xx) * C + ch];
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

// Runs the reference kernel (through the registry, dense) and compares with the oracle element by element.
void check_against_oracle(Rng& rng, const ConvCase& c) {
  CAPTURE(c.describe());
  const Shape wshape = c.weights();
  const Shape bshape{c.out_c};
  Shape out_shape;
  const Status s = ops::conv2d_infer_shape(c.p, c.in, wshape, c.bias ? &bshape : nullptr, &out_shape);
  REQUIRE_MESSAGE(s.code() == StatusCode::kOk, std::string(s.message()));
  const int oh = test::window_out_len(c.in[1], c.p.kernel.h, c.p.stride.h, c.p.dilation.h, c.p.pad.top, c.p.pad.bottom);
  const int ow = test::window_out_len(c.in[2], c.p.kernel.w, c.p.stride.w, c.p.dilation.w, c.p.pad.left, c.p.pad.right);
  REQUIRE(out_shape == Shape{c.in[0], oh, ow, c.out_c});
  const Tensor x = test::random_tensor(rng, c.in), w = test::random_tensor(rng, wshape);
  const Tensor b = test::random_tensor(rng, bshape);
  const Tensor y =
      test::run_ref(ops::OpKind::kConv2D, &c.p,
                    {test::KernelInput::of(x), test::KernelInput::weights(wshape, w.data.data()),
                     c.bias ? test::KernelInput::weights(bshape, b.data.data()) : test::KernelInput::absent()},
                    out_shape);
  const std::vector<double> ref = conv_oracle(c, x, w, b, oh, ow);
  int bad = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    if (!(std::fabs(y.data[i] - ref[i]) <= 1e-5 * (1.0 + std::fabs(ref[i])))) ++bad;
  }
  CHECK(bad == 0);
}

TEST_CASE("conv2d: ref matches the double oracle on named Inception-like cases") {
  Rng rng(0xc0de);
  for (const ConvCase& c : test::small_conv_cases()) check_against_oracle(rng, c);
}

TEST_CASE("conv2d: ref matches the double oracle on seeded random cases") {
  Rng rng(0xc0417);
  for (int i = 0; i < 150; ++i) check_against_oracle(rng, test::random_small_conv_case(rng));
}

TEST_CASE("conv2d: hand-checked 3x3 of ones, pad 1, bias and relu, on every kernel") {
  Conv2DParams p = conv(3, 3, 1, {1, 1, 1, 1});
  p.activation = Activation::kRelu;
  const Tensor x(Shape{1, 3, 3, 1}, 1.0f);
  const std::vector<float> w(9, 1.0f), w_neg(9, -1.0f);
  const float bias[2] = {0.5f, 5.0f};
  std::vector<float> weights = w;
  weights.insert(weights.end(), w_neg.begin(), w_neg.end());  // O = 2: +1s, then -1s
  // Channel 0: window counts 4/6/9 plus 0.5. Channel 1: 5 - count, clipped at 0 by relu.
  const std::vector<float> expect = {4.5f, 1, 6.5f, 0, 4.5f, 1, 6.5f, 0, 9.5f, 0, 6.5f, 0, 4.5f, 1, 6.5f, 0, 4.5f, 1};
  for (const auto& [kernel_name, y] : test::every_kernel_output(
           ops::OpKind::kConv2D, &p,
           {test::KernelInput::of(x), test::KernelInput::weights(Shape{2, 3, 3, 1}, weights.data()),
            test::KernelInput::weights(Shape{2}, bias)},
           Shape{1, 3, 3, 2})) {
    const auto& kernel = kernel_name;  // a binding cannot be captured (CAPTURE) before C++20
    CAPTURE(kernel);
    CHECK(test::max_abs_diff(y.data, expect) == 0.0f);
  }
}

}  // namespace
}  // namespace incept
