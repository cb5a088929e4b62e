// SPDX-License-Identifier: Apache-2.0
// MaxPool2D on XNNPACK against the reference kernel, which it must match bit for bit (a max involves
// no rounding): torchvision GoogLeNet (ceil_mode) and Inception-v3 pools at full size, seeded random
// cases (windows 1..7 including 1x1, strides 1..3, pads, ceil_mode, ReLU), all-negative inputs (so a
// padded zero winning would show), strided views, and a real 2-thread pthreadpool.
#if INCEPT_WITH_XNNPACK
#include <doctest/doctest.h>
#include <pthreadpool.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "max_pool2d/max_pool2d_xnn.h"
#include "support/test_util.h"

namespace incept {
namespace {

using ops::Activation;
using ops::MaxPool2DParams;
using test::Rng;
using test::Tensor;

// XNNPACK may read (never write) XNN_EXTRA_BYTES past an input, so every input buffer carries that slack.
constexpr size_t kSlack = XNN_EXTRA_BYTES / sizeof(float);

struct PoolCase {
  const char* name = "random";
  Shape in;
  MaxPool2DParams p;
  bool negative = false;   // inputs in [-2, -1] instead of [-1, 1]
  int32_t out_offset = -1, out_stride = 0;   // out_offset >= 0: write channels [offset, offset + C) of out_stride
  int32_t in_offset = -1, in_stride = 0;     // likewise for the input
  std::string describe() const {
    char buf[320];
    std::snprintf(buf, sizeof(buf),
                  "%s: in %s k %dx%d s %dx%d pad t%d b%d l%d r%d ceil %d relu %d negative %d in %d/%d out %d/%d", name,
                  test::to_string(in).c_str(), p.kernel.h, p.kernel.w, p.stride.h, p.stride.w, p.pad.top,
                  p.pad.bottom, p.pad.left, p.pad.right, p.ceil_mode, p.activation == Activation::kRelu, negative,
                  in_offset, in_stride, out_offset, out_stride);
    return buf;
  }
};

MaxPool2DParams pool(int k, int s, ops::Pad2D pad = {}, bool ceil_mode = false) {
  MaxPool2DParams p;
  p.kernel = {k, k};
  p.stride = {s, s};
  p.pad = pad;
  p.ceil_mode = ceil_mode;
  return p;
}

void check_case(Rng& rng, const PoolCase& c, pthreadpool_t pool = nullptr) {
  CAPTURE(c.describe());
  Shape out_shape;
  const Status inferred = ops::max_pool2d_infer_shape(c.p, c.in, &out_shape);
  REQUIRE_MESSAGE(inferred.is_ok(), inferred.message());
  const Tensor x = c.negative ? test::random_tensor(rng, c.in, -2.0f, -1.0f) : test::random_tensor(rng, c.in);
  Tensor ref(out_shape);
  ops::max_pool2d_f32_ref(c.p, x.cview(), ref.view());

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
  const Status created = ops::max_pool2d_f32_xnn_create(c.p, c.in, out_shape, in_stride, out_stride, &op);
  REQUIRE_MESSAGE(created.is_ok(), created.message());
  const Status set = ops::max_pool2d_f32_xnn_setup(c.p, op, in_view, out.view(), pool);
  REQUIRE_MESSAGE(set.is_ok(), set.message());
  const size_t live = ops::xnn_live_bytes();
  REQUIRE(xnn_run_operator(op.get(), pool) == xnn_status_success);
  CHECK(ops::xnn_live_bytes() == live);   // running allocates nothing
  CHECK(test::max_abs_diff(out.to_dense().data, ref.data) == 0.0f);
  CHECK(out.outside_untouched());
}

std::vector<PoolCase> named_cases() {
  std::vector<PoolCase> v;
  auto add = [&](const char* name, Shape in, MaxPool2DParams p, int32_t out_offset = -1, int32_t out_stride = 0) {
    PoolCase c;
    c.name = name;
    c.in = in;
    c.p = p;
    c.out_offset = out_offset;
    c.out_stride = out_stride;
    v.push_back(c);
    c.negative = true;
    v.push_back(c);
  };
  const ops::Pad2D p1{1, 1, 1, 1};
  add("GoogLeNet maxpool1 3x3 s2 ceil 112->56", {1, 112, 112, 64}, pool(3, 2, {}, true));
  add("GoogLeNet maxpool2 3x3 s2 ceil 56->28", {1, 56, 56, 192}, pool(3, 2, {}, true));
  add("GoogLeNet maxpool3 3x3 s2 ceil 28->14", {1, 28, 28, 480}, pool(3, 2, {}, true));
  add("GoogLeNet maxpool4 2x2 s2 ceil 14->7", {1, 14, 14, 832}, pool(2, 2, {}, true));
  add("GoogLeNet inception3a branch4 3x3 s1 p1 ceil", {1, 28, 28, 192}, pool(3, 1, p1, true));
  add("v3 maxpool1 3x3 s2 147->73", {1, 147, 147, 64}, pool(3, 2));
  add("v3 maxpool2 3x3 s2 71->35", {1, 71, 71, 192}, pool(3, 2));
  add("v3 Mixed_6a branch_pool 35->17 (concat slice)", {1, 35, 35, 288}, pool(3, 2), 480, 768);
  add("v3 Mixed_7a branch_pool 17->8 (concat slice)", {1, 17, 17, 768}, pool(3, 2), 512, 1280);
  add("ceil window past the padding", {1, 4, 4, 3}, pool(3, 2, p1, true));
  return v;
}

PoolCase random_case(Rng& rng) {
  for (;;) {
    PoolCase c;
    c.p.kernel = rng.coin(0.1f) ? ops::Size2D{1, 1} : ops::Size2D{rng.uniform_int(1, 7), rng.uniform_int(1, 7)};
    c.p.stride = {rng.uniform_int(1, 3), rng.uniform_int(1, 3)};
    c.p.pad = {rng.uniform_int(0, c.p.kernel.h - 1), rng.uniform_int(0, c.p.kernel.h - 1),
               rng.uniform_int(0, c.p.kernel.w - 1), rng.uniform_int(0, c.p.kernel.w - 1)};
    c.p.ceil_mode = rng.coin();
    c.p.activation = rng.coin(0.3f) ? Activation::kRelu : Activation::kNone;
    c.in = {rng.uniform_int(1, 2), rng.uniform_int(1, 16), rng.uniform_int(1, 16), rng.uniform_int(1, 40)};
    c.negative = rng.coin();
    if (rng.coin()) {   // >= 4 channels after an input slice keep XNNPACK's over-read inside the buffer
      c.in_offset = rng.uniform_int(0, 5);
      c.in_stride = c.in_offset + c.in[3] + rng.uniform_int(4, 9);
    }
    if (rng.coin()) {
      c.out_offset = rng.uniform_int(0, 5);
      c.out_stride = c.out_offset + c.in[3] + rng.uniform_int(0, 9);
    }
    Shape out;
    if (ops::max_pool2d_infer_shape(c.p, c.in, &out).is_ok()) return c;
  }
}

TEST_CASE("max_pool2d xnn: bit-exact on torchvision GoogLeNet and Inception-v3 pools, incl. all-negative inputs") {
  Rng rng(0x3a9001);
  for (const PoolCase& c : named_cases()) check_case(rng, c);
}

TEST_CASE("max_pool2d xnn: bit-exact on seeded random cases (ceil_mode, pads, 1x1 windows, strided views)") {
  Rng rng(0x3a9002);
  int ceil_extended = 0;   // cases where ceil rounding adds a window that XNNPACK needs extra padding for
  for (int i = 0; i < 80; ++i) {
    const PoolCase c = random_case(rng);
    Shape floor_out, out;
    MaxPool2DParams floor_p = c.p;
    floor_p.ceil_mode = false;
    REQUIRE(ops::max_pool2d_infer_shape(c.p, c.in, &out).is_ok());
    if (ops::max_pool2d_infer_shape(floor_p, c.in, &floor_out).is_ok() && floor_out != out) ++ceil_extended;
    check_case(rng, c);
  }
  CHECK(ceil_extended >= 5);   // the draw really exercises the extra-padding path
}

TEST_CASE("max_pool2d xnn: a 2-thread pthreadpool gives the same result") {
  pthreadpool_t pool = pthreadpool_create(2);
  REQUIRE(pool != nullptr);
  Rng rng(0x3a9003);
  for (const PoolCase& c : named_cases()) {
    if (std::string(c.name).find("GoogLeNet") != std::string::npos) check_case(rng, c, pool);
  }
  for (int i = 0; i < 12; ++i) check_case(rng, random_case(rng), pool);
  pthreadpool_destroy(pool);
}

TEST_CASE("max_pool2d xnn: a 1x1 stride-2 window (which XNNPACK's pooling refuses) is a subsample") {
  PoolCase c;
  c.name = "1x1 s2";
  c.in = {1, 9, 8, 5};
  c.p = pool(1, 2, {}, true);
  Rng rng(0x3a9004);
  check_case(rng, c);
  c.p.activation = Activation::kRelu;
  check_case(rng, c);
}

TEST_CASE("max_pool2d xnn: a pixel stride below the channel count is rejected, not a crash") {
  ops::XnnOp op;
  CHECK_FAILED_WITH(ops::max_pool2d_f32_xnn_create(pool(3, 2), {1, 9, 9, 8}, {1, 4, 4, 8}, 8, 6, &op), kInvalidArgument,
                    "pixel strides 8 (input) and 6 (output) must be >= the channel count 8");
  CHECK(op.get() == nullptr);
}

}  // namespace
}  // namespace incept
#endif  // INCEPT_WITH_XNNPACK
