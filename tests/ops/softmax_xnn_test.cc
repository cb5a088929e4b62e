// SPDX-License-Identifier: Apache-2.0
// Softmax on XNNPACK against the reference kernel: 1000-class logits, per-pixel NHWC softmax, seeded
// random shapes with strided views, in place (out aliasing in), a real 2-thread pthreadpool, and
// kUnsupported for beta != 1.
#if INCEPT_WITH_XNNPACK
#include <doctest/doctest.h>
#include <pthreadpool.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "softmax/softmax_xnn.h"
#include "support/test_util.h"

namespace incept {
namespace {

using ops::SoftmaxParams;
using test::Rng;
using test::Tensor;

// XNNPACK may read (never write) XNN_EXTRA_BYTES past an input, so every input buffer carries that slack.
constexpr size_t kSlack = XNN_EXTRA_BYTES / sizeof(float);

// Oracle: a float64 softmax of the same float inputs (exact to ~1e-16 here). Tolerance per element,
// relative: |xnn - exact| <= tol * exact + 1e-30 with tol = 2.5e-7 * (4 + sqrt(C)) + |x - max| * 2^-24.
// A float kernel rounds d = x - max to float before exp(), an error of up to |d| * 2^-24 in d and so,
// relatively, in exp(d) (up to 4.8e-6 for logits in [-40, 40]); exp itself (XNNPACK: a polynomial within
// ~2 ulp) and the C-term sum, whose rounding errors scale every output of a row alike and grow like
// sqrt(C) * eps, make the rest. The float reference kernel has errors of the same kinds (tested against
// float64 in softmax_test.cc); comparing the two float kernels with each other would add both.
double softmax_tolerance(int32_t channels, double x_minus_max) {
  return 2.5e-7 * (4.0 + std::sqrt(double(channels))) + std::fabs(x_minus_max) * 0x1p-24;
}

struct SoftmaxCase {
  const char* name = "random";
  Shape in;                     // [N, C] or NHWC
  float lo = -10.0f, hi = 10.0f;   // logit range
  int32_t in_offset = -1, in_stride = 0;     // in_offset >= 0: channels [offset, offset + C) of in_stride
  int32_t out_offset = -1, out_stride = 0;   // likewise for the output
  bool in_place = false;                     // out aliases in (dense)
  std::string describe() const {
    char buf[200];
    std::snprintf(buf, sizeof(buf), "%s: in %s range [%g, %g] in %d/%d out %d/%d in_place %d", name,
                  test::to_string(in).c_str(), static_cast<double>(lo), static_cast<double>(hi), in_offset, in_stride,
                  out_offset, out_stride, in_place);
    return buf;
  }
};

double g_worst = 0;

// Softmax (beta 1) of each row of `channels` floats, in float64; also each x - max of its row.
std::vector<double> softmax_f64(const std::vector<float>& x, int32_t channels, std::vector<double>* x_minus_max) {
  std::vector<double> y(x.size());
  x_minus_max->resize(x.size());
  for (size_t row = 0; row < x.size(); row += channels) {
    float m = x[row];   // the max in float: exact, and a double fmax over floats trips aarch64 GCC 12 -O3
    for (int32_t k = 1; k < channels; ++k) m = std::fmax(m, x[row + k]);
    double sum = 0;
    for (int32_t k = 0; k < channels; ++k) {
      const double d = double(x[row + k]) - double(m);
      (*x_minus_max)[row + k] = d;
      sum += y[row + k] = std::exp(d);
    }
    for (int32_t k = 0; k < channels; ++k) y[row + k] /= sum;
  }
  return y;
}

void check_case(Rng& rng, const SoftmaxCase& c, pthreadpool_t pool = nullptr) {
  CAPTURE(c.describe());
  const SoftmaxParams p;
  Shape out_shape;
  const Status inferred = ops::softmax_infer_shape(p, c.in, &out_shape);
  REQUIRE_MESSAGE(inferred.is_ok(), inferred.message());
  const Tensor x = test::random_tensor(rng, c.in, c.lo, c.hi);
  const int32_t channels = test::as_nhwc(c.in)[3];
  std::vector<double> x_minus_max;
  const std::vector<double> exact = softmax_f64(x.data, channels, &x_minus_max);

  std::vector<float> dense_in(x.data);
  dense_in.resize(dense_in.size() + kSlack);
  const int32_t in_stride = c.in_offset >= 0 ? c.in_stride : channels;
  test::StridedTensor sliced_in(c.in, std::max(c.in_offset, 0), in_stride, std::nanf(""));
  sliced_in.copy_from(x);
  const ConstTensorView<float> in_view =
      c.in_offset >= 0 ? sliced_in.cview() : dense_view<const float>(dense_in.data(), c.in);
  const int32_t out_stride = c.in_place ? in_stride : c.out_offset >= 0 ? c.out_stride : channels;
  test::StridedTensor out(out_shape, std::max(c.out_offset, 0), out_stride, 12345.5f);
  const TensorView<float> out_view = c.in_place ? dense_view(dense_in.data(), c.in) : out.view();

  ops::XnnOp op;
  const Status created = ops::softmax_f32_xnn_create(p, c.in, out_shape, in_stride, out_stride, &op);
  REQUIRE_MESSAGE(created.is_ok(), created.message());
  const Status set = ops::softmax_f32_xnn_setup(p, op, in_view, out_view, pool);
  REQUIRE_MESSAGE(set.is_ok(), set.message());
  const size_t live = ops::xnn_live_bytes();
  REQUIRE(xnn_run_operator(op.get(), pool) == xnn_status_success);
  CHECK(ops::xnn_live_bytes() == live);   // running allocates nothing

  Tensor got = out.to_dense();
  if (c.in_place) got.data.assign(dense_in.begin(), dense_in.end() - kSlack);
  double worst = 0;   // the largest relative error / its tolerance
  size_t worst_at = 0;
  for (size_t i = 0; i < got.data.size(); ++i) {
    const double rel = std::fabs(got.data[i] - exact[i]) / (exact[i] + 1e-30);
    const double ratio = std::isnan(rel) ? INFINITY : rel / softmax_tolerance(channels, x_minus_max[i]);
    if (ratio > worst) worst = ratio, worst_at = i;
  }
  CAPTURE(worst_at);
  CAPTURE(got.data.empty() ? 0.0 : double(got.data[worst_at]));
  CAPTURE(exact.empty() ? 0.0 : exact[worst_at]);
  CHECK(worst <= 1.0);
  CHECK(out.outside_untouched());
  g_worst = std::max(g_worst, worst);
}

SoftmaxCase named(const char* name, Shape in) {
  SoftmaxCase c;
  c.name = name;
  c.in = in;
  return c;
}

SoftmaxCase random_case(Rng& rng) {
  SoftmaxCase c;
  const int32_t channels = rng.coin(0.2f) ? rng.uniform_int(1, 4) : rng.uniform_int(1, 300);
  c.in = rng.coin() ? Shape{rng.uniform_int(1, 4), channels}
                    : Shape{rng.uniform_int(1, 2), rng.uniform_int(1, 5), rng.uniform_int(1, 5), channels};
  static const float kSpans[] = {1.0f, 10.0f, 40.0f};
  const float span = rng.pick(kSpans, 3);
  c.lo = -span;
  c.hi = span;
  const int layout = rng.uniform_int(0, 4);   // 0: dense, 1: strided in, 2: strided out, 3: both, 4: in place
  if (layout == 1 || layout == 3) {   // >= 4 channels after an input slice keep the over-read inside the buffer
    c.in_offset = rng.uniform_int(0, 5);
    c.in_stride = c.in_offset + channels + rng.uniform_int(4, 9);
  }
  if (layout == 2 || layout == 3) {
    c.out_offset = rng.uniform_int(0, 5);
    c.out_stride = c.out_offset + channels + rng.uniform_int(0, 9);
  }
  c.in_place = layout == 4;
  return c;
}

TEST_CASE("softmax xnn: matches float64 on classifier logits and per-pixel NHWC softmax") {
  Rng rng(0x50f001);
  check_case(rng, named("1000-class logits", {1, 1000}));
  check_case(rng, named("1000-class logits, batch 4", {4, 1000}));
  SoftmaxCase in_place = named("1000-class logits in place", {2, 1000});
  in_place.in_place = true;
  check_case(rng, in_place);
  SoftmaxCase pixels = named("per-pixel 7x7x21, strided", {1, 7, 7, 21});
  pixels.in_offset = 2;
  pixels.in_stride = 32;
  pixels.out_offset = 1;
  pixels.out_stride = 24;
  check_case(rng, pixels);
  SoftmaxCase wide = named("1000 classes, logits in [-80, 80]", {1, 1000});
  wide.lo = -80.0f;
  wide.hi = 80.0f;
  check_case(rng, wide);
  check_case(rng, named("one channel (always 1)", {3, 1}));
}

TEST_CASE("softmax xnn: matches float64 on seeded random shapes, strided and in place") {
  Rng rng(0x50f002);
  for (int i = 0; i < 60; ++i) check_case(rng, random_case(rng));
  if (std::getenv("INCEPT_XNN_STATS") != nullptr) std::printf("softmax_xnn: worst relative error / tolerance %.3g\n", g_worst);
}

TEST_CASE("softmax xnn: a 2-thread pthreadpool gives the same result") {
  pthreadpool_t pool = pthreadpool_create(2);
  REQUIRE(pool != nullptr);
  Rng rng(0x50f003);
  check_case(rng, named("1000-class logits, batch 8", {8, 1000}), pool);
  for (int i = 0; i < 12; ++i) check_case(rng, random_case(rng), pool);
  pthreadpool_destroy(pool);
}

TEST_CASE("softmax xnn: beta != 1 is kUnsupported (XNNPACK has no beta)") {
  ops::XnnOp op;
  SoftmaxParams p;
  p.beta = 0.5f;
  CHECK_FAILED_WITH(ops::softmax_f32_xnn_create(p, {1, 1000}, {1, 1000}, 1000, 1000, &op), kUnsupported,
                    "beta 0.5 is not 1");
  CHECK(op.get() == nullptr);
  CHECK_FAILED_WITH(ops::softmax_f32_xnn_create({}, {1, 10}, {1, 10}, 10, 9, &op), kInvalidArgument,
                    "pixel strides 10 (input) and 9 (output) must be >= the channel count 10");
}

}  // namespace
}  // namespace incept
#endif  // INCEPT_WITH_XNNPACK
