// SPDX-License-Identifier: Apache-2.0
// Conformance of every MaxPool2D kernel in the registry this CPU can run (our vector kernel on every ISA
// it has, XNNPACK, ref) through the registry interface (tests/support/kernel_runner.h), sliced on a 2-thread
// pool and dense: the reference's output to the bit (max is exact), NaN propagated and -0.0 kept as the
// reference does, on GoogLeNet's and Inception-v3's pools (grid reductions into their concat slices, all
// negative inputs so a padded zero winning would show) and seeded random windows with channel counts off
// every vector width, ceil windows past the padding and 1x1 windows included. Also XNNPACK's refusal of a
// bad layout.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "max_pool2d/max_pool2d.h"
#include "support/kernel_runner.h"

namespace incept {
namespace {

using test::MaxPoolCase;
using test::Tensor;

// Every runnable kernel on c, sliced (2 threads) and dense (no pool), against the reference bit for bit.
// Inputs in [-1, 1] hold NaNs, -0.0 and +0.0 here and there so that their handling is compared too.
void check_case(test::Rng& rng, const MaxPoolCase& c, pthreadpool_t pool2, test::KernelTally* tally) {
  CAPTURE(c.describe());
  Shape out_shape;
  REQUIRE(ops::max_pool2d_infer_shape(c.p, c.in, &out_shape).is_ok());
  REQUIRE(out_shape == c.out_shape());
  Tensor x = c.negative ? test::random_tensor(rng, c.in, -2.0f, -1.0f) : test::random_tensor(rng, c.in);
  if (!c.negative) {
    for (float& v : x.data) {
      const float u = rng.uniform01();
      if (u < 0.01f)
        v = std::nanf("");
      else if (u < 0.03f)
        v = -0.0f;
      else if (u < 0.05f)
        v = 0.0f;
    }
  }
  Tensor ref(out_shape);
  ops::max_pool2d_f32_ref(c.p, x.cview(), ref.view());
  test::check_kernels(
      ops::OpKind::kMaxPool2D, &c.p, {test::KernelInput::of(x)}, out_shape, c.slices, pool2,
      [&](const ops::Kernel& k, const Tensor& y) {
        int differ = 0;
        for (size_t i = 0; i < ref.data.size(); ++i) {
          // XNNPACK's max pool drops NaNs and may flip the sign of a zero (measured), so it is
          // compared by value where ref is a number.
          if (k.family == ops::KernelFamily::kXnnpack) {
            differ += std::isnan(ref.data[i]) || y.data[i] == ref.data[i] ? 0 : 1;
          } else {
            differ += std::memcmp(&y.data[i], &ref.data[i], sizeof(float)) != 0 ? 1 : 0;
          }
        }
        return differ;
      },
      tally);
}

TEST_CASE("max_pool2d conformance: every registered kernel on GoogLeNet's and Inception-v3's pools, bit for bit") {
  test::Rng rng(0x9000);
  test::Pool pool2(2);
  test::KernelTally tally;
  for (const MaxPoolCase& c : test::named_max_pool_cases()) check_case(rng, c, pool2.get(), &tally);
  MESSAGE("max_pool2d kernels: " << tally.summary());
  tally.check_every_kernel_ran(ops::OpKind::kMaxPool2D);
}

TEST_CASE("max_pool2d conformance: every registered kernel on seeded random windows, NaN and signed zeros included") {
  test::Pool pool2(2);
  test::KernelTally tally;
  test::Rng rng(0x9001);
  for (int i = 0; i < 80; ++i) check_case(rng, test::random_pool_case<ops::MaxPool2DParams>(rng), pool2.get(), &tally);
  test::Rng small(0x5721de2);
  for (int i = 0; i < 40; ++i)
    check_case(small, test::random_pool_case<ops::MaxPool2DParams>(small, 5), pool2.get(), &tally);
  // Wider windows in random slices; ceil rounding that adds a window (which XNNPACK needs extra padding for)
  // comes up often enough.
  test::Rng wide(0x3a9002);
  int ceil_extended = 0;
  for (int i = 0; i < 92; ++i) {
    const MaxPoolCase c = test::random_wide_pool_case<ops::MaxPool2DParams>(wide);
    MaxPoolCase floor_c = c;
    floor_c.p.ceil_mode = false;
    ceil_extended += floor_c.fits() && floor_c.out_shape() != c.out_shape() ? 1 : 0;
    check_case(wide, c, pool2.get(), &tally);
  }
  CHECK(ceil_extended >= 5);
  MESSAGE("max_pool2d kernels: " << tally.summary());
  tally.check_every_kernel_ran(ops::OpKind::kMaxPool2D);
}

TEST_CASE("max_pool2d conformance: XNNPACK refuses a pixel stride below the channel count by name, not a crash") {
  const ops::MaxPool2DParams p = test::max_pool(3, 2);
  const std::vector<const ops::Kernel*> xnn =
      test::runnable_kernels_of(ops::OpKind::kMaxPool2D, ops::KernelFamily::kXnnpack);
  for (const ops::Kernel* k : xnn) {
    const Status s = test::create_status(*k, &p, {{1, 9, 9, 8}}, {8}, {nullptr}, {1, 4, 4, 8}, 6);
    CHECK_FAILED_WITH(s, kInvalidArgument, "pixel strides 8 (input) and 6 (output) must be >= the channel count 8");
  }
  if (xnn.empty()) MESSAGE("skipped: no XNNPACK max_pool2d kernel runs here");
}

}  // namespace
}  // namespace incept
