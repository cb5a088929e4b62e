// SPDX-License-Identifier: Apache-2.0
// The packed-GEMM engine's micro-kernels: C[rows x cols] = min-clamp(bias + sum over taps and channels of
// A * W), one register tile per call. Written once (gemm_ukernel.h) and compiled per ISA into that ISA's
// table (ops/isa/isa_table.h: IsaTable::gemm_f32); everything above them (packing, blocking, threads) is
// baseline code shared by every ISA.
//
//   const GemmUkernel& uk = isa_table(Isa::kAvx2Fma)->gemm_f32;   // check isa_usable(uk.isa) first
//   uk.full(tile);
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/cpu.h"

namespace incept::ops {

// One micro-kernel call: an MR x NR tile of the output (MR and NR are the kernel's; `rows` and `cols`
// say how much of it is real).
//
// A is not packed: for tap t, row i reads kc consecutive floats at a[t * MR + i] (an NHWC pixel's
// channels, any pixel stride; the caller points rows beyond `rows` at a real row and padding taps at
// zeros). W is one packed panel, NR floats wide (NR / 2 for the `half` kernel): first NR bias values,
// then taps * kc rows of NR weights (tap-major, then channel), zero-padded past the real columns.
// C row i starts at c + i * c_stride; columns [0, cols) of rows [0, rows) are written, nothing else.
// Each output is max(min, (bias + sum_t sum_k a * w) + r), accumulated in that order with multiply-adds
// (FMAs; armv7 NEON has none in its baseline: a multiply, then an add), so results do not depend on how
// the caller tiles the work; r is the residual (row i at r + i * r_stride, the same columns; it may be
// C itself) or 0 when r is null.
//
// `pf` asks the kernel to prefetch pf_lines 64-byte lines from pf on into L2, one per k step (the
// later ones are dropped when the tile has fewer k steps): the driver's way to pull the next block of
// packed weights from memory while this block computes from cache. It never changes a result.
struct GemmTile {
  int32_t rows = 0;  // 1..MR
  int32_t cols = 0;  // 1..NR (1..NR/2 for the half kernel)
  int32_t kc = 0;    // channels per tap, >= 1
  int32_t taps = 0;  // >= 1
  const float* const* a = nullptr;
  const float* w = nullptr;
  float* c = nullptr;
  size_t c_stride = 0;        // floats between output rows
  float min = 0.0f;           // 0 for ReLU, -infinity for none
  const float* r = nullptr;   // residual added before the clamp, or nullptr
  size_t r_stride = 0;        // floats between residual rows
  const float* pf = nullptr;  // lines to prefetch, or nullptr
  int32_t pf_lines = 0;
};

// A run of 64-byte lines of packed weights, 64-byte aligned (lines = 0: none): what a driver prefetches.
struct LineRun {
  const float* data = nullptr;
  int64_t lines = 0;
};

// Part `part` of `parts` even slices of r: how a driver spreads a prefetch over the calls that have time
// for it.
inline LineRun line_slice(LineRun r, int64_t part, int64_t parts) {
  const int64_t a = r.lines * part / parts, b = r.lines * (part + 1) / parts;
  return b > a ? LineRun{r.data + a * 16, b - a} : LineRun{};
}

// Has the micro-kernel call of t prefetch r.
inline void gemm_prefetch(GemmTile& t, LineRun r) {
  t.pf = r.data;
  t.pf_lines = static_cast<int32_t>(r.lines);
}

using GemmUkernelFn = void (*)(const GemmTile&);

struct GemmUkernel {
  Isa isa;
  int32_t mr, nr;        // the tile: kernel names spell it MRxNR ("6x16")
  GemmUkernelFn full;    // panels NR wide
  GemmUkernelFn half;    // panels NR / 2 wide: a channel tail of at most NR / 2
  GemmUkernelFn single;  // 1 x NR, for a lone row of one tap (a fully connected layer on one image): the
                         // full kernel would compute MR - 1 copies of it
};

}  // namespace incept::ops
