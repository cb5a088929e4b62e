// SPDX-License-Identifier: Apache-2.0
// The test cases of the op tests, one type per op (ConvCase, MaxPoolCase, AvgPoolCase, GapCase, SoftmaxCase,
// AddCase, FcCase), and the generators the tests draw them from: named layers of GoogLeNet, Inception-v3,
// Inception-v4 and Inception-ResNet-v2 at full size (with the concat slice a branch writes into, where it has
// one), and seeded random shapes. A case also says where its sliced run puts the activations (Slices, which
// kernel_runner.h lays out) and prints itself for CAPTURE. This file holds the layouts and the Conv2D and
// pool cases; cases_head.h (included at the end) the classifier head's ops and the residual Add.
//
//   test::Rng rng(0xc0f2);                                     // fixed seed: the same shapes on every run
//   for (const test::ConvCase& c : test::named_conv_cases()) { CAPTURE(c.describe()); ... }
//   const test::MaxPoolCase r = test::random_pool_case<ops::MaxPool2DParams>(rng);
#pragma once

#include <cmath>
#include <cstdio>
#include <string>
#include <type_traits>
#include <vector>

#include "avg_pool2d/avg_pool2d.h"
#include "conv2d/conv2d.h"
#include "max_pool2d/max_pool2d.h"
#include "support/test_util.h"

