// SPDX-License-Identifier: Apache-2.0
// GlobalAvgPool, the head of both networks (GoogLeNet 7x7x1024, Inception-v3 8x8x2048):
// BM_global_avg_pool_f32_ref beside BM_global_avg_pool_f32_xnn. Memory-bound.
#include <string>

#include "bench_util.h"
#include "global_avg_pool/global_avg_pool.h"
#include "inception_shapes.h"
#if INCEPT_WITH_XNNPACK
#include "global_avg_pool/global_avg_pool_xnn.h"
#endif

namespace incept::bench {
namespace {

void googlenet_head(benchmark::internal::Benchmark* b) { b->ArgNames({"H", "W", "C"})->Args({7, 7, 1024}); }
void inception_v3_head(benchmark::internal::Benchmark* b) { b->ArgNames({"H", "W", "C"})->Args({8, 8, 2048}); }

struct GapFixture {
  explicit GapFixture(const benchmark::State& state)
      : in{1, int32_t(state.range(0)), int32_t(state.range(1)), int32_t(state.range(2))},
        input(static_cast<size_t>(in.num_elements())),
        output(static_cast<size_t>(in[3])) {
    valid = ops::global_avg_pool_infer_shape(p, in, &out).is_ok();
    input.fill(8);
  }
  ConstTensorView<float> in_view() const { return as_const(dense_view(input.data(), in)); }
  TensorView<float> out_view() const { return dense_view(output.data(), out); }
  double flop() const { return double(in.num_elements()); }
  double bytes() const { return 4.0 * double(in.num_elements() + in[3]); }

  ops::GlobalAvgPoolParams p;
  Shape in, out;
  Buffer input, output;
  bool valid = false;
};

void BM_global_avg_pool_f32_ref(benchmark::State& state, Net net) {
  GapFixture f(state);
  if (!f.valid) return state.SkipWithError("bad shape");
  for (auto _ : state) {
    ops::global_avg_pool_f32_ref(f.p, f.in_view(), f.out_view());
    benchmark::ClobberMemory();
  }
  report(state, net == Net::kGoogLeNet ? "avgpool" : "avgpool (before fc)", f.flop(), f.bytes(), 1);
}

#if INCEPT_WITH_XNNPACK
void BM_global_avg_pool_f32_xnn(benchmark::State& state, Net net) {
  GapFixture f(state);
  if (!f.valid) return state.SkipWithError("bad shape");
  if (!ops::xnn_ensure_initialized().is_ok()) return state.SkipWithError("XNNPACK is not usable on this CPU");
  ops::XnnOp op;
  Status st = ops::global_avg_pool_f32_xnn_create(f.p, f.in, f.out, f.in[3], f.in[3], &op);
  if (st.is_ok()) st = ops::global_avg_pool_f32_xnn_setup(f.p, op, f.in_view(), f.out_view(), bench_pool());
  if (!st.is_ok()) return state.SkipWithError(st.message());
  for (auto _ : state) {
    xnn_run_operator(op.get(), bench_pool());
    benchmark::ClobberMemory();
  }
  report(state, net == Net::kGoogLeNet ? "avgpool" : "avgpool (before fc)", f.flop(), f.bytes(), bench_threads());
}
#endif

}  // namespace

BENCHMARK_CAPTURE(BM_global_avg_pool_f32_ref, googlenet, Net::kGoogLeNet)->Apply(googlenet_head)->UseRealTime();
BENCHMARK_CAPTURE(BM_global_avg_pool_f32_ref, inception_v3, Net::kInceptionV3)->Apply(inception_v3_head)->UseRealTime();
#if INCEPT_WITH_XNNPACK
BENCHMARK_CAPTURE(BM_global_avg_pool_f32_xnn, googlenet, Net::kGoogLeNet)->Apply(googlenet_head)->UseRealTime();
BENCHMARK_CAPTURE(BM_global_avg_pool_f32_xnn, inception_v3, Net::kInceptionV3)->Apply(inception_v3_head)->UseRealTime();
#endif

}  // namespace incept::bench
