// SPDX-License-Identifier: Apache-2.0
// GlobalAvgPool: [N, H, W, C] -> [N, C]; shape rules, the reference kernel, run through the registry,
// against a double mean; hand-checked values on every kernel. (Strided views and the fast kernels:
// global_avg_pool_conformance_test.cc.)
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "global_avg_pool/global_avg_pool.h"
#include "support/kernel_runner.h"

namespace incept {
namespace {

using ops::GlobalAvgPoolParams;
using test::Rng;
using test::Tensor;

Status infer_status(const Shape& in, Shape* out) { return ops::global_avg_pool_infer_shape({}, in, out); }

TEST_CASE("global_avg_pool: shape inference on GoogLeNet and Inception-v3 heads") {
  Shape out;
  REQUIRE(infer_status({1, 7, 7, 1024}, &out).code() == StatusCode::kOk);
  CHECK(out == Shape{1, 1024});
  REQUIRE(infer_status({1, 8, 8, 2048}, &out).code() == StatusCode::kOk);
  CHECK(out == Shape{1, 2048});
  REQUIRE(infer_status({4, 1, 1, 3}, &out).code() == StatusCode::kOk);
  CHECK(out == Shape{4, 3});
}

TEST_CASE("global_avg_pool: bad shapes are rejected with a message naming the problem") {
  Shape out;
  CHECK_FAILED_WITH(infer_status({1, 2048}, &out), kInvalidModel,
                    "GlobalAvgPool: input must be NHWC (rank 4), got rank 2");
  CHECK_FAILED_WITH(infer_status({1, 0, 8, 2048}, &out), kInvalidModel, "dim 1 is 0");
  CHECK_FAILED_WITH(infer_status({1, 8, 8, -3}, &out), kInvalidModel, "dim 3 is -3");
}

std::vector<double> mean_oracle(const Tensor& x) {
  const int N = x.shape[0], H = x.shape[1], W = x.shape[2], C = x.shape[3];
  std::vector<double> out(static_cast<size_t>(N) * C, 0.0);
  for (int n = 0; n < N; ++n)
    for (int i = 0; i < H * W; ++i)
      for (int c = 0; c < C; ++c) out[n * C + c] += x.data[(n * H * W + i) * C + c] / double(H * W);
  return out;
}

TEST_CASE("global_avg_pool: ref matches a double mean on seeded random shapes") {
  Rng rng(0x9a9);
  for (int i = 0; i < 60; ++i) {
    const Shape in{rng.uniform_int(1, 3), rng.uniform_int(1, 10), rng.uniform_int(1, 10), rng.uniform_int(1, 24)};
    CAPTURE(test::to_string(in));
    Shape out_shape;
    REQUIRE(infer_status(in, &out_shape).code() == StatusCode::kOk);
    const Tensor x = test::random_tensor(rng, in);
    const GlobalAvgPoolParams p;
    const Tensor y = test::run_ref(ops::OpKind::kGlobalAvgPool, &p, {test::KernelInput::of(x)}, out_shape);
    const std::vector<double> ref = mean_oracle(x);
    int bad = 0;
    for (size_t k = 0; k < ref.size(); ++k) {
      if (!(std::fabs(y.data[k] - ref[k]) <= 1e-6 * (1.0 + std::fabs(ref[k])))) ++bad;
    }
    CHECK(bad == 0);
  }
}

TEST_CASE("global_avg_pool: hand-checked 2x2, on every kernel") {
  Tensor x(Shape{1, 2, 2, 2});
  x.data = {1, -1, 2, -2, 3, -3, 6, -6};
  const GlobalAvgPoolParams p;
  for (const auto& [kernel_name, y] :
       test::every_kernel_output(ops::OpKind::kGlobalAvgPool, &p, {test::KernelInput::of(x)}, Shape{1, 2})) {
    const auto& kernel = kernel_name;  // a binding cannot be captured (CAPTURE) before C++20
    CAPTURE(kernel);
    CHECK(y.data == std::vector<float>{3, -3});
  }
}

}  // namespace
}  // namespace incept
