// SPDX-License-Identifier: Apache-2.0
// One 8-bit conv case as the int8 conv engine tests build it (conv2d_q8_gemm_test.cc,
// conv2d_q8_winograd_test.cc): random 8-bit types and quantisations (outputs spread over their range), seeded
// weights, bias and multipliers as q8_linear_prepare makes them, an input that may be a strided slice, an
// optional fused residual (the output's own memory or apart), and the reference kernel's output bytes.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include <doctest/doctest.h>

#include "common/q8_kernel.h"
#include "conv2d/conv2d.h"
#include "support/conv_cases.h"
#include "support/q8_util.h"

namespace incept::test {

struct Q8Case {
  ops::DataType in = ops::DataType::kQU8, out = ops::DataType::kQU8, residual = ops::DataType::kNone;
  ops::Quant qin, qout, qres;
  bool extremes = false;  // weights +-127, activations at the ends of their range
};

inline Q8Case random_q8_case(Rng& rng, int64_t depth, bool residual) {
  using ops::DataType;
  Q8Case q;
  q.in = rng.coin() ? DataType::kQU8 : DataType::kQS8;
  q.out = rng.coin(0.7f) ? DataType::kQU8 : DataType::kQS8;
  q.qin = {rng.uniform(0.005f, 0.05f), rng.coin(0.4f) ? 0 : rng.uniform_int(lo_of(q.in), hi_of(q.in))};
  // Outputs spread over their range: |acc| is about 80 * 73 * sqrt(depth) for random data.
  const float spread = 80.0f * 73.0f * std::sqrt(static_cast<float>(depth)) / rng.uniform(40.0f, 160.0f);
  q.qout = {q.qin.scale * 0.01f * spread, rng.coin(0.5f) ? 0 : rng.uniform_int(lo_of(q.out), hi_of(q.out))};
  if (residual) {
    q.residual = rng.coin() ? DataType::kQU8 : DataType::kQS8;
    q.qres = {q.qout.scale * rng.uniform(0.05f, 3.0f), rng.uniform_int(lo_of(q.residual), hi_of(q.residual))};
  }
  return q;
}

// The data of one case and the reference's output. Not copyable: q points into the vectors.
struct Q8ConvData {
  Shape out_shape;
  std::vector<int8_t> w;
  std::vector<int32_t> bias_q;
  std::vector<float> mult;
  ops::QLinear q;
  Bytes in{{}, 0, 0, 0}, start{{}, 0, 0, 0}, res{{}, 0, 0, 0}, ref{{}, 0, 0, 0};
  bool has_res = false, res_in_place = false;

  Q8ConvData() = default;
  Q8ConvData(const Q8ConvData&) = delete;
  Q8ConvData& operator=(const Q8ConvData&) = delete;
  // The residual view for an engine writing into `out` (a copy of start): out itself when in place.
  ConstTensorView<uint8_t> residual_for(Bytes& out) {
    if (!has_res) return {};
    return res_in_place ? out.cview() : res.cview();
  }
};

template <typename TIn, typename TOut, typename TRes>
void q8_ref_conv(const ConvCase& c, const ops::QLinear& q, Bytes& in, Bytes& out, Bytes* res) {
  ConstTensorView<TRes> r{};
  if (res != nullptr) {
    auto v = res->cview();
    r = {reinterpret_cast<const TRes*>(v.data), v.n, v.h, v.w, v.c, v.pixel_stride};
  }
  auto iv = in.cview();
  auto ov = out.view();
  ops::conv2d_q8_ref<TIn, TOut, TRes>(c.p, q,
                                      {reinterpret_cast<const TIn*>(iv.data), iv.n, iv.h, iv.w, iv.c, iv.pixel_stride},
                                      {reinterpret_cast<TOut*>(ov.data), ov.n, ov.h, ov.w, ov.c, ov.pixel_stride}, r);
}

// Fills d for case c with quantisation qc and runs the reference into d->ref.
inline void make_q8_conv(Rng& rng, const ConvCase& c, const Q8Case& qc, Q8ConvData* d) {
  using ops::DataType;
  REQUIRE(ops::conv2d_infer_shape(c.p, c.in, c.weights(), nullptr, &d->out_shape).is_ok());
  const int64_t depth = c.depth();
  d->w.resize(static_cast<size_t>(c.out_c * depth));
  for (int8_t& v : d->w) v = static_cast<int8_t>(qc.extremes ? (rng.coin() ? 127 : -127) : rng.uniform_int(-127, 127));
  std::vector<float> ws(static_cast<size_t>(c.out_c)), bias(static_cast<size_t>(c.out_c));
  for (float& s : ws) s = rng.uniform(0.5f, 2.0f);
  for (float& b : bias) b = c.bias ? rng.uniform(-1.0f, 1.0f) * qc.qout.scale * 50.0f : 0.0f;
  d->bias_q.resize(ws.size());
  d->mult.resize(ws.size());
  ops::q8_linear_prepare(bias.data(), qc.qin, ws.data(), qc.qout, c.out_c, d->bias_q.data(), d->mult.data());
  ops::QLinear& q = d->q;
  q.in = qc.qin, q.out = qc.qout, q.residual = qc.qres;
  q.weights = d->w.data(), q.bias = d->bias_q.data(), q.multiplier = d->mult.data();
  q.activation = c.p.activation;

  const bool slice = rng.coin();
  d->in = Bytes(c.in, slice ? 3 : 0, slice ? 5 : 0, 0);
  fill_random(rng, d->in, qc.in, qc.extremes);
  // The residual in place is the output's own memory: it has the output's layout, and the output starts as
  // its bytes; apart, it has a layout of its own and the output starts as guard bytes.
  d->has_res = qc.residual != DataType::kNone;
  d->res_in_place = d->has_res && qc.residual == qc.out && rng.coin();
  d->start = Bytes(d->out_shape, slice ? 7 : 0, slice ? 2 : 0, 0xA5);
  d->res = d->res_in_place ? d->start : Bytes(d->out_shape, slice ? 1 : 0, slice ? 4 : 0, 0);
  if (d->has_res) fill_random(rng, d->res, qc.residual, false);
  if (d->res_in_place) d->start = d->res;
  d->ref = d->start;
  ops::with_q8_types(qc.in, qc.out, [&](auto ti, auto to) {
    using TIn = decltype(ti);
    using TOut = decltype(to);
    if (qc.residual == DataType::kQS8) {
      q8_ref_conv<TIn, TOut, int8_t>(c, q, d->in, d->ref, &d->res);
    } else {
      q8_ref_conv<TIn, TOut, uint8_t>(c, q, d->in, d->ref, d->has_res ? &d->res : nullptr);
    }
  });
}

}  // namespace incept::test
