// SPDX-License-Identifier: Apache-2.0
// The test cases of the classifier head's ops (GlobalAvgPool, FullyConnected, Softmax) and of the residual
// Add: one type per op and its generators, as in cases.h, which includes this file (include cases.h).
#pragma once

#include <string>
#include <vector>

#include "support/cases.h"

namespace incept::test {

// ---- GlobalAvgPool -----------------------------------------------------------------------------------

struct GapCase {
  const char* name;
  Shape in;
  Slices slices = {};
  std::string describe() const { return std::string(name) + ": in " + to_string(in) + " " + slices.describe(); }
};

// The final pools of Inception-v3, Inception-v4 / Inception-ResNet-v2 and GoogLeNet, batched, into a slice,
// and a few odd maps.
inline std::vector<GapCase> named_gap_cases() {
  return {
      {"v3 avgpool (8x8x2048)", {1, 8, 8, 2048}},
      {"v4 / IRv2 avgpool (8x8x1536)", {1, 8, 8, 1536}},
      {"GoogLeNet avgpool (7x7x1024)", {1, 7, 7, 1024}},
      {"v3 avgpool, batch 2", {2, 8, 8, 2048}},
      {"v3 avgpool, batch 3, into a slice", {3, 8, 8, 2048}, out_slice(16, 16)},
      {"v4 avgpool, batch 2", {2, 8, 8, 1536}},
      {"3x5x7", {1, 3, 5, 7}},
      {"1x1 pixel, batch 2", {2, 1, 1, 33}},
  };
}

// Batches up to max_n, maps up to max_hw x max_hw, up to max_c channels; with `slices`, a random slice of the
// input, the output or both.
inline GapCase random_gap_case(Rng& rng, int max_n, int max_hw, int max_c, bool slices) {
  GapCase c{
      "random",
      {rng.uniform_int(1, max_n), rng.uniform_int(1, max_hw), rng.uniform_int(1, max_hw), rng.uniform_int(1, max_c)}};
  if (slices) c.slices = random_slices(rng);
  return c;
}

// ---- Softmax -----------------------------------------------------------------------------------------

struct SoftmaxCase {
  const char* name;
  Shape in;  // [N, C] or NHWC
  float beta = 1.0f;
  float lo = -10.0f, hi = 10.0f;  // logit range
  Slices slices = {};
  std::string describe() const {
    char buf[256];
    std::snprintf(buf, sizeof(buf), "%s: in %s beta %g range [%g, %g] %s", name, to_string(in).c_str(),
                  static_cast<double>(beta), static_cast<double>(lo), static_cast<double>(hi),
                  slices.describe().c_str());
    return buf;
  }
};

// 1000-class logits (batched, in place, a wide range, beta != 1) and a per-pixel NHWC softmax in slices.
inline std::vector<SoftmaxCase> named_softmax_cases() {
  return {
      {"1000-class logits", {1, 1000}},
      {"1000-class logits, batch 4", {4, 1000}},
      {"1000-class logits, batch 8", {8, 1000}},
      {"1000-class logits in place", {2, 1000}, 1.0f, -10.0f, 10.0f, Slices{0, 0, 0, 0, 0}},
      {"per-pixel 7x7x21 in slices", {1, 7, 7, 21}, 1.0f, -10.0f, 10.0f, Slices{2, 9, 1, 2, -1}},
      {"1000 classes, logits in [-80, 80]", {1, 1000}, 1.0f, -80.0f, 80.0f},
      {"one channel (always 1)", {3, 1}},
      {"1001 classes, batch 2", {2, 1001}, 1.0f, -8.0f, 8.0f},
      {"beta 0.5", {3, 17}, 0.5f, -8.0f, 8.0f},
      {"1x1", {1, 1}, 1.0f, -8.0f, 8.0f},
      {"beta 3", {4, 1000}, 3.0f, -8.0f, 8.0f},
  };
}

// Up to 300 channels (a fifth up to 4) as [N, C] or NHWC, logits within +-1, +-10 or +-40, dense, a slice of
// the input, the output or both, or in place.
inline SoftmaxCase random_softmax_case(Rng& rng) {
  SoftmaxCase c{"random", {}};
  const int32_t channels = rng.coin(0.2f) ? rng.uniform_int(1, 4) : rng.uniform_int(1, 300);
  c.in = rng.coin() ? Shape{rng.uniform_int(1, 4), channels}
                    : Shape{rng.uniform_int(1, 2), rng.uniform_int(1, 5), rng.uniform_int(1, 5), channels};
  static const float kSpans[] = {1.0f, 10.0f, 40.0f};
  c.hi = rng.pick(kSpans, 3);
  c.lo = -c.hi;
  c.slices = random_slices(rng);
  if (rng.coin(0.2f)) c.slices.alias = 0;
  return c;
}

// ---- Add ---------------------------------------------------------------------------------------------

struct AddCase {
  const char* name;
  Shape shape;
  bool relu = false;
  Slices slices = {};  // alias 0 or 1: the sum written over a or b
  std::string describe() const {
    return std::string(name) + ": " + to_string(shape) + " relu " + std::to_string(relu) + " " + slices.describe();
  }
};

// Inception-ResNet-v2's residual adds (in place over either input, or into a buffer of their own) and a
// classifier-sized [N, C].
inline std::vector<AddCase> named_add_cases() {
  return {
      {"IRv2 block35 residual, over a", {1, 35, 35, 320}, true, Slices{0, 0, 0, 0, 0}},
      {"IRv2 block35 residual", {1, 35, 35, 320}, true},
      {"IRv2 block17 residual, over b", {1, 17, 17, 1088}, true, Slices{0, 0, 0, 0, 1}},
      {"IRv2 block17 residual", {1, 17, 17, 1088}, true},
      {"IRv2 block8 residual", {1, 8, 8, 2080}, true, kDense},
      {"IRv2 block8 residual, linear", {1, 8, 8, 2080}, false},
      {"IRv2 last block8 (linear), over a", {1, 8, 8, 2080}, false, Slices{0, 0, 0, 0, 0}},
      {"[N, C]", {3, 1000}, true, kDense},
      {"[N, C], linear", {2, 100}, false},
      {"3x3x5", {1, 3, 3, 5}, true},
  };
}

// [N, C] (3 in 10) or NHWC shapes up to max_c channels, ReLU half the time, and a layout: dense, a random
// slice, or in place over a or b.
inline AddCase random_add_case(Rng& rng, int max_c = 70) {
  AddCase c{"random", {}};
  c.shape = rng.coin(0.3f) ? Shape{rng.uniform_int(1, 4), rng.uniform_int(1, 300)}
                           : Shape{rng.uniform_int(1, 2), rng.uniform_int(1, 12), rng.uniform_int(1, 12),
                                   rng.uniform_int(1, max_c)};
  c.relu = rng.coin();
  c.slices = random_slices(rng);
  c.slices.alias = rng.uniform_int(-1, 1);
  return c;
}

// ---- FullyConnected ----------------------------------------------------------------------------------

struct FcCase {
  const char* name;
  int32_t batch = 1, in = 1, out = 1;
  bool bias = true, relu = false;
  Slices slices = {};  // of the rows: features [offset, offset + in) of offset + in + extra
  std::string describe() const {
    char buf[256];
    std::snprintf(buf, sizeof(buf), "%s: [%d, %d] -> %d, bias %d, relu %d %s", name, batch, in, out, bias, relu,
                  slices.describe().c_str());
    return buf;
  }
};

// The classifiers of the four nets (batch 1, where our engine takes its single-row micro-kernel and Eigen its
// gemv, batch 16, Eigen's last gemv, and 17, its first GEMM), and a batch with slices of both rows.
inline std::vector<FcCase> named_fc_cases() {
  return {
      {"GoogLeNet fc", 1, 1024, 1000},
      {"Inception-v3 fc", 1, 2048, 1000},
      {"Inception-v4 / IRv2 fc", 1, 1536, 1000},
      {"Inception-v3 fc, batch 2", 2, 2048, 1000},
      {"Inception-v3 fc, batch 3", 3, 2048, 1000},
      {"Inception-v3 fc, batch 4, ReLU, no bias, in row slices", 4, 2048, 1000, false, true, Slices{3, 5, 5, 2, -1}},
      {"Inception-v3 fc, batch 16, ReLU", 16, 2048, 1000, true, true},
      {"Inception-v3 fc, batch 17", 17, 2048, 1000},
      {"no bias, ReLU", 2, 100, 37, false, true},
  };
}

// Batches up to max_batch, up to max_in input and max_out output features (with `tiny`, a fifth of each up to
// 8), bias 4 times in 5, ReLU half the time; with `slices`, a random slice of the input, the output or both.
inline FcCase random_fc_case(Rng& rng, int max_batch, int max_in, int max_out, bool tiny = false, bool slices = false) {
  FcCase c{"random"};
  c.batch = rng.uniform_int(1, max_batch);
  c.in = tiny && rng.coin(0.2f) ? rng.uniform_int(1, 8) : rng.uniform_int(1, max_in);
  c.out = tiny && rng.coin(0.2f) ? rng.uniform_int(1, 8) : rng.uniform_int(1, max_out);
  c.bias = rng.coin(0.8f);
  c.relu = rng.coin();
  if (slices) c.slices = random_slices(rng);
  return c;
}

}  // namespace incept::test
