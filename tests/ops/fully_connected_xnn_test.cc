// SPDX-License-Identifier: Apache-2.0
// FullyConnected on XNNPACK against the reference kernel: the classifiers of Inception-v3 (2048 ->
// 1000) and GoogLeNet (1024 -> 1000), seeded random shapes (bias or not, ReLU or not) with strided
// input and output rows, and a real 2-thread pthreadpool.
#if INCEPT_WITH_XNNPACK
#include <doctest/doctest.h>
#include <pthreadpool.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "fully_connected/fully_connected_xnn.h"
#include "support/test_util.h"

namespace incept {
namespace {

using ops::Activation;
using ops::FullyConnectedParams;
using test::Rng;
using test::Tensor;

// XNNPACK may read (never write) XNN_EXTRA_BYTES past an input, so every input buffer carries that slack.
constexpr size_t kSlack = XNN_EXTRA_BYTES / sizeof(float);

struct FcCase {
  const char* name = "random";
  int32_t n = 1, in_features = 1, out_features = 1;
  bool bias = true, relu = false;
  int32_t in_offset = -1, in_stride = 0;     // in_offset >= 0: features [offset, offset + in) of in_stride
  int32_t out_offset = -1, out_stride = 0;   // likewise for the output rows
  std::string describe() const {
    char buf[200];
    std::snprintf(buf, sizeof(buf), "%s: N %d in %d out %d bias %d relu %d in %d/%d out %d/%d", name, n, in_features,
                  out_features, bias, relu, in_offset, in_stride, out_offset, out_stride);
    return buf;
  }
};

// Tolerance, as for Conv2D: both sum K = in_features products of values in [-1, 1] in different
// orders (XNNPACK blocks and uses FMA); the error grows like sqrt(K) * eps * max|partial sum|, and the
// partial sums are of the order of the outputs: 2.5e-7 * sqrt(K) * (1 + max|ref|), about 2 eps per
// sqrt(K). Measured worst: under a fifth of it (INCEPT_XNN_STATS=1 prints every case).
float fc_tolerance(const FcCase& c, const Tensor& ref) {
  float max_ref = 0.0f;
  for (float v : ref.data) max_ref = std::max(max_ref, std::fabs(v));
  return static_cast<float>(2.5e-7 * std::sqrt(static_cast<double>(c.in_features)) * (1.0 + max_ref));
}

void check_case(Rng& rng, const FcCase& c, pthreadpool_t pool = nullptr) {
  CAPTURE(c.describe());
  FullyConnectedParams p;
  p.activation = c.relu ? Activation::kRelu : Activation::kNone;
  const Shape in_shape{c.n, c.in_features}, wshape{c.out_features, c.in_features}, bshape{c.out_features};
  Shape out_shape;
  const Status inferred = ops::fully_connected_infer_shape(p, in_shape, wshape, c.bias ? &bshape : nullptr, &out_shape);
  REQUIRE_MESSAGE(inferred.is_ok(), inferred.message());
  const Tensor x = test::random_tensor(rng, in_shape), w = test::random_tensor(rng, wshape);
  const Tensor b = test::random_tensor(rng, bshape);
  const float* bias = c.bias ? b.data.data() : nullptr;
  Tensor ref(out_shape);
  ops::fully_connected_f32_ref(p, x.cview(), w.data.data(), bias, ref.view());

  std::vector<float> dense_in(x.data);
  dense_in.resize(dense_in.size() + kSlack);
  const int32_t in_stride = c.in_offset >= 0 ? c.in_stride : c.in_features;
  test::StridedTensor sliced_in(in_shape, std::max(c.in_offset, 0), in_stride, std::nanf(""));
  sliced_in.copy_from(x);
  const ConstTensorView<float> in_view =
      c.in_offset >= 0 ? sliced_in.cview() : dense_view<const float>(dense_in.data(), in_shape);
  const int32_t out_stride = c.out_offset >= 0 ? c.out_stride : c.out_features;
  test::StridedTensor out(out_shape, std::max(c.out_offset, 0), out_stride, 12345.5f);

  ops::XnnOp op;
  const Status created =
      ops::fully_connected_f32_xnn_create(p, in_shape, out_shape, in_stride, out_stride, w.data.data(), bias, &op);
  REQUIRE_MESSAGE(created.is_ok(), created.message());
  const Status set = ops::fully_connected_f32_xnn_setup(p, op, in_view, out.view(), pool);
  REQUIRE_MESSAGE(set.is_ok(), set.message());
  const size_t live = ops::xnn_live_bytes();
  REQUIRE(xnn_run_operator(op.get(), pool) == xnn_status_success);
  CHECK(ops::xnn_live_bytes() == live);   // running allocates nothing

  const float err = test::max_abs_diff(out.to_dense().data, ref.data), tol = fc_tolerance(c, ref);
  CAPTURE(err);
  CAPTURE(tol);
  CHECK(err <= tol);
  CHECK(out.outside_untouched());
  if (std::getenv("INCEPT_XNN_STATS") != nullptr) {
    std::printf("fully_connected_xnn %-60.60s err %.3g tol %.3g ratio %.3f\n", c.describe().c_str(), err, tol,
                err / tol);
  }
}

FcCase named(const char* name, int32_t n, int32_t in, int32_t out) {
  FcCase c;
  c.name = name;
  c.n = n;
  c.in_features = in;
  c.out_features = out;
  return c;
}

FcCase random_case(Rng& rng) {
  FcCase c;
  c.n = rng.uniform_int(1, 6);
  c.in_features = rng.coin(0.2f) ? rng.uniform_int(1, 8) : rng.uniform_int(1, 400);
  c.out_features = rng.coin(0.2f) ? rng.uniform_int(1, 8) : rng.uniform_int(1, 200);
  c.bias = rng.coin(0.8f);
  c.relu = rng.coin();
  if (rng.coin()) {   // >= 4 features after an input slice keep XNNPACK's over-read inside the buffer
    c.in_offset = rng.uniform_int(0, 5);
    c.in_stride = c.in_offset + c.in_features + rng.uniform_int(4, 9);
  }
  if (rng.coin()) {
    c.out_offset = rng.uniform_int(0, 5);
    c.out_stride = c.out_offset + c.out_features + rng.uniform_int(0, 9);
  }
  return c;
}

TEST_CASE("fully_connected xnn: matches ref on the Inception-v3 and GoogLeNet classifiers") {
  Rng rng(0xfc0001);
  check_case(rng, named("v3 fc 2048->1000", 1, 2048, 1000));
  check_case(rng, named("GoogLeNet fc 1024->1000", 1, 1024, 1000));
  FcCase batched = named("v3 fc, batch 4, strided rows", 4, 2048, 1000);
  batched.relu = true;
  batched.bias = false;
  batched.in_offset = 3;
  batched.in_stride = 2048 + 8;
  batched.out_offset = 5;
  batched.out_stride = 1000 + 7;
  check_case(rng, batched);
}

TEST_CASE("fully_connected xnn: matches ref on seeded random shapes, dense and strided rows") {
  Rng rng(0xfc0002);
  for (int i = 0; i < 60; ++i) check_case(rng, random_case(rng));
}

TEST_CASE("fully_connected xnn: a 2-thread pthreadpool gives the same result") {
  pthreadpool_t pool = pthreadpool_create(2);
  REQUIRE(pool != nullptr);
  Rng rng(0xfc0003);
  check_case(rng, named("v3 fc 2048->1000, batch 2", 2, 2048, 1000), pool);
  for (int i = 0; i < 12; ++i) check_case(rng, random_case(rng), pool);
  pthreadpool_destroy(pool);
}

TEST_CASE("fully_connected xnn: a row stride below the feature count is rejected, not a crash") {
  ops::XnnOp op;
  const std::vector<float> w(size_t{10} * 16, 0.25f);
  CHECK_FAILED_WITH(ops::fully_connected_f32_xnn_create({}, {2, 16}, {2, 10}, 15, 10, w.data(), nullptr, &op),
                    kInvalidArgument, "row strides 15 (input) and 10 (output) must be >= the feature counts 16 and 10");
  CHECK(op.get() == nullptr);
}

}  // namespace
}  // namespace incept
#endif  // INCEPT_WITH_XNNPACK
