// SPDX-License-Identifier: Apache-2.0
// AvgPool2D: shape inference on real Inception pools and bad params; the reference kernel, run through the
// registry, against a direct formula for both count_include_pad modes (incl. ceil mode); hand-checked cases
// on every kernel. (Strided views and the fast kernels: avg_pool2d_conformance_test.cc.)
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "avg_pool2d/avg_pool2d.h"
#include "support/cases.h"
#include "support/kernel_runner.h"

namespace incept {
namespace {

using ops::Activation;
using ops::AvgPool2DParams;
using test::AvgPoolCase;
using test::Rng;
using test::Tensor;

AvgPool2DParams pool(int k, int s, ops::Pad2D pad = {}, bool count_include_pad = true, bool ceil_mode = false) {
  AvgPool2DParams p;
  p.kernel = {k, k};
  p.stride = {s, s};
  p.pad = pad;
  p.count_include_pad = count_include_pad;
  p.ceil_mode = ceil_mode;
  return p;
}

Shape infer(const AvgPool2DParams& p, const Shape& in) {
  Shape out;
  const Status s = ops::avg_pool2d_infer_shape(p, in, &out);
  CHECK_MESSAGE(s.code() == StatusCode::kOk, std::string(s.message()));
  return out;
}

Status infer_status(const AvgPool2DParams& p, const Shape& in) {
  Shape out;
  return ops::avg_pool2d_infer_shape(p, in, &out);
}

TEST_CASE("avg_pool2d: shape inference on Inception-v3 / v4 pools") {
  const ops::Pad2D p1{1, 1, 1, 1};
  CHECK(infer(pool(3, 1, p1), {1, 35, 35, 192}) == Shape{1, 35, 35, 192});         // Mixed_5b branch_pool
  CHECK(infer(pool(3, 1, p1), {1, 17, 17, 768}) == Shape{1, 17, 17, 768});         // Mixed_6b..6e
  CHECK(infer(pool(3, 1, p1), {1, 8, 8, 2048}) == Shape{1, 8, 8, 2048});           // Mixed_7c
  CHECK(infer(pool(5, 3), {1, 17, 17, 768}) == Shape{1, 5, 5, 768});               // AuxLogits
  CHECK(infer(pool(3, 1, p1, false), {1, 35, 35, 384}) == Shape{1, 35, 35, 384});  // timm v4, excl. pad
  CHECK(infer(pool(3, 2, p1, true, true), {1, 4, 4, 1}) == Shape{1, 3, 3, 1});     // ceil past the padding
}

TEST_CASE("avg_pool2d: bad params and shapes are rejected with a message naming the problem") {
  AvgPool2DParams zero_stride = pool(3, 1);
  zero_stride.stride = {0, 1};
  AvgPool2DParams bad_act = pool(3, 1);
  bad_act.activation = static_cast<Activation>(9);
  const Shape in{1, 35, 35, 192};
  CHECK_FAILED_WITH(infer_status(zero_stride, in), kInvalidModel, "AvgPool2D: stride must be >= 1x1, got 0x1");
  CHECK_FAILED_WITH(infer_status(pool(0, 1), in), kInvalidModel, "AvgPool2D: kernel must be >= 1x1, got 0x0");
  CHECK_FAILED_WITH(infer_status(pool(3, 1, {-1, 0, 0, 0}), in), kInvalidModel, "padding must be >= 0");
  CHECK_FAILED_WITH(infer_status(pool(3, 1, {0, 4, 0, 0}), in), kInvalidModel,
                    "padding top 0 / bottom 4 must be smaller than the kernel's height span 3");
  CHECK_FAILED_WITH(infer_status(bad_act, in), kInvalidModel, "activation must be NONE (0) or RELU (1), got 9");
  CHECK_FAILED_WITH(infer_status(pool(3, 1), Shape{1, 35, 35}), kInvalidModel, "got rank 3");
  CHECK_FAILED_WITH(infer_status(pool(3, 1), Shape{1, 35, 35, 0}), kInvalidModel, "dim 3 is 0");
  CHECK_FAILED_WITH(infer_status(pool(5, 3), Shape{1, 4, 4, 8}), kInvalidModel,
                    "window height 5 does not fit input height 4 plus padding 0 + 0");
}

// The oracle, in double, element by element: a kernel position inside the padded image counts for
// count_include_pad; one inside the image adds its value and counts for the other mode.
std::vector<double> avg_pool_oracle(const AvgPoolCase& c, const Tensor& x, int oh, int ow) {
  const int N = c.in[0], H = c.in[1], W = c.in[2], C = c.in[3];
  const AvgPool2DParams& p = c.p;
  std::vector<double> out;
  for (int n = 0; n < N; ++n)
    for (int oy = 0; oy < oh; ++oy)
      for (int ox = 0; ox < ow; ++ox)
        for (int ch = 0; ch < C; ++ch) {
          double sum = 0;
          int in_padded = 0, in_image = 0;
          for (int ky = 0; ky < p.kernel.h; ++ky)
            for (int kx = 0; kx < p.kernel.w; ++kx) {
              const int iy = oy * p.stride.h + ky - p.pad.top, ix = ox * p.stride.w + kx - p.pad.left;
              if (iy >= -p.pad.top && iy < H + p.pad.bottom && ix >= -p.pad.left && ix < W + p.pad.right) ++in_padded;
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              ++in_image;
              sum += x.data[((n * H + iy) * W + ix) * C + ch];
            }
          double v = sum / (p.count_include_pad ? in_padded : in_image);
          if (p.activation == Activation::kRelu && v < 0) v = 0;
          out.push_back(v);
        }
  return out;
}

TEST_CASE("avg_pool2d: ref matches the direct formula on seeded random cases (both pad modes, ceil mode)") {
  Rng rng(0xa7a7);
  for (int i = 0; i < 300; ++i) {
    const AvgPoolCase c = test::random_pool_case<AvgPool2DParams>(rng, 5);
    CAPTURE(c.describe());
    const Shape want = c.out_shape();  // PyTorch's formula (cases.h)
    Shape out_shape;
    REQUIRE(ops::avg_pool2d_infer_shape(c.p, c.in, &out_shape).code() == StatusCode::kOk);
    REQUIRE(out_shape == want);
    const Tensor x = test::random_tensor(rng, c.in);
    const Tensor y = test::run_ref(ops::OpKind::kAvgPool2D, &c.p, {test::KernelInput::of(x)}, out_shape);
    const std::vector<double> ref = avg_pool_oracle(c, x, want[1], want[2]);
    int bad = 0;
    for (size_t k = 0; k < ref.size(); ++k) {
      if (!(std::fabs(y.data[k] - ref[k]) <= 1e-6 * (1.0 + std::fabs(ref[k])))) ++bad;
    }
    CHECK(bad == 0);
  }
}

// Every kernel that takes the pool, on a 1-channel input, gives `want` (within 1e-6).
void check_every_kernel(const AvgPool2DParams& p, const Tensor& x, const std::vector<float>& want) {
  Shape out;
  REQUIRE(ops::avg_pool2d_infer_shape(p, x.shape, &out).code() == StatusCode::kOk);
  const auto outputs = test::every_kernel_output(ops::OpKind::kAvgPool2D, &p, {test::KernelInput::of(x)}, out);
  for (const auto& [kernel_name, y] : outputs) {
    const auto& kernel = kernel_name;  // a binding cannot be captured (CAPTURE) before C++20
    CAPTURE(kernel);
    CHECK(test::max_abs_diff(y.data, want) <= 1e-6f);
  }
}

TEST_CASE("avg_pool2d: hand-checked 3x3 stride 1 pad 1 on 1..9, with and without counting padding, on every kernel") {
  Tensor x(Shape{1, 3, 3, 1});
  for (int i = 0; i < 9; ++i) x.data[i] = static_cast<float>(i + 1);
  // Window sums: corners 12/16/24/28, edges 21/27/33/39, centre 45.
  const std::vector<float> incl = {12 / 9.f, 21 / 9.f, 16 / 9.f, 27 / 9.f, 5, 33 / 9.f, 24 / 9.f, 39 / 9.f, 28 / 9.f};
  const std::vector<float> excl = {3, 3.5f, 4, 4.5f, 5, 5.5f, 6, 6.5f, 7};  // corners /4, edges /6, centre /9
  check_every_kernel(pool(3, 1, {1, 1, 1, 1}, true), x, incl);
  check_every_kernel(pool(3, 1, {1, 1, 1, 1}, false), x, excl);
}

TEST_CASE("avg_pool2d: hand-checked ceil mode, where the last window reaches past the padding, on every kernel") {
  // 4x4 input 1..16, kernel 3, stride 2, pad 1, ceil: rows/cols windows [-1, 2), [1, 4), [3, 6) -> the last
  // is clipped to the padded input [3, 5): 2 positions (PyTorch's divisor), 1 of them in the image.
  Tensor x(Shape{1, 4, 4, 1});
  for (int i = 0; i < 16; ++i) x.data[i] = static_cast<float>(i + 1);
  const std::vector<float> incl = {14 / 9.f, 30 / 9.f, 2, 57 / 9.f, 11, 6, 4.5f, 7.5f, 4};
  const std::vector<float> excl = {3.5f, 5, 6, 9.5f, 11, 12, 13.5f, 15, 16};
  check_every_kernel(pool(3, 2, {1, 1, 1, 1}, true, true), x, incl);  // XNNPACK declines this one
  check_every_kernel(pool(3, 2, {1, 1, 1, 1}, false, true), x, excl);
}

TEST_CASE("avg_pool2d: relu after averaging, on every kernel") {
  Tensor x(Shape{1, 2, 2, 1});
  x.data = {-4, 1, 1, 1};
  AvgPool2DParams p = pool(2, 1);
  check_every_kernel(p, x, {-0.25f});
  p.activation = Activation::kRelu;
  check_every_kernel(p, x, {0.0f});
}

}  // namespace
}  // namespace incept
