// SPDX-License-Identifier: Apache-2.0
// The int8 rule (ops/common/quant.h) and the 8-bit reference kernels, held to their definition: each
// reference kernel against the float32 reference on the dequantised tensors, within a bound derived from
// the scales (half an output step for the final rounding, half an accumulator step for the bias, float32
// rounding of the float path), and the rule's own steps on hand-picked values.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "add/add.h"
#include "avg_pool2d/avg_pool2d.h"
#include "common/quant.h"
#include "conv2d/conv2d.h"
#include "fully_connected/fully_connected.h"
#include "global_avg_pool/global_avg_pool.h"
#include "max_pool2d/max_pool2d.h"
#include "quantize/quantize.h"
#include "support/test_util.h"

namespace incept::ops {
namespace {

using test::Rng;

TEST_CASE("quant rule: requantize rounds to nearest even and clamps to the type's range") {
  CHECK(requantize(2.5f, 0, 0, 255) == 2);
  CHECK(requantize(3.5f, 0, 0, 255) == 4);
  CHECK(requantize(-2.5f, 0, -128, 127) == -2);
  CHECK(requantize(2.4999998f, 10, 0, 255) == 12);
  CHECK(requantize(1e30f, 0, 0, 255) == 255);
  CHECK(requantize(-1e30f, 3, -128, 127) == -128);
  CHECK(requantize(-7.0f, 5, 5, 255) == 5);  // a ReLU's lower bound: the zero point
  CHECK(requantize(250.4f, 5, 0, 255) == 255);
  CHECK(requantize(NAN, 5, 0, 255) == 0);  // NaN takes the low end, never an undefined conversion
  CHECK(requantize(-NAN, -3, -128, 127) == -128);
  CHECK(requantize(INFINITY, 0, -128, 127) == 127);
}

TEST_CASE("quant rule: the bias rounds half away from zero and saturates; the accumulator bound is exact") {
  CHECK(quantize_bias(0.3125f, 0.5f, 0.25f) == 3);    // exactly 2.5 -> 3
  CHECK(quantize_bias(-0.3125f, 0.5f, 0.25f) == -3);  // -2.5 -> -3
  CHECK(quantize_bias(1e30f, 1e-10f, 1e-10f) == INT32_MAX);
  CHECK(quantize_bias(-1e30f, 1e-10f, 1e-10f) == INT32_MIN);
  CHECK(quantize_bias(NAN, 0.5f, 0.25f) == 0);
  const int64_t k_max = (int64_t{1} << 31) / (255 * 127);  // 66311
  CHECK(q8_accumulator_fits(k_max - 1, 0));
  CHECK(q8_accumulator_fits(k_max - 1, (int64_t{1} << 31) - 1 - (k_max - 1) * 255 * 127));
  CHECK_FALSE(q8_accumulator_fits(k_max - 1, (int64_t{1} << 31) - (k_max - 1) * 255 * 127));
  CHECK_FALSE(q8_accumulator_fits(k_max + 1, 0));
}

TEST_CASE("quant rule: every 8-bit value survives dequantise then quantise") {
  for (float scale : {0.0173f, 1.0f / 255.0f, 3.7f, 1e-5f}) {
    for (int32_t zp : {0, 7, 200}) {
      std::vector<uint8_t> q(256), back(256);
      std::vector<float> f(256);
      for (int i = 0; i < 256; ++i) q[i] = static_cast<uint8_t>(i);
      const Quant qp{scale, zp};
      dequantize_ref<uint8_t>(qp, {q.data(), 1, 1, 1, 256, 256}, {f.data(), 1, 1, 1, 256, 256});
      quantize_ref<uint8_t>(qp, {f.data(), 1, 1, 1, 256, 256}, {back.data(), 1, 1, 1, 256, 256});
      CAPTURE(scale);
      CAPTURE(zp);
      CHECK(back == q);
    }
  }
}

template <typename T>
ConstTensorView<T> cview(const std::vector<T>& v, const Shape& s) {
  return dense_view(v.data(), s);
}

template <typename T>
std::vector<T> random_q(Rng& rng, size_t n) {
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(rng.uniform_int(QRange<T>::lo, QRange<T>::hi));
  return v;
}

template <typename T>
std::vector<float> dequantized(const std::vector<T>& q, Quant qp) {
  std::vector<float> f(q.size());
  for (size_t i = 0; i < q.size(); ++i) f[i] = dequantize_value(q[i], qp);
  return f;
}

// One conv case: random 8-bit input and output quantisation, int8 weights, float bias; the q8 reference
// against the float reference on the dequantised input and weights (bias as the float bias).
template <typename TIn, typename TOut>
void check_conv(Rng& rng, bool residual) {
  Conv2DParams p;
  p.kernel = {rng.uniform_int(1, 3), rng.uniform_int(1, 3)};
  p.stride = {rng.uniform_int(1, 2), rng.uniform_int(1, 2)};
  p.pad = {rng.uniform_int(0, p.kernel.h - 1), rng.uniform_int(0, p.kernel.h - 1), rng.uniform_int(0, p.kernel.w - 1),
           rng.uniform_int(0, p.kernel.w - 1)};
  p.activation = rng.coin() ? Activation::kRelu : Activation::kNone;
  const int32_t cin = rng.uniform_int(1, 40), cout = rng.uniform_int(1, 20);
  const Shape in_shape{1, rng.uniform_int(3, 9), rng.uniform_int(3, 9), cin};
  Shape out_shape;
  REQUIRE(conv2d_infer_shape(p, in_shape, Shape{cout, p.kernel.h, p.kernel.w, cin}, nullptr, &out_shape).is_ok());
  const Quant qin{rng.uniform(0.005f, 0.05f), rng.uniform_int(QRange<TIn>::lo, QRange<TIn>::hi)};
  const Quant qout{rng.uniform(0.05f, 0.5f),
                   std::is_same<TOut, uint8_t>::value ? rng.uniform_int(0, 30) : rng.uniform_int(-20, 20)};
  const Quant qres{rng.uniform(0.01f, 0.2f), 0};
  const std::vector<TIn> x = random_q<TIn>(rng, static_cast<size_t>(in_shape.num_elements()));
  const int64_t nw = int64_t{cout} * p.kernel.h * p.kernel.w * cin;
  std::vector<int8_t> w(static_cast<size_t>(nw));
  for (int8_t& v : w) v = static_cast<int8_t>(rng.uniform_int(-127, 127));
  std::vector<float> ws(cout), bias(cout), wf(w.size());
  for (int32_t o = 0; o < cout; ++o) {
    ws[o] = rng.uniform(0.001f, 0.02f);
    bias[o] = rng.uniform(-2.0f, 2.0f);
  }
  const int64_t per_o = nw / cout;
  for (int64_t i = 0; i < nw; ++i) wf[i] = static_cast<float>(w[i]) * ws[i / per_o];
  std::vector<int32_t> bias_q(cout);
  std::vector<float> mult(cout);
  q8_linear_prepare(bias.data(), qin, ws.data(), qout, cout, bias_q.data(), mult.data());
  QLinear q;
  q.in = qin;
  q.out = qout;
  q.residual = qres;
  q.weights = w.data();
  q.bias = bias_q.data();
  q.multiplier = mult.data();
  q.activation = p.activation;
  const size_t n_out = static_cast<size_t>(out_shape.num_elements());
  const std::vector<uint8_t> r = random_q<uint8_t>(rng, residual ? n_out : 0);
  std::vector<TOut> y(n_out);
  Conv2DParams p8 = p;
  conv2d_q8_ref<TIn, TOut, uint8_t>(p8, q, cview(x, in_shape), dense_view(y.data(), out_shape),
                                    residual ? dense_view(r.data(), out_shape) : ConstTensorView<uint8_t>{});

  // Float: the conv without activation, then + residual, then the activation and the output's range.
  const std::vector<float> xf = dequantized(x, qin);
  std::vector<float> yf(n_out), abs_dot(n_out);
  Conv2DParams pf = p;
  pf.activation = Activation::kNone;
  conv2d_f32_ref(pf, cview(xf, in_shape), wf.data(), bias.data(), dense_view(yf.data(), out_shape));
  std::vector<float> xa(xf.size()), wa(wf.size());
  for (size_t i = 0; i < xf.size(); ++i) xa[i] = std::fabs(xf[i]);
  for (size_t i = 0; i < wf.size(); ++i) wa[i] = std::fabs(wf[i]);
  conv2d_f32_ref(pf, cview(xa, in_shape), wa.data(), nullptr, dense_view(abs_dot.data(), out_shape));
  const float lo = (q8_lower_bound<TOut>(p.activation, qout.zero_point) - qout.zero_point) * qout.scale;
  const float hi = (QRange<TOut>::hi - qout.zero_point) * qout.scale;
  for (size_t i = 0; i < n_out; ++i) {
    const int32_t o = static_cast<int32_t>(i % static_cast<size_t>(cout));
    float want = yf[i] + (residual ? dequantize_value(r[i], qres) : 0.0f);
    want = std::min(std::max(want, lo), hi);
    const float got = dequantize_value(y[i], qout);
    // Half an output step (the final rounding), half an accumulator step (the rounded bias), float32
    // rounding of both paths (relative to the magnitudes summed).
    const float bound = 0.5f * qout.scale + 0.5f * qin.scale * ws[o] + 1e-5f * (abs_dot[i] + std::fabs(want) + 1.0f);
    if (std::fabs(got - want) > bound) {
      CAPTURE(i);
      CAPTURE(got);
      CAPTURE(want);
      CAPTURE(bound);
      FAIL_CHECK("conv2d_q8_ref differs from the float reference by more than the rounding bound");
      return;
    }
  }
}

TEST_CASE("conv2d_q8_ref: the float reference on dequantised tensors, within the rounding bound") {
  Rng rng(0x98a1);
  for (int i = 0; i < 40; ++i) {
    const bool residual = i % 4 == 3;
    check_conv<uint8_t, uint8_t>(rng, residual);
    check_conv<int8_t, uint8_t>(rng, residual);
    check_conv<uint8_t, int8_t>(rng, residual);
    check_conv<int8_t, int8_t>(rng, residual);
  }
}

TEST_CASE("conv2d_q8_ref: the worst products (255 x 127, and 255 x -127) over a long K stay exact") {
  // What saturates a u8 x s8 pairwise int16 sum (VPMADDUBSW): 255 * 127 * 2 > 32767. The reference's
  // accumulator must hold the exact sum, here 255 * 127 * K.
  const int32_t cin = 2048;
  const Shape in_shape{1, 1, 1, cin}, out_shape{1, 1, 1, 2};
  std::vector<uint8_t> x(cin, 255);
  std::vector<int8_t> w(2 * cin);
  for (int32_t i = 0; i < cin; ++i) {
    w[i] = 127;
    w[cin + i] = -127;
  }
  const float ws[2] = {1.0f, 1.0f};
  const int32_t bias_q[2] = {0, 0};
  const float exact = 255.0f * 127.0f * cin;  // 66,319,360: a float32 integer
  const float mult[2] = {1.0f / exact, 1.0f / exact};
  QLinear q;
  q.in = {1.0f, 0};
  q.out = {1.0f, 128};
  q.weights = w.data();
  q.bias = bias_q;
  q.multiplier = mult;
  (void)ws;
  std::vector<uint8_t> y(2);
  conv2d_q8_ref<uint8_t, uint8_t>(Conv2DParams{}, q, cview(x, in_shape), dense_view(y.data(), out_shape));
  CHECK(static_cast<int>(y[0]) == 129);  // 128 + round(1.0)
  CHECK(static_cast<int>(y[1]) == 127);  // 128 + round(-1.0)
}

TEST_CASE("fully_connected_q8_ref: the same arithmetic as a 1x1 conv on [N, 1, 1, in]") {
  Rng rng(0x5c);
  const int32_t n = 3, in_c = 37, out_c = 11;
  const std::vector<uint8_t> x = random_q<uint8_t>(rng, n * in_c);
  const std::vector<int8_t> w = random_q<int8_t>(rng, out_c * in_c);
  std::vector<int32_t> bias(out_c);
  std::vector<float> mult(out_c);
  for (int32_t o = 0; o < out_c; ++o) {
    bias[o] = rng.uniform_int(-5000, 5000);
    mult[o] = rng.uniform(1e-4f, 1e-3f);
  }
  QLinear q;
  q.in = {0.02f, 3};
  q.out = {0.1f, -4};
  q.weights = w.data();
  q.bias = bias.data();
  q.multiplier = mult.data();
  std::vector<int8_t> fc(n * out_c), conv(n * out_c);
  fully_connected_q8_ref<uint8_t, int8_t>(q, cview(x, Shape{n, in_c}), dense_view(fc.data(), Shape{n, out_c}));
  conv2d_q8_ref<uint8_t, int8_t>(Conv2DParams{}, q, cview(x, Shape{n, 1, 1, in_c}),
                                 dense_view(conv.data(), Shape{n, 1, 1, out_c}));
  CHECK(fc == conv);
}

TEST_CASE("max_pool2d_q8_ref: the max of q, requantised only when the quantisation differs") {
  Rng rng(0x77);
  MaxPool2DParams p;
  p.kernel = {3, 3};
  p.stride = {2, 2};
  p.pad = {1, 1, 1, 1};
  const Shape in_shape{1, 9, 9, 5};
  Shape out_shape;
  REQUIRE(max_pool2d_infer_shape(p, in_shape, &out_shape).is_ok());
  const std::vector<uint8_t> x = random_q<uint8_t>(rng, static_cast<size_t>(in_shape.num_elements()));
  const size_t n_out = static_cast<size_t>(out_shape.num_elements());
  const Quant qin{0.03f, 0}, qcat{0.045f, 0};
  std::vector<uint8_t> same(n_out), requant(n_out);
  max_pool2d_q8_ref<uint8_t, uint8_t>(p, qin, qin, cview(x, in_shape), dense_view(same.data(), out_shape));
  max_pool2d_q8_ref<uint8_t, uint8_t>(p, qin, qcat, cview(x, in_shape), dense_view(requant.data(), out_shape));
  std::vector<float> xf = dequantized(x, qin), yf(n_out);
  max_pool2d_f32_ref(p, cview(xf, in_shape), dense_view(yf.data(), out_shape));
  const float m = qin.scale / qcat.scale;
  for (size_t i = 0; i < n_out; ++i) {
    CHECK(dequantize_value(same[i], qin) == yf[i]);  // exact: no rounding at all
    CHECK(static_cast<int32_t>(requant[i]) == requantize(static_cast<float>(same[i]) * m, 0, 0, 255));
    CHECK(std::fabs(dequantize_value(requant[i], qcat) - yf[i]) <= 0.5f * qcat.scale * (1.0f + 1e-6f));
  }
}

TEST_CASE("avg_pool2d_q8_ref and global_avg_pool_q8_ref: the float references within half a step") {
  Rng rng(0xa9);
  for (bool include_pad : {true, false}) {
    AvgPool2DParams p;
    p.kernel = {3, 3};
    p.stride = {1, 1};
    p.pad = {1, 1, 1, 1};
    p.count_include_pad = include_pad;
    const Shape in_shape{2, 6, 7, 9};
    Shape out_shape;
    REQUIRE(avg_pool2d_infer_shape(p, in_shape, &out_shape).is_ok());
    const std::vector<int8_t> x = random_q<int8_t>(rng, static_cast<size_t>(in_shape.num_elements()));
    const Quant qin{0.02f, -9}, qout{0.015f, 4};
    const size_t n_out = static_cast<size_t>(out_shape.num_elements());
    std::vector<int8_t> y(n_out);
    avg_pool2d_q8_ref<int8_t, int8_t>(p, qin, qout, cview(x, in_shape), dense_view(y.data(), out_shape));
    std::vector<float> xf = dequantized(x, qin), yf(n_out);
    avg_pool2d_f32_ref(p, cview(xf, in_shape), dense_view(yf.data(), out_shape));
    const float lo = (-128 - qout.zero_point) * qout.scale, hi = (127 - qout.zero_point) * qout.scale;
    for (size_t i = 0; i < n_out; ++i) {
      const float want = std::min(std::max(yf[i], lo), hi);
      CHECK(std::fabs(dequantize_value(y[i], qout) - want) <= 0.5f * qout.scale + 1e-5f);
    }
  }
  const Shape in_shape{2, 5, 5, 7};
  const std::vector<uint8_t> x = random_q<uint8_t>(rng, static_cast<size_t>(in_shape.num_elements()));
  const Quant qin{0.04f, 0}, qout{0.01f, 0};
  std::vector<uint8_t> y(14);
  std::vector<float> yf(14);
  global_avg_pool_q8_ref<uint8_t, uint8_t>(qin, qout, cview(x, in_shape), dense_view(y.data(), Shape{2, 7}));
  std::vector<float> xf = dequantized(x, qin);
  global_avg_pool_f32_ref(GlobalAvgPoolParams{}, cview(xf, in_shape), dense_view(yf.data(), Shape{2, 7}));
  for (size_t i = 0; i < 14; ++i)
    CHECK(std::fabs(dequantize_value(y[i], qout) - std::min(yf[i], 255 * qout.scale)) <= 0.5f * qout.scale + 1e-5f);
}

TEST_CASE("add_q8_ref: the float sum of the dequantised inputs within half a step") {
  Rng rng(0xadd);
  const Shape s{1, 4, 5, 6};
  const size_t n = static_cast<size_t>(s.num_elements());
  const std::vector<uint8_t> a = random_q<uint8_t>(rng, n);
  const std::vector<int8_t> b = random_q<int8_t>(rng, n);
  const Quant qa{0.03f, 0}, qb{0.011f, -3}, qout{0.05f, 0};
  AddParams p;
  p.activation = Activation::kRelu;
  std::vector<uint8_t> y(n);
  add_q8_ref<uint8_t, int8_t, uint8_t>(p, qa, qb, qout, dense_view(a.data(), s), dense_view(b.data(), s),
                                       dense_view(y.data(), s));
  for (size_t i = 0; i < n; ++i) {
    const float want =
        std::min(std::max(dequantize_value(a[i], qa) + dequantize_value(b[i], qb), 0.0f), 255 * qout.scale);
    CHECK(std::fabs(dequantize_value(y[i], qout) - want) <= 0.5f * qout.scale * (1.0f + 1e-5f));
  }
}

}  // namespace
}  // namespace incept::ops
