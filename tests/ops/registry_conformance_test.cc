// SPDX-License-Identifier: Apache-2.0
// Conformance of the ops whose only kernel is the reference today, LRN and Concat, through the registry
// (tests/support/kernel_runner.h): every kernel this CPU can run, sliced in NaN-guarded buffers on two
// threads and dense, touching nothing outside the output slice and never the heap, the reference's bits
// both ways, so a kernel added to their lists is tested with no new test code. (The other ops: their own
// <op>_conformance_test.cc.)
#include <doctest/doctest.h>

#include <vector>

#include "concat/concat.h"
#include "lrn/lrn.h"
#include "support/kernel_runner.h"

namespace incept {
namespace {

using test::KernelInput;
using test::Tensor;

int differ(const Tensor& want, const Tensor& got) {
  return test::count_over(want, got, [](double) { return 0.0; });
}

ops::LRNParams lrn_params(int32_t size, float alpha = 1e-4f, float beta = 0.75f, float bias = 1.0f) {
  ops::LRNParams p;
  p.size = size;
  p.alpha = alpha;
  p.beta = beta;
  p.bias = bias;
  return p;
}

void check_lrn(test::Rng& rng, const ops::LRNParams& p, const Shape& in, pthreadpool_t pool2,
               test::KernelTally* tally) {
  CAPTURE(test::to_string(in));
  CAPTURE(p.size);
  Shape out;
  REQUIRE(ops::lrn_infer_shape(p, in, &out).is_ok());
  const Tensor x = test::random_tensor(rng, in, -4.0f, 4.0f);
  const Tensor want = test::run_ref(ops::OpKind::kLRN, &p, {KernelInput::of(x)}, out);
  test::check_kernels(
      ops::OpKind::kLRN, &p, {KernelInput::of(x)}, out, test::Slices{}, pool2,
      [&](const ops::Kernel&, const Tensor& y) { return differ(want, y); }, tally);
}

TEST_CASE("registry conformance: LRN, GoogLeNet's and seeded random windows, sliced and dense") {
  test::Rng rng(0x7a05);
  test::Pool pool2(2);
  test::KernelTally tally;
  for (Shape in : std::vector<Shape>{{1, 56, 56, 64}, {1, 28, 28, 192}, {1, 5, 5, 3}})  // GoogLeNet's LRN
    check_lrn(rng, lrn_params(5), in, pool2.get(), &tally);
  test::Rng small(0x17a7);
  for (int i = 0; i < 30; ++i) {
    const Shape in{small.uniform_int(1, 2), small.uniform_int(1, 3), small.uniform_int(1, 3), small.uniform_int(1, 12)};
    const ops::LRNParams p = lrn_params(small.uniform_int(1, 8), small.uniform(0.1f, 2.0f), 0.75f, 1.0f);
    check_lrn(small, p, in, pool2.get(), &tally);
  }
  MESSAGE("lrn kernels: " << tally.summary());
  tally.check_every_kernel_ran(ops::OpKind::kLRN);
}

TEST_CASE("registry conformance: Concat of three branches, sliced and dense") {
  test::Rng rng(0x7a06);
  test::Pool pool2(2);
  test::KernelTally tally;
  const ops::ConcatParams cat;
  const Shape parts[] = {{1, 17, 17, 192}, {1, 17, 17, 320}, {1, 17, 17, 7}};
  Shape out;
  REQUIRE(ops::concat_infer_shape(cat, parts, 3, &out).is_ok());
  const Tensor a = test::random_tensor(rng, parts[0]), b = test::random_tensor(rng, parts[1]),
               c = test::random_tensor(rng, parts[2]);
  const std::vector<KernelInput> inputs = {KernelInput::of(a), KernelInput::of(b), KernelInput::of(c)};
  const Tensor want = test::run_ref(ops::OpKind::kConcat, &cat, inputs, out);
  test::check_kernels(
      ops::OpKind::kConcat, &cat, inputs, out, test::Slices{}, pool2.get(),
      [&](const ops::Kernel&, const Tensor& y) { return differ(want, y); }, &tally);
  tally.check_every_kernel_ran(ops::OpKind::kConcat);
}

}  // namespace
}  // namespace incept
