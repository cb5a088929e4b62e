// SPDX-License-Identifier: Apache-2.0
// This machine's fp32 peak on one core, measured (not looked up): a register-resident loop of
// independent fused multiply-adds in the widest vector ISA the CPU supports (AVX-512F, AVX2+FMA,
// NEON), chosen at run time. incept-bench divides a model's achieved GFLOP/s by this x threads.
#pragma once

namespace incept::bench {

// kAvx2: no wider than AVX2+FMA on x86-64 (the peak the 6x16 AVX2 kernels are measured against on a CPU
// with AVX-512); the same as kWidest elsewhere. kAmx (int8 only): AMX's TDPBUSD tile product, which the
// caller knows the process may run (ops::cpu_has(ops::Isa::kAmx): the OS's leave is asked for there); kWidest
// stays with the widest vector instruction.
enum class PeakIsa { kWidest, kAvx2, kAmx };

struct PeakFlops {
  double gflops_per_core = 0.0;  // best of the timed chunks, 2 FLOP per lane per FMA
  const char* isa = "scalar";    // "avx512f", "avx2+fma", "neon", "scalar"
};

// Runs on the calling thread for about `seconds` (after a short warm-up that lets the core reach
// its vector clock) and returns the best rate seen over ~2 ms chunks of this thread's CPU time.
PeakFlops measure_peak_flops(double seconds = 0.2, PeakIsa limit = PeakIsa::kWidest);

// This core's int8 peak the same way, in GOP/s (2 ops per multiply-accumulate), for the instruction the int8
// GEMM micro-kernel of the best table multiplies with: VPDPBUSD (AVX-512 VNNI), VPMADDWD + VPADDD (AVX2: the
// exact int16-pair path), SDOT (NEON dot product), SMULL + SMLAL + SADALP (NEON), TDPBUSD (AMX, asked for with
// PeakIsa::kAmx: 16 x 16 x 64 products a tile instruction); isa names it.
PeakFlops measure_peak_int8(double seconds = 0.2, PeakIsa limit = PeakIsa::kWidest);

}  // namespace incept::bench
