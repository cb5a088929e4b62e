// SPDX-License-Identifier: Apache-2.0
// Conformance of every Conv2D kernel in the registry (ops/conv2d/conv2d_kernels.cc) that this CPU can
// run, on every ISA it has whatever the INCEPT_ISA cap says: created, set up and run exactly as prepare
// and invoke do (KernelConfig / KernelIo), on the named layers of GoogLeNet, v3, v4 and
// Inception-ResNet-v2 and on seeded random shapes (groups, dilation, channel counts off every register
// tile), reading a NaN-guarded channel slice and writing a channel slice on a 2-thread pool, against
// the reference within the shared error bound, touching nothing outside the output slice and never the
// heap. A kernel may refuse a case only as kUnsupported; every case is taken by at least one fast kernel
// or the reference. Kernels that fuse a residual add do it bit for bit.
#include <doctest/doctest.h>

#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "gemm/gemm.h"
#include "op_registry.h"
#include "support/conv_cases.h"
#include "support/kernel_runner.h"

namespace incept {
namespace {

using test::ConvCase;
using test::Tensor;

test::ConvErrorMeter g_meter;
std::map<std::string, int> g_ran, g_refused;

bool run(const ops::Kernel& k, const ConvCase& c, const test::ConvReference& r, pthreadpool_t pool, bool sliced,
         Tensor* out) {
  const std::vector<test::KernelInput> inputs = {
      test::KernelInput::of(r.x), test::KernelInput::weights(c.weights(), r.w.data.data()),
      c.bias ? test::KernelInput::weights(Shape{c.out_c}, r.bias()) : test::KernelInput::absent()};
  test::KernelRun result;
  if (!test::run_kernel(k, &c.p, inputs, r.out_shape, pool, sliced, &result)) return false;
  CHECK(result.outside_untouched);
  *out = result.out;
  return true;
}

void check_case(test::Rng& rng, const ConvCase& c, pthreadpool_t pool2, bool with_ref_kernel) {
  CAPTURE(c.describe());
  const test::ConvReference r = test::make_conv_reference(rng, c);
  REQUIRE(r.out_shape.rank == 4);
  int fast_taken = 0;
  for (const ops::Kernel* k : test::runnable_kernels(ops::OpKind::kConv2D)) {
    if (k->family == ops::KernelFamily::kRef && !with_ref_kernel) continue;
    const std::string kernel = k->name;
    CAPTURE(kernel);
    Tensor sliced, dense;
    if (!run(*k, c, r, pool2, /*sliced=*/true, &sliced)) {
      ++g_refused[k->name];
      continue;
    }
    ++g_ran[k->name];
    fast_taken += k->family != ops::KernelFamily::kRef ? 1 : 0;
    CHECK(g_meter.over_bound(c, r, sliced) == 0);
    REQUIRE(run(*k, c, r, nullptr, /*sliced=*/false, &dense));
    CHECK(g_meter.over_bound(c, r, dense) == 0);
  }
  CHECK(fast_taken >= 1);   // eigen takes every conv
}

TEST_CASE("conv2d conformance: every registered kernel on layers of GoogLeNet, v3, v4 and Inception-ResNet-v2") {
  test::Rng rng(0xc0f1);
  test::Pool pool2(2);
  for (const ConvCase& c : test::named_conv_cases()) check_case(rng, c, pool2.get(), /*with_ref_kernel=*/false);
}

TEST_CASE("conv2d conformance: every registered kernel on seeded random shapes") {
  test::Rng rng(0xc0f2);
  test::Pool pool2(2);
  for (int i = 0; i < 60; ++i) check_case(rng, test::random_conv_case(rng), pool2.get(), /*with_ref_kernel=*/true);
  std::string summary;
  for (const auto& [name, n] : g_ran) summary += name + " ran " + std::to_string(n) + ", refused " +
                                                 std::to_string(g_refused[name]) + "; ";
  MESSAGE("conv2d kernels: " << summary << "worst error " << g_meter.worst_abs << ", " << g_meter.worst_ratio
                             << " of the tolerance");
  for (const ops::Kernel* k : test::runnable_kernels(ops::OpKind::kConv2D)) CHECK_MESSAGE(g_ran[k->name] > 0, k->name);   // nobody idle
}

// Kernels that fuse a residual add (Kernel::fuses_residual): act((conv + bias) + x) is, bit for bit, the
// same kernel's conv without it followed by the fp32 add and the activation (what Add runs), with x apart
// or in place (the output slice holds x when the kernel starts), on two threads and one.
void check_residual(test::Rng& rng, ConvCase c, pthreadpool_t pool2, std::map<std::string, int>* fused) {
  c.p.activation = ops::Activation::kNone;   // prepare fuses only into convs without an activation
  CAPTURE(c.describe());
  const test::ConvReference r = test::make_conv_reference(rng, c);
  REQUIRE(r.out_shape.rank == 4);
  Tensor x(r.out_shape);
  for (float& v : x.data) v = rng.uniform(-2.0f, 2.0f);
  for (const ops::Kernel* k : test::runnable_kernels(ops::OpKind::kConv2D)) {
    if (!k->fuses_residual) continue;
    const std::string kernel = k->name;
    CAPTURE(kernel);
    Tensor plain;
    if (!run(*k, c, r, pool2, /*sliced=*/true, &plain)) continue;
    ++(*fused)[kernel];
    for (ops::Activation act : {ops::Activation::kNone, ops::Activation::kRelu}) {
      Tensor want(r.out_shape);
      for (size_t i = 0; i < want.data.size(); ++i) want.data[i] = ops::apply_activation(act, plain.data[i] + x.data[i]);
      for (bool in_place : {false, true}) {
        for (pthreadpool_t pool : {pool2, static_cast<pthreadpool_t>(nullptr)}) {
          CAPTURE(in_place);
          CAPTURE(pool != nullptr);
          const test::KernelResidual residual{&x, act, in_place};
          const std::vector<test::KernelInput> inputs = {
              test::KernelInput::of(r.x), test::KernelInput::weights(c.weights(), r.w.data.data()),
              c.bias ? test::KernelInput::weights(Shape{c.out_c}, r.bias()) : test::KernelInput::absent()};
          test::KernelRun got;
          REQUIRE(test::run_kernel(*k, &c.p, inputs, r.out_shape, pool, /*sliced=*/true, &got, &residual));
          CHECK(got.outside_untouched);
          CHECK(std::memcmp(got.out.data.data(), want.data.data(), want.data.size() * sizeof(float)) == 0);
        }
      }
    }
  }
}

TEST_CASE("conv2d conformance: kernels that fuse a residual add match conv then add, bit for bit") {
  test::Rng rng(0xc0f3);
  test::Pool pool2(2);
  std::map<std::string, int> fused;
  for (const ConvCase& c : test::named_conv_cases()) check_residual(rng, c, pool2.get(), &fused);
  for (int i = 0; i < 40; ++i) check_residual(rng, test::random_conv_case(rng, /*max_groups=*/1), pool2.get(), &fused);
  // Every fusing kernel this CPU runs took some case (the Winograd ones only the shapes their rule takes).
  for (const ops::Kernel* k : test::runnable_kernels(ops::OpKind::kConv2D))
    if (k->fuses_residual) CHECK_MESSAGE(fused[k->name] > 0, k->name);
}

}  // namespace
}  // namespace incept
