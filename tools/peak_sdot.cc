// SPDX-License-Identifier: Apache-2.0
// The SDOT peak loop (tools/peak_flops.h, measure_peak_int8): the only part of the probe that needs the ARMv8.2
// dot product, so this file alone is compiled with -march=armv8.2-a+dotprod (aarch64 builds only); the probe
// calls it only where the CPU reports the instruction.
#include <arm_neon.h>

#include <cstdint>

namespace incept::bench {

float sdot_peak_loop(uint64_t iters, double* flop) {
  constexpr int kAcc = 24;  // of 32 q registers: enough for 2 SDOT pipes x their latency
  const int8x16_t a = vdupq_n_s8(3), b = vdupq_n_s8(-2);
  int32x4_t acc[kAcc];
  for (int i = 0; i < kAcc; ++i) acc[i] = vdupq_n_s32(i);
  for (uint64_t n = 0; n < iters; ++n) {
#pragma GCC unroll 24
    for (int i = 0; i < kAcc; ++i) acc[i] = vdotq_s32(acc[i], a, b);
  }
  int32x4_t s = acc[0];
  for (int i = 1; i < kAcc; ++i) s = vaddq_s32(s, acc[i]);
  *flop = static_cast<double>(iters) * kAcc * 4 * 4 * 2;  // 4 lanes of 4 s8 x s8 products
  return static_cast<float>(vaddvq_s32(s));
}

}  // namespace incept::bench
