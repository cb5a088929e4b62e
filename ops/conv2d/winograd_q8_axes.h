// SPDX-License-Identifier: Apache-2.0
// The one-axis Winograd algorithms of the int8 engine (conv2d_q8_winograd.h) in integers: the float
// algorithms of winograd_axes.h with their interpolation points on integers, so the input transform BT has
// integer entries, and each row j of the filter matrix G scaled by the least d_j that makes it integer
// (gs = diag(d) G). The output transform absorbs the scaling: at = AT diag(L / d) with L = lcm(d), so
//   L * y = at [(gs g) . (BT d)]   exactly, in integers,
// and a 2-D tile computes L_h * L_w * y, which the engine divides back exactly (an odd factor by its
// inverse modulo 2^32, a power of two by an arithmetic shift). The unit test rebuilds every matrix from the
// points (winograd_filter_matrix) and checks the identity.
//
// Bounds that make int16 transformed values and exact int32 sums (the engine checks the last per layer):
//   transformed inputs: sum |bt_h row| * sum |bt_w row| * 255 <= 10 * 10 * 255 = 25500 (F(4,3)) < 2^15;
//   transformed weights: sum |gs_h row| * sum |gs_w row| * 127 <= 7 * 7 * 127 = 6223 < 2^15 (F(2,7), one
//   axis: 127 * 127 = 16129);
//   a VPMADDWD pair sum: 2 * 25500 * 6223 < 2^31 (F(2,7): 2 * 12750 * 16129);
//   the sums wrap modulo 2^32; L_h * L_w * y is recovered where |y| * 2^shift < 2^31 (shift: the power of
//   two in L_h * L_w).
#pragma once

#include <cstdint>

namespace incept::ops {

// The identity along an axis (1x7 and 7x1 convs pair it with F(2,7)).
struct QWinoAxisIdentity {
  static constexpr int m = 1, r = 1, alpha = 1, l = 1;
  static constexpr double points[1] = {0.0};  // unused: alpha - 1 = 0 finite points
  static constexpr int32_t bt[1][1] = {{1}};
  static constexpr int32_t gs[1][1] = {{1}};
  static constexpr int32_t at[1][1] = {{1}};
};

// F(2,3) on points 0, 1, -1 (and infinity): d = 1, 2, 2, 1; L = 2.
struct QWinoAxisF2x3 {
  static constexpr int m = 2, r = 3, alpha = 4, l = 2;
  static constexpr double points[3] = {0.0, 1.0, -1.0};
  static constexpr int32_t bt[4][4] = {{-1, 0, 1, 0}, {0, 1, 1, 0}, {0, -1, 1, 0}, {0, -1, 0, 1}};
  static constexpr int32_t gs[4][3] = {{-1, 0, 0}, {1, 1, 1}, {1, -1, 1}, {0, 0, 1}};
  static constexpr int32_t at[2][4] = {{2, 1, 1, 0}, {0, 1, -1, 2}};
};

// F(4,3) on points 0, 1, -1, 2, -2 (and infinity): d = 4, 6, 6, 24, 24, 1; L = 24. (The float engine's
// F(4,3) uses +-sqrt(2) points for accuracy; integers are exact whatever the points.)
struct QWinoAxisF4x3 {
  static constexpr int m = 4, r = 3, alpha = 6, l = 24;
  static constexpr double points[5] = {0.0, 1.0, -1.0, 2.0, -2.0};
  static constexpr int32_t bt[6][6] = {{4, 0, -5, 0, 1, 0},  {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
                                       {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};
  static constexpr int32_t gs[6][3] = {{1, 0, 0}, {-1, -1, -1}, {-1, 1, -1}, {1, 2, 4}, {1, -2, 4}, {0, 0, 1}};
  static constexpr int32_t at[4][6] = {
      {6, 4, 4, 1, 1, 0}, {0, 4, -4, 2, -2, 0}, {0, 4, 4, 4, 4, 0}, {0, 4, -4, 8, -8, 24}};
};

// F(2,7) on the float engine's points 0, +-1, +-2, +-1/2 (and infinity). BT's rows have fractions here:
// row j is scaled by s_j = 4, 4, 4, 4, 4, 2, 2, 4 to integers (sum of |row| <= 50: 50 * 255 fits int16 in
// one dimension), G's by d = 1, 9, 9, 90, 90, 90, 90, 1 (sum of |row| <= 127: 127 * 127 fits), and
// at = AT diag(L / (s d)) with L = 360: L y = at [(gs g) . (bt d)].
struct QWinoAxisF2x7 {
  static constexpr int m = 2, r = 7, alpha = 8, l = 360;
  static constexpr double points[7] = {0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -0.5};
  static constexpr int32_t s[8] = {4, 4, 4, 4, 4, 2, 2, 4};
  static constexpr int32_t bt[8][8] = {{-4, 0, 21, 0, -21, 0, 4, 0},  {0, 4, 4, -17, -17, 4, 4, 0},
                                       {0, -4, 4, 17, -17, -4, 4, 0}, {0, 2, 1, -10, -5, 8, 4, 0},
                                       {0, -2, 1, 10, -5, -8, 4, 0},  {0, 4, 8, -5, -10, 1, 2, 0},
                                       {0, -4, 8, 5, -10, -1, 2, 0},  {0, -4, 0, 21, 0, -21, 0, 4}};
  static constexpr int32_t gs[8][7] = {
      {-1, 0, 0, 0, 0, 0, 0},      {-2, -2, -2, -2, -2, -2, -2}, {-2, 2, -2, 2, -2, 2, -2},   {1, 2, 4, 8, 16, 32, 64},
      {1, -2, 4, -8, 16, -32, 64}, {64, 32, 16, 8, 4, 2, 1},     {64, -32, 16, -8, 4, -2, 1}, {0, 0, 0, 0, 0, 0, 1}};
  static constexpr int32_t at[2][8] = {{90, 10, 10, 1, 1, 2, 2, 0}, {0, 10, -10, 2, -2, 1, -1, 90}};
};

// L_h * L_w = odd * 2^shift: the engine multiplies by odd's inverse modulo 2^32 and shifts.
struct QWinoDivisor {
  uint32_t inverse = 1;  // odd^-1 mod 2^32
  int32_t shift = 0;
};
constexpr QWinoDivisor qwino_divisor(int64_t l) {
  QWinoDivisor d;
  while (l % 2 == 0) l /= 2, ++d.shift;
  uint32_t x = static_cast<uint32_t>(l);  // Newton: each step doubles the correct low bits (x = l is right to 3)
  for (int i = 0; i < 5; ++i) x *= 2u - static_cast<uint32_t>(l) * x;
  d.inverse = x;
  return d;
}

}  // namespace incept::ops
