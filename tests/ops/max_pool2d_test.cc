// SPDX-License-Identifier: Apache-2.0
// MaxPool2D: shape inference on real GoogLeNet / Inception-v3 pools and bad params; the reference kernel,
// run through the registry, against a direct formula (incl. ceil mode and asymmetric pads); hand-checked
// cases on every kernel. (Strided views and the fast kernels: max_pool2d_conformance_test.cc.)
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "max_pool2d/max_pool2d.h"
#include "support/cases.h"
#include "support/kernel_runner.h"

namespace incept {
namespace {

using ops::Activation;
using ops::MaxPool2DParams;
using test::MaxPoolCase;
using test::Rng;
using test::Tensor;

MaxPool2DParams pool(int k, int s, bool ceil_mode = false, ops::Pad2D pad = {}) {
  return test::pool<MaxPool2DParams>(k, s, pad, ceil_mode);
}

Shape infer(const MaxPool2DParams& p, const Shape& in) {
  Shape out;
  const Status s = ops::max_pool2d_infer_shape(p, in, &out);
  CHECK_MESSAGE(s.code() == StatusCode::kOk, std::string(s.message()));
  return out;
}

Status infer_status(const MaxPool2DParams& p, const Shape& in) {
  Shape out;
  return ops::max_pool2d_infer_shape(p, in, &out);
}

TEST_CASE("max_pool2d: shape inference on torchvision GoogLeNet and Inception-v3 pools") {
  // GoogLeNet: every pool uses ceil_mode=True.
  CHECK(infer(pool(3, 2, true), {1, 112, 112, 64}) == Shape{1, 56, 56, 64});                // maxpool1
  CHECK(infer(pool(3, 2, true), {1, 56, 56, 192}) == Shape{1, 28, 28, 192});                // maxpool2
  CHECK(infer(pool(3, 2, true), {1, 28, 28, 480}) == Shape{1, 14, 14, 480});                // maxpool3
  CHECK(infer(pool(2, 2, true), {1, 14, 14, 832}) == Shape{1, 7, 7, 832});                  // maxpool4
  CHECK(infer(pool(3, 1, true, {1, 1, 1, 1}), {1, 28, 28, 192}) == Shape{1, 28, 28, 192});  // branch4
  CHECK(infer(pool(3, 2, false), {1, 112, 112, 64}) == Shape{1, 55, 55, 64});               // floor would lose a row
  // Inception-v3: F.max_pool2d(kernel_size=3, stride=2), floor rounding.
  CHECK(infer(pool(3, 2), {1, 147, 147, 64}) == Shape{1, 73, 73, 64});
  CHECK(infer(pool(3, 2), {1, 71, 71, 192}) == Shape{1, 35, 35, 192});
  CHECK(infer(pool(3, 2), {1, 35, 35, 288}) == Shape{1, 17, 17, 288});  // Mixed_6a
  CHECK(infer(pool(3, 2), {1, 17, 17, 768}) == Shape{1, 8, 8, 768});    // Mixed_7a
  MaxPool2DParams rect = pool(1, 1);
  rect.kernel = {2, 3};
  rect.stride = {1, 2};
  CHECK(infer(rect, {2, 5, 9, 3}) == Shape{2, 4, 4, 3});
}

TEST_CASE("max_pool2d: bad params and shapes are rejected with a message naming the problem") {
  MaxPool2DParams zero_stride = pool(3, 2);
  zero_stride.stride = {0, 1};
  MaxPool2DParams zero_kernel = pool(3, 2);
  zero_kernel.kernel = {3, 0};
  MaxPool2DParams bad_act = pool(3, 2);
  bad_act.activation = static_cast<Activation>(2);
  const Shape in{1, 35, 35, 192};
  CHECK_FAILED_WITH(infer_status(zero_stride, in), kInvalidModel, "MaxPool2D: stride must be >= 1x1, got 0x1");
  CHECK_FAILED_WITH(infer_status(zero_kernel, in), kInvalidModel, "MaxPool2D: kernel must be >= 1x1, got 3x0");
  CHECK_FAILED_WITH(infer_status(pool(3, 1, false, {0, -1, 0, 0}), in), kInvalidModel, "padding must be >= 0");
  CHECK_FAILED_WITH(infer_status(pool(3, 1, false, {0, 0, 3, 0}), in), kInvalidModel,
                    "padding left 3 / right 0 must be smaller than the kernel's width span 3");
  CHECK_FAILED_WITH(infer_status(bad_act, in), kInvalidModel, "activation must be NONE (0) or RELU (1), got 2");
  CHECK_FAILED_WITH(infer_status(pool(3, 2), Shape{35, 35, 192}), kInvalidModel, "input must be NHWC (rank 4)");
  CHECK_FAILED_WITH(infer_status(pool(3, 2), Shape{1, 35, 0, 192}), kInvalidModel, "dim 2 is 0");
  CHECK_FAILED_WITH(infer_status(pool(3, 2), Shape{-1, 35, 35, 192}), kInvalidModel, "dim 0 is -1");
  CHECK_FAILED_WITH(infer_status(pool(3, 2, true), Shape{1, 2, 35, 8}), kInvalidModel,
                    "window height 3 does not fit input height 2 plus padding 0 + 0");
  CHECK_FAILED_WITH(infer_status(pool(3, 2), Shape{1, 35, 1, 8}), kInvalidModel,
                    "window width 3 does not fit input width 1");
}

// The oracle: max over the kernel positions that land inside the image.
std::vector<float> max_pool_oracle(const MaxPoolCase& c, const Tensor& x, int oh, int ow) {
  const int N = c.in[0], H = c.in[1], W = c.in[2], C = c.in[3];
  std::vector<float> out;
  for (int n = 0; n < N; ++n)
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox)
        for (int ch = 0; ch < C; ++ch) {
          double best = -std::numeric_limits<double>::infinity();
          for (int ky = 0; ky < c.p.kernel.h; ++ky)
            for (int kx = 0; kx < c.p.kernel.w; ++kx) {
              const int iy = oy * c.p.stride.h + ky - c.p.pad.top, ix = ox * c.p.stride.w + kx - c.p.pad.left;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              best = std::fmax(best, x.data[((n * H + iy) * W + ix) * C + ch]);
            }
          if (c.p.activation == Activation::kRelu) best = std::fmax(best, 0.0);
          out.push_back(static_cast<float>(best));
        }
  return out;
}

TEST_CASE("max_pool2d: ref matches the direct formula on seeded random cases (ceil mode, asymmetric pads)") {
  Rng rng(0x3a7b001);
  for (int i = 0; i < 300; ++i) {
    const MaxPoolCase c = test::random_pool_case<MaxPool2DParams>(rng, 5);
    CAPTURE(c.describe());
    const Shape want = c.out_shape();  // PyTorch's formula (cases.h)
    Shape out_shape;
    REQUIRE(ops::max_pool2d_infer_shape(c.p, c.in, &out_shape).code() == StatusCode::kOk);
    REQUIRE(out_shape == want);
    // All-negative inputs, so a padded zero winning anywhere would show.
    const Tensor x = test::random_tensor(rng, c.in, -2.0f, -0.01f);
    const Tensor y = test::run_ref(ops::OpKind::kMaxPool2D, &c.p, {test::KernelInput::of(x)}, out_shape);
    CHECK(test::max_abs_diff(y.data, max_pool_oracle(c, x, want[1], want[2])) == 0.0f);
  }
}

// The pool on every kernel that takes it (dense, no pool): one output per kernel.
std::vector<std::pair<std::string, Tensor>> run(const MaxPool2DParams& p, const Tensor& x) {
  Shape out;
  REQUIRE(ops::max_pool2d_infer_shape(p, x.shape, &out).code() == StatusCode::kOk);
  return test::every_kernel_output(ops::OpKind::kMaxPool2D, &p, {test::KernelInput::of(x)}, out);
}

TEST_CASE("max_pool2d: hand-checked cases, on every kernel") {
  SUBCASE("2x2 stride 2 on 4x4") {
    Tensor x(Shape{1, 4, 4, 1});
    for (int i = 0; i < 16; ++i) x.data[i] = static_cast<float>(i + 1);
    for (const auto& [kernel_name, y] : run(pool(2, 2), x)) {
      const auto& kernel = kernel_name;  // a binding cannot be captured (CAPTURE) before C++20
      CAPTURE(kernel);
      CHECK(y.data == std::vector<float>{6, 8, 14, 16});
    }
  }
  SUBCASE("ceil mode clips the last windows to the image") {
    Tensor x(Shape{1, 5, 5, 1});
    for (int i = 0; i < 25; ++i) x.data[i] = static_cast<float>(i);
    Shape out;
    REQUIRE(ops::max_pool2d_infer_shape(pool(2, 2, true), x.shape, &out).code() == StatusCode::kOk);
    REQUIRE(out == Shape{1, 3, 3, 1});
    for (const auto& [kernel_name, y] : run(pool(2, 2, true), x)) {
      const auto& kernel = kernel_name;  // a binding cannot be captured (CAPTURE) before C++20
      CAPTURE(kernel);
      CHECK(y.data == std::vector<float>{6, 8, 9, 16, 18, 19, 21, 23, 24});
    }
  }
  SUBCASE("padding never wins, even over negative values; relu then clips") {
    Tensor in(Shape{1, 2, 2, 2});
    in.data = {-1, -8, -2, -7, -3, -6, -4, -5};  // channel 0: -1..-4, channel 1: -8..-5
    for (const auto& [kernel_name, y] : run(pool(3, 1, false, {1, 1, 1, 1}), in)) {
      const auto& kernel = kernel_name;  // a binding cannot be captured (CAPTURE) before C++20
      CAPTURE(kernel);
      CHECK(y.data == std::vector<float>{-1, -5, -1, -5, -1, -5, -1, -5});
    }
    MaxPool2DParams relu = pool(3, 1, false, {1, 1, 1, 1});
    relu.activation = Activation::kRelu;
    for (const auto& [kernel_name, y] : run(relu, in)) {
      const auto& kernel = kernel_name;  // a binding cannot be captured (CAPTURE) before C++20
      CAPTURE(kernel);
      CHECK(y.data == std::vector<float>(8, 0.0f));
    }
  }
  SUBCASE("a NaN in the window propagates, as in PyTorch (XNNPACK drops it: not held to this)") {
    Tensor x(Shape{1, 2, 2, 1});
    x.data = {1, std::nanf(""), 3, 4};
    for (const auto& [kernel_name, y] : run(pool(2, 2), x)) {
      const auto& kernel = kernel_name;  // a binding cannot be captured (CAPTURE) before C++20
      CAPTURE(kernel);
      if (kernel.find("_xnn") == std::string::npos) CHECK(std::isnan(y.data[0]));
    }
  }
}

}  // namespace
}  // namespace incept
