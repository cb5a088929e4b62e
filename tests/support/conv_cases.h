// SPDX-License-Identifier: Apache-2.0
// Conv2D test cases shared by the kernel tests (conv2d_eigen_test, conv2d_gemm_test, the Winograd tests): the
// named layers of GoogLeNet, Inception-v3, Inception-v4 and Inception-ResNet-v2, seeded random shapes, the
// error bound every fast kernel is held to against the reference, and the micro-kernels this CPU runs.
//
//   for (const ConvCase& c : named_conv_cases()) { CAPTURE(c.describe()); ... }
//   ConvCase r = random_conv_case(rng, /*max_groups=*/1);
#pragma once

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "conv2d/conv2d.h"
#include "isa/isa_table.h"
#include "support/test_util.h"

namespace incept::test {

struct ConvCase {
  const char* name;
  Shape in;
  ops::Conv2DParams p;
  int32_t out_c = 1;
  bool bias = true;
  std::string describe() const {
    char buf[320];
    std::snprintf(buf, sizeof(buf), "%s: in %s O %d k %dx%d s %dx%d d %dx%d pad t%d b%d l%d r%d g %d relu %d bias %d",
                  name, to_string(in).c_str(), out_c, p.kernel.h, p.kernel.w, p.stride.h, p.stride.w, p.dilation.h,
                  p.dilation.w, p.pad.top, p.pad.bottom, p.pad.left, p.pad.right, p.groups,
                  p.activation == ops::Activation::kRelu, bias);
    return buf;
  }
  Shape weights() const { return {out_c, p.kernel.h, p.kernel.w, in[3] / p.groups}; }
  int64_t depth() const { return int64_t{p.kernel.h} * p.kernel.w * (in[3] / p.groups); }
};

inline ops::Conv2DParams conv(int kh, int kw, int stride = 1, ops::Pad2D pad = {}, bool relu = true, int groups = 1) {
  ops::Conv2DParams p;
  p.kernel = {kh, kw};
  p.stride = {stride, stride};
  p.pad = pad;
  p.groups = groups;
  p.activation = relu ? ops::Activation::kRelu : ops::Activation::kNone;
  return p;
}

// Real layers at full size (batch 1), a few of every class in each net: torchvision GoogLeNet and
// Inception-v3, timm Inception-v4 and Inception-ResNet-v2 (whose residual up-projections have no ReLU).
inline std::vector<ConvCase> named_conv_cases() {
  return {
      {"GoogLeNet conv1 (7x7 s2 p3)", {1, 224, 224, 3}, conv(7, 7, 2, {3, 3, 3, 3}), 64},
      {"GoogLeNet inception3a.branch2 (3x3)", {1, 28, 28, 96}, conv(3, 3, 1, {1, 1, 1, 1}, false), 128},
      {"GoogLeNet inception4e.branch1 (1x1)", {1, 14, 14, 528}, conv(1, 1), 256},
      {"v3 Conv2d_2b_3x3 (147x147, Cin 32)", {1, 147, 147, 32}, conv(3, 3, 1, {1, 1, 1, 1}), 64},
      {"v3 Mixed_5b.branch1x1", {1, 35, 35, 192}, conv(1, 1), 64},
      {"v3 Mixed_5b.branch5x5_2 (5x5)", {1, 35, 35, 48}, conv(5, 5, 1, {2, 2, 2, 2}), 64},
      {"v3 Mixed_6a.branch3x3 (3x3 s2 valid)", {1, 35, 35, 288}, conv(3, 3, 2), 384},
      {"v3 Mixed_6c.branch7x7_2 (1x7)", {1, 17, 17, 160}, conv(1, 7, 1, {0, 0, 3, 3}), 160},
      {"v3 Mixed_6c.branch7x7_3 (7x1)", {1, 17, 17, 160}, conv(7, 1, 1, {3, 3, 0, 0}), 192},
      {"v3 Mixed_7b.branch1x1 (8x8, K 1280)", {1, 8, 8, 1280}, conv(1, 1), 320},
      {"v3 Mixed_7b.branch3x3_2a (1x3)", {1, 8, 8, 384}, conv(1, 3, 1, {0, 0, 1, 1}), 384},
      {"v4 Mixed_4a (7x1 on 73x73)", {1, 73, 73, 64}, conv(7, 1, 1, {3, 3, 0, 0}), 64},
      {"v4 Inception-B 1x7 (192 -> 224)", {1, 17, 17, 192}, conv(1, 7, 1, {0, 0, 3, 3}), 224},
      {"v4 Reduction-B 3x3 s2 (320)", {1, 17, 17, 320}, conv(3, 3, 2), 320},
      {"v4 Inception-C 3x1 (448 -> 512)", {1, 8, 8, 448}, conv(3, 1, 1, {1, 1, 0, 0}), 512},
      {"IRv2 Block35 up (1x1 128 -> 320, linear)", {1, 35, 35, 128}, conv(1, 1, 1, {}, false), 320},
      {"IRv2 Block17 up (1x1 384 -> 1088, linear)", {1, 17, 17, 384}, conv(1, 1, 1, {}, false), 1088},
      {"IRv2 Block8 3x1 (224 -> 256)", {1, 8, 8, 224}, conv(3, 1, 1, {1, 1, 0, 0}), 256},
      {"IRv2 Block8 up (1x1 448 -> 2080, linear)", {1, 8, 8, 448}, conv(1, 1, 1, {}, false), 2080},
      {"1x1 stride 2, no bias", {2, 9, 9, 40}, conv(1, 1, 2), 24, false},
  };
}

// The ISA tables this CPU can run, whatever the INCEPT_ISA cap says.
inline std::vector<const ops::IsaTable*> runnable_tables() {
  std::vector<const ops::IsaTable*> out;
  for (const ops::IsaTable* t : ops::isa_tables())
    if (ops::cpu_has(t->isa)) out.push_back(t);
  return out;
}

// The GEMM engine's micro-kernels this CPU can run (those of runnable_tables()).
inline std::vector<const ops::GemmUkernel*> runnable_ukernels() {
  std::vector<const ops::GemmUkernel*> out;
  for (const ops::IsaTable* t : runnable_tables()) out.push_back(&t->gemm_f32);
  return out;
}

// "6x16_avx2_fma": a micro-kernel's tile and ISA as kernel names end.
inline std::string tile_isa(const ops::GemmUkernel& uk) {
  return std::to_string(uk.mr) + "x" + std::to_string(uk.nr) + "_" + ops::isa_name(uk.isa);
}

inline int conv_out_len(int in, int k, int s, int d, int pa, int pb) {
  const int room = in + pa + pb - d * (k - 1) - 1;
  return room < 0 ? 0 : room / s + 1;
}

// Kernels 1..7 each way, strides 1..3, any legal padding, dilation 2 sometimes, groups up to max_groups,
// a third of them shapes Winograd takes, channel counts that are rarely multiples of a register tile, reductions up to ~1000 and up to ~500
// output pixels.
inline ConvCase random_conv_case(Rng& rng, int max_groups = 4) {
  static const int kGroups[] = {1, 1, 1, 1, 2, 3, 4};
  for (;;) {
    ConvCase c;
    c.name = "random";
    c.p.groups = max_groups == 1 ? 1 : rng.pick(kGroups, 7);
    const bool pointwise = rng.coin(0.2f);   // the in-place 1x1 path
    // The shapes Winograd takes (conv2d_winograd.h): ungrouped 3x3, 1x7, 7x1, 1x3, 3x1 of stride and
    // dilation 1 with at least 16 channels in and out.
    const bool winograd = !pointwise && rng.coin(0.3f);
    static const ops::Size2D kWinogradKernels[] = {{3, 3}, {3, 3}, {1, 7}, {7, 1}, {1, 3}, {3, 1}};
    if (winograd) c.p.groups = 1;
    c.p.kernel = pointwise ? ops::Size2D{1, 1}
                 : winograd ? rng.pick(kWinogradKernels, 6)
                            : ops::Size2D{rng.uniform_int(1, 7), rng.uniform_int(1, 7)};
    c.p.stride = pointwise || winograd ? ops::Size2D{1, 1} : ops::Size2D{rng.uniform_int(1, 3), rng.uniform_int(1, 3)};
    c.p.dilation = winograd ? ops::Size2D{1, 1} : ops::Size2D{rng.coin(0.2f) ? 2 : 1, rng.coin(0.2f) ? 2 : 1};
    const int span_h = c.p.dilation.h * (c.p.kernel.h - 1) + 1, span_w = c.p.dilation.w * (c.p.kernel.w - 1) + 1;
    c.p.pad = {rng.uniform_int(0, span_h - 1), rng.uniform_int(0, span_h - 1), rng.uniform_int(0, span_w - 1),
               rng.uniform_int(0, span_w - 1)};
    c.p.activation = rng.coin() ? ops::Activation::kRelu : ops::Activation::kNone;
    c.in = {rng.uniform_int(1, 2), rng.uniform_int(1, 16), rng.uniform_int(1, 16),
            c.p.groups * rng.uniform_int(winograd ? 16 : 1, c.p.groups == 1 ? 40 : 12)};
    c.out_c = c.p.groups * rng.uniform_int(winograd ? 16 : 1, c.p.groups == 1 ? 40 : 10);
    c.bias = rng.coin(0.8f);
    if (conv_out_len(c.in[1], c.p.kernel.h, c.p.stride.h, c.p.dilation.h, c.p.pad.top, c.p.pad.bottom) >= 1 &&
        conv_out_len(c.in[2], c.p.kernel.w, c.p.stride.w, c.p.dilation.w, c.p.pad.left, c.p.pad.right) >= 1)
      return c;
  }
}

// The error bound of a fast conv against the reference: per output,
//   |fast - ref| <= kConvTolerance * eps * sqrt(K) * (|b| + sum |x w|),   K the reduction length,
// the rounding of two float sums of K terms in different orders, both random-walk. ConvErrorMeter
// computes the magnitudes once per case and keeps the worst ratio seen (printed by the tests).
constexpr double kConvTolerance = 2.0;

struct ConvReference {
  Shape out_shape;
  Tensor x, w, b, ref, magnitude;
  const float* bias() const { return b.data.empty() ? nullptr : b.data.data(); }
};

// Seeded input, weights and bias for case c, the reference output and the magnitudes of the bound.
inline ConvReference make_conv_reference(Rng& rng, const ConvCase& c) {
  ConvReference r;
  const Shape wshape = c.weights(), bshape{c.out_c};
  if (!ops::conv2d_infer_shape(c.p, c.in, wshape, c.bias ? &bshape : nullptr, &r.out_shape).is_ok()) return r;
  r.x = random_tensor(rng, c.in);
  r.w = random_tensor(rng, wshape);
  if (c.bias) r.b = random_tensor(rng, bshape);
  r.ref = Tensor(r.out_shape);
  r.magnitude = Tensor(r.out_shape);
  ops::conv2d_f32_ref(c.p, r.x.cview(), r.w.data.data(), r.bias(), r.ref.view());
  auto abs_of = [](const Tensor& t) {
    Tensor a = t;
    for (float& v : a.data) v = std::fabs(v);
    return a;
  };
  ops::Conv2DParams linear = c.p;
  linear.activation = ops::Activation::kNone;
  const Tensor ax = abs_of(r.x), aw = abs_of(r.w), ab = abs_of(r.b);
  ops::conv2d_f32_ref(linear, ax.cview(), aw.data.data(), c.bias ? ab.data.data() : nullptr, r.magnitude.view());
  return r;
}

struct ConvErrorMeter {
  double worst_ratio = 0.0, worst_abs = 0.0;
  // Number of outputs of y over the bound (NaN counts as over unless ref is NaN there too).
  int over_bound(const ConvCase& c, const ConvReference& r, const Tensor& y) {
    const double scale = std::numeric_limits<float>::epsilon() * std::sqrt(static_cast<double>(c.depth()));
    int bad = 0;
    for (size_t i = 0; i < r.ref.data.size(); ++i) {
      if (std::isnan(r.ref.data[i]) && std::isnan(y.data[i])) continue;
      const double err = std::fabs(double{y.data[i]} - r.ref.data[i]);
      const double ratio = err / (kConvTolerance * scale * (r.magnitude.data[i] + 1e-30));
      worst_ratio = std::max(worst_ratio, ratio);
      worst_abs = std::max(worst_abs, err);
      if (!(ratio <= 1.0)) ++bad;
    }
    return bad;
  }
};


}  // namespace incept::test
