// SPDX-License-Identifier: Apache-2.0
// The int8 GEMM engine's micro-kernels: an MR x NR tile of 8-bit outputs, each the one rule of
// common/quant.h applied to an exact int32 dot product. Written per ISA (gemm_q8_<isa>.h: AVX-512 VNNI,
// AVX2, NEON dot product, NEON) and compiled into that ISA's table (IsaTable::gemm_q8); the packing, the
// gathering of A and the threads above them are baseline code shared by every ISA (conv2d_q8_gemm.h).
//
//   const Q8GemmUkernel& uk = isa_table(Isa::kAvx512Vnni)->gemm_q8;   // check isa_usable(uk.isa) first
//   uk.run(tile);
//
// Each ISA multiplies 8-bit values in the form its instruction takes, so the driver hands A over in that
// form (Q8AForm) and folds the difference into the bias at packing:
//   kU8   unsigned bytes: uint8 activations as they are, int8 ones XOR 0x80 (q + 128)   (VPDPBUSD: u8 x s8)
//   kS8   signed bytes: int8 activations as they are, uint8 ones XOR 0x80 (q - 128)     (SDOT, SMULL: s8 x s8)
//   kS16  int16: q widened, and the weights packed as int16 too                         (VPMADDWD: s16 x s16)
// With a = q + off in that form, sum (q - zp) * w = sum a * w - (zp + off) * sum w, so the packed bias is
// bias_q - (zp + off) * sum w, and padding reads a = zp + off (real zero). The sums wrap modulo 2^32 in
// every ISA, and the true value fits an int32 (q8_accumulator_fits), so the result is exact.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "common/cpu.h"

