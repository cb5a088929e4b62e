// SPDX-License-Identifier: Apache-2.0
// Softmax over channels: shape rules, hand-checked values and stability on large logits on every kernel,
// the reference kernel, run through the registry, against a double formula for any beta. (In place, strided
// views and the fast kernels against float64: softmax_conformance_test.cc.)
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "softmax/softmax.h"
#include "support/kernel_runner.h"

namespace incept {
namespace {

using ops::SoftmaxParams;
using test::Rng;
using test::Tensor;

Status infer_status(const Shape& in, Shape* out, float beta = 1.0f) {
  SoftmaxParams p;
  p.beta = beta;
  return ops::softmax_infer_shape(p, in, out);
}

// Every kernel that takes it (XNNPACK: beta 1 only) gives `want` within `tol` on one row of logits.
void check_every_kernel(const std::vector<float>& logits, const std::vector<float>& want, float beta = 1.0f,
                        float tol = 1e-6f) {
  Tensor x(Shape{1, static_cast<int32_t>(logits.size())});
  x.data = logits;
  SoftmaxParams p;
  p.beta = beta;
  for (const auto& [kernel_name, y] :
       test::every_kernel_output(ops::OpKind::kSoftmax, &p, {test::KernelInput::of(x)}, x.shape)) {
    const auto& kernel = kernel_name;  // a binding cannot be captured (CAPTURE) before C++20
    CAPTURE(kernel);
    CHECK(test::max_abs_diff(y.data, want) <= tol);
  }
}

TEST_CASE("softmax: shape inference") {
  Shape out;
  REQUIRE(infer_status({1, 1000}, &out).code() == StatusCode::kOk);
  CHECK(out == Shape{1, 1000});
  REQUIRE(infer_status({2, 3, 3, 10}, &out).code() == StatusCode::kOk);
  CHECK(out == Shape{2, 3, 3, 10});
}

TEST_CASE("softmax: bad shapes and beta are rejected with a message naming the problem") {
  Shape out;
  CHECK_FAILED_WITH(infer_status({1, 2, 1000}, &out), kInvalidModel,
                    "Softmax: input must be [N, C] (rank 2) or NHWC (rank 4), got rank 3");
  CHECK_FAILED_WITH(infer_status({1, 0}, &out), kInvalidModel, "dim 1 is 0");
  CHECK_FAILED_WITH(infer_status({-1, 10}, &out), kInvalidModel, "dim 0 is -1");
  CHECK_FAILED_WITH(infer_status({1, 10}, &out, std::nanf("")), kInvalidModel, "beta must be a finite number");
  CHECK_FAILED_WITH(infer_status({1, 10}, &out, std::numeric_limits<float>::infinity()), kInvalidModel,
                    "beta must be a finite number, got inf");
}

TEST_CASE("softmax: hand-checked values, on every kernel") {
  // e^-2, e^-1, 1 over their sum.
  check_every_kernel({1, 2, 3}, {0.0900305732f, 0.2447284711f, 0.6652409558f});
  check_every_kernel({0.5f}, {1.0f});
  check_every_kernel({7, 7, 7, 7}, {0.25f, 0.25f, 0.25f, 0.25f});
  // beta scales the logits: exp(2 * [0, ln(2) / 2]) = [1, 2].
  check_every_kernel({0.0f, 0.34657359f}, {1 / 3.0f, 2 / 3.0f}, 2.0f);
  check_every_kernel({1, 2, 3}, {1 / 3.0f, 1 / 3.0f, 1 / 3.0f}, 0.0f);
}

TEST_CASE("softmax: large logits do not overflow (the max is subtracted first), on every kernel") {
  check_every_kernel({1001, 1002, 1003}, {0.0900305732f, 0.2447284711f, 0.6652409558f});
  check_every_kernel({-1000, -1000}, {0.5f, 0.5f});
  check_every_kernel({1e30f, 0.0f}, {1.0f, 0.0f});
  check_every_kernel({1, 2, 3}, {0.6652409558f, 0.2447284711f, 0.0900305732f}, -1.0f);
}

TEST_CASE("softmax: ref matches a double formula on seeded random shapes, rank 2 and 4") {
  Rng rng(0x50f7);
  for (int i = 0; i < 60; ++i) {
    const int c = rng.uniform_int(1, 300);
    const Shape in = rng.coin() ? Shape{rng.uniform_int(1, 3), c}
                                : Shape{rng.uniform_int(1, 2), rng.uniform_int(1, 3), rng.uniform_int(1, 3), c};
    SoftmaxParams p;
    p.beta = rng.uniform(0.25f, 3.0f);
    CAPTURE(test::to_string(in));
    CAPTURE(p.beta);
    const Tensor x = test::random_tensor(rng, in, -8.0f, 8.0f);
    const Tensor y = test::run_ref(ops::OpKind::kSoftmax, &p, {test::KernelInput::of(x)}, in);
    // Relative tolerance: float rounds beta * x (|beta * x| up to 24 here) before exp(), which alone
    // costs up to ~3e-6 relative; a wrong max, beta or normalisation is off by far more.
    int bad = 0;
    for (int64_t pix = 0; pix < in.num_elements() / c; ++pix) {
      const float* xs = x.data.data() + pix * c;
      // The max in float (exact either way): a double fmax over floats makes aarch64 GCC 12 -O3
      // crash (internal compiler error in vect_transform_reduction).
      float mf = xs[0];
      for (int k = 0; k < c; ++k) mf = std::fmax(mf, xs[k]);
      const double m = mf;
      double sum = 0;
      for (int k = 0; k < c; ++k) sum += std::exp(double(p.beta) * (xs[k] - m));
      for (int k = 0; k < c; ++k) {
        const double ref = std::exp(double(p.beta) * (xs[k] - m)) / sum;
        if (!(std::fabs(y.data[pix * c + k] - ref) <= 1e-5 * ref + 1e-12)) ++bad;
      }
    }
    CHECK(bad == 0);
  }
}

}  // namespace
}  // namespace incept
