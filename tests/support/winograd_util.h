// SPDX-License-Identifier: Apache-2.0
// What the Winograd tests (conv2d_winograd_test, conv2d_winograd_accuracy_test, conv2d_q8_winograd_test)
// share: an axis's tables rebuilt from its points, the variants that fit a conv and one forced Winograd run.
#pragma once

#include <doctest/doctest.h>

#include <cmath>
#include <utility>
#include <vector>

#include "conv2d/conv2d_winograd.h"
#include "conv2d/winograd_axes.h"
#include "support/conv_cases.h"

namespace incept::test {

// BT (alpha x alpha), AT (m x alpha) and G (alpha x r, row-major) of axis A from its interpolation points, in
// double, by winograd_axes.h's formulas (the infinity point last).
template <class A>
void winograd_tables_from_points(double (&bt)[A::alpha][A::alpha], double (&at)[A::m][A::alpha],
                                 double (&g)[A::alpha * A::r]) {
  constexpr int m = A::m, r = A::r, alpha = A::alpha;
  for (int j = 0; j < alpha; ++j) {
    for (int k = 0; k < alpha; ++k) bt[j][k] = 0.0;
    std::vector<double> poly = {1.0};  // coefficients, lowest first
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
}

// The variants that fit the conv's kernel (every tile size for 3x3).
inline std::vector<ops::WinogradVariant> variants_for(const ops::Conv2DParams& p) {
  const int kh = p.kernel.h, kw = p.kernel.w;
  if (kh == 3 && kw == 3) return {ops::WinogradVariant::kF4x4K3x3, ops::WinogradVariant::kF2x2K3x3};
  if (kh == 1 && kw == 7) return {ops::WinogradVariant::kF1x2K1x7};
  if (kh == 7 && kw == 1) return {ops::WinogradVariant::kF2x1K7x1};
  if (kh == 1 && kw == 3) return {ops::WinogradVariant::kF1x4K1x3};
  if (kh == 3 && kw == 1) return {ops::WinogradVariant::kF4x1K3x1};
  return {};
}

// Winograd `v` on the micro-kernel and transforms of table t for case c (reference data r), planned for
// `threads`, run on `pool`; the plan is kept in *keep when asked.
inline Tensor run_winograd(const ops::IsaTable& t, ops::WinogradVariant v, const ConvCase& c, const ConvReference& r,
                           pthreadpool_t pool, int threads, ops::Conv2DWinograd* keep = nullptr) {
  ops::Conv2DWinograd w;
  const Status s = ops::conv2d_f32_winograd_create(t.gemm_f32, t.winograd_f32, v, c.p, c.in, r.out_shape,
                                                   r.w.data.data(), r.bias(), threads, &w);
  REQUIRE_MESSAGE(s.is_ok(), s.message());
  std::vector<float> scratch(w.scratch_bytes() / sizeof(float) + 1);
  Tensor out(r.out_shape);
  ops::conv2d_f32_winograd_run(w, r.x.cview(), out.view(), scratch.data(), pool);
  if (keep != nullptr) *keep = std::move(w);
  return out;
}

}  // namespace incept::test
