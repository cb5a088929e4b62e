// SPDX-License-Identifier: Apache-2.0
// The int8 GEMM engine's rows of A (conv2d_q8_gemm.h): a strip's rows gathered into a buffer in the
// micro-kernel's form, pointed at where they lie (taps, window rows), read from the stems' copies (the copied
// and windows modes) and packed for a packs_a micro-kernel. Baseline code under every ISA's micro-kernel; used
// only by the engine's driver (conv2d_q8_gemm.cc).
#pragma once

#include <cstddef>
#include <cstdint>

#include "conv2d/conv2d_q8_gemm.h"

namespace incept::ops::q8_gemm {

constexpr int32_t kMaxMr = 32;
constexpr int32_t kMaxTaps = 64;  // windows read in place (8x8); larger ones are gathered

inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

inline int32_t element_bytes(Q8AForm f) { return f == Q8AForm::kS16 ? 2 : 1; }

// One run of the engine: the conv, its tensors, and the stems' copy (scratch) once made.
struct Q8GemmJob {
  const Conv2DQ8Gemm* g;
  ConstTensorView<uint8_t> in;
  TensorView<uint8_t> out;
  ConstTensorView<uint8_t> residual;  // data null: none
  uint8_t* copy = nullptr;            // the copied mode's input in the kernel's form
};

// Gathers `count` rows of A, output pixels first, first + 1, ... (past the last pixel: it again), into `buf`
// (row i at buf + i * row_stride elements: every tap's channels in the packed weights' order, padding taps and
// the reduction's tail as real zero) and points rows[i] at them. With dense input channels and no dilation
// across, a window row's in-image taps are adjacent bytes: one conversion each (a stem over RGB would otherwise
// copy 3 bytes a tap).
template <typename T>
void gather_rows(const Q8GemmJob& job, int64_t first, int32_t count, T* buf, const void** rows, int64_t row_stride);

// A read in place (Conv2DQ8Gemm::in_place): ptrs[t * MR + i] is run t of row i. Window rows (taps = kh, kw * cin
// bytes each) when the input's channels are dense and every window of the strip lies inside the image
// horizontally; else tap by tap (cin bytes each). Rows past the last pixel repeat it; padding reads g.zeros.
// Returns the number of runs per row. Addresses in locals, by steps from each pixel's first row (the view's
// fields would be reloaded after every pointer store: the compiler cannot prove a store leaves them alone).
int32_t tap_pointers(const Q8GemmJob& job, int64_t s, const void** ptrs);

// The copied mode: ptrs[ky * MR + i] is window row ky of row i in the copy (row_k values from the window's
// first pixel), or the zeros row above and below the image. The copy holds the left and right padding
// columns (real zero), so every window row lies in it: no strip falls back to gathering. Addresses by steps
// from each pixel's first window row, everything in locals: a stem's strip is 8 pixels of 27 multiply-adds
// each, and recomputing every address through the job (reloaded after each pointer store) cost 38 % of
// Inception-v3's first conv.
void copied_pointers(const Q8GemmJob& job, int64_t s, const void** ptrs);

// The copied mode's copy, item = one input row (N x H of them): the left padding's columns of real zero, its
// pixels in the kernel's form, the right padding's.
void copy_row(void* context, size_t item);

// The windows mode's copy, item = one output row (N x out_h of them): for each of the copy's columns (the input's
// and its padding's), the kh input rows the output row's windows read, [ix][ky][c] in the kernel's form (real
// zero outside the image), so a window is kw x kh x cin adjacent bytes and the next output pixel's starts
// stride_w x kh x cin bytes on.
void copy_windows(void* context, size_t item);

// A packs_a micro-kernel's A (gemm_q8.h): the strip's rows as t holds them (t.taps runs of t.kc values per
// row, run r of row i at t.a[r * MR + i]) into dst, interleaved by groups of kr, [k / kr][MR][kr], or, for a
// kernel that takes whole rows (a_row > 0), one row after another, [MR][row_stride] (zero past k); then t points
// at it as one run of k.
void pack_a(Q8GemmTile& t, const Q8GemmUkernel& uk, uint8_t* dst, const void** a);

// Bytes of a packs_a kernel's A for a reduction of k.
size_t packed_a_bytes(const Q8GemmUkernel& uk, int64_t k);

}  // namespace incept::ops::q8_gemm