namespace incept::test {

// ---- layouts -----------------------------------------------------------------------------------------

// Where a case's sliced run puts its activations: every input at channels [in_offset, in_offset + C) of
// in_offset + C + in_extra floats per pixel with NaN around (reading one shows), the output at
// [out_offset, out_offset + C) of out_offset + C + out_extra with 12345.5 around (writing there shows); all
// zero is dense. alias >= 0: in place, the output written over input `alias` (same shape, same slice), as
// prepare places an op over an input that dies there.
struct Slices {
  int32_t in_offset = 3, in_extra = 5;
  int32_t out_offset = 2, out_extra = 5;
  int alias = -1;
  std::string describe() const {
    char buf[96];
    std::snprintf(buf, sizeof(buf), "in %d+C+%d out %d+C+%d alias %d", in_offset, in_extra, out_offset, out_extra,
                  alias);
    return buf;
  }
};
constexpr Slices kDense{0, 0, 0, 0, -1};

// A concat branch: the input dense, the output at channels [offset, offset + C) of offset + C + extra.
inline Slices out_slice(int32_t offset, int32_t extra) { return {0, 0, offset, extra, -1}; }

// Dense, or a random slice of the input, the output or both (offsets up to 5, extras up to 9).
inline Slices random_slices(Rng& rng) {
  const int which = rng.uniform_int(0, 3);
  Slices s = kDense;
  if (which & 1) s.in_offset = rng.uniform_int(0, 5), s.in_extra = rng.uniform_int(4, 9);
  if (which & 2) s.out_offset = rng.uniform_int(0, 5), s.out_extra = rng.uniform_int(0, 9);
  return s;
}

// Output length of a window op straight from PyTorch's formula, with floating-point floor / ceil (ceil
// drops a last window that would start in the trailing padding); 0 when the window does not fit.
inline int window_out_len(int in, int k, int s, int d, int pa, int pb, bool ceil_mode = false) {
  const int span = d * (k - 1) + 1;
  if (in + pa + pb < span) return 0;
  const double q = static_cast<double>(in + pa + pb - span) / s;
  int out = static_cast<int>(ceil_mode ? std::ceil(q) : std::floor(q)) + 1;
  if (ceil_mode && (out - 1) * s >= in + pa) --out;
  return out;
}

// ---- Conv2D ------------------------------------------------------------------------------------------

struct ConvCase {
  const char* name;
  Shape in;
  ops::Conv2DParams p;
  int32_t out_c = 1;
  bool bias = true;
  Slices slices = {};
  std::string describe() const {
    char buf[384];
    std::snprintf(buf, sizeof(buf),
                  "%s: in %s O %d k %dx%d s %dx%d d %dx%d pad t%d b%d l%d r%d g %d relu %d bias %d %s", name,
                  to_string(in).c_str(), out_c, p.kernel.h, p.kernel.w, p.stride.h, p.stride.w, p.dilation.h,
                  p.dilation.w, p.pad.top, p.pad.bottom, p.pad.left, p.pad.right, p.groups,
                  p.activation == ops::Activation::kRelu, bias, slices.describe().c_str());
    return buf;
  }
  Shape weights() const { return {out_c, p.kernel.h, p.kernel.w, in[3] / p.groups}; }
  int64_t depth() const { return int64_t{p.kernel.h} * p.kernel.w * (in[3] / p.groups); }
  bool fits() const {
    return window_out_len(in[1], p.kernel.h, p.stride.h, p.dilation.h, p.pad.top, p.pad.bottom) >= 1 &&
           window_out_len(in[2], p.kernel.w, p.stride.w, p.dilation.w, p.pad.left, p.pad.right) >= 1;
  }
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
// Inception-v3, timm Inception-v4 and Inception-ResNet-v2 (whose residual up-projections have no ReLU). A
// branch that writes into its module's concat output does so in the sliced run (out_slice: its offset there
// and the channels after it).
inline std::vector<ConvCase> named_conv_cases() {
  const ops::Pad2D p33{1, 1, 1, 1};
  return {
      {"GoogLeNet conv1 (7x7 s2 p3)", {1, 224, 224, 3}, conv(7, 7, 2, {3, 3, 3, 3}), 64},
      {"GoogLeNet inception3a.branch2 (3x3, linear)", {1, 28, 28, 96}, conv(3, 3, 1, p33, false), 128},
      {"GoogLeNet inception3a.branch2 (3x3) into its concat slice",
       {1, 28, 28, 96},
       conv(3, 3, 1, p33),
       128,
       true,
       out_slice(64, 64)},
      {"GoogLeNet inception4e.branch1 (1x1)", {1, 14, 14, 528}, conv(1, 1), 256},
      {"v3 Conv2d_1a_3x3 (3x3 s2 on 299x299x3)", {1, 299, 299, 3}, conv(3, 3, 2), 32},
      {"v3 Conv2d_2b_3x3 (147x147, Cin 32)", {1, 147, 147, 32}, conv(3, 3, 1, p33), 64},
      {"v3 Mixed_5b.branch1x1 into its concat slice", {1, 35, 35, 192}, conv(1, 1), 64, true, out_slice(0, 192)},
      {"v3 Mixed_5b.branch5x5_2 (5x5)", {1, 35, 35, 48}, conv(5, 5, 1, {2, 2, 2, 2}), 64, true, out_slice(64, 128)},
      {"v3 Mixed_5b.branch3x3dbl_2 (3x3)", {1, 35, 35, 64}, conv(3, 3, 1, p33), 96, true, out_slice(128, 32)},
      {"v3 Mixed_6a.branch3x3 (3x3 s2 valid)", {1, 35, 35, 288}, conv(3, 3, 2), 384},
      {"v3 Mixed_6a.branch3x3dbl_3 (3x3 s2, 35 -> 17)", {1, 35, 35, 96}, conv(3, 3, 2), 96, true, out_slice(384, 288)},
      {"v3 Mixed_6b.branch7x7_2 (1x7)", {1, 17, 17, 128}, conv(1, 7, 1, {0, 0, 3, 3}), 128},
      {"v3 Mixed_6b.branch7x7_3 (7x1)", {1, 17, 17, 128}, conv(7, 1, 1, {3, 3, 0, 0}), 192, true, out_slice(192, 384)},
      {"v3 Mixed_6c.branch7x7_2 (1x7)", {1, 17, 17, 160}, conv(1, 7, 1, {0, 0, 3, 3}), 160},
      {"v3 Mixed_6c.branch7x7_3 (7x1)", {1, 17, 17, 160}, conv(7, 1, 1, {3, 3, 0, 0}), 192},
      {"v3 Mixed_6c.branch7x7dbl_2 (7x1)", {1, 17, 17, 160}, conv(7, 1, 1, {3, 3, 0, 0}), 160},
      {"v3 Mixed_7b.branch1x1 (8x8, K 1280)", {1, 8, 8, 1280}, conv(1, 1), 320},
      {"v3 Mixed_7b.branch3x3_2a (1x3)", {1, 8, 8, 384}, conv(1, 3, 1, {0, 0, 1, 1}), 384, true, out_slice(320, 1344)},
      {"v3 Mixed_7c.branch1x1 (8x8, K 2048)", {1, 8, 8, 2048}, conv(1, 1), 320, true, out_slice(0, 1728)},
      {"v4 Mixed_4a (7x1 on 73x73)", {1, 73, 73, 64}, conv(7, 1, 1, {3, 3, 0, 0}), 64},
      {"v4 Inception-B 1x7 (192 -> 224)", {1, 17, 17, 192}, conv(1, 7, 1, {0, 0, 3, 3}), 224},
      {"v4 Reduction-B 3x3 s2 (320)", {1, 17, 17, 320}, conv(3, 3, 2), 320},
      {"v4 Inception-C 3x1 (448 -> 512)", {1, 8, 8, 448}, conv(3, 1, 1, {1, 1, 0, 0}), 512},
      {"IRv2 Block35 up (1x1 128 -> 320, linear)", {1, 35, 35, 128}, conv(1, 1, 1, {}, false), 320},
      {"IRv2 Block17 up (1x1 384 -> 1088, linear)", {1, 17, 17, 384}, conv(1, 1, 1, {}, false), 1088},
      {"IRv2 Block8 3x1 (224 -> 256)", {1, 8, 8, 224}, conv(3, 1, 1, {1, 1, 0, 0}), 256},
      {"IRv2 Block8 up (1x1 448 -> 2080, linear)", {1, 8, 8, 448}, conv(1, 1, 1, {}, false), 2080},
      {"1x1 stride 2, no bias", {2, 9, 9, 40}, conv(1, 1, 2), 24, false},
      {"classifier as a 1x1 conv on 1x1x1024, no bias, linear", {1, 1, 1, 1024}, conv(1, 1, 1, {}, false), 1000, false},
  };
}

// The Inception shapes that small random draws may miss, shrunk to a size a float64 oracle runs in no time.
inline std::vector<ConvCase> small_conv_cases() {
  ConvCase dilated{"3x3 dilation 2 pad 2, no bias", {1, 10, 10, 4}, conv(3, 3, 1, {2, 2, 2, 2}), 5, false};
  dilated.p.dilation = {2, 2};
  return {
      {"1x7 pad 3", {1, 9, 9, 5}, conv(1, 7, 1, {0, 0, 3, 3}, false), 6},
      {"7x1 pad 3", {1, 9, 9, 5}, conv(7, 1, 1, {3, 3, 0, 0}, false), 6},
      {"3x3 s2 valid (stem, grid reductions)", {1, 11, 11, 3}, conv(3, 3, 2, {}, false), 8},
      {"GoogLeNet conv1 (7x7 s2 p3), batch 2", {2, 12, 10, 3}, conv(7, 7, 2, {3, 3, 3, 3}, false), 4},
      {"depthwise 3x3", {1, 8, 8, 12}, conv(3, 3, 1, {1, 1, 1, 1}, false, 12), 12},
      {"3x3 s2 asymmetric pad, groups 3", {1, 7, 9, 6}, conv(3, 3, 2, {0, 2, 1, 0}, false, 3), 9},
      dilated,
  };
}

// Kernels 1..7 each way, strides 1..3, any legal padding, dilation 2 sometimes, groups up to max_groups,
// a third of them shapes Winograd takes, channel counts that are rarely multiples of a register tile,
// reductions up to ~1000 and up to ~500 output pixels.
inline ConvCase random_conv_case(Rng& rng, int max_groups = 4) {
  static const int kGroups[] = {1, 1, 1, 1, 2, 3, 4};
  for (;;) {
    ConvCase c{"random", {}, {}};
    c.p.groups = max_groups == 1 ? 1 : rng.pick(kGroups, 7);
    const bool pointwise = rng.coin(0.2f);  // the in-place 1x1 path
    // The shapes Winograd takes (conv2d_winograd.h): ungrouped 3x3, 1x7, 7x1, 1x3, 3x1 of stride and
    // dilation 1 with at least 16 channels in and out.
    const bool winograd = !pointwise && rng.coin(0.3f);
    static const ops::Size2D kWinogradKernels[] = {{3, 3}, {3, 3}, {1, 7}, {7, 1}, {1, 3}, {3, 1}};
    if (winograd) c.p.groups = 1;
    c.p.kernel = pointwise  ? ops::Size2D{1, 1}
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
    if (c.fits()) return c;
  }
}

// Grouped convs of every kind (a third 2..4 groups or depthwise with multiplier 1 or 2), dilations up to 3,
// maps up to 20x20, up to 24 channels per group, and a random slice of the input, the output or both.
inline ConvCase random_grouped_conv_case(Rng& rng) {
  for (;;) {
    ConvCase c{"random grouped", {}, {}};
    const int kind = rng.uniform_int(0, 5);  // 0..2: groups 1; 3: 2..4 groups; 4: depthwise; 5: depthwise x2
    const int groups = kind <= 2 ? 1 : kind == 3 ? rng.uniform_int(2, 4) : rng.uniform_int(1, 24);
    c.p.groups = groups;
    c.p.kernel = {rng.uniform_int(1, 7), rng.uniform_int(1, 7)};
    c.p.stride = {rng.uniform_int(1, 3), rng.uniform_int(1, 3)};
    c.p.dilation = {rng.coin(0.2f) ? rng.uniform_int(2, 3) : 1, rng.coin(0.2f) ? rng.uniform_int(2, 3) : 1};
    const int span_h = c.p.dilation.h * (c.p.kernel.h - 1) + 1, span_w = c.p.dilation.w * (c.p.kernel.w - 1) + 1;
    c.p.pad = {rng.uniform_int(0, span_h - 1), rng.uniform_int(0, span_h - 1), rng.uniform_int(0, span_w - 1),
               rng.uniform_int(0, span_w - 1)};
    c.p.activation = rng.coin() ? ops::Activation::kRelu : ops::Activation::kNone;
    const int group_in = kind >= 4 ? 1 : rng.uniform_int(1, 24);
    const int group_out = kind == 4 ? 1 : kind == 5 ? 2 : rng.uniform_int(1, 24);
    c.in = {rng.uniform_int(1, 2), rng.uniform_int(1, 20), rng.uniform_int(1, 20), groups * group_in};
    c.out_c = groups * group_out;
    c.bias = rng.coin(0.8f);
    c.slices = random_slices(rng);
    if (c.fits()) return c;
  }
}

// Small convs for the float64 oracle: the nets' kernel shapes and a few others (2x2, 2x4), strides 1..3,
// dilation 2 sometimes, groups up to 4, up to 6 channels per group on maps up to 13x13.
inline ConvCase random_small_conv_case(Rng& rng) {
  static const ops::Size2D kKernels[] = {{1, 1}, {3, 3}, {5, 5}, {1, 7}, {7, 1}, {1, 3}, {3, 1}, {2, 2}, {2, 4}};
  static const int kGroups[] = {1, 1, 1, 2, 3, 4};
  for (;;) {
    ConvCase c{"random small", {}, {}};
    c.p.groups = rng.pick(kGroups, 6);
    c.p.kernel = rng.pick(kKernels, 9);
    c.p.stride = {rng.uniform_int(1, 3), rng.uniform_int(1, 3)};
    c.p.dilation = {rng.coin(0.25f) ? 2 : 1, rng.coin(0.25f) ? 2 : 1};
    const int span_h = c.p.dilation.h * (c.p.kernel.h - 1) + 1, span_w = c.p.dilation.w * (c.p.kernel.w - 1) + 1;
    c.p.pad = {rng.uniform_int(0, span_h - 1), rng.uniform_int(0, span_h - 1), rng.uniform_int(0, span_w - 1),
               rng.uniform_int(0, span_w - 1)};
    c.p.activation = rng.coin() ? ops::Activation::kRelu : ops::Activation::kNone;
    c.in = {rng.uniform_int(1, 2), rng.uniform_int(1, 13), rng.uniform_int(1, 13), c.p.groups * rng.uniform_int(1, 6)};
    c.out_c = c.p.groups * rng.uniform_int(1, 6);
    c.bias = rng.coin(0.8f);
    if (c.fits()) return c;
  }
}

// ---- MaxPool2D and AvgPool2D -------------------------------------------------------------------------

// P is ops::MaxPool2DParams or ops::AvgPool2DParams.
template <typename P>
struct PoolCase {
  static constexpr bool kAvg = std::is_same_v<P, ops::AvgPool2DParams>;
  const char* name;
  Shape in;
  P p;
  bool negative = false;  // inputs in [-2, -1], so a padded zero winning a max would show
  Slices slices = {};
  std::string describe() const {
    char buf[384];
    std::snprintf(buf, sizeof(buf),
                  "%s: in %s k %dx%d s %dx%d pad t%d b%d l%d r%d ceil %d count_pad %d relu %d negative %d %s", name,
                  to_string(in).c_str(), p.kernel.h, p.kernel.w, p.stride.h, p.stride.w, p.pad.top, p.pad.bottom,
                  p.pad.left, p.pad.right, p.ceil_mode, count_include_pad(), p.activation == ops::Activation::kRelu,
                  negative, slices.describe().c_str());
    return buf;
  }
  int count_include_pad() const {
    if constexpr (kAvg) return p.count_include_pad;
    return -1;
  }
  Shape out_shape() const {
    return {in[0], window_out_len(in[1], p.kernel.h, p.stride.h, 1, p.pad.top, p.pad.bottom, p.ceil_mode),
            window_out_len(in[2], p.kernel.w, p.stride.w, 1, p.pad.left, p.pad.right, p.ceil_mode), in[3]};
  }
  bool fits() const {
    const Shape o = out_shape();
    return o[1] >= 1 && o[2] >= 1;
  }
};
using MaxPoolCase = PoolCase<ops::MaxPool2DParams>;
using AvgPoolCase = PoolCase<ops::AvgPool2DParams>;

template <typename P>
P pool(int k, int s, ops::Pad2D pad = {}, bool ceil_mode = false) {
  P p;
  p.kernel = {k, k};
  p.stride = {s, s};
  p.pad = pad;
  p.ceil_mode = ceil_mode;
  return p;
}
inline ops::MaxPool2DParams max_pool(int k, int s, ops::Pad2D pad = {}, bool ceil_mode = false) {
  return pool<ops::MaxPool2DParams>(k, s, pad, ceil_mode);
}
inline ops::AvgPool2DParams avg_pool(int k, int s, ops::Pad2D pad = {}, bool count_include_pad = true,
                                     bool ceil_mode = false) {
  ops::AvgPool2DParams p = pool<ops::AvgPool2DParams>(k, s, pad, ceil_mode);
  p.count_include_pad = count_include_pad;
  return p;
}

// torchvision GoogLeNet's max pools (all ceil_mode) and Inception-v3's (floor), full size, each with inputs
// in [-1, 1] and all negative; the two grid reductions write into their concat slices.
inline std::vector<MaxPoolCase> named_max_pool_cases() {
  const ops::Pad2D p1{1, 1, 1, 1};
  std::vector<MaxPoolCase> base = {
      {"GoogLeNet maxpool1 (3x3 s2 ceil, 112 -> 56)", {1, 112, 112, 64}, max_pool(3, 2, {}, true)},
      {"GoogLeNet maxpool2 (3x3 s2 ceil, 56 -> 28)", {1, 56, 56, 192}, max_pool(3, 2, {}, true)},
      {"GoogLeNet maxpool3 (3x3 s2 ceil, 28 -> 14)", {1, 28, 28, 480}, max_pool(3, 2, {}, true)},
      {"GoogLeNet maxpool4 (2x2 s2 ceil, 14 -> 7)", {1, 14, 14, 832}, max_pool(2, 2, {}, true)},
      {"GoogLeNet inception3a.branch4.0 (3x3 s1 p1 ceil)", {1, 28, 28, 192}, max_pool(3, 1, p1, true)},
      {"v3 maxpool1 (3x3 s2, 147 -> 73)", {1, 147, 147, 64}, max_pool(3, 2)},
      {"v3 maxpool2 (3x3 s2, 71 -> 35)", {1, 71, 71, 192}, max_pool(3, 2)},
      {"v3 Mixed_6a.branch_pool (35 -> 17) into its concat slice",
       {1, 35, 35, 288},
       max_pool(3, 2),
       false,
       out_slice(480, 0)},
      {"v3 Mixed_7a.branch_pool (17 -> 8) into its concat slice",
       {1, 17, 17, 768},
       max_pool(3, 2),
       false,
       out_slice(512, 0)},
      {"ceil window past the padding", {1, 4, 4, 3}, max_pool(3, 2, p1, true)},
      {"1x1 s2 (XNNPACK's pooling refuses it: a subsample)", {1, 9, 8, 5}, max_pool(1, 2, {}, true)},
  };
  base.push_back(base.back());
  base.back().name = "1x1 s2, ReLU";
  base.back().p.activation = ops::Activation::kRelu;
  std::vector<MaxPoolCase> v;
  for (MaxPoolCase c : base) {
    v.push_back(c);
    c.negative = true;
    v.push_back(c);
  }
  return v;
}

// Inception-v3's average pools (torchvision: 3x3 s1 p1 counting the padding; the aux head's 5x5 s3),
// Inception-v4's (timm: not counting it), a whole-map average as a pool, and the ceil corner cases.
inline std::vector<AvgPoolCase> named_avg_pool_cases() {
  const ops::Pad2D p1{1, 1, 1, 1};
  return {
      {"v3 Mixed_5b.branch_pool (3x3 s1 p1, 35x35x192)", {1, 35, 35, 192}, avg_pool(3, 1, p1)},
      {"v3 Mixed_5c.branch_pool (35x35x256)", {1, 35, 35, 256}, avg_pool(3, 1, p1)},
      {"v3 Mixed_6b.branch_pool (17x17x768)", {1, 17, 17, 768}, avg_pool(3, 1, p1)},
      {"v3 Mixed_7b.branch_pool (8x8x1280)", {1, 8, 8, 1280}, avg_pool(3, 1, p1)},
      {"v3 Mixed_7c.branch_pool (8x8x2048)", {1, 8, 8, 2048}, avg_pool(3, 1, p1)},
      {"v3 AuxLogits (5x5 s3, 17 -> 5)", {1, 17, 17, 768}, avg_pool(5, 3)},
      {"timm v4 Inception-A pool (3x3 s1 p1 excluding padding, 35x35x384)",
       {1, 35, 35, 384},
       avg_pool(3, 1, p1, false)},
      {"TF-trained 3x3 s1 p1 excluding padding (35x35x320)", {1, 35, 35, 320}, avg_pool(3, 1, p1, false)},
      {"whole-map average as a pool (8x8 s8, 8x8x2048)", {1, 8, 8, 2048}, avg_pool(8, 8)},
      {"ceil, counting, no padding", {1, 8, 8, 16}, avg_pool(3, 2, {}, true, true)},
      {"ceil past the padding, excluding padding", {1, 4, 4, 3}, avg_pool(3, 2, p1, false, true)},
      {"ceil past the padding, counting it", {1, 4, 4, 3}, avg_pool(3, 2, p1, true, true)},
      {"ceil with padding but no extra window", {2, 9, 9, 5}, avg_pool(3, 2, p1, true, true)},
  };
}

// Windows up to 4x4, strides 1..3, any legal padding, ceil mode half the time (and counting the padding half
// the time), ReLU a third of the time, on maps up to 12x12 with up to max_c channels.
template <typename P>
PoolCase<P> random_pool_case(Rng& rng, int max_c = 40) {
  for (;;) {
    PoolCase<P> c{"random", {}, {}};
    c.p.kernel = {rng.uniform_int(1, 4), rng.uniform_int(1, 4)};
    c.p.stride = {rng.uniform_int(1, 3), rng.uniform_int(1, 3)};
    c.p.pad = {rng.uniform_int(0, c.p.kernel.h - 1), rng.uniform_int(0, c.p.kernel.h - 1),
               rng.uniform_int(0, c.p.kernel.w - 1), rng.uniform_int(0, c.p.kernel.w - 1)};
    c.p.ceil_mode = rng.coin();
    if constexpr (PoolCase<P>::kAvg) c.p.count_include_pad = rng.coin();
    c.p.activation = rng.coin(0.3f) ? ops::Activation::kRelu : ops::Activation::kNone;
    c.in = {rng.uniform_int(1, 2), rng.uniform_int(1, 12), rng.uniform_int(1, 12), rng.uniform_int(1, max_c)};
    if (c.fits()) return c;
  }
}

// Wider windows: up to 7x7 (a tenth 1x1), padding 7 times in 10 for average pools, maps up to 16x16, all
// negative inputs half the time (max pools), and a random slice of the input, the output or both.
template <typename P>
PoolCase<P> random_wide_pool_case(Rng& rng) {
  for (;;) {
    PoolCase<P> c{"random wide", {}, {}};
    c.p.kernel = rng.coin(0.1f) ? ops::Size2D{1, 1} : ops::Size2D{rng.uniform_int(1, 7), rng.uniform_int(1, 7)};
    c.p.stride = {rng.uniform_int(1, 3), rng.uniform_int(1, 3)};
    if (!PoolCase<P>::kAvg || rng.coin(0.7f)) {
      c.p.pad = {rng.uniform_int(0, c.p.kernel.h - 1), rng.uniform_int(0, c.p.kernel.h - 1),
                 rng.uniform_int(0, c.p.kernel.w - 1), rng.uniform_int(0, c.p.kernel.w - 1)};
    }
    c.p.ceil_mode = rng.coin();
    if constexpr (PoolCase<P>::kAvg) c.p.count_include_pad = rng.coin();
    c.p.activation = rng.coin(0.3f) ? ops::Activation::kRelu : ops::Activation::kNone;
    c.in = {rng.uniform_int(1, 2), rng.uniform_int(1, 16), rng.uniform_int(1, 16), rng.uniform_int(1, 40)};
    if constexpr (!PoolCase<P>::kAvg) c.negative = rng.coin();
    c.slices = random_slices(rng);
    if (c.fits()) return c;
  }
}

}  // namespace incept::test

#include "support/cases_head.h"  // GlobalAvgPool, Softmax, Add, FullyConnected
