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
#if defined(__aarch64__) && defined(__linux__)
#include <asm/hwcap.h>
#include <sys/auxv.h>
#endif
#endif

namespace incept::bench {

#if INCEPT_PEAK_NEON && defined(__aarch64__)
// SDOT chains: peak_sdot.cc, the one file compiled with -march=armv8.2-a+dotprod (called where the CPU has it).
float sdot_peak_loop(uint64_t iters, double* flop);
#endif

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

// The int8 peaks: the instruction the int8 GEMM micro-kernel of each ISA table multiplies with
// (ops/gemm/gemm_q8_*.h), in independent chains, 2 ops per multiply-accumulate. Operands stay small, so
// nothing saturates; the int32 sums may wrap, which is defined for these instructions.
#if INCEPT_PEAK_X86
__attribute__((target("avx512f,avx512bw,avx512vnni"))) float dot_vnni(uint64_t iters, double* flop) {
  constexpr int kAcc = 16;
  const __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-2);
  __m512i acc[kAcc];
  for (int i = 0; i < kAcc; ++i) acc[i] = _mm512_set1_epi32(i);
  for (uint64_t n = 0; n < iters; ++n) {
#pragma GCC unroll 16
    for (int i = 0; i < kAcc; ++i) acc[i] = _mm512_dpbusd_epi32(acc[i], a, b);
  }
  __m512i s = acc[0];
  for (int i = 1; i < kAcc; ++i) s = _mm512_add_epi32(s, acc[i]);
  *flop = static_cast<double>(iters) * kAcc * 16 * 4 * 2;  // 16 lanes of 4 u8 x s8 products
  alignas(64) int32_t lanes[16];
  _mm512_store_si512(lanes, s);
  float sum = 0.0f;
  for (int32_t v : lanes) sum += static_cast<float>(v);
  return sum;
}

// Four C tiles from two A and two B tiles, as the AMX micro-kernel (ops/gemm/gemm_q8_amx.h) multiplies.
__attribute__((target("amx-tile,amx-int8"))) float dot_amx(uint64_t iters, double* flop) {
  struct alignas(64) Config {
    uint8_t palette = 1, start_row = 0, reserved[14] = {};
    uint16_t colsb[16] = {64, 64, 64, 64, 64, 64, 64, 64};
    uint8_t rows[16] = {16, 16, 16, 16, 16, 16, 16, 16};
  } config;
  alignas(64) static int8_t data[16 * 64];
  for (int i = 0; i < 16 * 64; ++i) data[i] = static_cast<int8_t>(i % 7 - 3);
  _tile_loadconfig(&config);
  _tile_zero(0);
  _tile_zero(1);
  _tile_zero(2);
  _tile_zero(3);
  _tile_loadd(4, data, 64);
  _tile_loadd(5, data, 64);
  _tile_loadd(6, data, 64);
  _tile_loadd(7, data, 64);
  for (uint64_t n = 0; n < iters; ++n) {
    _tile_dpbusd(0, 4, 6);
    _tile_dpbusd(1, 4, 7);
    _tile_dpbusd(2, 5, 6);
    _tile_dpbusd(3, 5, 7);
  }
  alignas(64) int32_t c[16 * 16];
  _tile_stored(0, c, 64);
  _tile_release();
  *flop = static_cast<double>(iters) * 4 * 16 * 16 * 64 * 2;
  return static_cast<float>(c[0]);
}

