// SPDX-License-Identifier: Apache-2.0
// Conv2D (NHWC, OHWI weights, bias, fused ReLU) on every conv shape of the four nets: every registered
// kernel but the native ones, through the registry (BM_conv2d_f32_ref, the oracle's loops;
// BM_conv2d_f32_eigen; BM_conv2d_f32_xnn), and the native engines per ISA table of this build BM_conv2d_f32_gemm_<isa>,
// BM_conv2d_f32_winograd_<isa> and BM_conv2d_f32_winograd_f2x2_<isa>, and the int8 engine per table that has one,
// BM_conv2d_q8_gemm_<isa> (uint8 in and out, seeded bytes and int8 weights). Weights are packed once outside the
// timed loop, as prepare() does.
#include <string>
#include <vector>

#include "bench_util.h"
#include "conv2d/conv2d.h"
#include "conv2d/conv2d_gemm.h"
#include "conv2d/conv2d_q8_gemm.h"
#include "conv2d/conv2d_q8_winograd.h"
#include "conv2d/conv2d_winograd.h"
#include "inception_shapes.h"
#include "isa/isa_table.h"
#include "kernel_bench.h"

namespace incept::bench {
namespace {

struct ConvFixture {
  explicit ConvFixture(const ConvShape& s)
      : in{1, s.h, s.w, s.cin},
        weights_shape{s.cout, s.kh, s.kw, s.cin},
        input(static_cast<size_t>(s.h) * s.w * s.cin),
        weights(static_cast<size_t>(s.cout) * s.kh * s.kw * s.cin),
        bias(static_cast<size_t>(s.cout)),
        output(0) {
    p.kernel = {s.kh, s.kw};
    p.stride = {s.stride, s.stride};
    p.pad = {s.ph, s.ph, s.pw, s.pw};
    p.activation = ops::Activation::kRelu;  // every Inception conv is followed by (folded BN and) ReLU
    const Shape bias_shape{s.cout};
    valid = ops::conv2d_infer_shape(p, in, weights_shape, &bias_shape, &out).is_ok();
    output = Buffer(valid ? static_cast<size_t>(out.num_elements()) : 0);
    input.fill(1);
    weights.fill(2, -0.1f, 0.1f);
    bias.fill(3);
  }
  ConstTensorView<float> in_view() const { return as_const(dense_view(input.data(), in)); }
  TensorView<float> out_view() const { return dense_view(output.data(), out); }
  double flop() const {
    return 2.0 * double(out.num_elements()) * weights_shape[1] * weights_shape[2] * weights_shape[3];
  }
  double bytes() const { return 4.0 * double(in.num_elements() + out.num_elements()); }

