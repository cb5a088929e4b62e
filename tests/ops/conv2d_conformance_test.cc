// SPDX-License-Identifier: Apache-2.0
// Conformance of every Conv2D kernel in the registry (ops/conv2d/conv2d_kernels.cc) that this CPU can run
// (our GEMM and Winograd engines on every ISA it has whatever the INCEPT_ISA cap says, XNNPACK, Eigen, ref),
// created, set up and run exactly as prepare and invoke do (tests/support/kernel_runner.h): on the named
// layers of GoogLeNet, v3, v4 and Inception-ResNet-v2 (branches writing into their concat slices), and on
// seeded random shapes of three draws (a third Winograd-shaped; grouped and depthwise in random slices;
// small), each sliced in NaN-guarded buffers on two threads and dense, against the reference within the
// shared error bound and the same bits both ways, touching nothing outside the output slice and never the
// heap. A kernel may refuse a case only as kUnsupported; every case is taken by at least one fast kernel.
// Also: any thread count gives the same bits, NaN goes where the reference puts it, kernels that fuse a
// residual add do it bit for bit, XNNPACK refuses a bad layout by name, and the registry's own rules.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
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
using test::KernelInput;
using test::Tensor;

std::vector<KernelInput> inputs_of(const ConvCase& c, const test::ConvReference& r) {
  return {KernelInput::of(r.x), KernelInput::weights(c.weights(), r.w.data.data()),
          c.bias ? KernelInput::weights(Shape{c.out_c}, r.bias()) : KernelInput::absent()};
}

// The second bound, derived for XNNPACK and held by every kernel: both sum K = kH * kW * C/groups products of
// values in [-1, 1] in float, in different orders (XNNPACK blocks the sum and uses FMA). The rounding error
// of such a sum grows like sqrt(K) * eps * (size of the partial sums), and the partial sums are of the
// order of the largest output, so the bound is 2.5e-7 * sqrt(K) * (1 + max|ref|), about 2 eps per sqrt(K).
// Measured: the worst case of the direct kernels uses a fifth of it. A real bug (a wrong tap, pad or
// weight) is off by O(1), far above it.
double max_norm_tolerance(const ConvCase& c, const Tensor& ref) {
  float max_ref = 0.0f;
  for (float v : ref.data) max_ref = std::max(max_ref, std::fabs(v));
  return 2.5e-7 * std::sqrt(static_cast<double>(c.depth())) * (1.0 + max_ref);
}

struct Worst {
  std::map<std::string, double> per_output, max_norm;  // per kernel: the largest error / bound seen
  std::string summary() const {
    std::string s;
    for (const auto& [name, w] : per_output)
      s += name + " " + std::to_string(w) + " / " + std::to_string(max_norm.at(name)) + "; ";
    return s;
  }
};

// Every kernel on case c (the reference kernel too, with_ref), within both bounds of the reference.
void check_case(test::Rng& rng, const ConvCase& c, pthreadpool_t pool2, bool with_ref, test::KernelTally* tally,
                Worst* worst) {
  CAPTURE(c.describe());
  const test::ConvReference r = test::make_conv_reference(rng, c);
  REQUIRE(r.out_shape.rank == 4);
  const double tol = max_norm_tolerance(c, r.ref);
  const int fast_before = [&] {
    int n = 0;
    for (const auto& [name, count] : tally->ran) n += name.find("_ref") == std::string::npos ? count : 0;
    return n;
  }();
  test::check_kernels(
      ops::OpKind::kConv2D, &c.p, inputs_of(c, r), r.out_shape, c.slices, pool2,
      [&](const ops::Kernel& k, const Tensor& y) {
        test::ConvErrorMeter meter;
        const int over = meter.over_bound(c, r, y);
        const double err = test::max_abs_diff(y, r.ref);
        double& w1 = worst->per_output[k.name];
        double& w2 = worst->max_norm[k.name];
        w1 = std::max(w1, meter.worst_ratio);
        w2 = std::max(w2, err / tol);
        CAPTURE(err);
        CAPTURE(tol);
        CHECK(err <= tol);
        return over;
      },
      tally, with_ref);
  int fast_after = 0;
  for (const auto& [name, count] : tally->ran) fast_after += name.find("_ref") == std::string::npos ? count : 0;
  CHECK(fast_after > fast_before);  // eigen takes every conv
}

