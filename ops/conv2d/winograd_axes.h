// SPDX-License-Identifier: Apache-2.0
// The one-axis Winograd algorithms F(m, r) the conv kernels combine: m outputs of an r-tap correlation
// from alpha = m + r - 1 inputs, as y = AT [(G g) . (BT d)] (Lavin & Gray, arXiv:1509.09308). A 2-D tile
// applies one axis along the height and one along the width; 1x7, 7x1, 1x3 and 3x1 convs pair an
// algorithm with the identity axis (m = r = alpha = 1), so one code path serves 2-D and 1-D Winograd.
//
// Each algorithm is fixed by its interpolation points (the last one is infinity). From them, with
// N_j = prod_{l != j} (p_j - p_l):
//   AT[i][j] = p_j^i                        (m x alpha; the infinity column is e_{m-1})
//   G[j][k]  = p_j^k / N_j                  (alpha x r; the infinity row is e_{r-1}); weights only, built
//                                           at prepare in double by winograd_filter_matrix()
//   BT[j]    = coefficients, lowest first, of prod_{l != j} (x - p_l) over the finite points; the
//              infinity row: of prod_l (x - p_l)
// BT and AT below are those formulas written out (the float rounding of the exact values); the unit
// test rebuilds them from the points and checks the identity in double.
//
// Points: F(2,3) 0, +-1; F(4,3) 0, +-sqrt(2), +-sqrt(2)/2 (error about that of direct fp32, where
// 0, +-1, +-2 is about 3x worse); F(2,7) 0, +-1, +-2, +-1/2. See ../shared/KERNELS.md section 2(e).
#pragma once

namespace incept::ops {

inline constexpr double kWinoSqrt2 = 1.41421356237309504880;

struct WinoAxisIdentity {
  static constexpr int m = 1, r = 1, alpha = 1;
  static constexpr double points[1] = {0.0};  // unused: alpha - 1 = 0 finite points
  static constexpr float bt[1][1] = {{1}};
  static constexpr float at[1][1] = {{1}};
};

struct WinoAxisF2x3 {
  static constexpr int m = 2, r = 3, alpha = 4;
  static constexpr double points[3] = {0.0, 1.0, -1.0};
  static constexpr float bt[4][4] = {{-1, 0, 1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, -1, 0, 1}};
  static constexpr float at[2][4] = {{1, 1, 1, 0}, {0, 1, -1, 1}};
};

struct WinoAxisF4x3 {
  static constexpr int m = 4, r = 3, alpha = 6;
  static constexpr double points[5] = {0.0, kWinoSqrt2, -kWinoSqrt2, kWinoSqrt2 / 2, -kWinoSqrt2 / 2};
  static constexpr float s = static_cast<float>(kWinoSqrt2), h = static_cast<float>(kWinoSqrt2 / 2);
  static constexpr float bt[6][6] = {{1, 0, -2.5f, 0, 1, 0}, {0, -h, -0.5f, s, 1, 0}, {0, h, -0.5f, -s, 1, 0},
                                     {0, -s, -2, h, 1, 0},   {0, s, -2, -h, 1, 0},    {0, 1, 0, -2.5f, 0, 1}};
  static constexpr float at[4][6] = {
      {1, 1, 1, 1, 1, 0}, {0, s, -s, h, -h, 0}, {0, 2, 2, 0.5f, 0.5f, 0}, {0, 2 * s, -2 * s, h / 2, -h / 2, 1}};
};

struct WinoAxisF2x7 {
  static constexpr int m = 2, r = 7, alpha = 8;
  static constexpr double points[7] = {0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5};
  static constexpr float bt[8][8] = {
      {-1, 0, 5.25f, 0, -5.25f, 0, 1, 0},        {0, 1, 1, -4.25f, -4.25f, 1, 1, 0},
      {0, -1, 1, 4.25f, -4.25f, -1, 1, 0},       {0, 0.5f, 0.25f, -2.5f, -1.25f, 2, 1, 0},
      {0, -0.5f, 0.25f, 2.5f, -1.25f, -2, 1, 0}, {0, 2, 4, -2.5f, -5, 0.5f, 1, 0},
      {0, -2, 4, 2.5f, -5, -0.5f, 1, 0},         {0, -1, 0, 5.25f, 0, -5.25f, 0, 1}};
  static constexpr float at[2][8] = {{1, 1, 1, 1, 1, 1, 1, 0}, {0, 1, -1, 2, -2, 0.5f, -0.5f, 1}};
};

// G (alpha x r, row-major, double) of the axis with these points: see the formulas above.
inline void winograd_filter_matrix(const double* points, int m, int r, double* g) {
  const int alpha = m + r - 1;
  for (int j = 0; j < alpha; ++j) {
    for (int k = 0; k < r; ++k) g[j * r + k] = 0.0;
    if (j == alpha - 1) {
      g[j * r + r - 1] = 1.0;
      continue;
    }
    double norm = 1.0, power = 1.0;
    for (int l = 0; l < alpha - 1; ++l)
      if (l != j) norm *= points[j] - points[l];
    for (int k = 0; k < r; ++k, power *= points[j]) g[j * r + k] = power / norm;
  }
}

}  // namespace incept::ops
