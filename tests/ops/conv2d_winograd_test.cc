// SPDX-License-Identifier: Apache-2.0
// Winograd convolution (ops/conv2d/conv2d_winograd.h): the constant tables against the formulas they come
// from; the accuracy rule (on every Winograd-shaped layer of GoogLeNet, Inception-v3, Inception-v4 and
// Inception-ResNet-v2, each variant's error against a float64 convolution is at most 4x that of the direct
// fp32 engine on the same ISA and data); every variant forced onto odd shapes, batches and channel slices
// against the reference bound, bit-identical for any thread count and ISA; the choice rule and the off switch.
// (The registry conformance test runs the Winograd kernels as prepare does, on the rule's choices.)
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "conv2d/conv2d_gemm.h"
#include "conv2d/conv2d_winograd.h"
#include "conv2d/winograd_axes.h"
#include "support/conv_cases.h"
#include "support/test_util.h"

namespace incept {
namespace {

using ops::WinogradVariant;
using test::ConvCase;
using test::Tensor;

// ---- the tables --------------------------------------------------------------------------------------

template <class A>
void check_axis(const char* name) {
  CAPTURE(name);
  constexpr int m = A::m, r = A::r, alpha = A::alpha;
  // BT and AT from the points, in double (see winograd_axes.h).
  double bt[alpha][alpha] = {}, at[m][alpha] = {}, g[alpha * r];
  for (int j = 0; j < alpha; ++j) {
    std::vector<double> poly = {1.0};   // coefficients, lowest first
    for (int l = 0; l < alpha - 1; ++l) {
      if (l == j) continue;
      std::vector<double> next(poly.size() + 1, 0.0);
      for (size_t k = 0; k < poly.size(); ++k) next[k + 1] += poly[k], next[k] -= A::points[l] * poly[k];
      poly = next;
    }
    for (size_t k = 0; k < poly.size(); ++k) bt[j][k] = poly[k];
    for (int i = 0; i < m; ++i) at[i][j] = j == alpha - 1 ? (i == m - 1 ? 1.0 : 0.0) : std::pow(A::points[j], i);
  }
  ops::winograd_filter_matrix(A::points, m, r, g);
  for (int i = 0; i < alpha; ++i)
    for (int k = 0; k < alpha; ++k) CHECK(std::fabs(A::bt[i][k] - bt[i][k]) <= 1e-7 * std::max(1.0, std::fabs(bt[i][k])));
  for (int i = 0; i < m; ++i)
    for (int k = 0; k < alpha; ++k) CHECK(std::fabs(A::at[i][k] - at[i][k]) <= 1e-7 * std::max(1.0, std::fabs(at[i][k])));
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

// ---- helpers -----------------------------------------------------------------------------------------

std::vector<const ops::GemmUkernel*> usable_ukernels() {
  std::vector<const ops::GemmUkernel*> out;
  int count = 0;
  const ops::GemmUkernel* const* all = ops::gemm_ukernels(&count);
  for (int i = 0; i < count; ++i)
    if (ops::cpu_has(all[i]->isa)) out.push_back(all[i]);
  return out;
}

// The variants that fit the conv's kernel (every tile size for 3x3).
std::vector<WinogradVariant> variants_for(const ops::Conv2DParams& p) {
  const int kh = p.kernel.h, kw = p.kernel.w;
  if (kh == 3 && kw == 3) return {WinogradVariant::kF4x4K3x3, WinogradVariant::kF2x2K3x3};
  if (kh == 1 && kw == 7) return {WinogradVariant::kF1x2K1x7};
  if (kh == 7 && kw == 1) return {WinogradVariant::kF2x1K7x1};
  if (kh == 1 && kw == 3) return {WinogradVariant::kF1x4K1x3};
  if (kh == 3 && kw == 1) return {WinogradVariant::kF4x1K3x1};
  return {};
}

Tensor run_winograd(const ops::GemmUkernel& uk, WinogradVariant v, const ConvCase& c, const test::ConvReference& r,
                    pthreadpool_t pool, int threads, ops::Conv2DWinograd* keep = nullptr) {
  ops::Conv2DWinograd w;
  const Status s = ops::conv2d_f32_winograd_create(uk, v, c.p, c.in, r.out_shape, r.w.data.data(), r.bias(), threads, &w);
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  std::vector<float> scratch(w.scratch_bytes() / sizeof(float) + 1);
  Tensor out(r.out_shape);
  ops::conv2d_f32_winograd_run(w, r.x.cview(), out.view(), scratch.data(), pool);
  if (keep != nullptr) *keep = std::move(w);
  return out;
}

// ---- the accuracy rule ---------------------------------------------------------------------------------

// Every Winograd-shaped conv of the four nets, once per distinct shape (batch 1, full size): 3x3 stride 1,
// 1x7, 7x1, 1x3, 3x1. Names from torchvision (GoogLeNet, v3) and timm (v4, Inception-ResNet-v2).
std::vector<ConvCase> winograd_layers() {
  using test::conv;
  const ops::Pad2D p33{1, 1, 1, 1}, p17{0, 0, 3, 3}, p71{3, 3, 0, 0}, p13{0, 0, 1, 1}, p31{1, 1, 0, 0};
  return {
      {"GoogLeNet conv3", {1, 56, 56, 64}, conv(3, 3, 1, p33), 192},
      {"GoogLeNet inception3a.branch2", {1, 28, 28, 96}, conv(3, 3, 1, p33), 128},
      {"GoogLeNet inception3a.branch3", {1, 28, 28, 16}, conv(3, 3, 1, p33), 32},
      {"GoogLeNet inception3b.branch2", {1, 28, 28, 128}, conv(3, 3, 1, p33), 192},
      {"GoogLeNet inception3b.branch3", {1, 28, 28, 32}, conv(3, 3, 1, p33), 96},
      {"GoogLeNet inception4a.branch2", {1, 14, 14, 96}, conv(3, 3, 1, p33), 208},
      {"GoogLeNet inception4a.branch3", {1, 14, 14, 16}, conv(3, 3, 1, p33), 48},
      {"GoogLeNet inception4b.branch2", {1, 14, 14, 112}, conv(3, 3, 1, p33), 224},
      {"GoogLeNet inception4e.branch2", {1, 14, 14, 160}, conv(3, 3, 1, p33), 320},
      {"GoogLeNet inception5a.branch2", {1, 7, 7, 160}, conv(3, 3, 1, p33), 320},
      {"GoogLeNet inception5b.branch2", {1, 7, 7, 192}, conv(3, 3, 1, p33), 384},
      {"GoogLeNet inception5b.branch3", {1, 7, 7, 48}, conv(3, 3, 1, p33), 128},
      {"v3 Conv2d_2a_3x3 (valid)", {1, 149, 149, 32}, conv(3, 3), 32},
      {"v3 Conv2d_2b_3x3", {1, 147, 147, 32}, conv(3, 3, 1, p33), 64},
      {"v3 Conv2d_4a_3x3 (valid)", {1, 73, 73, 80}, conv(3, 3), 192},
      {"v3 Mixed_5b.branch3x3dbl_2", {1, 35, 35, 64}, conv(3, 3, 1, p33), 96},
      {"v3 Mixed_5b.branch3x3dbl_3", {1, 35, 35, 96}, conv(3, 3, 1, p33), 96},
      {"v3 Mixed_6b.branch7x7_2", {1, 17, 17, 128}, conv(1, 7, 1, p17), 128},
      {"v3 Mixed_6b.branch7x7_3", {1, 17, 17, 128}, conv(7, 1, 1, p71), 192},
      {"v3 Mixed_6c.branch7x7_2", {1, 17, 17, 160}, conv(1, 7, 1, p17), 160},
      {"v3 Mixed_6c.branch7x7dbl_2", {1, 17, 17, 160}, conv(7, 1, 1, p71), 160},
      {"v3 Mixed_6e.branch7x7_2", {1, 17, 17, 192}, conv(1, 7, 1, p17), 192},
      {"v3 Mixed_6e.branch7x7_3", {1, 17, 17, 192}, conv(7, 1, 1, p71), 192},
      {"v3 Mixed_7b.branch3x3_2a", {1, 8, 8, 384}, conv(1, 3, 1, p13), 384},
      {"v3 Mixed_7b.branch3x3_2b", {1, 8, 8, 384}, conv(3, 1, 1, p31), 384},
      {"v3 Mixed_7b.branch3x3dbl_2", {1, 8, 8, 448}, conv(3, 3, 1, p33), 384},
      {"v4 features.4.branch0.1 (valid)", {1, 73, 73, 64}, conv(3, 3), 96},
      {"v4 features.4.branch1.1", {1, 73, 73, 64}, conv(1, 7, 1, p17), 64},
      {"v4 features.4.branch1.2", {1, 73, 73, 64}, conv(7, 1, 1, p71), 64},
      {"v4 features.10.branch1.1", {1, 35, 35, 192}, conv(3, 3, 1, p33), 224},
      {"v4 features.11.branch1.1", {1, 17, 17, 192}, conv(1, 7, 1, p17), 224},
      {"v4 features.11.branch1.2", {1, 17, 17, 224}, conv(7, 1, 1, p71), 256},
      {"v4 features.11.branch2.1", {1, 17, 17, 192}, conv(7, 1, 1, p71), 192},
      {"v4 features.11.branch2.3", {1, 17, 17, 224}, conv(7, 1, 1, p71), 224},
      {"v4 features.11.branch2.4", {1, 17, 17, 224}, conv(1, 7, 1, p17), 256},
      {"v4 features.18.branch1.1", {1, 17, 17, 256}, conv(1, 7, 1, p17), 256},
      {"v4 features.18.branch1.2", {1, 17, 17, 256}, conv(7, 1, 1, p71), 320},
      {"v4 features.19.branch1_1a", {1, 8, 8, 384}, conv(1, 3, 1, p13), 256},
      {"v4 features.19.branch2_1", {1, 8, 8, 384}, conv(3, 1, 1, p31), 448},
      {"v4 features.19.branch2_2", {1, 8, 8, 448}, conv(1, 3, 1, p13), 512},
      {"v4 features.19.branch2_3b", {1, 8, 8, 512}, conv(3, 1, 1, p31), 256},
      {"IRv2 mixed_5b.branch2.2", {1, 35, 35, 64}, conv(3, 3, 1, p33), 96},
      {"IRv2 repeat.0.branch1.1", {1, 35, 35, 32}, conv(3, 3, 1, p33), 32},
      {"IRv2 repeat.0.branch2.1", {1, 35, 35, 32}, conv(3, 3, 1, p33), 48},
      {"IRv2 repeat.0.branch2.2", {1, 35, 35, 48}, conv(3, 3, 1, p33), 64},
      {"IRv2 mixed_6a.branch1.1", {1, 35, 35, 256}, conv(3, 3, 1, p33), 256},
      {"IRv2 repeat_1.0.branch1.1", {1, 17, 17, 128}, conv(1, 7, 1, p17), 160},
      {"IRv2 repeat_1.0.branch1.2", {1, 17, 17, 160}, conv(7, 1, 1, p71), 192},
      {"IRv2 mixed_7a.branch2.1", {1, 17, 17, 256}, conv(3, 3, 1, p33), 288},
      {"IRv2 repeat_2.0.branch1.1", {1, 8, 8, 192}, conv(1, 3, 1, p13), 224},
      {"IRv2 repeat_2.0.branch1.2", {1, 8, 8, 224}, conv(3, 1, 1, p31), 256},
  };
}

// Errors against float64 on the output rows an accuracy check needs: the first and last tile rows (padding,
// partial tiles) and a middle band; every column and channel of them.
struct ErrorStats {
  double max_abs = 0.0, sum_sq = 0.0;
  int64_t n = 0;
  double rms() const { return n > 0 ? std::sqrt(sum_sq / static_cast<double>(n)) : 0.0; }
};

std::vector<int> checked_rows(int oh) {
  std::vector<int> rows;
  for (int y : {0, 1, 2, 3, 4, 5, oh / 2 - 1, oh / 2, oh / 2 + 1, oh - 4, oh - 3, oh - 2, oh - 1})
    if (y >= 0 && y < oh && std::find(rows.begin(), rows.end(), y) == rows.end()) rows.push_back(y);
  return rows;
}

// conv in float64 (with bias, and the activation) at row y of image 0.
void conv_f64_row(const ConvCase& c, const test::ConvReference& r, int y, std::vector<double>* out) {
  const int ow = r.out_shape[2], cout = c.out_c, cin = c.in[3], kh = c.p.kernel.h, kw = c.p.kernel.w;
  out->assign(static_cast<size_t>(ow) * cout, 0.0);
  for (int x = 0; x < ow; ++x) {
    double* o = out->data() + static_cast<size_t>(x) * cout;
    for (int co = 0; co < cout; ++co) o[co] = r.bias() != nullptr ? r.b.data[co] : 0.0;
    for (int ky = 0; ky < kh; ++ky) {
      const int iy = y - c.p.pad.top + ky;
      if (iy < 0 || iy >= c.in[1]) continue;
      for (int kx = 0; kx < kw; ++kx) {
        const int ix = x - c.p.pad.left + kx;
        if (ix < 0 || ix >= c.in[2]) continue;
        const float* xin = r.x.data.data() + (static_cast<size_t>(iy) * c.in[2] + ix) * cin;
        for (int co = 0; co < cout; ++co) {
          const float* wk = r.w.data.data() + ((static_cast<size_t>(co) * kh + ky) * kw + kx) * cin;
          double s = 0.0;
          for (int ci = 0; ci < cin; ++ci) s += double{xin[ci]} * wk[ci];
          o[co] += s;
        }
      }
    }
    if (c.p.activation == ops::Activation::kRelu)
      for (int co = 0; co < cout; ++co) o[co] = std::max(o[co], 0.0);
  }
}

void accumulate(const std::vector<std::vector<double>>& exact, const std::vector<int>& rows, const Tensor& y,
                int ow, int cout, ErrorStats* e) {
  for (size_t k = 0; k < rows.size(); ++k)
    for (int i = 0; i < ow * cout; ++i) {
      const double d = std::fabs(double{y.data[static_cast<size_t>(rows[k]) * ow * cout + i]} - exact[k][i]);
      e->max_abs = std::max(e->max_abs, d);
      e->sum_sq += d * d;
      ++e->n;
    }
}

TEST_CASE("winograd accuracy rule: error <= 4x the direct engine's, against float64, on the four nets' layers") {
  test::Rng rng(0x5a0d);
  std::map<std::string, double> worst;   // variant -> worst ratio (max of the max-abs and RMS ratios)
  for (ConvCase c : winograd_layers()) {
    c.p.activation = ops::Activation::kNone;   // the error of the sum itself, not hidden by ReLU
    CAPTURE(c.describe());
    // Seeded data (no fp32 reference needed: float64 is the oracle here); inputs >= 0, as after a ReLU.
    test::ConvReference r;
    const Shape wshape = c.weights(), bshape{c.out_c};
    REQUIRE(ops::conv2d_infer_shape(c.p, c.in, wshape, &bshape, &r.out_shape).is_ok());
    r.x = test::random_tensor(rng, c.in);
    for (float& v : r.x.data) v = std::fabs(v);
    r.w = test::random_tensor(rng, wshape);
    r.b = test::random_tensor(rng, bshape);
    const int ow = r.out_shape[2], cout = c.out_c;
    const std::vector<int> rows = checked_rows(r.out_shape[1]);
    std::vector<std::vector<double>> exact(rows.size());
    for (size_t k = 0; k < rows.size(); ++k) conv_f64_row(c, r, rows[k], &exact[k]);
    for (const ops::GemmUkernel* uk : usable_ukernels()) {
      CAPTURE(uk->tile);
      ops::Conv2DGemm g;
      REQUIRE(ops::conv2d_f32_gemm_create(*uk, c.p, c.in, r.out_shape, r.w.data.data(), r.bias(), &g).is_ok());
      Tensor direct(r.out_shape);
      ops::conv2d_f32_gemm_run(g, r.x.cview(), direct.view(), nullptr);
      ErrorStats ed;
      accumulate(exact, rows, direct, ow, cout, &ed);
      for (WinogradVariant v : variants_for(c.p)) {
        CAPTURE(ops::winograd_variant_name(v));
        ErrorStats ew;
        accumulate(exact, rows, run_winograd(*uk, v, c, r, nullptr, 1), ow, cout, &ew);
        CHECK(ew.max_abs <= 4.0 * ed.max_abs);
        CHECK(ew.rms() <= 4.0 * ed.rms());
        const std::string key = std::string(ops::winograd_variant_name(v)) + " " + uk->tile;
        worst[key] = std::max({worst[key], ew.max_abs / ed.max_abs, ew.rms() / ed.rms()});
      }
    }
  }
  std::string summary;
  for (const auto& [name, ratio] : worst) {
    char buf[96];
    std::snprintf(buf, sizeof(buf), "%s %.2f; ", name.c_str(), ratio);
    summary += buf;
  }
  MESSAGE("worst Winograd error / direct error (max of max-abs and RMS ratios): " << summary);
}

// ---- every variant on odd shapes -----------------------------------------------------------------------

TEST_CASE("winograd: every variant on odd shapes, batches and channel slices matches the reference, for any thread count") {
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
    for (const ops::GemmUkernel* uk : usable_ukernels()) {
      for (WinogradVariant v : variants_for(c.p)) {
        CAPTURE(ops::winograd_variant_name(v));
        CAPTURE(uk->tile);
        ops::Conv2DWinograd w;
        const Tensor one = run_winograd(*uk, v, c, r, nullptr, 1, &w);
        phase_split |= !w.tile_split;
        tile_split |= w.tile_split;
        CHECK(meter.over_bound(c, r, one) == 0);
        const Tensor two = run_winograd(*uk, v, c, r, pool2.get(), 2);
        CHECK(two.data == one.data);   // bit-identical: every output is computed by the same calls
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
  CHECK(phase_split);   // both ways of splitting the work ran
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
  CHECK(choice({1, 14, 14, 32}, conv(3, 3, 1, p33), 64) == WinogradVariant::kNone);        // measured no faster
  CHECK(choice({1, 8, 8, 448}, conv(3, 3, 1, p33), 384) == WinogradVariant::kF2x2K3x3);
  CHECK(choice({1, 7, 7, 192}, conv(3, 3, 1, p33), 384) == WinogradVariant::kNone);
  CHECK(choice({1, 17, 17, 192}, conv(1, 7, 1, {0, 0, 3, 3}), 224) == WinogradVariant::kF1x2K1x7);
  CHECK(choice({1, 17, 17, 192}, conv(7, 1, 1, {3, 3, 0, 0}), 224) == WinogradVariant::kF2x1K7x1);
  CHECK(choice({1, 8, 8, 384}, conv(1, 3, 1, {0, 0, 1, 1}), 384) == WinogradVariant::kNone);   // weight bytes
  CHECK(choice({1, 35, 35, 64}, conv(1, 3, 1, {0, 0, 1, 1}), 64) == WinogradVariant::kF1x4K1x3);
  CHECK(choice({1, 35, 35, 64}, conv(3, 1, 1, {1, 1, 0, 0}), 64) == WinogradVariant::kF4x1K3x1);
  CHECK(choice({1, 35, 35, 8}, conv(3, 3, 1, p33), 96) == WinogradVariant::kNone);          // few channels
  CHECK(choice({1, 35, 35, 288}, conv(3, 3, 2), 384) == WinogradVariant::kNone);            // stride 2
  CHECK(choice({1, 35, 35, 64}, conv(3, 3, 1, p33, true, 2), 96) == WinogradVariant::kNone);   // groups
  CHECK(choice({1, 35, 35, 64}, conv(5, 5, 1, {2, 2, 2, 2}), 96) == WinogradVariant::kNone);
}

TEST_CASE("winograd: turned off, or not a Winograd shape, the kernel declines (kUnsupported) and says why") {
  if (usable_ukernels().empty()) return;
  const ops::Isa isa = usable_ukernels().front()->isa;
  const ops::Conv2DParams p = test::conv(3, 3, 1, {1, 1, 1, 1});
  const Shape in{1, 35, 35, 64}, w{96, 3, 3, 64}, out{1, 35, 35, 96};
  std::vector<float> weights(static_cast<size_t>(w.num_elements()), 0.5f);
  const Shape shapes[2] = {in, w};
  const int32_t strides[2] = {64, 0};
  const float* constants[2] = {nullptr, weights.data()};
  const bool slices[2] = {false, false};
  ops::KernelConfig config;
  config.params = &p;
  config.num_inputs = 2;
  config.input_shapes = shapes;
  config.input_strides = strides;
  config.constants = constants;
  config.in_output_slice = slices;
  config.output_shape = out;
  config.output_stride = 96;
  ops::KernelPlan plan;
  REQUIRE(ops::winograd_kernel_create(isa, config, &plan).is_ok());
  CHECK(std::string(plan.name).find("conv2d_f32_winograd_f4x4k3x3_") == 0);
  CHECK(plan.scratch_bytes > 0);
  CHECK_FALSE(plan.reads_constants);
  config.winograd = false;
  ops::KernelPlan off;
  const Status s = ops::winograd_kernel_create(isa, config, &off);
  CHECK(s.code() == StatusCode::kUnsupported);
  CHECK(std::string(s.message()).find("InterpreterOptions::winograd") != std::string::npos);

  // A variant that does not fit the conv is refused, not miscomputed.
  ops::Conv2DWinograd wg;
  const Status wrong = ops::conv2d_f32_winograd_create(*usable_ukernels().front(), WinogradVariant::kF1x2K1x7, p, in,
                                                       out, weights.data(), nullptr, 1, &wg);
  CHECK(wrong.code() == StatusCode::kUnsupported);
  CHECK(std::string(wrong.message()).find("1x7") != std::string::npos);
}

}  // namespace
}  // namespace incept