// One test case's runs: a pool of two threads, the tally of kernels run and declined and the worst
// errors, printed by report().
struct ConvRuns {
  test::Pool pool2{2};
  test::KernelTally tally;
  Worst worst;
  void check(test::Rng& rng, const ConvCase& c, bool with_ref = true) {
    check_case(rng, c, pool2.get(), with_ref, &tally, &worst);
  }
  void report() const {
    MESSAGE("conv2d kernels: " << tally.summary()
                               << "worst error / bound (per output / max norm): " << worst.summary());
  }
};

TEST_CASE("conv2d conformance: every registered kernel on layers of GoogLeNet, v3, v4 and Inception-ResNet-v2") {
  test::Rng rng(0xc0f1);
  ConvRuns runs;
  for (const ConvCase& c : test::named_conv_cases()) runs.check(rng, c, /*with_ref=*/false);
  runs.report();
}

TEST_CASE("conv2d conformance: every registered kernel on seeded random shapes, a third of them Winograd's") {
  test::Rng rng(0xc0f2);
  ConvRuns runs;
  for (int i = 0; i < 60; ++i) runs.check(rng, test::random_conv_case(rng));
  test::Rng rng2(0xe16e2);
  for (int i = 0; i < 50; ++i) runs.check(rng2, test::random_conv_case(rng2));
  runs.report();
  runs.tally.check_every_kernel_ran(ops::OpKind::kConv2D);
}

TEST_CASE("conv2d conformance: every registered kernel on grouped and depthwise shapes in random slices") {
  test::Rng rng(0xc0417b);
  ConvRuns runs;
  for (int i = 0; i < 72; ++i) runs.check(rng, test::random_grouped_conv_case(rng));
  runs.report();
}

TEST_CASE("conv2d conformance: every registered kernel on small shapes (2x2, 2x4, 5x5 windows, few channels)") {
  test::Rng rng(0x5721de);
  ConvRuns runs;
  for (const ConvCase& c : test::small_conv_cases()) runs.check(rng, c);
  for (int i = 0; i < 30; ++i) runs.check(rng, test::random_small_conv_case(rng));
  runs.report();
}

TEST_CASE("conv2d conformance: 1, 2 and 3 threads give every kernel the same bits") {
  // Work splits depend on the shapes only, so any pool (and none) must agree exactly.
  test::Rng rng(0xb175);
  const ConvCase c{"v3 Mixed_6c.branch7x7_2 (1x7)", {1, 17, 17, 160}, test::conv(1, 7, 1, {0, 0, 3, 3}), 160};
  const test::ConvReference r = test::make_conv_reference(rng, c);
  for (const ops::Kernel* k : test::runnable_kernels(ops::OpKind::kConv2D)) {
    CAPTURE(k->name);
    test::KernelRun alone;
    REQUIRE(test::run_kernel(*k, &c.p, inputs_of(c, r), r.out_shape, nullptr, test::kDense, &alone));
    for (size_t threads : {1, 2, 3}) {
      CAPTURE(threads);
      test::Pool pool(threads);
      test::KernelRun y;
      REQUIRE(test::run_kernel(*k, &c.p, inputs_of(c, r), r.out_shape, pool.get(), test::kDense, &y));
      CHECK(std::memcmp(y.out.data.data(), alone.out.data.data(), sizeof(float) * alone.out.data.size()) == 0);
    }
  }
}

