// SPDX-License-Identifier: Apache-2.0
// GlobalAvgPool on XNNPACK against the reference kernel: the final pools of Inception-v3/v4 and
// GoogLeNet at full size, seeded random shapes with strided input and output views, and a real
// 2-thread pthreadpool.
#if INCEPT_WITH_XNNPACK
#include <doctest/doctest.h>
#include <pthreadpool.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "global_avg_pool/global_avg_pool_xnn.h"
#include "support/test_util.h"

namespace incept {
namespace {

using ops::GlobalAvgPoolParams;
using test::Rng;
using test::Tensor;

// XNNPACK may read (never write) XNN_EXTRA_BYTES past an input, so every input buffer carries that slack.
constexpr size_t kSlack = XNN_EXTRA_BYTES / sizeof(float);

// Tolerance per element: |xnn - ref| <= kTol * (1 + |ref|). Both sum H * W values in [-1, 1] (up to
// 400 here) in different orders, then XNNPACK multiplies by 1 / (H * W) where the reference divides.
// The sums' rounding errors, a few ulp of partial sums of size <= sqrt(H * W), shrink by the division:
// measured worst 9.6e-8 (INCEPT_XNN_STATS=1 prints it); 1e-6 (8 eps) leaves 10x headroom while a
// missed or doubled pixel (>= 1/400 of a value, usually far more) still fails.
constexpr float kTol = 1e-6f;

struct GapCase {
  const char* name = "random";
  Shape in;
  int32_t in_offset = -1, in_stride = 0;     // in_offset >= 0: channels [offset, offset + C) of in_stride
  int32_t out_offset = -1, out_stride = 0;   // likewise for the [N, C] output, viewed as [N, 1, 1, C]
  std::string describe() const {
    char buf[200];
    std::snprintf(buf, sizeof(buf), "%s: in %s in %d/%d out %d/%d", name, test::to_string(in).c_str(), in_offset,
                  in_stride, out_offset, out_stride);
    return buf;
  }
};

float g_worst = 0.0f;

void check_case(Rng& rng, const GapCase& c, pthreadpool_t pool = nullptr) {
  CAPTURE(c.describe());
  const GlobalAvgPoolParams p;
  Shape out_shape;
  const Status inferred = ops::global_avg_pool_infer_shape(p, c.in, &out_shape);
  REQUIRE_MESSAGE(inferred.is_ok(), inferred.message());
  const Tensor x = test::random_tensor(rng, c.in);
  Tensor ref(out_shape);
  ops::global_avg_pool_f32_ref(p, x.cview(), ref.view());

  std::vector<float> dense_in(x.data);
  dense_in.resize(dense_in.size() + kSlack);
  const int32_t in_stride = c.in_offset >= 0 ? c.in_stride : c.in[3];
  test::StridedTensor sliced_in(c.in, std::max(c.in_offset, 0), in_stride, std::nanf(""));
  sliced_in.copy_from(x);
  const ConstTensorView<float> in_view =
      c.in_offset >= 0 ? sliced_in.cview() : dense_view<const float>(dense_in.data(), c.in);
  const int32_t out_stride = c.out_offset >= 0 ? c.out_stride : out_shape[1];
  test::StridedTensor out(out_shape, std::max(c.out_offset, 0), out_stride, 12345.5f);

  ops::XnnOp op;
  const Status created = ops::global_avg_pool_f32_xnn_create(p, c.in, out_shape, in_stride, out_stride, &op);
  REQUIRE_MESSAGE(created.is_ok(), created.message());
  const Status set = ops::global_avg_pool_f32_xnn_setup(p, op, in_view, out.view(), pool);
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
}

GapCase named(const char* name, Shape in) {
  GapCase c;
  c.name = name;
  c.in = in;
  return c;
}

GapCase random_case(Rng& rng) {
  GapCase c;
  c.in = {rng.uniform_int(1, 3), rng.uniform_int(1, 20), rng.uniform_int(1, 20), rng.uniform_int(1, 64)};
  if (rng.coin()) {   // >= 4 channels after an input slice keep XNNPACK's over-read inside the buffer
    c.in_offset = rng.uniform_int(0, 5);
    c.in_stride = c.in_offset + c.in[3] + rng.uniform_int(4, 9);
  }
  if (rng.coin()) {
    c.out_offset = rng.uniform_int(0, 5);
    c.out_stride = c.out_offset + c.in[3] + rng.uniform_int(0, 9);
  }
  return c;
}

TEST_CASE("global_avg_pool xnn: matches ref on the final pools of Inception-v3, Inception-v4 and GoogLeNet") {
  Rng rng(0x9a9001);
  check_case(rng, named("v3 avgpool 8x8x2048", {1, 8, 8, 2048}));
  check_case(rng, named("v4 avgpool 8x8x1536", {1, 8, 8, 1536}));
  check_case(rng, named("GoogLeNet avgpool 7x7x1024", {1, 7, 7, 1024}));
  GapCase batched = named("v3 avgpool, batch 3, into a slice", {3, 8, 8, 2048});
  batched.out_offset = 16;
  batched.out_stride = 2048 + 32;
  check_case(rng, batched);
}

TEST_CASE("global_avg_pool xnn: matches ref on seeded random shapes, dense and strided views") {
  Rng rng(0x9a9002);
  for (int i = 0; i < 60; ++i) check_case(rng, random_case(rng));
  if (std::getenv("INCEPT_XNN_STATS") != nullptr) {
    std::printf("global_avg_pool_xnn: worst |xnn - ref| / (1 + |ref|) = %.3g\n", g_worst);
  }
}

TEST_CASE("global_avg_pool xnn: a 2-thread pthreadpool gives the same result") {
  pthreadpool_t pool = pthreadpool_create(2);
  REQUIRE(pool != nullptr);
  Rng rng(0x9a9003);
  check_case(rng, named("v3 avgpool 8x8x2048", {2, 8, 8, 2048}), pool);
  for (int i = 0; i < 12; ++i) check_case(rng, random_case(rng), pool);
  pthreadpool_destroy(pool);
}

TEST_CASE("global_avg_pool xnn: a pixel stride below the channel count is rejected, not a crash") {
  ops::XnnOp op;
  CHECK_FAILED_WITH(ops::global_avg_pool_f32_xnn_create({}, {1, 8, 8, 64}, {1, 64}, 64, 63, &op), kInvalidArgument,
                    "pixel strides 64 (input) and 63 (output) must be >= the channel count 64");
  CHECK(op.get() == nullptr);
}

}  // namespace
}  // namespace incept
#endif  // INCEPT_WITH_XNNPACK
