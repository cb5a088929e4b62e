// SPDX-License-Identifier: Apache-2.0
// Conformance of every GlobalAvgPool kernel in the registry this CPU can run (XNNPACK, ref) through the
// registry interface (tests/support/kernel_runner.h), sliced on a 2-thread pool and dense, the same bits
// both ways, against the reference: the final pools of Inception-v3, v4 and GoogLeNet (batched, into a
// slice) and seeded random maps in random slices. Also XNNPACK's refusal of a bad layout.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "global_avg_pool/global_avg_pool.h"
#include "support/kernel_runner.h"

namespace incept {
namespace {

using test::GapCase;
using test::Tensor;

// Tolerance per element: |y - ref| <= 1e-6 * (1 + |ref|). Both sum H * W values in [-1, 1] (up to 400
// here) in different orders, then XNNPACK multiplies by 1 / (H * W) where the reference divides. The sums'
// rounding errors, a few ulp of partial sums of size <= sqrt(H * W), shrink by the division: measured worst
// 9.6e-8; 1e-6 (8 eps) leaves 10x headroom while a missed or doubled pixel (>= 1/400 of a value, usually
// far more) still fails.
constexpr double kTol = 1e-6;

void check_case(test::Rng& rng, const GapCase& c, pthreadpool_t pool2, test::KernelTally* tally) {
  CAPTURE(c.describe());
  const ops::GlobalAvgPoolParams p;
  Shape out_shape;
  REQUIRE(ops::global_avg_pool_infer_shape(p, c.in, &out_shape).is_ok());
  const Tensor x = test::random_tensor(rng, c.in);
  Tensor ref(out_shape);
  ops::global_avg_pool_f32_ref(p, x.cview(), ref.view());
  test::check_kernels(
      ops::OpKind::kGlobalAvgPool, &p, {test::KernelInput::of(x)}, out_shape, c.slices, pool2,
      [&](const ops::Kernel&, const Tensor& y) {
        return test::count_over(ref, y, [](double r) { return kTol * (1.0 + std::fabs(r)); });
      },
      tally);
}

TEST_CASE("global_avg_pool conformance: every registered kernel on the final pools of Inception-v3, v4 and GoogLeNet") {
  test::Rng rng(0x9a9001);
  test::Pool pool2(2);
  test::KernelTally tally;
  for (const GapCase& c : test::named_gap_cases()) check_case(rng, c, pool2.get(), &tally);
  MESSAGE("global_avg_pool kernels: " << tally.summary());
  tally.check_every_kernel_ran(ops::OpKind::kGlobalAvgPool);
}

TEST_CASE("global_avg_pool conformance: every registered kernel on seeded random maps, dense and in random slices") {
  test::Pool pool2(2);
  test::KernelTally tally;
  test::Rng rng(0x9a9002);
  for (int i = 0; i < 72; ++i)
    check_case(rng, test::random_gap_case(rng, 3, 20, 64, /*slices=*/true), pool2.get(), &tally);
  test::Rng small(0x9a9a);
  for (int i = 0; i < 20; ++i)
    check_case(small, test::random_gap_case(small, 2, 6, 9, /*slices=*/false), pool2.get(), &tally);
  MESSAGE("global_avg_pool kernels: " << tally.summary());
  tally.check_every_kernel_ran(ops::OpKind::kGlobalAvgPool);
}

TEST_CASE("global_avg_pool conformance: XNNPACK refuses a pixel stride below the channel count by name, not a crash") {
  const ops::GlobalAvgPoolParams p;
  const std::vector<const ops::Kernel*> xnn =
      test::runnable_kernels_of(ops::OpKind::kGlobalAvgPool, ops::KernelFamily::kXnnpack);
  for (const ops::Kernel* k : xnn) {
    const Status s = test::create_status(*k, &p, {{1, 8, 8, 64}}, {64}, {nullptr}, {1, 64}, 63);
    CHECK_FAILED_WITH(s, kInvalidArgument, "pixel strides 64 (input) and 63 (output) must be >= the channel count 64");
  }
  if (xnn.empty()) MESSAGE("skipped: no XNNPACK global_avg_pool kernel runs here");
}

}  // namespace
}  // namespace incept
