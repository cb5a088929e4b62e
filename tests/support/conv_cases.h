// SPDX-License-Identifier: Apache-2.0
// What the Conv2D kernel tests (conv2d_conformance_test, conv2d_gemm_test, the Winograd tests) share beyond
// their cases (ConvCase, in cases.h): a case's seeded data and reference output, the error bound every fast
// kernel is held to against the reference, and the ISA tables (GEMM micro-kernels) this CPU runs.
//
//   const ConvReference r = make_conv_reference(rng, c);
//   ConvErrorMeter meter;  CHECK(meter.over_bound(c, r, y) == 0);
#pragma once

#include <cmath>
#include <cstdio>
#include <limits>
#include <string>
#include <vector>

#include "conv2d/conv2d.h"
#include "isa/isa_table.h"
#include "support/cases.h"
#include "support/test_util.h"

namespace incept::test {

// The ISA tables this CPU can run that hold `part` (the float GEMM unless said), whatever the INCEPT_ISA cap
// says.
inline std::vector<const ops::IsaTable*> runnable_tables(ops::IsaPart part = ops::IsaPart::kGemmF32) {
  std::vector<const ops::IsaTable*> out;
  for (const ops::IsaTable* t : ops::isa_tables())
    if (ops::cpu_has(t->isa) && t->has(part)) out.push_back(t);
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

// Seeded input, weights and bias for case c and the output shape; no reference output (out_shape has rank 0
// when c is not a valid conv).
inline ConvReference make_conv_data(Rng& rng, const ConvCase& c) {
  ConvReference r;
  const Shape wshape = c.weights(), bshape{c.out_c};
  if (!ops::conv2d_infer_shape(c.p, c.in, wshape, c.bias ? &bshape : nullptr, &r.out_shape).is_ok()) return r;
  r.x = random_tensor(rng, c.in);
  r.w = random_tensor(rng, wshape);
  if (c.bias) r.b = random_tensor(rng, bshape);
  return r;
}

// make_conv_data, plus the reference output and the magnitudes of the bound.
inline ConvReference make_conv_reference(Rng& rng, const ConvCase& c) {
  ConvReference r = make_conv_data(rng, c);
  if (r.out_shape.rank != 4) return r;
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
