// SPDX-License-Identifier: Apache-2.0
// Conv2D on XNNPACK against the reference kernel: torchvision GoogLeNet / Inception-v3 layers at full
// size, seeded random cases (kernel, stride, dilation, asymmetric pads, groups, bias, ReLU), strided
// input and output views (concat slices), a real 2-thread pthreadpool, and a refused create.
#if INCEPT_WITH_XNNPACK
#include <doctest/doctest.h>
#include <pthreadpool.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "conv2d/conv2d_xnn.h"
#include "support/test_util.h"

namespace incept {
namespace {

using ops::Activation;
using ops::Conv2DParams;
using test::Rng;
using test::Tensor;

// XNNPACK may read (never write) XNN_EXTRA_BYTES past an input, so every input buffer carries that slack.
constexpr size_t kSlack = XNN_EXTRA_BYTES / sizeof(float);

struct ConvCase {
  const char* name = "random";
  Shape in;
  Conv2DParams p;
  int32_t out_c = 1;
  bool bias = true;
  std::string describe() const {
    char buf[320];
    std::snprintf(buf, sizeof(buf), "%s: in %s O %d k %dx%d s %dx%d d %dx%d pad t%d b%d l%d r%d g %d relu %d bias %d",
                  name, test::to_string(in).c_str(), out_c, p.kernel.h, p.kernel.w, p.stride.h, p.stride.w,
                  p.dilation.h, p.dilation.w, p.pad.top, p.pad.bottom, p.pad.left, p.pad.right, p.groups,
                  p.activation == Activation::kRelu, bias);
    return buf;
  }
};

// Where the views live: dense, or channels [offset, offset + C) of a wider tensor (a concat slice).
struct Layout {
  int32_t in_offset = -1, in_extra = 0;     // in_offset < 0: dense input
  int32_t out_offset = -1, out_extra = 0;   // out_offset < 0: dense output
};

Conv2DParams conv(int kh, int kw, int stride = 1, ops::Pad2D pad = {}, int groups = 1) {
  Conv2DParams p;
  p.kernel = {kh, kw};
  p.stride = {stride, stride};
  p.pad = pad;
  p.groups = groups;
  p.activation = Activation::kRelu;   // every torchvision conv is followed by (folded BN and) ReLU
  return p;
}

// Tolerance, measured and derived: both kernels sum K = kH * kW * C/groups products of values in
// [-1, 1] in float, in different orders (XNNPACK blocks the sum and uses FMA). The rounding error of
// such a sum grows like sqrt(K) * eps * (size of the partial sums), and the partial sums are of the
// order of the largest output, so the bound is 2.5e-7 * sqrt(K) * (1 + max|ref|), about 2 eps per
// sqrt(K). Measured (INCEPT_XNN_STATS=1 prints every case): the worst case uses a fifth of it.
// A real bug (a wrong tap, pad or weight) is off by O(1), far above it.
float conv_tolerance(const ConvCase& c, const Tensor& ref) {
  float max_ref = 0.0f;
  for (float v : ref.data) max_ref = std::max(max_ref, std::fabs(v));
  const double k = static_cast<double>(c.p.kernel.h) * c.p.kernel.w * (c.in[3] / c.p.groups);
  return static_cast<float>(2.5e-7 * std::sqrt(k) * (1.0 + max_ref));
}

float g_worst_ratio = 0.0f;   // largest error / tolerance seen, for INCEPT_XNN_STATS

// Runs `c` through the reference kernel (dense) and through XNNPACK with the given layout and pool,
// and checks that they agree and that XNNPACK wrote nothing outside its output slice.
void check_case(Rng& rng, const ConvCase& c, const Layout& l, pthreadpool_t pool = nullptr) {
  CAPTURE(c.describe());
  CAPTURE(l.in_offset);
  CAPTURE(l.out_offset);
  const Shape wshape{c.out_c, c.p.kernel.h, c.p.kernel.w, c.in[3] / c.p.groups};
  const Shape bshape{c.out_c};
  Shape out_shape;
  const Status inferred = ops::conv2d_infer_shape(c.p, c.in, wshape, c.bias ? &bshape : nullptr, &out_shape);
  REQUIRE_MESSAGE(inferred.is_ok(), inferred.message());
  const Tensor x = test::random_tensor(rng, c.in), w = test::random_tensor(rng, wshape);
  const Tensor b = test::random_tensor(rng, bshape);
  const float* bias = c.bias ? b.data.data() : nullptr;
  Tensor ref(out_shape);
  ops::conv2d_f32_ref(c.p, x.cview(), w.data.data(), bias, ref.view());

  // Input: dense with slack, or a slice whose neighbours are NaN (reading one into a sum shows).
  std::vector<float> dense_in(x.data);
  dense_in.resize(dense_in.size() + kSlack);
  const int32_t in_stride = l.in_offset < 0 ? c.in[3] : l.in_offset + c.in[3] + l.in_extra;
  test::StridedTensor strided_in(c.in, std::max(l.in_offset, 0), in_stride, std::nanf(""));
  strided_in.copy_from(x);
  const ConstTensorView<float> in_view =
      l.in_offset < 0 ? dense_view<const float>(dense_in.data(), c.in) : strided_in.cview();
  const int32_t out_stride = l.out_offset < 0 ? out_shape[3] : l.out_offset + out_shape[3] + l.out_extra;
  test::StridedTensor out(out_shape, std::max(l.out_offset, 0), out_stride, 12345.5f);

  ops::XnnOp op;
  const Status created = ops::conv2d_f32_xnn_create(c.p, c.in, out_shape, in_stride, out_stride, w.data.data(),
                                                    bias, &op);
  REQUIRE_MESSAGE(created.is_ok(), created.message());
  const Status set = ops::conv2d_f32_xnn_setup(c.p, op, in_view, out.view(), pool);
  REQUIRE_MESSAGE(set.is_ok(), set.message());
  const size_t live = ops::xnn_live_bytes();
  REQUIRE(xnn_run_operator(op.get(), pool) == xnn_status_success);
  CHECK(ops::xnn_live_bytes() == live);   // running allocates nothing

  const Tensor got = out.to_dense();
  const float err = test::max_abs_diff(got.data, ref.data), tol = conv_tolerance(c, ref);
  CAPTURE(err);
  CAPTURE(tol);
  CHECK(err <= tol);
  CHECK(out.outside_untouched());
  g_worst_ratio = std::max(g_worst_ratio, err / tol);
  if (std::getenv("INCEPT_XNN_STATS") != nullptr) {
    std::printf("conv2d_xnn %-70.70s err %.3g tol %.3g ratio %.3f\n", c.describe().c_str(), err, tol, err / tol);
  }
}

// Full-size layers of torchvision's GoogLeNet and Inception-v3, with the concat slice each branch
// writes into (offset into the module's output channels) where there is one.
struct NamedConv {
  ConvCase c;
  Layout l;
};
std::vector<NamedConv> named_cases() {
  std::vector<NamedConv> v;
  auto add = [&](const char* name, Shape in, Conv2DParams p, int out_c, Layout l = {}) {
    ConvCase c;
    c.name = name;
    c.in = in;
    c.p = p;
    c.out_c = out_c;
    v.push_back({c, l});
  };
  add("v3 Conv2d_1a 3x3 s2", {1, 299, 299, 3}, conv(3, 3, 2), 32);
  add("v3 Mixed_5b branch1x1", {1, 35, 35, 192}, conv(1, 1), 64, {-1, 0, 0, 192});
  add("v3 Mixed_5b branch5x5_2", {1, 35, 35, 48}, conv(5, 5, 1, {2, 2, 2, 2}), 64, {-1, 0, 64, 128});
  add("v3 Mixed_5b branch3x3dbl_2", {1, 35, 35, 64}, conv(3, 3, 1, {1, 1, 1, 1}), 96, {-1, 0, 128, 32});
  add("v3 Mixed_6a branch3x3dbl_3 3x3 s2 35->17", {1, 35, 35, 96}, conv(3, 3, 2), 96, {-1, 0, 384, 288});
  add("v3 Mixed_6b branch7x7_2 1x7", {1, 17, 17, 128}, conv(1, 7, 1, {0, 0, 3, 3}), 128);
  add("v3 Mixed_6b branch7x7_3 7x1", {1, 17, 17, 128}, conv(7, 1, 1, {3, 3, 0, 0}), 192, {-1, 0, 192, 384});
  add("v3 Mixed_6c branch7x7dbl_2 7x1", {1, 17, 17, 160}, conv(7, 1, 1, {3, 3, 0, 0}), 160);
  add("v3 Mixed_7b branch3x3_2a 1x3", {1, 8, 8, 384}, conv(1, 3, 1, {0, 0, 1, 1}), 384, {-1, 0, 320, 1344});
  add("v3 Mixed_7c branch1x1 on 8x8x2048", {1, 8, 8, 2048}, conv(1, 1), 320, {-1, 0, 0, 1728});
  add("GoogLeNet conv1 7x7 s2 p3", {1, 224, 224, 3}, conv(7, 7, 2, {3, 3, 3, 3}), 64);
  add("GoogLeNet inception3a branch3 3x3", {1, 28, 28, 96}, conv(3, 3, 1, {1, 1, 1, 1}), 128, {-1, 0, 64, 64});
  ConvCase fc_like;   // the classifier as a 1x1 conv on the pooled vector, without ReLU or bias
  fc_like.name = "1x1 on 1x1x1024, no bias, no relu";
  fc_like.in = {1, 1, 1, 1024};
  fc_like.p = conv(1, 1);
  fc_like.p.activation = Activation::kNone;
  fc_like.out_c = 1000;
  fc_like.bias = false;
  v.push_back({fc_like, {}});
  return v;
}

int out_len(int in, int k, int s, int d, int pa, int pb) {
  const int room = in + pa + pb - d * (k - 1) - 1;
  return room < 0 ? 0 : room / s + 1;
}

ConvCase random_case(Rng& rng) {
  for (;;) {
    ConvCase c;
    const int kind = rng.uniform_int(0, 5);   // 0..2: groups 1; 3: 2..4 groups; 4: depthwise; 5: depthwise x2
    const int groups = kind <= 2 ? 1 : kind == 3 ? rng.uniform_int(2, 4) : rng.uniform_int(1, 24);
    c.p.groups = groups;
    c.p.kernel = {rng.uniform_int(1, 7), rng.uniform_int(1, 7)};
    c.p.stride = {rng.uniform_int(1, 3), rng.uniform_int(1, 3)};
    c.p.dilation = {rng.coin(0.2f) ? rng.uniform_int(2, 3) : 1, rng.coin(0.2f) ? rng.uniform_int(2, 3) : 1};
    const int span_h = c.p.dilation.h * (c.p.kernel.h - 1) + 1, span_w = c.p.dilation.w * (c.p.kernel.w - 1) + 1;
    c.p.pad = {rng.uniform_int(0, span_h - 1), rng.uniform_int(0, span_h - 1), rng.uniform_int(0, span_w - 1),
               rng.uniform_int(0, span_w - 1)};
    c.p.activation = rng.coin() ? Activation::kRelu : Activation::kNone;
    const int group_in = kind >= 4 ? 1 : rng.uniform_int(1, 24);
    const int group_out = kind == 4 ? 1 : kind == 5 ? 2 : rng.uniform_int(1, 24);
    c.in = {rng.uniform_int(1, 2), rng.uniform_int(1, 20), rng.uniform_int(1, 20), groups * group_in};
    c.out_c = groups * group_out;
    c.bias = rng.coin(0.8f);
    if (out_len(c.in[1], c.p.kernel.h, c.p.stride.h, c.p.dilation.h, c.p.pad.top, c.p.pad.bottom) >= 1 &&
        out_len(c.in[2], c.p.kernel.w, c.p.stride.w, c.p.dilation.w, c.p.pad.left, c.p.pad.right) >= 1)
      return c;
  }
}

// Layout i of 4: dense, strided in, strided out, both. Strided inputs keep >= 4 channels after the
// slice so XNNPACK's over-read stays inside the buffer.
Layout layout(Rng& rng, int i) {
  Layout l;
  if (i & 1) {
    l.in_offset = rng.uniform_int(0, 5);
    l.in_extra = rng.uniform_int(4, 9);
  }
  if (i & 2) {
    l.out_offset = rng.uniform_int(0, 5);
    l.out_extra = rng.uniform_int(0, 9);
  }
  return l;
}

TEST_CASE("conv2d xnn: matches ref on torchvision GoogLeNet and Inception-v3 layers") {
  Rng rng(0xc0417a);
  for (const NamedConv& n : named_cases()) check_case(rng, n.c, n.l);
}

TEST_CASE("conv2d xnn: matches ref on seeded random cases, dense and strided views") {
  Rng rng(0xc0417b);
  for (int i = 0; i < 60; ++i) {
    const ConvCase c = random_case(rng);
    check_case(rng, c, layout(rng, i % 4));
  }
  if (std::getenv("INCEPT_XNN_STATS") != nullptr) std::printf("conv2d_xnn worst err/tol %.3f\n", g_worst_ratio);
}

TEST_CASE("conv2d xnn: a 2-thread pthreadpool gives the same result") {
  pthreadpool_t pool = pthreadpool_create(2);
  REQUIRE(pool != nullptr);
  Rng rng(0xc0417c);
  for (const NamedConv& n : named_cases()) {
    if (std::string(n.c.name).find("Mixed_5b") != std::string::npos) check_case(rng, n.c, n.l, pool);
  }
  for (int i = 0; i < 12; ++i) check_case(rng, random_case(rng), layout(rng, i % 4), pool);
  pthreadpool_destroy(pool);
}

TEST_CASE("conv2d xnn: a refused create is kUnsupported with XNNPACK's reason, not a crash") {
  // Output pixel stride below the channel count is a caller bug; XNNPACK itself is never asked.
  ops::XnnOp op;
  const Conv2DParams p = conv(3, 3, 1, {1, 1, 1, 1});
  const std::vector<float> w(size_t{8} * 3 * 3 * 4, 0.5f);
  CHECK_FAILED_WITH(ops::conv2d_f32_xnn_create(p, {1, 5, 5, 4}, {1, 5, 5, 8}, 4, 7, w.data(), nullptr, &op),
                    kInvalidArgument, "pixel strides 4 (input) and 7 (output) must be >= the channel counts 4 and 8");
  CHECK(op.get() == nullptr);
}

}  // namespace
}  // namespace incept
#endif  // INCEPT_WITH_XNNPACK
