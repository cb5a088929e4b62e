// SPDX-License-Identifier: Apache-2.0
// FullyConnected at batch 1 (GoogLeNet 1024 -> 1000, Inception-v3 2048 -> 1000): a matrix-vector
// product, bound by reading the weights once per call (the "bytes" counter counts them).
// Every registered kernel but the native ones, through the registry (BM_fully_connected_f32_ref beside
// BM_fully_connected_f32_eigen and BM_fully_connected_f32_xnn), and the native engine per ISA table.
#include <string>

#include "bench_util.h"
#include "conv2d/conv2d_gemm.h"
#include "fully_connected/fully_connected.h"
#include "inception_shapes.h"
#include "isa/isa_table.h"
#include "kernel_bench.h"

namespace incept::bench {
namespace {

struct FcFixture {
  explicit FcFixture(const FcShape& s)
      : in{1, s.in},
        weights_shape{s.out, s.in},
        input(s.in),
        weights(static_cast<size_t>(s.out) * s.in),
        bias(s.out),
        output(s.out) {
    const Shape bias_shape{s.out};
    valid = ops::fully_connected_infer_shape(p, in, weights_shape, &bias_shape, &out).is_ok();
    input.fill(5);
    weights.fill(6, -0.05f, 0.05f);
    bias.fill(7);
  }
  ConstTensorView<float> in_view() const { return as_const(dense_view(input.data(), in)); }
  TensorView<float> out_view() const { return dense_view(output.data(), out); }
  double flop() const { return 2.0 * double(weights_shape[0]) * weights_shape[1]; }
  double bytes() const { return 4.0 * double(in.num_elements() + out.num_elements() + weights_shape.num_elements()); }

  ops::FullyConnectedParams p;
  Shape in, weights_shape, out;
  Buffer input, weights, bias, output;
  bool valid = false;
};

// A registered kernel (XNNPACK, Eigen, ref), created and run as prepare and invoke do.
void run_registered(benchmark::State& state, Net net, const ops::Kernel& k) {
  const FcShape s = fc_shape_of(state, net);
  FcFixture f(s);
  if (!f.valid) return state.SkipWithError("bad shape");
  KernelBench kb;
  const Status st = kb.prepare(
      k, &f.p,
      {KernelBench::activation(f.input.data(), f.in), KernelBench::constant(f.weights.data(), f.weights_shape),
       KernelBench::constant(f.bias.data(), Shape{s.out})},
      f.out, f.output.data());
  if (!st.is_ok()) return state.SkipWithError(st.message());
  time_kernel(state, kb, s.name, f.flop(), f.bytes());
}

// The native engine (a 1x1 conv over [1, 1, 1, In], single-row micro-kernel) of table `t`.
void run_fc_gemm(benchmark::State& state, Net net, const ops::IsaTable& t) {
  const FcShape s = fc_shape_of(state, net);
  FcFixture f(s);
  if (!f.valid) return state.SkipWithError("bad shape");
  if (!ops::cpu_has(t.isa)) return state.SkipWithError("this CPU lacks the ISA");
  ops::KernelPlan plan;
  const Status st = ops::gemm_kernel_create(t.gemm_f32, ops::Conv2DParams{}, Shape{1, 1, 1, s.in},
                                            Shape{1, 1, 1, s.out}, f.weights.data(), f.bias.data(), &plan);
  if (!st.is_ok()) return state.SkipWithError(st.message());
  const ConstTensorView<float> in = f.in_view();
  ops::KernelIo io;
  io.inputs = &in;
  io.num_inputs = 1;
  io.out = f.out_view();
  for (auto _ : state) {
    ops::gemm_kernel_run(plan.state.get(), io, bench_pool());
    benchmark::ClobberMemory();
  }
  report(state, s.name, f.flop(), f.bytes(), bench_threads());
}
}  // namespace

// Every registered kernel but the native ones: BM_fully_connected_f32_{xnn,eigen,ref}.
const int kRegistered = [] {
  for_each_fixed_kernel(ops::OpKind::kFullyConnected, [](const ops::Kernel& k) {
    register_fc_bench(std::string("BM_") + k.name, [&k](benchmark::State& st, Net n) { run_registered(st, n, k); });
  });
  return 0;
}();

const int kPerIsa = [] {
  for (const ops::IsaTable* t : ops::isa_tables())
    if (t->has(ops::IsaPart::kGemmF32))
      register_fc_bench(std::string("BM_fully_connected_f32_gemm_") + ops::isa_name(t->isa),
                        [t](benchmark::State& st, Net n) { run_fc_gemm(st, n, *t); });
  return 0;
}();

}  // namespace incept::bench
