// SPDX-License-Identifier: Apache-2.0
// Peak-FLOPS probe. Each kernel keeps kAcc independent accumulator registers, so the loop is bound
// by FMA throughput, not latency: kAcc must be >= FMA latency (4 cycles) x FMA ports (2 on x86 cores
// with AVX-512, up to 4 on big ARM cores). Every step is acc = acc * a + b with a < 1, whose fixed
// point is b / (1 - a) = 1: no overflow, no denormals. x86 kernels are compiled per function with
// __attribute__((target)) and chosen with __builtin_cpu_supports, so the rest of the file (and the
// build) keeps the baseline ISA and the binary runs on any x86-64.
#include "peak_flops.h"

#include <time.h>

#include <chrono>
#include <cstdint>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define INCEPT_PEAK_X86 1
#elif defined(__aarch64__) || (defined(__ARM_NEON) && defined(__ARM_FEATURE_FMA))
#include <arm_neon.h>
#define INCEPT_PEAK_NEON 1
#endif

namespace incept::bench {
namespace {

constexpr float kA = 0.999999f;
constexpr float kB = 1e-6f;
volatile float g_peak_sink;  // keeps the kernels' results observable

// Each kernel runs `iters` iterations and returns the FLOP it did (via *flop) and a value derived
// from every accumulator, so the compiler keeps all of them.
using Kernel = float (*)(uint64_t iters, double* flop);

#if INCEPT_PEAK_X86
__attribute__((target("avx512f"))) float fma_avx512(uint64_t iters, double* flop) {
  constexpr int kAcc = 16;  // of 32 zmm registers
  const __m512 a = _mm512_set1_ps(kA), b = _mm512_set1_ps(kB);
  __m512 acc[kAcc];
  for (int i = 0; i < kAcc; ++i) acc[i] = _mm512_set1_ps(static_cast<float>(i));
  for (uint64_t n = 0; n < iters; ++n) {
#pragma GCC unroll 16
    for (int i = 0; i < kAcc; ++i) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  }
  __m512 s = acc[0];
  for (int i = 1; i < kAcc; ++i) s = _mm512_add_ps(s, acc[i]);
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, s);
  *flop = static_cast<double>(iters) * kAcc * 16 * 2;
  float sum = 0.0f;
  for (float v : lanes) sum += v;
  return sum;
}

__attribute__((target("avx2,fma"))) float fma_avx2(uint64_t iters, double* flop) {
  constexpr int kAcc = 12;  // of 16 ymm registers (a and b take two more)
  const __m256 a = _mm256_set1_ps(kA), b = _mm256_set1_ps(kB);
  __m256 acc[kAcc];
  for (int i = 0; i < kAcc; ++i) acc[i] = _mm256_set1_ps(static_cast<float>(i));
  for (uint64_t n = 0; n < iters; ++n) {
#pragma GCC unroll 12
    for (int i = 0; i < kAcc; ++i) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  }
  __m256 s = acc[0];
  for (int i = 1; i < kAcc; ++i) s = _mm256_add_ps(s, acc[i]);
  alignas(32) float lanes[8];
  _mm256_store_ps(lanes, s);
  *flop = static_cast<double>(iters) * kAcc * 8 * 2;
  float sum = 0.0f;
  for (float v : lanes) sum += v;
  return sum;
}
#endif

#if INCEPT_PEAK_NEON
float fma_neon(uint64_t iters, double* flop) {
  constexpr int kAcc = 24;  // of 32 q registers: enough for 4 FMA pipes x 4-cycle latency
  const float32x4_t a = vdupq_n_f32(kA), b = vdupq_n_f32(kB);
  float32x4_t acc[kAcc];
  for (int i = 0; i < kAcc; ++i) acc[i] = vdupq_n_f32(static_cast<float>(i));
  for (uint64_t n = 0; n < iters; ++n) {
#pragma GCC unroll 24
    for (int i = 0; i < kAcc; ++i) acc[i] = vfmaq_f32(b, acc[i], a);
  }
  float32x4_t s = acc[0];
  for (int i = 1; i < kAcc; ++i) s = vaddq_f32(s, acc[i]);
  *flop = static_cast<double>(iters) * kAcc * 4 * 2;
  return vgetq_lane_f32(s, 0) + vgetq_lane_f32(s, 1) + vgetq_lane_f32(s, 2) + vgetq_lane_f32(s, 3);
}
#endif

// Portable fallback: independent scalar chains (the compiler may vectorise them, which is fine).
float fma_scalar(uint64_t iters, double* flop) {
  constexpr int kAcc = 16;
  float acc[kAcc];
  for (int i = 0; i < kAcc; ++i) acc[i] = static_cast<float>(i);
  for (uint64_t n = 0; n < iters; ++n)
    for (int i = 0; i < kAcc; ++i) acc[i] = acc[i] * kA + kB;
  float s = 0.0f;
  for (int i = 0; i < kAcc; ++i) s += acc[i];
  *flop = static_cast<double>(iters) * kAcc * 2;
  return s;
}

void pick_kernel(PeakIsa limit, Kernel* k, const char** isa) {
#if INCEPT_PEAK_X86
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && limit == PeakIsa::kWidest) {
    *k = fma_avx512;
    *isa = "avx512f";
    return;
  }
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
    *k = fma_avx2;
    *isa = "avx2+fma";
    return;
  }
#elif INCEPT_PEAK_NEON
  (void)limit;
  *k = fma_neon;
  *isa = "neon";
  return;
#endif
  *k = fma_scalar;
  *isa = "scalar";
}

// Seconds of CPU this thread has used: time the OS gave to other processes does not count, so a
// busy machine lowers the rate less than wall time would (where the clock exists).
double thread_seconds() {
#if defined(CLOCK_THREAD_CPUTIME_ID)
  timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0) return static_cast<double>(ts.tv_sec) + ts.tv_nsec * 1e-9;
#endif
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

PeakFlops measure_peak_flops(double seconds, PeakIsa limit) {
  using clock = std::chrono::steady_clock;
  PeakFlops result;
  Kernel kernel = nullptr;
  pick_kernel(limit, &kernel, &result.isa);

  // Size a chunk to ~2 ms, starting from a tiny one; the sizing doubles as the warm-up. Short
  // chunks timed on this thread's CPU clock and the best of ~100 of them make the figure robust
  // to other processes sharing the core.
  uint64_t iters = 1024;
  double flop = 0.0;
  for (;;) {
    const auto t0 = clock::now();
    g_peak_sink = kernel(iters, &flop);
    const double s = std::chrono::duration<double>(clock::now() - t0).count();
    if (s >= 0.002 || iters >= (uint64_t{1} << 40)) break;
    iters *= s > 0.0005 ? 2 : 8;
  }
  const auto start = clock::now();
  double best = 0.0;
  while (std::chrono::duration<double>(clock::now() - start).count() < seconds) {
    const double t0 = thread_seconds();
    g_peak_sink = kernel(iters, &flop);
    const double s = thread_seconds() - t0;
    if (s > 0.0 && flop / s > best) best = flop / s;
  }
  result.gflops_per_core = best * 1e-9;
  return result;
}

}  // namespace incept::bench
