// SPDX-License-Identifier: Apache-2.0
// One table per instruction set: every micro-kernel our engines run on that ISA, built in one file
// compiled with the ISA's flags (isa_avx2.cc, isa_avx512.cc, isa_avx512vnni.cc, isa_neon.cc, isa_neondot.cc).
// A table holds what its ISA adds: the VNNI and dot-product tables hold the int8 GEMM alone (their CPUs
// run the float kernels of the AVX-512F and NEON tables). The engines (the GEMM and
// Winograd drivers, the max pool) read a table and never name an ISA; the op registries make one native
// kernel per table from it (NativeKernel in common/kernel.h), named after the tile the table holds.
//
//   for (const IsaTable* t : isa_tables())             // best first; the cap decides which may run
//     if (isa_usable(t->isa)) ... t->gemm_f32.full(tile) ...
//   const IsaTable* avx2 = isa_table(Isa::kAvx2Fma);   // nullptr where this build has none
//
// A new ISA: its Isa value and detection (common/cpu.{h,cc}), its vector type (simd_<isa>.h), its table
// (isa_<isa>.cc), its place in isa_tables() (isa_tables.cc) and its compile flags (CMakeLists.txt).
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/cpu.h"
#include "common/kernel.h"
#include "common/q8_pool.h"
#include "conv2d/conv2d_q8_winograd.h"
#include "conv2d/conv2d_winograd.h"
#include "gemm/gemm.h"
#include "gemm/gemm_q8.h"
#include "max_pool2d/max_pool2d_native.h"
#include "quantize/quantize.h"

namespace incept::ops {

struct IsaTable {
  Isa isa;
  GemmUkernel gemm_f32;          // the packed-GEMM tile (conv, fully connected)
  WinogradFnsOf winograd_f32;    // transforms per variant (nullptr for kNone)
  MaxPoolRowsFn max_pool_f32;    // nullptr: this ISA has none (a lower one's runs)
  int32_t max_pool_f32_lanes;    // channels per vector: the "c8" of its name
  Q8GemmUkernel gemm_q8;         // the int8 GEMM tile (8-bit conv, fully connected); run nullptr: none
  Q8PoolUkernels q8_pool;        // the 8-bit pools' rows (max, average, global average)
  Q8ConvertUkernels q8_convert;  // float32 <-> 8-bit runs (the interpreter's convert steps)
  WinogradQ8Entry winograd_q8;   // exact int8 Winograd (int16 GEMM + transforms); gemm.run nullptr: none

  // The table holds what `part` needs.
  bool has(IsaPart part) const;
  // The tile of `part` as kernel names spell it ("6x16", "c8") into buf; "" when the table lacks it.
  void tile_name(IsaPart part, char* buf, size_t size) const;
};

// The tables built into this library for this architecture, best first (the ISA order of common/cpu.h).
struct IsaTables {
  const IsaTable* const* tables;
  int count;
  const IsaTable* const* begin() const { return tables; }
  const IsaTable* const* end() const { return tables + count; }
};
IsaTables isa_tables();

// The table built for `isa`, or nullptr where this build has none (another architecture's ISA, kScalar).
const IsaTable* isa_table(Isa isa);

}  // namespace incept::ops
