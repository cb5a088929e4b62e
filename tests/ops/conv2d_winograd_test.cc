// SPDX-License-Identifier: Apache-2.0
// Winograd convolution (ops/conv2d/conv2d_winograd.h): the constant tables against the formulas they come
// from; every variant forced onto odd shapes, batches and channel slices against the reference bound,
// bit-identical for any thread count and ISA; the choice rule and the off switch. Its accuracy rule is
// conv2d_winograd_accuracy_test.cc.
// (The registry conformance test runs the Winograd kernels as prepare does, on the rule's choices.)
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "conv2d/conv2d_winograd.h"
#include "conv2d/winograd_axes.h"
#include "support/conv_cases.h"
#include "support/isa.h"
#include "support/test_util.h"
#include "support/winograd_util.h"

namespace incept {
namespace {

using ops::WinogradVariant;
using test::ConvCase;
using test::run_winograd;
using test::Tensor;
using test::variants_for;

// ---- the tables --------------------------------------------------------------------------------------

template <class A>
void check_axis(const char* name) {
  CAPTURE(name);
  constexpr int m = A::m, r = A::r, alpha = A::alpha;
  // BT, AT and G from the points, in double (see winograd_axes.h).
  double bt[alpha][alpha], at[m][alpha], g[alpha * r];
  test::winograd_tables_from_points<A>(bt, at, g);
  for (int i = 0; i < alpha; ++i)
    for (int k = 0; k < alpha; ++k)
      CHECK(std::fabs(A::bt[i][k] - bt[i][k]) <= 1e-7 * std::max(1.0, std::fabs(bt[i][k])));
  for (int i = 0; i < m; ++i)
    for (int k = 0; k < alpha; ++k)
      CHECK(std::fabs(A::at[i][k] - at[i][k]) <= 1e-7 * std::max(1.0, std::fabs(at[i][k])));
  // y = AT [(G g) . (BT d)] is the correlation, in double (exact tables) and with the float tables.
  test::Rng rng(0x3a + m * 10 + r);
  for (int trial = 0; trial < 20; ++trial) {
    double d[alpha], w[r];
    for (double& v : d) v = rng.uniform(-1.0f, 1.0f);
    for (double& v : w) v = rng.uniform(-1.0f, 1.0f);
    for (int exact = 0; exact < 2; ++exact) {
      double u[alpha], v[alpha];
      for (int j = 0; j < alpha; ++j) {
        u[j] = v[j] = 0.0;
        for (int k = 0; k < r; ++k) u[j] += g[j * r + k] * w[k];
        for (int k = 0; k < alpha; ++k) v[j] += (exact ? bt[j][k] : double{A::bt[j][k]}) * d[k];
      }
      for (int i = 0; i < m; ++i) {
        double y = 0.0, want = 0.0;
        for (int j = 0; j < alpha; ++j) y += (exact ? at[i][j] : double{A::at[i][j]}) * u[j] * v[j];
        for (int k = 0; k < r; ++k) want += d[i + k] * w[k];
        CHECK(std::fabs(y - want) <= (exact ? 1e-12 : 1e-6));
      }
    }
  }
}

TEST_CASE("winograd axes: the tables are their points' formulas, and compute the correlation") {
  check_axis<ops::WinoAxisIdentity>("identity");
  check_axis<ops::WinoAxisF2x3>("F(2,3)");
  check_axis<ops::WinoAxisF4x3>("F(4,3)");
  check_axis<ops::WinoAxisF2x7>("F(2,7)");
}

// ---- every variant on odd shapes -----------------------------------------------------------------------

TEST_CASE(
    "winograd: every variant on odd shapes, batches and channel slices matches the reference, for any thread count") {
  test::Rng rng(0x5a0e);
  test::Pool pool2(2);
  test::ConvErrorMeter meter;
  bool phase_split = false, tile_split = false;
  static const ops::Size2D kKernels[] = {{3, 3}, {1, 7}, {7, 1}, {1, 3}, {3, 1}};
  // Case 40: few tiles (16 x 16, so the phase split) with more transformed input bytes than half of L2.
  const int32_t wide = static_cast<int32_t>(ops::cpu_caches().l2 / 2 / (36 * 16 * sizeof(float))) + 16;
  for (int i = 0; i <= 40; ++i) {
    ConvCase c;
    c.name = "random";
    c.p.kernel = kKernels[i % 5];
    c.p.pad = {rng.uniform_int(0, c.p.kernel.h - 1), rng.uniform_int(0, c.p.kernel.h - 1),
               rng.uniform_int(0, c.p.kernel.w - 1), rng.uniform_int(0, c.p.kernel.w - 1)};
    c.p.activation = rng.coin() ? ops::Activation::kRelu : ops::Activation::kNone;
    // Channels off every vector width (the scalar tail of the input transform, partial output stores), from
    // the 16 the rule asks for (below it the reduction is so short that the transforms' rounding is no longer
    // small against the reference bound, which scales with sqrt(K)); now and then a map big enough for
    // many blocks.
    const bool big = i % 10 == 9;
    c.in = {rng.uniform_int(1, 2), big ? 150 : rng.uniform_int(c.p.kernel.h, 23),
            big ? 150 : rng.uniform_int(c.p.kernel.w, 23), big ? 40 : rng.uniform_int(16, 70)};
    c.out_c = big ? 24 : rng.uniform_int(1, 70);
    c.bias = rng.coin(0.8f);
    if (i == 40) {
      c.name = "few tiles, wide";
      c.p.kernel = {3, 3};
      c.p.pad = {1, 1, 1, 1};
      c.in = {1, 16, 16, wide};
      c.out_c = 24;
    }
    CAPTURE(c.describe());
    const test::ConvReference r = test::make_conv_reference(rng, c);
    REQUIRE(r.out_shape.rank == 4);
    std::map<WinogradVariant, Tensor> first_isa;
    for (const ops::IsaTable* t : test::runnable_tables()) {
      for (WinogradVariant v : variants_for(c.p)) {
        CAPTURE(ops::winograd_variant_name(v));
        CAPTURE(test::tile_isa(t->gemm_f32));
        ops::Conv2DWinograd w;
        const Tensor one = run_winograd(*t, v, c, r, nullptr, 1, &w);
        phase_split |= !w.tile_split;
        tile_split |= w.tile_split;
        CHECK(meter.over_bound(c, r, one) == 0);
        const Tensor two = run_winograd(*t, v, c, r, pool2.get(), 2);
        CHECK(two.data == one.data);  // bit-identical: every output is computed by the same calls
        // Every ISA does the same operations on each lane in the same order: the same bits.
        if (first_isa.count(v) == 0) first_isa[v] = one;
        CHECK(first_isa[v].data == one.data);

        // Channel slices in and out, as a concat hands them over: nothing outside the output slice changes.
        test::StridedTensor xs(c.in, 2, c.in[3] + 5, NAN), ys(r.out_shape, 1, c.out_c + 3, 12345.5f);
        xs.copy_from(r.x);
        std::vector<float> scratch(w.scratch_bytes() / sizeof(float) + 1);
        ops::conv2d_f32_winograd_run(w, xs.cview(), ys.view(), scratch.data(), pool2.get());
        bool same = true, outside = true;
        for (int64_t p = 0; p < r.out_shape.num_elements() / c.out_c; ++p)
          for (int32_t j = 0; j < c.out_c + 3; ++j) {
            const float v2 = ys.buffer[p * (c.out_c + 3) + j];
            if (j >= 1 && j < 1 + c.out_c) {
              same &= v2 == one.data[p * c.out_c + j - 1];
            } else {
              outside &= v2 == 12345.5f;
            }
          }
        CHECK(same);
        CHECK(outside);
      }
    }
  }
  CHECK(phase_split);  // both ways of splitting the work ran
  CHECK(tile_split);
  MESSAGE("winograd variants: worst error " << meter.worst_abs << ", " << meter.worst_ratio << " of the tolerance");
}

// ---- the rule and the switch ----------------------------------------------------------------------------

TEST_CASE("winograd rule: which layers take it, and with which tile") {
  using test::conv;
  const ops::Isa isa = ops::Isa::kAvx2Fma;
  auto choice = [&](Shape in, ops::Conv2DParams p, int32_t cout) {
    Shape out;
    const Shape w{cout, p.kernel.h, p.kernel.w, in[3] / p.groups};
    REQUIRE(ops::conv2d_infer_shape(p, in, w, nullptr, &out).is_ok());
    return ops::winograd_choice(p, in, out, isa);
  };
  const ops::Pad2D p33{1, 1, 1, 1};
  CHECK(choice({1, 35, 35, 64}, conv(3, 3, 1, p33), 96) == WinogradVariant::kF4x4K3x3);
  CHECK(choice({1, 147, 147, 32}, conv(3, 3, 1, p33), 64) == WinogradVariant::kF4x4K3x3);
  CHECK(choice({1, 28, 28, 16}, conv(3, 3, 1, p33), 32) == WinogradVariant::kF4x4K3x3);
  CHECK(choice({1, 14, 14, 160}, conv(3, 3, 1, p33), 320) == WinogradVariant::kF2x2K3x3);
  CHECK(choice({1, 17, 17, 256}, conv(3, 3, 1, p33), 288) == WinogradVariant::kF2x2K3x3);
  CHECK(choice({1, 14, 14, 32}, conv(3, 3, 1, p33), 64) == WinogradVariant::kNone);  // measured no faster
  CHECK(choice({1, 8, 8, 448}, conv(3, 3, 1, p33), 384) == WinogradVariant::kF2x2K3x3);
  CHECK(choice({1, 7, 7, 192}, conv(3, 3, 1, p33), 384) == WinogradVariant::kNone);
  CHECK(choice({1, 17, 17, 192}, conv(1, 7, 1, {0, 0, 3, 3}), 224) == WinogradVariant::kF1x2K1x7);
  CHECK(choice({1, 17, 17, 192}, conv(7, 1, 1, {3, 3, 0, 0}), 224) == WinogradVariant::kF2x1K7x1);
  CHECK(choice({1, 8, 8, 384}, conv(1, 3, 1, {0, 0, 1, 1}), 384) == WinogradVariant::kNone);  // weight bytes
  CHECK(choice({1, 35, 35, 64}, conv(1, 3, 1, {0, 0, 1, 1}), 64) == WinogradVariant::kF1x4K1x3);
  CHECK(choice({1, 35, 35, 64}, conv(3, 1, 1, {1, 1, 0, 0}), 64) == WinogradVariant::kF4x1K3x1);
  CHECK(choice({1, 35, 35, 8}, conv(3, 3, 1, p33), 96) == WinogradVariant::kNone);            // few channels
  CHECK(choice({1, 35, 35, 288}, conv(3, 3, 2), 384) == WinogradVariant::kNone);              // stride 2
  CHECK(choice({1, 35, 35, 64}, conv(3, 3, 1, p33, true, 2), 96) == WinogradVariant::kNone);  // groups
  CHECK(choice({1, 35, 35, 64}, conv(5, 5, 1, {2, 2, 2, 2}), 96) == WinogradVariant::kNone);
}

TEST_CASE("winograd: turned off, or not a Winograd shape, the kernel declines (kUnsupported) and says why") {
  if (test::runnable_tables().empty()) {
    REQUIRE_FALSE(test::cpu_runs_native_kernels());  // a CPU with AVX2 or NEON must have our micro-kernels
    MESSAGE("skipped: no GEMM micro-kernel for this CPU's ISA, so no Winograd kernel to decline");
    return;
  }
  const ops::IsaTable& t = *test::runnable_tables().front();
  const ops::Kernel kernel = {"conv2d_f32_winograd",
                              ops::KernelFamily::kNative,
                              t.isa,
                              ops::winograd_kernel_create,
                              nullptr,
                              ops::winograd_kernel_run,
                              true,
                              0,
                              ops::kF32Types,
                              &t};
  const ops::Conv2DParams p = test::conv(3, 3, 1, {1, 1, 1, 1});
  const Shape in{1, 35, 35, 64}, w{96, 3, 3, 64}, out{1, 35, 35, 96};
  std::vector<float> weights(static_cast<size_t>(w.num_elements()), 0.5f);
  ops::KernelInputs args(2);
  args.shapes = {in, w};
  args.strides = {64, 0};
  args.constants = {nullptr, weights.data()};
  ops::KernelConfig config;
  args.bind(&config);
  config.params = &p;
  config.output_shape = out;
  config.output_stride = 96;
  ops::KernelPlan plan;
  REQUIRE(ops::create_kernel(kernel, config, &plan).is_ok());
  CHECK(std::string(plan.name).find("conv2d_f32_winograd_f4x4k3x3_") == 0);
  CHECK(plan.scratch_bytes > 0);
  CHECK_FALSE(plan.reads_constants);
  config.winograd = false;
  ops::KernelPlan off;
  const Status s = ops::create_kernel(kernel, config, &off);
  CHECK(s.code() == StatusCode::kUnsupported);
  CHECK(std::string(s.message()).find("InterpreterOptions::winograd") != std::string::npos);

  // A variant that does not fit the conv is refused, not miscomputed.
  ops::Conv2DWinograd wg;
  const Status wrong = ops::conv2d_f32_winograd_create(t.gemm_f32, t.winograd_f32, WinogradVariant::kF1x2K1x7, p, in,
                                                       out, weights.data(), nullptr, 1, &wg);
  CHECK(wrong.code() == StatusCode::kUnsupported);
  CHECK(std::string(wrong.message()).find("1x7") != std::string::npos);
}

}  // namespace
}  // namespace incept
