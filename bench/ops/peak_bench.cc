// SPDX-License-Identifier: Apache-2.0
// BM_peak_fma: this core's fp32 FMA peak (tools/peak_flops.h) in the same run and units as the op
// benchmarks, so their FLOPS counters read as a fraction of it; BM_peak_int8 the int8 one (2 ops per
// multiply-accumulate), what BM_conv2d_q8_gemm_<isa> reads against.
#include "bench_util.h"
#include "common/cpu.h"
#include "peak_flops.h"

namespace incept::bench {
namespace {

// One probe of tools/peak_flops.h (measure_peak_flops, or measure_peak_int8: the instruction of the best
// table's int8 micro-kernel, in FLOPS as the convs count them, 2 per multiply-accumulate).
void run_peak(benchmark::State& state, PeakFlops (*measure)(double, PeakIsa), PeakIsa limit) {
  PeakFlops peak;
  for (auto _ : state) peak = measure(0.05, limit);
  state.counters["FLOPS"] = benchmark::Counter(peak.gflops_per_core * 1e9);
  state.SetLabel(std::string(peak.isa) + ", one core");
}

void BM_peak_fma(benchmark::State& state) { run_peak(state, measure_peak_flops, PeakIsa::kWidest); }
void BM_peak_int8(benchmark::State& state) { run_peak(state, measure_peak_int8, PeakIsa::kWidest); }
#if defined(__x86_64__)
// The AVX2 peak on a CPU that also has AVX-512: what the 6x16 AVX2 kernels are measured against.
void BM_peak_fma_avx2(benchmark::State& state) {
  if (!ops::cpu_has(ops::Isa::kAvx2Fma)) return state.SkipWithError("this CPU has no AVX2+FMA");
  run_peak(state, measure_peak_flops, PeakIsa::kAvx2);
}
// The int8 peak of the AVX2 table's exact VPMADDWD path, on a CPU that also has AVX-512 VNNI.
void BM_peak_int8_avx2(benchmark::State& state) {
  if (!ops::cpu_has(ops::Isa::kAvx2Fma)) return state.SkipWithError("this CPU has no AVX2");
  run_peak(state, measure_peak_int8, PeakIsa::kAvx2);
}
// AMX's tile product, where the process may run it: what conv2d_q8_gemm_amx reads against.
void BM_peak_int8_amx(benchmark::State& state) {
  if (!ops::cpu_has(ops::Isa::kAmx)) return state.SkipWithError("this CPU (or OS) gives no AMX");
  run_peak(state, measure_peak_int8, PeakIsa::kAmx);
}
#endif

}  // namespace

BENCHMARK(BM_peak_fma)->Iterations(1)->UseRealTime();
BENCHMARK(BM_peak_int8)->Iterations(1)->UseRealTime();
#if defined(__x86_64__)
BENCHMARK(BM_peak_fma_avx2)->Iterations(1)->UseRealTime();
BENCHMARK(BM_peak_int8_avx2)->Iterations(1)->UseRealTime();
BENCHMARK(BM_peak_int8_amx)->Iterations(1)->UseRealTime();
#endif

}  // namespace incept::bench
