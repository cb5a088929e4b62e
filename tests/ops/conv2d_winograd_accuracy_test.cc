// SPDX-License-Identifier: Apache-2.0
// Winograd's accuracy rule (ops/conv2d/conv2d_winograd.h): on every Winograd-shaped layer of GoogLeNet,
// Inception-v3, Inception-v4 and Inception-ResNet-v2, each variant's error against a float64 convolution is at
// most 4x that of the direct fp32 engine on the same ISA and data.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "conv2d/conv2d_gemm.h"
#include "conv2d/conv2d_winograd.h"
#include "support/conv_cases.h"
#include "support/test_util.h"
#include "support/winograd_util.h"

namespace incept {
namespace {

using ops::WinogradVariant;
using test::ConvCase;
using test::run_winograd;
using test::Tensor;
using test::variants_for;

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

void accumulate(const std::vector<std::vector<double>>& exact, const std::vector<int>& rows, const Tensor& y, int ow,
                int cout, ErrorStats* e) {
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
  std::map<std::string, double> worst;  // variant -> worst ratio (max of the max-abs and RMS ratios)
  for (ConvCase c : winograd_layers()) {
    c.p.activation = ops::Activation::kNone;  // the error of the sum itself, not hidden by ReLU
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
    for (const ops::IsaTable* t : test::runnable_tables()) {
      const ops::GemmUkernel* uk = &t->gemm_f32;
      CAPTURE(test::tile_isa(*uk));
      ops::Conv2DGemm g;
      REQUIRE(ops::conv2d_f32_gemm_create(*uk, c.p, c.in, r.out_shape, r.w.data.data(), r.bias(), &g).is_ok());
      Tensor direct(r.out_shape);
      ops::conv2d_f32_gemm_run(g, r.x.cview(), direct.view(), nullptr);
      ErrorStats ed;
      accumulate(exact, rows, direct, ow, cout, &ed);
      for (WinogradVariant v : variants_for(c.p)) {
        CAPTURE(ops::winograd_variant_name(v));
        ErrorStats ew;
        accumulate(exact, rows, run_winograd(*t, v, c, r, nullptr, 1), ow, cout, &ew);
        CHECK(ew.max_abs <= 4.0 * ed.max_abs);
        CHECK(ew.rms() <= 4.0 * ed.rms());
        const std::string key = std::string(ops::winograd_variant_name(v)) + " " + test::tile_isa(*uk);
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

}  // namespace
}  // namespace incept
