// SPDX-License-Identifier: Apache-2.0
// StripWalk: the output pixels of one strip (MR consecutive output pixels of an implicit-GEMM conv, in NHWC
// order across images) one by one, each as its image and the input row and column its window starts at
// (negative inside the top / left padding). Rows past the last pixel repeat it. One division per strip,
// then steps: dividing per pixel cost a tenth of a small layer's time. Shared by the float and the 8-bit
// GEMM engines (conv2d_gemm.cc, conv2d_q8_gemm.cc).
//
//   StripWalk walk(geometry, s * mr);
//   for (int32_t i = 0; i < mr; ++i, walk.next()) use(walk.n(), walk.iy0(), walk.ix0());
#pragma once

#include <algorithm>
#include <cstdint>

#include "conv2d/conv2d.h"

namespace incept::ops {

// What a walk needs of a conv: its output grid and how windows map onto the input.
struct StripGeometry {
  int64_t pixels = 0;  // N * OH * OW
  int32_t out_h = 0, out_w = 0;
  Size2D stride;
  Pad2D pad;
};

class StripWalk {
 public:
  StripWalk(const StripGeometry& g, int64_t first_pixel) : g_(g), pix_(first_pixel) {
    const int64_t first = std::min(pix_, g.pixels - 1);
    ox_ = static_cast<int32_t>(first % g.out_w);
    const int64_t rest = first / g.out_w;
    oy_ = static_cast<int32_t>(rest % g.out_h);
    n_ = static_cast<int32_t>(rest / g.out_h);
  }
  int32_t n() const { return n_; }
  int32_t iy0() const { return oy_ * g_.stride.h - g_.pad.top; }
  int32_t ix0() const { return ox_ * g_.stride.w - g_.pad.left; }
  void next() {
    if (++pix_ >= g_.pixels) return;  // past the last pixel: stay on it
    if (++ox_ < g_.out_w) return;
    ox_ = 0;
    if (++oy_ < g_.out_h) return;
    oy_ = 0;
    ++n_;
  }

 private:
  const StripGeometry& g_;
  int64_t pix_;
  int32_t n_ = 0, oy_ = 0, ox_ = 0;
};

}  // namespace incept::ops
