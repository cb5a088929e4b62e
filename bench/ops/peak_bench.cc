// SPDX-License-Identifier: Apache-2.0
// BM_peak_fma: this core's fp32 FMA peak (bench/peak_flops.h) in the same run and units as the op
// benchmarks, so their FLOPS counters read as a fraction of it.
#include "bench_util.h"
#include "peak_flops.h"

namespace incept::bench {
namespace {

void BM_peak_fma(benchmark::State& state) {
  PeakFlops peak;
  for (auto _ : state) peak = measure_peak_flops(0.05);
  state.counters["FLOPS"] = benchmark::Counter(peak.gflops_per_core * 1e9);
  state.SetLabel(std::string(peak.isa) + ", one core");
}

}  // namespace

BENCHMARK(BM_peak_fma)->Iterations(1)->UseRealTime();

}  // namespace incept::bench