// XNNPACK is exempt: its output clamp (min / max instructions) drops NaN, with or without ReLU (measured: all
// 63 outputs of this case are numbers), as its max pool does.
TEST_CASE("conv2d conformance: a NaN input pixel gives NaN exactly where ref does, ReLU included") {
  test::Rng rng(0x7a7);
  const ConvCase c{"3x3 pad 1", {1, 6, 6, 5}, test::conv(3, 3, 1, {1, 1, 1, 1}), 7};
  test::ConvReference r = test::make_conv_reference(rng, c);
  r.x.data[(2 * 6 + 3) * 5 + 1] = std::nanf("");
  ops::conv2d_f32_ref(c.p, r.x.cview(), r.w.data.data(), r.bias(), r.ref.view());
  int nans = 0;
  for (float v : r.ref.data) nans += std::isnan(v) ? 1 : 0;
  CHECK(nans == 9 * 7);  // the 3x3 neighbourhood of the pixel, every output channel
  for (const auto& [kernel_name, y] :
       test::every_kernel_output(ops::OpKind::kConv2D, &c.p, inputs_of(c, r), r.out_shape)) {
    const auto& kernel = kernel_name;  // a binding cannot be captured (CAPTURE) before C++20
    if (kernel.find("_xnn") != std::string::npos) continue;
    CAPTURE(kernel);
    int differ = 0;
    for (size_t i = 0; i < r.ref.data.size(); ++i) differ += std::isnan(r.ref.data[i]) != std::isnan(y.data[i]) ? 1 : 0;
    CHECK(differ == 0);
  }
}

// Kernels that fuse a residual add (Kernel::fuses_residual): act((conv + bias) + x) is, bit for bit, the
// same kernel's conv without it followed by the fp32 add and the activation (what Add runs), with x apart
// or in place (the output slice holds x when the kernel starts), on two threads and one.
void check_residual(test::Rng& rng, ConvCase c, pthreadpool_t pool2, std::map<std::string, int>* fused) {
  c.p.activation = ops::Activation::kNone;  // prepare fuses only into convs without an activation
  CAPTURE(c.describe());
  const test::ConvReference r = test::make_conv_data(rng, c);  // the kernel's own conv is the reference here
  REQUIRE(r.out_shape.rank == 4);
  Tensor x(r.out_shape);
  for (float& v : x.data) v = rng.uniform(-2.0f, 2.0f);
  for (const ops::Kernel* k : test::runnable_kernels(ops::OpKind::kConv2D)) {
    if (!k->fuses_residual) continue;
    const std::string kernel = k->name;
    CAPTURE(kernel);
    test::KernelRun plain;
    if (!test::run_kernel(*k, &c.p, inputs_of(c, r), r.out_shape, pool2, test::Slices{}, &plain)) continue;
    CHECK(plain.outside_untouched);
    ++(*fused)[kernel];
    for (ops::Activation act : {ops::Activation::kNone, ops::Activation::kRelu}) {
      Tensor want(r.out_shape);
      for (size_t i = 0; i < want.data.size(); ++i)
        want.data[i] = ops::apply_activation(act, plain.out.data[i] + x.data[i]);
      for (bool in_place : {false, true}) {
        for (pthreadpool_t pool : {pool2, static_cast<pthreadpool_t>(nullptr)}) {
          CAPTURE(in_place);
          CAPTURE(pool != nullptr);
          const test::KernelResidual residual{&x, act, in_place};
          test::KernelRun got;
          REQUIRE(test::run_kernel(*k, &c.p, inputs_of(c, r), r.out_shape, pool, test::Slices{}, &got, &residual));
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

TEST_CASE("conv2d conformance: XNNPACK refuses pixel strides below the channel counts by name, not a crash") {
  // A caller bug, so kInvalidArgument (not kUnsupported: no other kernel is to be tried); XNNPACK itself is
  // never asked.
  const ops::Conv2DParams p = test::conv(3, 3, 1, {1, 1, 1, 1});
  const std::vector<float> w(size_t{8} * 3 * 3 * 4, 0.5f);
  const std::vector<ops::Kernel const*> xnn =
      test::runnable_kernels_of(ops::OpKind::kConv2D, ops::KernelFamily::kXnnpack);
  for (const ops::Kernel* k : xnn) {
    CAPTURE(k->name);
    const Status s =
        test::create_status(*k, &p, {{1, 5, 5, 4}, {8, 3, 3, 4}}, {4, 0}, {nullptr, w.data()}, {1, 5, 5, 8}, 7);
    CHECK_FAILED_WITH(s, kInvalidArgument,
                      "pixel strides 4 (input) and 7 (output) must be >= the channel counts 4 and 8");
  }
  if (xnn.empty()) MESSAGE("skipped: no XNNPACK conv2d kernel runs here");
}

}  // namespace
}  // namespace incept
