// SPDX-License-Identifier: Apache-2.0
// LRN across channels: shape and parameter rules, hand-checked values that pin the window (ONNX's:
// for an even size it reaches one channel further up than down) on every kernel, the reference kernel,
// run through the registry, against the direct double formula on seeded shapes (sizes odd and even, larger
// than C), a wide dynamic range, and an LRN writing into a concat slice inside a model on every backend.
// (Strided views: registry_conformance_test.cc.)
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "incept/incept.h"
#include "lrn/lrn.h"
#include "support/kernel_runner.h"
#include "support/model_builder.h"

namespace incept {
namespace {

using ops::LRNParams;
using test::Rng;
using test::Tensor;

LRNParams params(int32_t size, float alpha = 1e-4f, float beta = 0.75f, float bias = 1.0f) {
  LRNParams p;
  p.size = size;
  p.alpha = alpha;
  p.beta = beta;
  p.bias = bias;
  return p;
}

// The definition, term by term in double: window [c - floor((size-1)/2), c + ceil((size-1)/2)] clipped to [0, C).
std::vector<double> lrn_direct(const LRNParams& p, const Tensor& x) {
  const int64_t c_count = x.shape[x.shape.rank - 1];
  std::vector<double> y(x.data.size());
  for (int64_t pix = 0; pix < x.size() / c_count; ++pix) {
    const float* v = x.data.data() + pix * c_count;
    for (int64_t c = 0; c < c_count; ++c) {
      const int64_t lo = std::max<int64_t>(0, c - (p.size - 1) / 2);
      const int64_t hi = std::min<int64_t>(c_count - 1, c + p.size / 2);
      double s = 0.0;
      for (int64_t i = lo; i <= hi; ++i) s += double(v[i]) * v[i];
      y[pix * c_count + c] = v[c] / std::pow(double(p.bias) + double(p.alpha) / p.size * s, double(p.beta));
    }
  }
  return y;
}

// Largest |got - want| / (|want| + abs_floor), so values near 0 are judged absolutely.
double worst_relative(const std::vector<float>& got, const std::vector<double>& want, double abs_floor = 1e-6) {
  double worst = 0.0;
  for (size_t i = 0; i < want.size(); ++i) {
    const double e = std::fabs(double(got[i]) - want[i]) / (std::fabs(want[i]) + abs_floor);
    worst = std::isnan(e) ? std::numeric_limits<double>::infinity() : std::max(worst, e);
  }
  return worst;
}

// The reference kernel through the registry, dense.
Tensor run_ref(const LRNParams& p, const Tensor& x) {
  return test::run_ref(ops::OpKind::kLRN, &p, {test::KernelInput::of(x)}, x.shape);
}

bool close(const std::vector<float>& got, const std::vector<float>& want) {
  for (size_t i = 0; i < want.size(); ++i)
    if (!(std::fabs(got[i] - want[i]) <= 1e-6f * std::fabs(want[i]) + 1e-12f)) return false;
  return got.size() == want.size();
}

// One pixel of channels through every kernel: each gives `want` (within 1e-6 relative).
void check_every_kernel(const LRNParams& p, const std::vector<float>& channels, const std::vector<float>& want) {
  Tensor x(Shape{1, 1, 1, static_cast<int32_t>(channels.size())});
  x.data = channels;
  for (const auto& [kernel_name, y] :
       test::every_kernel_output(ops::OpKind::kLRN, &p, {test::KernelInput::of(x)}, x.shape)) {
    const auto& kernel = kernel_name;  // a binding cannot be captured (CAPTURE) before C++20
    CAPTURE(kernel);
    CHECK(close(y.data, want));
  }
}

TEST_CASE("lrn: shape inference keeps the NHWC shape") {
  Shape out;
  REQUIRE(ops::lrn_infer_shape(params(5), Shape{1, 56, 56, 64}, &out).is_ok());
  CHECK(out == Shape{1, 56, 56, 64});
  REQUIRE(ops::lrn_infer_shape(params(4, 0.0f, -0.5f, 0.25f), Shape{2, 1, 3, 2}, &out).is_ok());
  CHECK(out == Shape{2, 1, 3, 2});
}

TEST_CASE("lrn: bad shapes and parameters are rejected with the value found") {
  Shape out;
  const Shape in{1, 4, 4, 8};
  const float nan = std::nanf(""), inf = std::numeric_limits<float>::infinity();
  CHECK_FAILED_WITH(ops::lrn_infer_shape(params(5), Shape{1, 8}, &out), kInvalidModel,
                    "LRN: input must be NHWC (rank 4), got rank 2");
  CHECK_FAILED_WITH(ops::lrn_infer_shape(params(5), Shape{1, 4, 0, 8}, &out), kInvalidModel, "dim 2 is 0");
  CHECK_FAILED_WITH(ops::lrn_infer_shape(params(0), in, &out), kInvalidModel, "size must be within 1..4096, got 0");
  CHECK_FAILED_WITH(ops::lrn_infer_shape(params(-3), in, &out), kInvalidModel, "got -3");
  CHECK_FAILED_WITH(ops::lrn_infer_shape(params(4097), in, &out), kInvalidModel, "got 4097");
  CHECK_FAILED_WITH(ops::lrn_infer_shape(params(5, -1e-4f), in, &out), kInvalidModel,
                    "alpha must be finite and >= 0, got -0.0001");
  CHECK_FAILED_WITH(ops::lrn_infer_shape(params(5, nan), in, &out), kInvalidModel, "alpha must be finite");
  CHECK_FAILED_WITH(ops::lrn_infer_shape(params(5, 1e-4f, inf), in, &out), kInvalidModel,
                    "beta must be a finite number, got inf");
  CHECK_FAILED_WITH(ops::lrn_infer_shape(params(5, 1e-4f, 0.75f, 0.0f), in, &out), kInvalidModel,
                    "bias must be finite and > 0, got 0");
  CHECK_FAILED_WITH(ops::lrn_infer_shape(params(5, 1e-4f, 0.75f, -2.0f), in, &out), kInvalidModel, "got -2");
  CHECK_FAILED_WITH(ops::lrn_infer_shape(params(5, 1e-4f, 0.75f, inf), in, &out), kInvalidModel, "got inf");
}

TEST_CASE("lrn: hand-checked values pin the window and the alpha / size scaling, on every kernel") {
  // size 1: out = x / (1 + 1 * x^2).
  check_every_kernel(params(1, 1.0f, 1.0f, 1.0f), {2.0f, -0.5f}, {0.4f, -0.4f});
  // size 3 over 3 channels, alpha / size = 1, beta = 1, bias = 1: windows {0,1}, {0,1,2}, {1,2}.
  check_every_kernel(params(3, 3.0f, 1.0f, 1.0f), {1, 2, 3}, {1 / 6.0f, 2 / 15.0f, 3 / 14.0f});
  // size 2 (even): ONNX's window is [c, c + 1] (floor(1/2) = 0 below, ceil(1/2) = 1 above), so sums
  // are 1+4, 4+9, 9. PyTorch's [c - 1, c] would give 1, 1+4, 4+9, i.e. 1/2, 2/6, 3/14.
  check_every_kernel(params(2, 2.0f, 1.0f, 1.0f), {1, 2, 3}, {1 / 6.0f, 2 / 14.0f, 3 / 10.0f});
  // size 4: window [c - 1, c + 2].
  check_every_kernel(params(4, 4.0f, 1.0f, 1.0f), {1, 2, 3, 4, 5},
                     {1 / 15.0f, 2 / 31.0f, 3 / 55.0f, 4 / 51.0f, 5 / 42.0f});
  // A window wider than C covers every channel: sum 1+4+9 = 14 for each.
  check_every_kernel(params(9, 9.0f, 0.5f, 2.0f), {1, 2, 3},
                     {1 / std::sqrt(16.0f), 2 / std::sqrt(16.0f), 3 / std::sqrt(16.0f)});
  // alpha 0: out = x / bias^beta. Zeros stay zero (bias > 0: no 0 / 0).
  check_every_kernel(params(5, 0.0f, 2.0f, 4.0f), {8, 0, -4}, {0.5f, 0.0f, -0.25f});
  // GoogLeNet's settings, one channel of 10: 10 / (1 + 1e-4 / 5 * 100)^0.75.
  check_every_kernel(params(5), {0, 10, 0}, {0.0f, static_cast<float>(10 / std::pow(1.002, 0.75)), 0.0f});
}

TEST_CASE("lrn: ref matches the direct formula on seeded shapes, sizes odd and even, C smaller than size") {
  Rng rng(0x17a5);
  const int32_t sizes[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 16, 4096};
  double worst = 0.0;
  for (int i = 0; i < 200; ++i) {
    const int32_t size = rng.pick(sizes, 12);
    const int32_t c = rng.coin(0.3f) ? rng.uniform_int(1, size + 1) : rng.uniform_int(1, 96);
    const Shape in{rng.uniform_int(1, 2), rng.uniform_int(1, 4), rng.uniform_int(1, 4), c};
    const LRNParams p = params(size, rng.coin(0.1f) ? 0.0f : rng.uniform(1e-4f, 4.0f),
                               rng.coin(0.3f) ? 0.75f : rng.uniform(-0.5f, 1.5f), rng.uniform(0.25f, 3.0f));
    CAPTURE(test::to_string(in));
    CAPTURE(size);
    CAPTURE(p.alpha);
    CAPTURE(p.beta);
    CAPTURE(p.bias);
    const Tensor x = test::random_tensor(rng, in, -3.0f, 3.0f);
    const double e = worst_relative(run_ref(p, x).data, lrn_direct(p, x));
    worst = std::max(worst, e);
    CHECK(e <= 1e-6);
  }
  MESSAGE("lrn ref vs double formula: worst relative error " << worst);
}

TEST_CASE("lrn: a wide dynamic range keeps full precision (the running sum does not drift)") {
  // A channel of 3e4 enters and leaves the window among channels of ~1e-2: a float running sum would
  // keep ~1e9 * 6e-8 = 60 of error in the sum, i.e. ~1e-3 in every output after it.
  Rng rng(0x17a6);
  Tensor x(Shape{1, 2, 3, 257});
  for (float& v : x.data) v = rng.uniform(-1e-2f, 1e-2f);
  for (int64_t i = 0; i < x.size(); i += 37) x.data[i] = rng.coin() ? 3e4f : -2e4f;
  for (int32_t size : {3, 4, 5}) {
    CAPTURE(size);
    const LRNParams p = params(size, 1e-4f, 0.75f, 1.0f);
    CHECK(worst_relative(run_ref(p, x).data, lrn_direct(p, x), 1e-12) <= 1e-6);
  }
}

TEST_CASE("lrn: in a model, writing into a concat slice, every backend gives the kernel's result") {
  Rng rng(0x17a8);
  const Tensor x = test::random_tensor(rng, Shape{1, 5, 4, 7}, -5.0f, 5.0f);
  test::ModelBuilder b;
  const int in = b.tensor("x", {1, 5, 4, 7});
  const int pooled = b.tensor("pool", {1, 5, 4, 7});
  const int norm = b.tensor("lrn", {1, 5, 4, 7});
  const int y = b.tensor("y", {1, 5, 4, 14});
  b.max_pool2d("pool", in, pooled, {1, 1}, {1, 1}, {});
  b.lrn("lrn", pooled, norm, 4, 0.5f, 0.75f, 2.0f);
  b.concat("y", {pooled, norm}, y);  // the LRN reads one slice of y and writes the other
  test::AlignedBytes bytes(b.finish({in}, {y}));
  Result<Model> m = Model::from_bytes(bytes.data(), bytes.size());
  REQUIRE(m.ok());

  const Tensor want = run_ref(params(4, 0.5f, 0.75f, 2.0f), x);
  for (Backend backend : {Backend::kRef, Backend::kAuto, Backend::kEigen, Backend::kXnnpack, Backend::kNative}) {
    if (!backend_available(backend)) continue;
    CAPTURE(backend_name(backend));
    Interpreter it(*m, InterpreterOptions{backend, 2});
    REQUIRE(it.prepare().is_ok());
    CHECK(it.plan_stats().num_copied_concat_inputs == 0);
    std::memcpy(it.input(0).data, x.data.data(), x.data.size() * sizeof(float));
    REQUIRE(it.invoke().is_ok());
    const float* out = it.output(0).data;
    float worst = 0.0f;
    for (int64_t px = 0; px < 20; ++px)
      for (int c = 0; c < 7; ++c) {
        worst = std::max(worst, std::fabs(out[px * 14 + c] - x.data[px * 7 + c]));
        worst = std::max(worst, std::fabs(out[px * 14 + 7 + c] - want.data[px * 7 + c]));
      }
    CHECK(worst == 0.0f);
    CHECK(std::string(it.op_info(1).kind) == "LRN");
    CHECK(std::string(it.op_info(1).backend) == "ref");
  }
}

}  // namespace
}  // namespace incept
