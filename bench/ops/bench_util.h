// SPDX-License-Identifier: Apache-2.0
// Shared pieces of the op benchmarks: aligned and padded buffers with seeded random contents, the
// thread pool the fast kernels run on (INCEPT_BENCH_THREADS, default 1 = the calling thread only,
// as incept's interpreter does), and the rate counters every benchmark reports.
#pragma once

#include <benchmark/benchmark.h>
#include <pthreadpool.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <random>
#include <string>

namespace incept::bench {

// 64-byte aligned floats, zero-initialised, with 64 spare bytes after the end: XNNPACK may read up
// to XNN_EXTRA_BYTES (16) past an input.
class Buffer {
 public:
  explicit Buffer(size_t count) : count_(count) {
    const size_t bytes = (count * sizeof(float) + 64 + 63) / 64 * 64;
    data_.reset(static_cast<float*>(std::aligned_alloc(64, bytes)));
    for (size_t i = 0; i < bytes / sizeof(float); ++i) data_.get()[i] = 0.0f;
  }
  float* data() const { return data_.get(); }
  size_t size() const { return count_; }
  // Uniform in [lo, hi] from a fixed seed: every run benchmarks the same numbers.
  void fill(uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<float> dist(lo, hi);
    for (size_t i = 0; i < count_; ++i) data_.get()[i] = dist(rng);
  }

 private:
  struct Free {
    void operator()(float* p) const { std::free(p); }
  };
  size_t count_;
  std::unique_ptr<float, Free> data_;
};

// Threads for the fast kernels: INCEPT_BENCH_THREADS (1..256), default 1.
inline int bench_threads() {
  static const int n = [] {
    const char* v = std::getenv("INCEPT_BENCH_THREADS");
    const int t = v != nullptr ? std::atoi(v) : 1;
    return t >= 1 && t <= 256 ? t : 1;
  }();
  return n;
}

// The process-wide pool for bench_threads() > 1; nullptr (calling thread) for 1.
inline pthreadpool_t bench_pool() {
  static const pthreadpool_t pool =
      bench_threads() > 1 ? pthreadpool_create(static_cast<size_t>(bench_threads())) : nullptr;
  return pool;
}

// FLOPS (multiply-adds x 2, or comparisons / additions for pools) and bytes (activations read +
// written) per second of real time, and the layer as the label.
inline void report(benchmark::State& state, const std::string& label, double flop, double bytes, int threads) {
  const double iters = static_cast<double>(state.iterations());
  state.counters["FLOPS"] = benchmark::Counter(iters * flop, benchmark::Counter::kIsRate);
  state.counters["bytes"] = benchmark::Counter(iters * bytes, benchmark::Counter::kIsRate, benchmark::Counter::kIs1024);
  state.SetLabel(threads > 1 ? label + ", " + std::to_string(threads) + " threads" : label);
}

}  // namespace incept::bench
