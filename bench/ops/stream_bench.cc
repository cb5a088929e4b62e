// SPDX-License-Identifier: Apache-2.0
// BM_stream_read/<MiB>: how fast one core reads a buffer it sums (the "bytes" counter), in the same run
// as the op benchmarks: what a memory-bound kernel can reach. A fully connected layer at batch 1 reads
// each weight once per call, so its "bytes" rate reads against these. 8 MiB is Inception-v3's classifier
// (2048 x 1000 floats; warm in L3 between iterations, as the FC benchmarks' weights are), 512 MiB is far
// past any cache (DRAM, as in a network, where the classifier's weights were evicted since the last image).
#include <cstddef>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#elif defined(__aarch64__)
#include <arm_neon.h>
#endif

#include "bench_util.h"

namespace incept::bench {
namespace {

// Sum of n floats (n a multiple of 16) with four independent vector accumulators (SSE2 / NEON baseline).
float sum(const float* p, size_t n) {
#if defined(__x86_64__)
  __m128 a = _mm_setzero_ps(), b = a, c = a, d = a;
  for (size_t i = 0; i < n; i += 16) {
    a = _mm_add_ps(a, _mm_load_ps(p + i));
    b = _mm_add_ps(b, _mm_load_ps(p + i + 4));
    c = _mm_add_ps(c, _mm_load_ps(p + i + 8));
    d = _mm_add_ps(d, _mm_load_ps(p + i + 12));
  }
  alignas(16) float out[4];
  _mm_store_ps(out, _mm_add_ps(_mm_add_ps(a, b), _mm_add_ps(c, d)));
  return out[0] + out[1] + out[2] + out[3];
#elif defined(__aarch64__)
  float32x4_t a = vdupq_n_f32(0.0f), b = a, c = a, d = a;
  for (size_t i = 0; i < n; i += 16) {
    a = vaddq_f32(a, vld1q_f32(p + i));
    b = vaddq_f32(b, vld1q_f32(p + i + 4));
    c = vaddq_f32(c, vld1q_f32(p + i + 8));
    d = vaddq_f32(d, vld1q_f32(p + i + 12));
  }
  return vaddvq_f32(vaddq_f32(vaddq_f32(a, b), vaddq_f32(c, d)));
#else
  float s[4] = {0, 0, 0, 0};
  for (size_t i = 0; i < n; ++i) s[i % 4] += p[i];
  return s[0] + s[1] + s[2] + s[3];
#endif
}

void BM_stream_read(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0)) << 18;  // MiB -> floats
  const Buffer buf(n);                                         // zeros: the values do not matter, the reads do
  float total = 0.0f;
  for (auto _ : state) {
    total += sum(buf.data(), n);
    benchmark::DoNotOptimize(total);
  }
  state.counters["bytes"] = benchmark::Counter(static_cast<double>(state.iterations()) * static_cast<double>(n) * 4.0,
                                               benchmark::Counter::kIsRate, benchmark::Counter::kIs1024);
  state.SetLabel(std::to_string(state.range(0)) + " MiB, one core");
}

}  // namespace

BENCHMARK(BM_stream_read)->Arg(8)->Arg(512)->ArgName("MiB")->UseRealTime();

}  // namespace incept::bench
