// SPDX-License-Identifier: Apache-2.0
// Conformance of every AvgPool2D kernel in the registry this CPU can run (XNNPACK, ref) through the registry
// interface (tests/support/kernel_runner.h), sliced on a 2-thread pool and dense, the same bits both ways,
// against the reference: torchvision Inception-v3's branch pools (3x3 s1 p1 counting the padding) and aux
// pool, timm Inception-v4's (not counting it), a whole-map average, the ceil corner cases, and seeded random
// windows (both padding modes, ceil mode, 1x1 windows, ReLU, random slices). Also where XNNPACK declines:
// exactly the case its header documents.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "avg_pool2d/avg_pool2d.h"
#include "support/kernel_runner.h"

namespace incept {
namespace {

using test::AvgPoolCase;
using test::Tensor;

// Tolerance per element: |y - ref| <= 1e-6 * (1 + |ref|). Both sum at most 49 values in [-1, 1] and divide
// (XNNPACK multiplies by the rounded reciprocal), so they differ by a few ulp of the window sum over the
// window size: measured worst 1.2e-7, so 1e-6 (8 eps) leaves 8x headroom. A wrong divisor or a counted pad
// is off by ~1/49 of a value, 2e4 times more.
constexpr double kTol = 1e-6;

void check_case(test::Rng& rng, const AvgPoolCase& c, pthreadpool_t pool2, test::KernelTally* tally) {
  CAPTURE(c.describe());
  Shape out_shape;
  REQUIRE(ops::avg_pool2d_infer_shape(c.p, c.in, &out_shape).is_ok());
  REQUIRE(out_shape == c.out_shape());
  const Tensor x = test::random_tensor(rng, c.in);
  Tensor ref(out_shape);
  ops::avg_pool2d_f32_ref(c.p, x.cview(), ref.view());
  test::check_kernels(
      ops::OpKind::kAvgPool2D, &c.p, {test::KernelInput::of(x)}, out_shape, c.slices, pool2,
      [&](const ops::Kernel&, const Tensor& y) {
        return test::count_over(ref, y, [](double r) { return kTol * (1.0 + std::fabs(r)); });
      },
      tally);
}

TEST_CASE("avg_pool2d conformance: every registered kernel on Inception-v3 and v4 pools") {
  test::Rng rng(0xa7a001);
  test::Pool pool2(2);
  test::KernelTally tally;
  for (const AvgPoolCase& c : test::named_avg_pool_cases()) check_case(rng, c, pool2.get(), &tally);
  MESSAGE("avg_pool2d kernels: " << tally.summary());
  tally.check_every_kernel_ran(ops::OpKind::kAvgPool2D);
}

TEST_CASE("avg_pool2d conformance: every registered kernel on seeded random windows, dense and in random slices") {
  test::Pool pool2(2);
  test::KernelTally tally;
  test::Rng rng(0x7a01);
  for (int i = 0; i < 30; ++i) check_case(rng, test::random_pool_case<ops::AvgPool2DParams>(rng), pool2.get(), &tally);
  test::Rng small(0x5721de3);
  for (int i = 0; i < 40; ++i)
    check_case(small, test::random_pool_case<ops::AvgPool2DParams>(small, 5), pool2.get(), &tally);
  test::Rng wide(0xa7a002);
  for (int i = 0; i < 112; ++i)
    check_case(wide, test::random_wide_pool_case<ops::AvgPool2DParams>(wide), pool2.get(), &tally);
  MESSAGE("avg_pool2d kernels: " << tally.summary());
  tally.check_every_kernel_ran(ops::OpKind::kAvgPool2D);
}

// XNNPACK's documented refusal, decided here independently of the kernel: counting padding, some padding,
// and ceil rounding adding an output (so a window reaches past the padding, and the divisor is not the
// window's size).
bool xnn_must_decline(const AvgPoolCase& c) {
  const bool any_pad = c.p.pad.top + c.p.pad.bottom + c.p.pad.left + c.p.pad.right > 0;
  if (!c.p.count_include_pad || !any_pad || !c.p.ceil_mode) return false;
  AvgPoolCase floor_c = c;
  floor_c.p.ceil_mode = false;
  return floor_c.out_shape() != c.out_shape();
}

TEST_CASE("avg_pool2d conformance: XNNPACK declines exactly where its header says, by name") {
  const std::vector<const ops::Kernel*> xnn =
      test::runnable_kernels_of(ops::OpKind::kAvgPool2D, ops::KernelFamily::kXnnpack);
  if (xnn.empty()) MESSAGE("skipped: no XNNPACK avg_pool2d kernel runs here");
  for (const ops::Kernel* k : xnn) {
    test::Rng rng(0xa7a004);
    std::vector<AvgPoolCase> cases = test::named_avg_pool_cases();
    for (int i = 0; i < 100; ++i) cases.push_back(test::random_wide_pool_case<ops::AvgPool2DParams>(rng));
    int ran = 0, declined = 0;
    for (const AvgPoolCase& c : cases) {
      CAPTURE(c.describe());
      const Tensor x = test::random_tensor(rng, c.in);
      test::KernelRun r;
      const bool took = test::run_kernel(*k, &c.p, {test::KernelInput::of(x)}, c.out_shape(), nullptr, c.slices, &r);
      CHECK(took == !xnn_must_decline(c));
      if (!took) CHECK_FAILED_WITH(r.declined, kUnsupported, "window reaching past the padding");
      (took ? ran : declined)++;
    }
    CHECK(ran >= 80);
    CHECK(declined >= 3);  // the draw reaches the refused case too
    // 4x4, 3x3 s2 p1 ceil: PyTorch gives 3x3 outputs; the last window covers rows 3..5 of the padded range
    // [-1, 5), so it is clipped to 2 rows and divides by 6, not 9: a depthwise conv cannot know.
    const ops::AvgPool2DParams ceil_past = test::avg_pool(3, 2, {1, 1, 1, 1}, true, true);
    CHECK_FAILED_WITH(test::create_status(*k, &ceil_past, {{1, 4, 4, 3}}, {3}, {nullptr}, {1, 3, 3, 3}, 3),
                      kUnsupported, "count_include_pad with padding 1/1/1/1 and ceil rounding");
    const ops::AvgPool2DParams plain = test::avg_pool(3, 1);
    CHECK_FAILED_WITH(test::create_status(*k, &plain, {{1, 5, 5, 8}}, {7}, {nullptr}, {1, 3, 3, 8}, 8),
                      kInvalidArgument, "pixel strides 7 (input) and 8 (output) must be >= the channel count 8");
  }
}

}  // namespace
}  // namespace incept
