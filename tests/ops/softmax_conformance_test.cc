// SPDX-License-Identifier: Apache-2.0
// Conformance of every Softmax kernel in the registry this CPU can run (XNNPACK, ref) through the registry
// interface (tests/support/kernel_runner.h), sliced on a 2-thread pool and dense, the same bits both ways,
// against a float64 softmax of the same inputs: 1000-class logits (batched, in place, over a wide range,
// beta != 1), a per-pixel NHWC softmax in slices, and seeded random shapes (strided, in place). Also what
// XNNPACK declines (beta != 1) and refuses (a bad layout).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "softmax/softmax.h"
#include "support/kernel_runner.h"

namespace incept {
namespace {

using test::SoftmaxCase;
using test::Tensor;

// Oracle: a float64 softmax of the same float inputs (exact to ~1e-16 here). Tolerance per element, relative:
// |y - exact| <= tol * exact + 1e-30 with tol = 2.5e-7 * (kExpUlps + sqrt(C)) + e * 2^-24, e the size of what a float
// kernel rounds in the argument of exp(): d = beta * (x - max), rounded once (|d|), and for beta != 1 also
// beta * x and beta * max, each rounded before the difference (|beta x| + |beta max|). That error in the
// argument is, relatively, the error in exp(d) (up to 4.8e-6 for logits in [-40, 40]); exp itself (XNNPACK:
// a polynomial within ~2 ulp) and the C-term sum, whose rounding errors scale every output of a row alike and
// grow like sqrt(C) * eps, make the rest. Comparing two float kernels with each other would add both errors.
// 32-bit ARM: NEON there has no fused multiply-add, so XNNPACK's exp rounds twice in every step of its
// range reduction and polynomial; its part of the budget doubles (kExpUlps 8 instead of 4). Measured under
// qemu-arm (Cortex-A7) with the FMA budget: up to 1.095x it, on rows of 4 to 51 logits in [-40, 40] (at
// |d| 32-67, so the rounded-argument term was all but met and the excess is exp's own).
#if defined(__arm__)
constexpr double kExpUlps = 8.0;
#else
constexpr double kExpUlps = 4.0;
#endif
double g_worst = 0.0;

// Softmax of each row of `channels` floats in float64, and each element's tolerance.
void softmax_f64(const std::vector<float>& x, int32_t channels, float beta, std::vector<double>* y,
                 std::vector<double>* tol) {
  y->resize(x.size());
  tol->resize(x.size());
  for (size_t row = 0; row < x.size(); row += channels) {
    // The row's largest beta * x, taken in float (exact, and a double fmax over floats trips aarch64 GCC 12 -O3).
    float m = x[row];
    for (int32_t k = 1; k < channels; ++k) m = beta >= 0.0f ? std::fmax(m, x[row + k]) : std::fmin(m, x[row + k]);
    double sum = 0;
    for (int32_t k = 0; k < channels; ++k) {
      const double d = double{beta} * (double{x[row + k]} - double{m});
      double rounded = std::fabs(d);
      if (beta != 1.0f) rounded += std::fabs(double{beta} * x[row + k]) + std::fabs(double{beta} * m);
      (*tol)[row + k] = 2.5e-7 * (kExpUlps + std::sqrt(double(channels))) + rounded * 0x1p-24;
      sum += (*y)[row + k] = std::exp(d);
    }
    for (int32_t k = 0; k < channels; ++k) (*y)[row + k] /= sum;
  }
}

void check_case(test::Rng& rng, const SoftmaxCase& c, pthreadpool_t pool2, test::KernelTally* tally) {
  CAPTURE(c.describe());
  ops::SoftmaxParams p;
  p.beta = c.beta;
  Shape out_shape;
  REQUIRE(ops::softmax_infer_shape(p, c.in, &out_shape).is_ok());
  const Tensor x = test::random_tensor(rng, c.in, c.lo, c.hi);
  std::vector<double> exact, tol;
  softmax_f64(x.data, test::as_nhwc(c.in)[3], c.beta, &exact, &tol);
  test::check_kernels(
      ops::OpKind::kSoftmax, &p, {test::KernelInput::of(x)}, out_shape, c.slices, pool2,
      [&](const ops::Kernel&, const Tensor& y) {
        int over = 0;
        for (size_t i = 0; i < exact.size(); ++i) {
          const double rel = std::fabs(y.data[i] - exact[i]) / (exact[i] + 1e-30);
          const double ratio = std::isnan(rel) ? INFINITY : rel / tol[i];
          g_worst = std::max(g_worst, ratio);
          over += ratio <= 1.0 ? 0 : 1;
        }
        return over;
      },
      tally);
}

TEST_CASE("softmax conformance: every registered kernel on classifier logits and a per-pixel NHWC softmax") {
  test::Rng rng(0x50f001);
  test::Pool pool2(2);
  test::KernelTally tally;
  for (const SoftmaxCase& c : test::named_softmax_cases()) check_case(rng, c, pool2.get(), &tally);
  MESSAGE("softmax kernels: " << tally.summary() << "worst relative error / tolerance " << g_worst);
  tally.check_every_kernel_ran(ops::OpKind::kSoftmax);
}

TEST_CASE("softmax conformance: every registered kernel on seeded random shapes, strided and in place") {
  test::Pool pool2(2);
  test::KernelTally tally;
  for (uint64_t seed : {0x50f002u, 0x50f003u, 0x50f9u}) {
    test::Rng rng(seed);
    for (int i = 0; i < (seed == 0x50f002u ? 60 : seed == 0x50f003u ? 12 : 20); ++i)
      check_case(rng, test::random_softmax_case(rng), pool2.get(), &tally);
  }
  MESSAGE("softmax kernels: " << tally.summary() << "worst relative error / tolerance " << g_worst);
  tally.check_every_kernel_ran(ops::OpKind::kSoftmax);
}

TEST_CASE("softmax conformance: XNNPACK declines beta != 1 (it has no beta) and refuses a bad layout by name") {
  const std::vector<const ops::Kernel*> xnn =
      test::runnable_kernels_of(ops::OpKind::kSoftmax, ops::KernelFamily::kXnnpack);
  for (const ops::Kernel* k : xnn) {
    ops::SoftmaxParams p;
    p.beta = 0.5f;
    CHECK_FAILED_WITH(test::create_status(*k, &p, {{1, 1000}}, {1000}, {nullptr}, {1, 1000}, 1000), kUnsupported,
                      "beta 0.5 is not 1");
    p.beta = 1.0f;
    CHECK_FAILED_WITH(test::create_status(*k, &p, {{1, 10}}, {10}, {nullptr}, {1, 10}, 9), kInvalidArgument,
                      "pixel strides 10 (input) and 9 (output) must be >= the channel count 10");
  }
  if (xnn.empty()) MESSAGE("skipped: no XNNPACK softmax kernel runs here");
}

}  // namespace
}  // namespace incept
