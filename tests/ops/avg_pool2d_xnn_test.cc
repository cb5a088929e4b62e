// SPDX-License-Identifier: Apache-2.0
// AvgPool2D on XNNPACK against the reference kernel: torchvision Inception-v3 branch pools (3x3 s1 p1
// counting padding), the aux 5x5 s3 pool, timm Inception-v4's pool excluding padding, seeded random
// cases (both count_include_pad modes, ceil_mode, pads, 1x1 windows, ReLU), strided views, a real
// 2-thread pthreadpool, and kUnsupported exactly where the header documents it.
#if INCEPT_WITH_XNNPACK
#include <doctest/doctest.h>
#include <pthreadpool.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "avg_pool2d/avg_pool2d_xnn.h"
#include "support/test_util.h"

namespace incept {
namespace {

using ops::Activation;
using ops::AvgPool2DParams;
using test::Rng;
using test::Tensor;

// XNNPACK may read (never write) XNN_EXTRA_BYTES past an input, so every input buffer carries that slack.
constexpr size_t kSlack = XNN_EXTRA_BYTES / sizeof(float);

// Tolerance per element: |xnn - ref| <= kTol * (1 + |ref|). Both sum at most 49 values in [-1, 1] and
// divide (XNNPACK multiplies by the rounded reciprocal), so they differ by a few ulp of the window
// sum over the window size: measured worst 1.2e-7 (INCEPT_XNN_STATS=1 prints it), so 1e-6 (8 eps)
// leaves 8x headroom. A wrong divisor or a counted pad is off by ~1/49 of a value, 2e4 times more.
constexpr float kTol = 1e-6f;

struct PoolCase {
  const char* name = "random";
  Shape in;
  AvgPool2DParams p;
  int32_t in_offset = -1, in_stride = 0;     // in_offset >= 0: channels [offset, offset + C) of in_stride
  int32_t out_offset = -1, out_stride = 0;   // likewise for the output
  std::string describe() const {
    char buf[320];
    std::snprintf(buf, sizeof(buf),
                  "%s: in %s k %dx%d s %dx%d pad t%d b%d l%d r%d ceil %d count_pad %d relu %d in %d/%d out %d/%d",
                  name, test::to_string(in).c_str(), p.kernel.h, p.kernel.w, p.stride.h, p.stride.w, p.pad.top,
                  p.pad.bottom, p.pad.left, p.pad.right, p.ceil_mode, p.count_include_pad,
                  p.activation == Activation::kRelu, in_offset, in_stride, out_offset, out_stride);
    return buf;
  }
};

AvgPool2DParams pool(int k, int s, ops::Pad2D pad = {}, bool count_include_pad = true, bool ceil_mode = false) {
  AvgPool2DParams p;
  p.kernel = {k, k};
  p.stride = {s, s};
  p.pad = pad;
  p.count_include_pad = count_include_pad;
  p.ceil_mode = ceil_mode;
  return p;
}

// The documented unsupported case, decided independently of the kernel: counting padding, some
// padding, and ceil rounding adding an output (so a window reaches past the padding).
bool expect_unsupported(const PoolCase& c) {
  const bool any_pad = c.p.pad.top + c.p.pad.bottom + c.p.pad.left + c.p.pad.right > 0;
  if (!c.p.count_include_pad || !any_pad || !c.p.ceil_mode) return false;
  AvgPool2DParams floor_p = c.p;
  floor_p.ceil_mode = false;
  Shape floor_out, ceil_out;
  REQUIRE(ops::avg_pool2d_infer_shape(floor_p, c.in, &floor_out).is_ok());
  REQUIRE(ops::avg_pool2d_infer_shape(c.p, c.in, &ceil_out).is_ok());
  return floor_out != ceil_out;
}

float g_worst = 0.0f;   // largest |xnn - ref| / (1 + |ref|), for INCEPT_XNN_STATS

// Returns false when create said kUnsupported (checked against expect_unsupported).
bool check_case(Rng& rng, const PoolCase& c, pthreadpool_t pool = nullptr) {
  CAPTURE(c.describe());
  Shape out_shape;
  const Status inferred = ops::avg_pool2d_infer_shape(c.p, c.in, &out_shape);
  REQUIRE_MESSAGE(inferred.is_ok(), inferred.message());
  const Tensor x = test::random_tensor(rng, c.in);
  Tensor ref(out_shape);
  ops::avg_pool2d_f32_ref(c.p, x.cview(), ref.view());

  std::vector<float> dense_in(x.data);
  dense_in.resize(dense_in.size() + kSlack);
  const bool strided_in = c.in_offset >= 0, strided_out = c.out_offset >= 0;
  const int32_t in_stride = strided_in ? c.in_stride : c.in[3];
  test::StridedTensor sliced_in(c.in, std::max(c.in_offset, 0), in_stride, std::nanf(""));
  sliced_in.copy_from(x);
  const ConstTensorView<float> in_view = strided_in ? sliced_in.cview() : dense_view<const float>(dense_in.data(), c.in);
  const int32_t out_stride = strided_out ? c.out_stride : out_shape[3];
  test::StridedTensor out(out_shape, std::max(c.out_offset, 0), out_stride, 12345.5f);

  ops::XnnOp op;
  const Status created = ops::avg_pool2d_f32_xnn_create(c.p, c.in, out_shape, in_stride, out_stride, &op);
  if (expect_unsupported(c)) {
    CHECK_FAILED_WITH(created, kUnsupported, "window reaching past the padding");
    return false;
  }
  REQUIRE_MESSAGE(created.is_ok(), created.message());
  const Status set = ops::avg_pool2d_f32_xnn_setup(c.p, op, in_view, out.view(), pool);
  REQUIRE_MESSAGE(set.is_ok(), set.message());
  const size_t live = ops::xnn_live_bytes();
  REQUIRE(xnn_run_operator(op.get(), pool) == xnn_status_success);
  CHECK(ops::xnn_live_bytes() == live);   // running allocates nothing

  const Tensor got = out.to_dense();
  float worst = 0.0f;
  for (size_t i = 0; i < got.data.size(); ++i) {
    const float rel = std::fabs(got.data[i] - ref.data[i]) / (1.0f + std::fabs(ref.data[i]));
    worst = std::isnan(rel) ? INFINITY : std::max(worst, rel);
  }
  CAPTURE(worst);
  CHECK(worst <= kTol);
  CHECK(out.outside_untouched());
  g_worst = std::max(g_worst, worst);
  return true;
}

std::vector<PoolCase> named_cases() {
  std::vector<PoolCase> v;
  auto add = [&](const char* name, Shape in, AvgPool2DParams p) {
    PoolCase c;
    c.name = name;
    c.in = in;
    c.p = p;
    v.push_back(c);
  };
  const ops::Pad2D p1{1, 1, 1, 1};
  add("v3 Mixed_5b branch_pool 3x3 s1 p1 35x35x192", {1, 35, 35, 192}, pool(3, 1, p1));
  add("v3 Mixed_5c branch_pool 35x35x256", {1, 35, 35, 256}, pool(3, 1, p1));
  add("v3 Mixed_6b branch_pool 17x17x768", {1, 17, 17, 768}, pool(3, 1, p1));
  add("v3 Mixed_7b branch_pool 8x8x1280", {1, 8, 8, 1280}, pool(3, 1, p1));
  add("v3 Mixed_7c branch_pool 8x8x2048", {1, 8, 8, 2048}, pool(3, 1, p1));
  add("v3 AuxLogits 5x5 s3 17->5", {1, 17, 17, 768}, pool(5, 3));
  add("timm v4 3x3 s1 p1 excluding padding 35x35x384", {1, 35, 35, 384}, pool(3, 1, p1, false));
  add("ceil, counting, no padding", {1, 8, 8, 16}, pool(3, 2, {}, true, true));
  add("ceil past the padding, excluding padding", {1, 4, 4, 3}, pool(3, 2, p1, false, true));
  add("ceil with padding but no extra window", {2, 9, 9, 5}, pool(3, 2, p1, true, true));
  return v;
}

PoolCase random_case(Rng& rng) {
  for (;;) {
    PoolCase c;
    c.p.kernel = rng.coin(0.1f) ? ops::Size2D{1, 1} : ops::Size2D{rng.uniform_int(1, 7), rng.uniform_int(1, 7)};
    c.p.stride = {rng.uniform_int(1, 3), rng.uniform_int(1, 3)};
    if (rng.coin(0.7f)) {
      c.p.pad = {rng.uniform_int(0, c.p.kernel.h - 1), rng.uniform_int(0, c.p.kernel.h - 1),
                 rng.uniform_int(0, c.p.kernel.w - 1), rng.uniform_int(0, c.p.kernel.w - 1)};
    }
    c.p.ceil_mode = rng.coin();
    c.p.count_include_pad = rng.coin();
    c.p.activation = rng.coin(0.3f) ? Activation::kRelu : Activation::kNone;
    c.in = {rng.uniform_int(1, 2), rng.uniform_int(1, 16), rng.uniform_int(1, 16), rng.uniform_int(1, 40)};
    if (rng.coin()) {   // >= 4 channels after an input slice keep XNNPACK's over-read inside the buffer
      c.in_offset = rng.uniform_int(0, 5);
      c.in_stride = c.in_offset + c.in[3] + rng.uniform_int(4, 9);
    }
    if (rng.coin()) {
      c.out_offset = rng.uniform_int(0, 5);
      c.out_stride = c.out_offset + c.in[3] + rng.uniform_int(0, 9);
    }
    Shape out;
    if (ops::avg_pool2d_infer_shape(c.p, c.in, &out).is_ok()) return c;
  }
}

TEST_CASE("avg_pool2d xnn: matches ref on torchvision Inception-v3 and timm Inception-v4 pools") {
  Rng rng(0xa7a001);
  for (const PoolCase& c : named_cases()) CHECK(check_case(rng, c));
}

TEST_CASE("avg_pool2d xnn: matches ref on seeded random cases, kUnsupported exactly where documented") {
  Rng rng(0xa7a002);
  int ran = 0, unsupported = 0;
  for (int i = 0; i < 100; ++i) (check_case(rng, random_case(rng)) ? ran : unsupported)++;
  CHECK(ran >= 70);
  CHECK(unsupported >= 3);   // the draw reaches the refused case too
  if (std::getenv("INCEPT_XNN_STATS") != nullptr) {
    std::printf("avg_pool2d_xnn: %d ran, %d unsupported, worst |xnn - ref| / (1 + |ref|) = %.3g\n", ran,
                unsupported, g_worst);
  }
}

TEST_CASE("avg_pool2d xnn: a 2-thread pthreadpool gives the same result") {
  pthreadpool_t pool = pthreadpool_create(2);
  REQUIRE(pool != nullptr);
  Rng rng(0xa7a003);
  const std::vector<PoolCase> named = named_cases();
  check_case(rng, named[0], pool);
  check_case(rng, named[5], pool);
  check_case(rng, named[6], pool);
  for (int i = 0; i < 12; ++i) check_case(rng, random_case(rng), pool);
  pthreadpool_destroy(pool);
}

TEST_CASE("avg_pool2d xnn: counting padding with a ceil window past the padding is kUnsupported") {
  // 4x4, 3x3 s2 p1 ceil: PyTorch gives 3x3 outputs; the last window covers rows 3..5 of the padded
  // range [-1, 5), so it is clipped to 2 rows and divides by 6, not 9: a depthwise conv cannot know.
  ops::XnnOp op;
  CHECK_FAILED_WITH(ops::avg_pool2d_f32_xnn_create(pool(3, 2, {1, 1, 1, 1}, true, true), {1, 4, 4, 3}, {1, 3, 3, 3}, 3,
                                                   3, &op),
                    kUnsupported, "count_include_pad with padding 1/1/1/1 and ceil rounding");
  CHECK(op.get() == nullptr);
  CHECK_FAILED_WITH(ops::avg_pool2d_f32_xnn_create(pool(3, 1), {1, 5, 5, 8}, {1, 3, 3, 8}, 7, 8, &op),
                    kInvalidArgument, "pixel strides 7 (input) and 8 (output) must be >= the channel count 8");
}

}  // namespace
}  // namespace incept
#endif  // INCEPT_WITH_XNNPACK
