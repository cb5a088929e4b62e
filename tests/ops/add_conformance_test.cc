// SPDX-License-Identifier: Apache-2.0
// Conformance of every Add kernel in the registry this CPU can run (XNNPACK, ref) through the registry
// interface (tests/support/kernel_runner.h), sliced on a 2-thread pool and dense: bit for bit the reference
// (one float rounding per element), on Inception-ResNet-v2's residual adds (in place over either input, or
// apart) and seeded random shapes (in random slices, in place). XNNPACK's add takes dense tensors only: it
// declines the sliced runs, by name.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "add/add.h"
#include "support/kernel_runner.h"

namespace incept {
namespace {

using test::AddCase;
using test::Tensor;

void check_case(test::Rng& rng, const AddCase& c, pthreadpool_t pool2, test::KernelTally* tally) {
  CAPTURE(c.describe());
  ops::AddParams p;
  p.activation = c.relu ? ops::Activation::kRelu : ops::Activation::kNone;
  Shape out_shape;
  REQUIRE(ops::add_infer_shape(p, c.shape, c.shape, &out_shape).is_ok());
  const Tensor a = test::random_tensor(rng, c.shape), b = test::random_tensor(rng, c.shape);
  Tensor ref(out_shape);
  ops::add_f32_ref(p, a.cview(), b.cview(), ref.view());
  test::check_kernels(
      ops::OpKind::kAdd, &p, {test::KernelInput::of(a), test::KernelInput::of(b)}, out_shape, c.slices, pool2,
      [&](const ops::Kernel&, const Tensor& y) { return test::count_over(ref, y, [](double) { return 0.0; }); }, tally);
}

TEST_CASE("add conformance: every registered kernel on Inception-ResNet-v2's residual adds, in place and not") {
  test::Rng rng(0xadd001);
  test::Pool pool2(2);
  test::KernelTally tally;
  for (const AddCase& c : test::named_add_cases()) check_case(rng, c, pool2.get(), &tally);
  MESSAGE("add kernels: " << tally.summary());
  tally.check_every_kernel_ran(ops::OpKind::kAdd);
}

TEST_CASE("add conformance: every registered kernel on seeded random shapes, in slices and in place") {
  test::Pool pool2(2);
  test::KernelTally tally;
  test::Rng rng(0xadd002);
  for (int i = 0; i < 72; ++i) check_case(rng, test::random_add_case(rng), pool2.get(), &tally);
  test::Rng small(0xadd3);
  for (int i = 0; i < 20; ++i) check_case(small, test::random_add_case(small, 9), pool2.get(), &tally);
  MESSAGE("add kernels: " << tally.summary());
  tally.check_every_kernel_ran(ops::OpKind::kAdd);
}

TEST_CASE("add conformance: XNNPACK declines strided views by name (its add takes dense tensors)") {
  const std::vector<const ops::Kernel*> xnn = test::runnable_kernels_of(ops::OpKind::kAdd, ops::KernelFamily::kXnnpack);
  const ops::AddParams p;
  const Shape s{1, 35, 35, 320};
  for (const ops::Kernel* k : xnn) {
    CHECK_FAILED_WITH(test::create_status(*k, &p, {s, s}, {320, 320}, {nullptr, nullptr}, s, 640), kUnsupported,
                      "pixel strides 320, 320 (inputs) and 640 (output) must all equal the channel count 320");
    CHECK_FAILED_WITH(test::create_status(*k, &p, {s, s}, {336, 320}, {nullptr, nullptr}, s, 320), kUnsupported,
                      "dense tensors only");
  }
  if (xnn.empty()) MESSAGE("skipped: no XNNPACK add kernel runs here");
}

}  // namespace
}  // namespace incept
