// SPDX-License-Identifier: Apache-2.0
// Conformance of every FullyConnected kernel in the registry this CPU can run (the native GEMM engine on
// every ISA it has, XNNPACK, Eigen, ref) through the registry interface (tests/support/kernel_runner.h),
// sliced on a 2-thread pool and dense, the same bits both ways, within two error bounds of the reference
// per output: on the four nets' classifiers (batch 1, where our engine takes its single-row micro-kernel
// and Eigen its gemv; 16, Eigen's last gemv; 17, its first GEMM; a batch in row slices) and seeded random
// sizes of four draws, ReLU or not, with and without bias. Also what only one engine does: Eigen's scratch
// (GEMM path only) and XNNPACK's refusal of a bad row stride.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "fully_connected/fully_connected.h"
#include "support/kernel_runner.h"

namespace incept {
namespace {

using test::FcCase;
using test::KernelInput;
using test::Tensor;

double g_worst_per_output = 0.0, g_worst_max_norm = 0.0;

// Two bounds on |y - ref| per output, both from the rounding of two float sums of K = in products of values
// in [-1, 1] in different orders (blocked, FMA):
//  - per output: 2 * eps * sqrt(K) * (|b| + sum |x w|), the conv rule (conv_cases.h): both sums random-walk;
//  - max norm, derived for XNNPACK: the error grows like sqrt(K) * eps * max|partial sum|, and the partial
//    sums are of the order of the outputs: 2.5e-7 * sqrt(K) * (1 + max|ref|), about 2 eps per sqrt(K).
//    Measured worst: under a fifth of it.
void check_case(test::Rng& rng, const FcCase& c, pthreadpool_t pool2, test::KernelTally* tally) {
  CAPTURE(c.describe());
  ops::FullyConnectedParams p;
  p.activation = c.relu ? ops::Activation::kRelu : ops::Activation::kNone;
  const Tensor x = test::random_tensor(rng, Shape{c.batch, c.in});
  const Tensor w = test::random_tensor(rng, Shape{c.out, c.in});
  const Tensor b = test::random_tensor(rng, Shape{c.out});
  const float* bias = c.bias ? b.data.data() : nullptr;
  const Shape out_shape{c.batch, c.out};
  Tensor ref(out_shape), magnitude(out_shape);
  ops::fully_connected_f32_ref(p, x.cview(), w.data.data(), bias, ref.view());
  Tensor ax = x, aw = w, ab = b;
  for (Tensor* t : {&ax, &aw, &ab})
    for (float& v : t->data) v = std::fabs(v);
  ops::fully_connected_f32_ref(ops::FullyConnectedParams{}, ax.cview(), aw.data.data(),
                               c.bias ? ab.data.data() : nullptr, magnitude.view());
  const double scale = 2.0 * std::numeric_limits<float>::epsilon() * std::sqrt(static_cast<double>(c.in));
  float max_ref = 0.0f;
  for (float v : ref.data) max_ref = std::max(max_ref, std::fabs(v));
  const double max_norm_tol = 2.5e-7 * std::sqrt(static_cast<double>(c.in)) * (1.0 + max_ref);

  const std::vector<KernelInput> inputs = {KernelInput::of(x), KernelInput::weights(w.shape, w.data.data()),
                                           c.bias ? KernelInput::weights(b.shape, bias) : KernelInput::absent()};
  test::check_kernels(
      ops::OpKind::kFullyConnected, &p, inputs, out_shape, c.slices, pool2,
      [&](const ops::Kernel&, const Tensor& y) {
        int bad = 0;
        for (size_t i = 0; i < ref.data.size(); ++i) {
          const double err = std::fabs(double{y.data[i]} - ref.data[i]);
          const double ratio = err / (scale * (magnitude.data[i] + 1e-30));
          g_worst_per_output = std::max(g_worst_per_output, ratio);
          g_worst_max_norm = std::max(g_worst_max_norm, err / max_norm_tol);
          bad += ratio <= 1.0 && err <= max_norm_tol ? 0 : 1;
        }
        return bad;
      },
      tally);
}

TEST_CASE("fully_connected conformance: every registered kernel on the four nets' classifiers") {
  test::Rng rng(0xfc00);
  test::Pool pool2(2);
  test::KernelTally tally;
  for (const FcCase& c : test::named_fc_cases()) check_case(rng, c, pool2.get(), &tally);
  MESSAGE("fully_connected kernels: " << tally.summary() << "worst error / bound " << g_worst_per_output
                                      << " per output, " << g_worst_max_norm << " max norm");
  tally.check_every_kernel_ran(ops::OpKind::kFullyConnected);
}

TEST_CASE("fully_connected conformance: every registered kernel on seeded random sizes, dense and in row slices") {
  test::Pool pool2(2);
  test::KernelTally tally;
  test::Rng rng(0xfc01);
  for (int i = 0; i < 40; ++i) check_case(rng, test::random_fc_case(rng, 9, 300, 100), pool2.get(), &tally);
  test::Rng tiny(0xfc0002);  // a fifth of the sizes up to 8, random slices
  for (int i = 0; i < 72; ++i)
    check_case(tiny, test::random_fc_case(tiny, 6, 400, 200, /*tiny=*/true, /*slices=*/true), pool2.get(), &tally);
  test::Rng wide(0xfce2);  // batches past Eigen's gemv (16), longer rows
  for (int i = 0; i < 40; ++i) check_case(wide, test::random_fc_case(wide, 40, 700, 300), pool2.get(), &tally);
  test::Rng small(0xfc02);
  for (int i = 0; i < 20; ++i) check_case(small, test::random_fc_case(small, 3, 64, 16), pool2.get(), &tally);
  MESSAGE("fully_connected kernels: " << tally.summary() << "worst error / bound " << g_worst_per_output
                                      << " per output, " << g_worst_max_norm << " max norm");
  tally.check_every_kernel_ran(ops::OpKind::kFullyConnected);
}

TEST_CASE("fully_connected conformance: Eigen asks for scratch only on its GEMM path (batches over 16)") {
  const std::vector<const ops::Kernel*> eigen =
      test::runnable_kernels_of(ops::OpKind::kFullyConnected, ops::KernelFamily::kEigen);
  CHECK(eigen.size() == 1);  // Eigen is header-only: always built
  const std::vector<float> w(size_t{1000} * 2048, 0.0f);
  const ops::FullyConnectedParams p;
  for (const ops::Kernel* k : eigen) {
    for (int32_t batch : {1, 16, 17}) {
      CAPTURE(batch);
      ops::KernelPlan plan;
      const std::vector<Shape> shapes = {{batch, 2048}, {1000, 2048}};
      const int32_t strides[] = {2048, 0};
      const float* constants[] = {nullptr, w.data()};
      const bool slices[] = {false, false};
      ops::KernelConfig config;
      config.params = &p;
      config.num_inputs = 2;
      config.input_shapes = shapes.data();
      config.input_strides = strides;
      config.constants = constants;
      config.in_output_slice = slices;
      config.output_shape = {batch, 1000};
      config.output_stride = 1000;
      config.threads = 2;
      REQUIRE(ops::create_kernel(*k, config, &plan).is_ok());
      CHECK((plan.scratch_bytes > 0) == (batch > 16));
    }
  }
}

TEST_CASE("fully_connected conformance: XNNPACK refuses a row stride below the feature count by name, not a crash") {
  const std::vector<float> w(size_t{10} * 16, 0.25f);
  const ops::FullyConnectedParams p;
  const std::vector<const ops::Kernel*> xnn =
      test::runnable_kernels_of(ops::OpKind::kFullyConnected, ops::KernelFamily::kXnnpack);
  for (const ops::Kernel* k : xnn) {
    const Status s = test::create_status(*k, &p, {{2, 16}, {10, 16}}, {15, 0}, {nullptr, w.data()}, {2, 10}, 10);
    CHECK_FAILED_WITH(s, kInvalidArgument,
                      "row strides 15 (input) and 10 (output) must be >= the feature counts 16 and 10");
  }
  if (xnn.empty()) MESSAGE("skipped: no XNNPACK fully_connected kernel runs here");
}

}  // namespace
}  // namespace incept