  ops::Conv2DParams p;
  Shape in, weights_shape, out;
  Buffer input, weights, bias, output;
  bool valid = false;
};

// A registered kernel (XNNPACK, Eigen, ref), created and run as prepare and invoke do.
void run_registered(benchmark::State& state, Net net, const ops::Kernel& k) {
  const ConvShape s = conv_shape_of(state, net);
  ConvFixture f(s);
  if (!f.valid) return state.SkipWithError("bad shape");
  KernelBench kb;
  const Status st = kb.prepare(
      k, &f.p,
      {KernelBench::activation(f.input.data(), f.in), KernelBench::constant(f.weights.data(), f.weights_shape),
       KernelBench::constant(f.bias.data(), Shape{s.cout})},
      f.out, f.output.data());
  if (!st.is_ok()) return state.SkipWithError(st.message());
  time_kernel(state, kb, s.name, f.flop(), f.bytes());
}

// Our packed-GEMM engine on the micro-kernel of table `t` (skipped where the CPU lacks its ISA).
void run_gemm(benchmark::State& state, Net net, const ops::IsaTable& t) {
  const ConvShape s = conv_shape_of(state, net);
  ConvFixture f(s);
  if (!f.valid) return state.SkipWithError("bad shape");
  if (!ops::cpu_has(t.isa)) return state.SkipWithError("this CPU lacks the ISA");
  ops::Conv2DGemm g;
  const Status st = ops::conv2d_f32_gemm_create(t.gemm_f32, f.p, f.in, f.out, f.weights.data(), f.bias.data(), &g);
  if (!st.is_ok()) return state.SkipWithError(st.message());
  for (auto _ : state) {
    ops::conv2d_f32_gemm_run(g, f.in_view(), f.out_view(), bench_pool());
    benchmark::ClobberMemory();
  }
  report(state, s.name, f.flop(), f.bytes(), bench_threads());
}
// Winograd on the micro-kernel of `isa`, whatever winograd_choice() would say (the measurements the rule
// is built from): `small` takes F(2x2,3x3) for 3x3 convs; otherwise F(4x4,3x3) for 3x3, F(2,7) for 1x7
// and 7x1, F(4,3) for 1x3 and 3x1. Shapes Winograd cannot take are skipped.
void run_winograd(benchmark::State& state, Net net, const ops::IsaTable& t, bool small) {
  const ConvShape s = conv_shape_of(state, net);
  ConvFixture f(s);
  if (!f.valid) return state.SkipWithError("bad shape");
  if (!ops::cpu_has(t.isa)) return state.SkipWithError("this CPU lacks the ISA");
  using V = ops::WinogradVariant;
  V v = V::kNone;
  if (s.kh == 3 && s.kw == 3) v = small ? V::kF2x2K3x3 : V::kF4x4K3x3;
  if (!small && s.kh == 1 && s.kw == 7) v = V::kF1x2K1x7;
  if (!small && s.kh == 7 && s.kw == 1) v = V::kF2x1K7x1;
  if (!small && s.kh == 1 && s.kw == 3) v = V::kF1x4K1x3;
  if (!small && s.kh == 3 && s.kw == 1) v = V::kF4x1K3x1;
  ops::Conv2DWinograd w;
  const Status st = v == V::kNone
                        ? Status::error(StatusCode::kUnsupported, "not a Winograd shape")
                        : ops::conv2d_f32_winograd_create(t.gemm_f32, t.winograd_f32, v, f.p, f.in, f.out,
                                                          f.weights.data(), f.bias.data(), bench_threads(), &w);
  if (!st.is_ok()) return state.SkipWithError(st.message());
  Buffer scratch(w.scratch_bytes() / sizeof(float));
  for (auto _ : state) {
    ops::conv2d_f32_winograd_run(w, f.in_view(), f.out_view(), scratch.data(), bench_pool());
    benchmark::ClobberMemory();
  }
  report(state, s.name, f.flop(), f.bytes(), bench_threads());
}

// An 8-bit conv's data: uint8 activations (after a ReLU, zero point 0) in and out, int8 weights in [-64, 63]
// (about the spread of trained per-channel weights, so the int8 Winograd's exact range holds on every layer
// it takes), the bias and multipliers q8_linear_prepare makes. FLOPs are counted as for float (2 per MAC).
struct Q8Fixture {
  std::vector<uint8_t> in, out;
  std::vector<int8_t> w;
  std::vector<int32_t> bias_q;
  std::vector<float> mult;
  ops::QLinear q;
  Q8Fixture(const ConvShape& s, const ConvFixture& f)
      : in(static_cast<size_t>(f.in.num_elements())),
        out(static_cast<size_t>(f.out.num_elements())),
        w(f.weights.size()),
        bias_q(static_cast<size_t>(s.cout)),
        mult(static_cast<size_t>(s.cout)) {
    for (size_t i = 0; i < in.size(); ++i) in[i] = static_cast<uint8_t>((i * 2654435761u) >> 24);
    for (size_t i = 0; i < w.size(); ++i)
      w[i] = static_cast<int8_t>(static_cast<int32_t>((i * 40503u) >> 8 & 0x7f) - 64);
    const std::vector<float> scales(static_cast<size_t>(s.cout), 0.01f);
    q.in = {0.02f, 0};
    q.out = {0.05f, 0};
    ops::q8_linear_prepare(f.bias.data(), q.in, scales.data(), q.out, s.cout, bias_q.data(), mult.data());
    q.weights = w.data(), q.bias = bias_q.data(), q.multiplier = mult.data(), q.activation = f.p.activation;
  }
  ConstTensorView<uint8_t> x(const ConvShape& s) const { return {in.data(), 1, s.h, s.w, s.cin, s.cin}; }
  TensorView<uint8_t> y(const ConvFixture& f) { return {out.data(), f.out[0], f.out[1], f.out[2], f.out[3], f.out[3]}; }
};

// The int8 engine on the micro-kernel of table `t`.
void run_q8_gemm(benchmark::State& state, Net net, const ops::IsaTable& t) {
  const ConvShape s = conv_shape_of(state, net);
  ConvFixture f(s);
  if (!f.valid) return state.SkipWithError("bad shape");
  if (!ops::cpu_has(t.isa)) return state.SkipWithError("this CPU lacks the ISA");
  Q8Fixture d(s, f);
  ops::Conv2DQ8Gemm g;
  const Status st = ops::conv2d_q8_gemm_create(t.gemm_q8, f.p, f.in, f.out, {}, d.q, &g);
  if (!st.is_ok()) return state.SkipWithError(st.message());
  std::vector<float> scratch(g.scratch_bytes() / sizeof(float) + 16);
  for (auto _ : state) {
    ops::conv2d_q8_gemm_run(g, d.x(s), d.y(f), scratch.data(), bench_pool());
    benchmark::ClobberMemory();
  }
  report(state, s.name, f.flop(), f.bytes() / 4.0, bench_threads());
}

// The exact int8 Winograd of table `t` on the layers its rule takes (winograd_q8_choice; others skipped).
void run_q8_winograd(benchmark::State& state, Net net, const ops::IsaTable& t) {
  const ConvShape s = conv_shape_of(state, net);
  ConvFixture f(s);
  if (!f.valid) return state.SkipWithError("bad shape");
  if (!ops::cpu_has(t.isa)) return state.SkipWithError("this CPU lacks the ISA");
  const ops::WinogradVariant v = ops::winograd_q8_choice(f.p, f.in, f.out);
  if (v == ops::WinogradVariant::kNone) return state.SkipWithError("not an int8 Winograd layer");
  Q8Fixture d(s, f);
  ops::Conv2DQ8Winograd w;
  const Status st = ops::conv2d_q8_winograd_create(t.winograd_q8, v, f.p, f.in, f.out, {}, d.q, bench_threads(), &w);
  if (!st.is_ok()) return state.SkipWithError(st.message());
  Buffer scratch(w.scratch_bytes() / sizeof(float) + 16);
  for (auto _ : state) {
    ops::conv2d_q8_winograd_run(w, d.x(s), d.y(f), scratch.data(), bench_pool());
    benchmark::ClobberMemory();
  }
  report(state, s.name, f.flop(), f.bytes() / 4.0, bench_threads());
}

}  // namespace

// Every registered kernel but the native ones: BM_conv2d_f32_xnn, BM_conv2d_f32_eigen, BM_conv2d_f32_ref.
const int kRegistered = [] {
  for_each_fixed_kernel(ops::OpKind::kConv2D, [](const ops::Kernel& k) {
    register_conv_bench(std::string("BM_") + k.name, [&k](benchmark::State& st, Net n) { run_registered(st, n, k); });
  });
  return 0;
}();

// The native engines, one set per ISA table.
const int kPerIsa = [] {
  for (const ops::IsaTable* t : ops::isa_tables()) {
    if (!t->has(ops::IsaPart::kGemmF32)) continue;
    const std::string isa = ops::isa_name(t->isa);
    register_conv_bench("BM_conv2d_f32_gemm_" + isa, [t](benchmark::State& st, Net n) { run_gemm(st, n, *t); });
    register_conv_bench("BM_conv2d_f32_winograd_" + isa,
                        [t](benchmark::State& st, Net n) { run_winograd(st, n, *t, false); });
    register_conv_bench("BM_conv2d_f32_winograd_f2x2_" + isa,
                        [t](benchmark::State& st, Net n) { run_winograd(st, n, *t, true); });
  }
  for (const ops::IsaTable* t : ops::isa_tables()) {
    if (!t->has(ops::IsaPart::kGemmQ8)) continue;
    register_conv_bench(std::string("BM_conv2d_q8_gemm_") + ops::isa_name(t->isa),
                        [t](benchmark::State& st, Net n) { run_q8_gemm(st, n, *t); });
  }
  for (const ops::IsaTable* t : ops::isa_tables()) {
    if (!t->has(ops::IsaPart::kWinogradQ8)) continue;
    register_conv_bench(std::string("BM_conv2d_q8_winograd_") + ops::isa_name(t->isa),
                        [t](benchmark::State& st, Net n) { run_q8_winograd(st, n, *t); });
  }
  return 0;
}();

}  // namespace incept::bench