namespace incept::ops {

enum class Q8AForm : uint8_t { kU8, kS8, kS16 };

// One micro-kernel call. A: `taps` runs of kc values per row, run t of row i at a[t * MR + i] (rows beyond
// `rows` point at a real row), in the kernel's form; kc a multiple of kr and k = taps * kc (the reduction
// padded with zero weights). A gathered strip is one run of k; a conv read in place is a run per tap (or per
// window row), each pointing into the input or at a row of real zeros. W: one packed panel,
// NR int32 bias values, NR float multipliers, then k / kr groups of NR x kr int8 weights (int16 in the kS16
// form: widened once at packing, not at every use; column-major
// within a group: column j's kr weights are adjacent). C: row i at c + i * c_stride bytes; columns
// [0, cols) of rows [0, rows) are written: requantize(float(acc) * m [+ residual], zp, lo, hi) as bytes
// (the output type is in lo and hi: [0, 255] uint8, [-128, 127] int8, lo raised for a ReLU).
// The residual (r non-null; row i at r + i * r_stride bytes, uint8 or int8 as r_signed says) adds
// float(q_r - zp_r) * m_r, rounded, before the clamp; r may be c itself (read before written).
// A float32 C (f32: an 8-bit op writing float, the classifier's logits) holds float(acc) * m, raised to f_lo
// (0 under a ReLU, else -inf), column j at byte 4 * j of its row: the reference's float(sum) * m, one rounding
// each, so the same bits; zp, lo, hi and small_m unused, no residual.
struct Q8GemmTile {
  int32_t rows = 0;      // 1..MR
  int32_t cols = 0;      // 1..NR (a kernel that takes several panels: 1..panels * NR, over all of them)
  int32_t panels = 1;    // panels of this call (> 1 only for a kernel with Q8GemmUkernel::panels)
  size_t w_stride = 0;   // bytes from one panel to the next (panels > 1); their outputs are NR columns apart
  size_t a_stride = 0;   // a whole-row kernel read in place: bytes between a half's rows (0: packed; see a_row)
  size_t a_stride1 = 0;  // the second half's, where it differs (0: a_stride)
  int32_t k = 0;         // taps * kc
  int32_t taps = 1;      // runs of A per row
  int32_t kc = 0;        // values per run: a multiple of kr, >= kr
  const void* const* a = nullptr;
  const int8_t* w = nullptr;
  uint8_t* c = nullptr;
  size_t c_stride = 0;
  int32_t zp = 0, lo = 0, hi = 255;
  // Every multiplier of the tile's columns is under 1 (under 0.5, and r_m under 2^20, with a residual), so
  // float(acc) * m, plus the residual's term, never leaves int32: a kernel may round first and clamp in
  // integers (the same bytes: rounding commutes with a clamp to integer bounds).
  bool small_m = false;
  bool f32 = false;
  float f_lo = -std::numeric_limits<float>::infinity();
  const uint8_t* r = nullptr;
  size_t r_stride = 0;
  bool r_signed = false;
  int32_t r_zp = 0;
  float r_m = 0.0f;
};

using Q8GemmUkernelFn = void (*)(const Q8GemmTile&);
// Copies a tile's A (its rows' runs, t.a / t.taps / t.kc) into dst in a packs_a kernel's layout, with the
// kernel's own vectors (a copy per run is short: a stem's window row is a few dozen bytes).
using Q8PackAFn = void (*)(const Q8GemmTile& t, uint8_t* dst);

struct Q8GemmUkernel {
  Isa isa;
  int32_t mr = 0, nr = 0, kr = 0;  // the tile (kernel names spell it MRxNR) and the reduction step
  Q8AForm a_form = Q8AForm::kU8;
  Q8GemmUkernelFn run = nullptr;   // nullptr: the table has no int8 GEMM
  Q8GemmUkernelFn half = nullptr;  // MR x NR / 2, for a last panel of at most NR / 2 columns (nullptr: run)
  // A packed: a[0] points at the strip's rows interleaved by groups of kr, [k / kr][MR][kr] (taps 1, kc k),
  // or, where a_row > 0, at its rows one after another, [MR][k rounded up to a_row] (each row's runs back to
  // back, zero past k: the AMX kernel loads 16 x 64 tiles with that stride), or, where Q8GemmTile::a_stride
  // is set, read in place: run r of each half (rows 0 to MR / 2 - 1, and the rest) at a[2r] and a[2r + 1], the
  // first row of the half, its rows a_stride (a_stride1) apart, taps runs of kc values (kc and k multiples of
  // a_row, the weights zero past each run's real values, so whatever the rows hold there multiplies zero);
  // 64 bytes readable past the end, and past the packed weights too. (The SDOT kernel
  // loads a group of every row, and of every column, with one paired load.)
  bool packs_a = false;
  int32_t a_row = 0;
  Q8PackAFn pack_a = nullptr;  // the a_row layout's copy (nullptr: the driver's, by memcpy)
  // run takes a block's full panels in one call (Q8GemmTile::panels), so it can overlap one panel's epilogue
  // with the next one's products (AMX); the half panel still goes to half.
  bool panels = false;
  // Bytes the kernel may read past the packed weights beyond kQ8ReadAhead (AMX: a B tile of 16 groups of kr,
  // loaded whole for the reduction's last 64 values); the bytes are never used.
  int32_t w_read_ahead = 0;
  // The engine declines (kUnsupported) a conv over fewer input channels, where a lower table's kernel is
  // faster (the registry then takes it): AMX's tiles want a long reduction (gemm_q8_amx.h).
  int32_t min_cin = 0;
  // Called on a thread before a run of calls to run and half, and after it (nullptr: nothing to do): the AMX
  // kernel loads its tile configuration in begin and releases the tiles in end, once per conv and thread
  // rather than once per call (the pair cost about 60 ns a call).
  void (*begin)() = nullptr;
  void (*end)() = nullptr;
};

// Bytes a packs_a kernel may read past the end of A or of the packed weights (loads a group ahead).
constexpr size_t kQ8ReadAhead = 64;
// Values from one row of a packs_a kernel's A to the next where the rows are packed whole (a_row > 0).
inline int64_t q8_a_row_stride(const Q8GemmUkernel& uk, int64_t k) {
  return uk.a_row > 0 ? (k + uk.a_row - 1) / uk.a_row * uk.a_row : k;
}
// Bytes of slack after the packed weights for micro-kernel uk.
inline size_t q8_weight_slack(const Q8GemmUkernel& uk) { return kQ8ReadAhead + static_cast<size_t>(uk.w_read_ahead); }

// Bytes of one packed panel for a reduction of k (already a multiple of kr), 64-byte aligned.
inline int32_t q8_weight_bytes(const Q8GemmUkernel& uk) { return uk.a_form == Q8AForm::kS16 ? 2 : 1; }
inline size_t q8_panel_bytes(const Q8GemmUkernel& uk, int64_t k) {
  const size_t raw = static_cast<size_t>(uk.nr) * (8 + static_cast<size_t>(k) * q8_weight_bytes(uk));
  return (raw + 63) / 64 * 64;
}

// The int8 Winograd engine's GEMMs (conv2d/conv2d_q8_winograd.h): transformed inputs and weights are int16
// (exact integer transforms of 8-bit values), products summed in int32 with no epilogue. A: row i at a[i]
// (rows beyond `rows` point at a real row), k int16 values (k a multiple of kr). W: k / kr groups of
// NR x kr int16 weights (column j's kr adjacent), zero past the real reduction and columns. C: MR rows of NR
// int32 sums (wrapping modulo 2^32, as the transforms' arithmetic does), row i at c + i * c_stride; every
// row of the tile is written (the caller's buffer holds MR rows).
struct Q16GemmTile {
  int32_t rows = 0;  // 1..MR
  int32_t k = 0;
  const int16_t* const* a = nullptr;
  const int16_t* w = nullptr;
  int32_t* c = nullptr;
  size_t c_stride = 0;  // int32 elements
};

using Q16GemmUkernelFn = void (*)(const Q16GemmTile&);

struct Q16GemmUkernel {
  Isa isa;
  int32_t mr = 0, nr = 0, kr = 0;
  Q16GemmUkernelFn run = nullptr;  // nullptr: the table has no int16 GEMM
};

}  // namespace incept::ops