__attribute__((target("avx2"))) float madd_avx2(uint64_t iters, double* flop) {
  // Each chain multiplies its own accumulator (as int16 pairs), so no product can be hoisted or shared; 10
  // chains cover VPMADDWD + VPADDD's latency on two ports.
  constexpr int kAcc = 10;
  const __m256i b = _mm256_set1_epi16(3), c = _mm256_set1_epi32(1);
  __m256i acc[kAcc];
  for (int i = 0; i < kAcc; ++i) acc[i] = _mm256_set1_epi32(i);
  for (uint64_t n = 0; n < iters; ++n) {
#pragma GCC unroll 10
    for (int i = 0; i < kAcc; ++i) acc[i] = _mm256_add_epi32(_mm256_madd_epi16(acc[i], b), c);
  }
  __m256i s = acc[0];
  for (int i = 1; i < kAcc; ++i) s = _mm256_add_epi32(s, acc[i]);
  alignas(32) int32_t lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), s);
  *flop = static_cast<double>(iters) * kAcc * 8 * 2 * 2;  // 8 lanes of 2 int16 products
  float sum = 0.0f;
  for (int32_t v : lanes) sum += static_cast<float>(v);
  return sum;
}
#endif

#if INCEPT_PEAK_NEON
// SMULL + SMLAL (two products in each int16 lane) + SADALP: 16 products in three instructions. Each chain
// multiplies its own accumulator's bytes, so no product can be hoisted or shared.
float smlal_neon(uint64_t iters, double* flop) {
#if defined(__aarch64__)
  constexpr int kAcc = 12;
#else
  constexpr int kAcc = 6;  // of 16 q registers
#endif
  const int8x8_t b = vdup_n_s8(-2);
  int32x4_t acc[kAcc];
  for (int i = 0; i < kAcc; ++i) acc[i] = vdupq_n_s32(i);
  for (uint64_t n = 0; n < iters; ++n) {
#pragma GCC unroll 12
    for (int i = 0; i < kAcc; ++i) {
      const int8x16_t a = vreinterpretq_s8_s32(acc[i]);
      int16x8_t p = vmull_s8(vget_low_s8(a), b);
      p = vmlal_s8(p, vget_high_s8(a), b);
      acc[i] = vpadalq_s16(acc[i], p);
    }
  }
  int32x4_t s = acc[0];
  for (int i = 1; i < kAcc; ++i) s = vaddq_s32(s, acc[i]);
  *flop = static_cast<double>(iters) * kAcc * 16 * 2;
  return static_cast<float>(vgetq_lane_s32(s, 0) + vgetq_lane_s32(s, 1) + vgetq_lane_s32(s, 2) + vgetq_lane_s32(s, 3));
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

void pick_int8_kernel(PeakIsa limit, Kernel* k, const char** isa) {
#if INCEPT_PEAK_X86
  __builtin_cpu_init();
  if (limit == PeakIsa::kAmx) {
    *k = dot_amx;
    *isa = "amx";
    return;
  }
  if (__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw") && limit == PeakIsa::kWidest) {
    *k = dot_vnni;
    *isa = "avx512vnni";
    return;
  }
  if (__builtin_cpu_supports("avx2")) {
    *k = madd_avx2;
    *isa = "avx2";
    return;
  }
#elif INCEPT_PEAK_NEON
  (void)limit;
#if defined(__aarch64__) && defined(__linux__)
  if (getauxval(AT_HWCAP) & HWCAP_ASIMDDP) {
    *k = sdot_peak_loop;  // peak_sdot.cc
    *isa = "neondot";
    return;
  }
#endif
  *k = smlal_neon;
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

PeakFlops measure_peak(Kernel kernel, const char* isa, double seconds) {
  using clock = std::chrono::steady_clock;
  PeakFlops result;
  result.isa = isa;

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

}  // namespace

PeakFlops measure_peak_flops(double seconds, PeakIsa limit) {
  Kernel kernel = nullptr;
  const char* isa = "";
  pick_kernel(limit, &kernel, &isa);
  return measure_peak(kernel, isa, seconds);
}

PeakFlops measure_peak_int8(double seconds, PeakIsa limit) {
  Kernel kernel = nullptr;
  const char* isa = "";
  pick_int8_kernel(limit, &kernel, &isa);
  return measure_peak(kernel, isa, seconds);
}

}  // namespace incept::bench
