// SPDX-License-Identifier: Apache-2.0
// GlobalAvgPool, the head of both networks (GoogLeNet 7x7x1024, Inception-v3 8x8x2048):
// every registered kernel through the registry (BM_global_avg_pool_f32_ref beside
// BM_global_avg_pool_f32_xnn). Memory-bound.
#include <string>

#include "bench_util.h"
#include "global_avg_pool/global_avg_pool.h"
#include "inception_shapes.h"
#include "kernel_bench.h"

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

// A registered kernel (XNNPACK, ref), created and run as prepare and invoke do.
void run_registered(benchmark::State& state, Net net, const ops::Kernel& k) {
  GapFixture f(state);
  if (!f.valid) return state.SkipWithError("bad shape");
  KernelBench kb;
  const Status st = kb.prepare(k, &f.p, {KernelBench::activation(f.input.data(), f.in)}, f.out, f.output.data());
  if (!st.is_ok()) return state.SkipWithError(st.message());
  time_kernel(state, kb, net == Net::kGoogLeNet ? "avgpool" : "avgpool (before fc)", f.flop(), f.bytes());
}

}  // namespace

// Every registered kernel: BM_global_avg_pool_f32_ref beside BM_global_avg_pool_f32_xnn.
const int kRegistered = [] {
  for_each_fixed_kernel(ops::OpKind::kGlobalAvgPool, [](const ops::Kernel& k) {
    const std::string name = std::string("BM_") + k.name;
    benchmark::RegisterBenchmark((name + "/googlenet").c_str(),
                                 [&k](benchmark::State& st) { run_registered(st, Net::kGoogLeNet, k); })
        ->Apply(googlenet_head)
        ->UseRealTime();
    benchmark::RegisterBenchmark((name + "/inception_v3").c_str(),
                                 [&k](benchmark::State& st) { run_registered(st, Net::kInceptionV3, k); })
        ->Apply(inception_v3_head)
        ->UseRealTime();
  });
  return 0;
}();

}  // namespace incept::bench
