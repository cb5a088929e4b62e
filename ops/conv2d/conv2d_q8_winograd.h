// SPDX-License-Identifier: Apache-2.0
// Conv2D over 8-bit tensors by Winograd, exact: 3x3 stride 1 as F(4x4,3x3) or F(2x2,3x3), and 1x7 / 7x1
// as F(2,7) along one axis, in integers (winograd_q8_axes.h), writing exactly the bytes of conv2d_q8_ref, for ISAs
// whose int8 products are not cheaper than int16 ones (AVX2 multiplies 8-bit values as int16 pairs: Winograd's 4x
// or 2.25x fewer products pay there; VNNI's 4-byte dot products do not need it).
//
//   Conv2DQ8Winograd w;
//   INCEPT_RETURN_IF_ERROR(conv2d_q8_winograd_create(table.winograd_q8, variant, p, in, out, types, q, threads,
//   &w)); conv2d_q8_winograd_run(w, in, out, scratch, pool);   // scratch: w.scratch_bytes() in the arena
//
// Per tile of m_h x m_w output pixels: the input transform BT (q - zp) B of its alpha_h x alpha_w window (real zero
// outside the image) in int16, alpha_h * alpha_w rows of Cin; per point, one int16 GEMM [tiles x Cin] x [Cin x Cout]
// on weights transformed once at create (gs_h g gs_w^T, int16) into int32 sums; the output transform at M at^T,
// divided exactly by L_h * L_w, is the true sum of products y; then acc = bias + y and the one rule of
// common/quant.h (float multiply, residual, clamp, round to nearest even, zero point), vectorised across
// channels (NHWC), stored at any pixel stride (a concat slice).
//
// The sums wrap modulo 2^32; the division recovers y where |y| * 2^shift < 2^31, which create checks per
// output channel from the weights (255 * sum |w| bounds |y|): a conv whose weights could exceed it is refused
// (kUnsupported) and the GEMM engine takes it.
//
// Threads: blocks of T tiles, each start to end on one core (input transform, every panel's GEMMs and
// output transforms) in that worker's scratch, a contiguous share of the blocks per worker; any thread count
// gives the same bytes.
#pragma once

#include <pthreadpool.h>

#include "common/aligned_buffer.h"
#include "common/kernel.h"
#include "common/quant.h"
#include "conv2d/conv2d.h"
#include "conv2d/conv2d_q8_gemm.h"
#include "conv2d/conv2d_winograd.h"
#include "gemm/gemm_q8.h"

namespace incept::ops {

// Plain data shared with the per-ISA transforms.
struct WinogradQ8Geometry {
  int32_t in_h = 0, in_w = 0, cin = 0;
  int32_t out_h = 0, out_w = 0;
  int32_t pad_top = 0, pad_left = 0;
  int32_t tiles_h = 0, tiles_w = 0;  // per image
  int32_t v_stride = 0;              // int16 values per transformed input row (Cin rounded up to 16)
  int32_t nr = 0;                    // int32 sums per M row
  int32_t in_zp = 0;                 // the input's zero point
  bool in_signed = false;            // int8 input (else uint8)
};

// The epilogue of one panel's columns: bias and multipliers from its first column, the output's zero point
// and range, and the fused residual (r null: none; uint8 or int8, its zero point and multiplier s_r / s_out).
struct WinogradQ8Epilogue {
  const int32_t* bias = nullptr;
  const float* mult = nullptr;
  int32_t zp = 0, lo = 0, hi = 255;
  const uint8_t* r = nullptr;
  int64_t r_stride = 0;
  bool r_signed = false;
  int32_t r_zp = 0;
  float r_m = 0.0f;
};

// One variant's transforms for one ISA (winograd_q8_transforms.h, instantiated by the ISA tables).
struct WinogradQ8Fns {
  // Tiles [tile0, tile0 + count): transformed row of tile i, point t at v + t * point_stride + i * v_stride
  // (v_stride values, zero past Cin).
  void (*input)(const WinogradQ8Geometry& g, const uint8_t* in, int64_t in_stride, int64_t tile0, int32_t count,
                int16_t* v, int64_t point_stride);
  // Tiles [tile0, tile0 + count) from M (tile i, point t at m + t * point_stride + i * nr) to out (already at
  // the panel's first column), columns [0, cols), by e (its residual at the same pixels; it may be out).
  void (*output)(const WinogradQ8Geometry& g, const int32_t* m, int64_t point_stride, int64_t tile0, int32_t count,
                 uint8_t* out, int64_t out_stride, int32_t cols, const WinogradQ8Epilogue& e);
};

using WinogradQ8FnsOf = const WinogradQ8Fns* (*)(WinogradVariant variant);

// An ISA table's int8 Winograd (IsaTable::winograd_q8): its int16 GEMM and transforms; gemm.run nullptr: none.
struct WinogradQ8Entry {
  Q16GemmUkernel gemm;
  WinogradQ8FnsOf fns = nullptr;
};

struct Conv2DQ8Winograd {
  const Q16GemmUkernel* uk = nullptr;
  const WinogradQ8Fns* fns = nullptr;
  WinogradVariant variant = WinogradVariant::kNone;
  Q8ConvTypes types;
  WinogradQ8Geometry geo;
  int32_t cout = 0, points = 0, panels = 0, k = 0;  // k: Cin rounded up to the GEMM's kr
  int64_t tiles = 0;                                // N * tiles_h * tiles_w
  int32_t block_tiles = 0;                          // T: tiles per block (a multiple of MR)
  int32_t slots = 1;                                // workers with scratch of their own
  size_t point_values = 0;                          // int16 values of one point's packed weights in a panel
  Q8Requant requant;
  AlignedFloats packed;  // panels x points x point_values int16
  AlignedFloats bias;    // panels * NR int32, zero past Cout
  AlignedFloats mult;    // panels * NR floats

  size_t packed_bytes() const { return packed.bytes() + bias.bytes() + mult.bytes(); }
  // Per slot: V [points][T][v_stride] int16, then M [points][T][NR] int32.
  size_t slot_bytes() const {
    return static_cast<size_t>(points) * block_tiles * (geo.v_stride * sizeof(int16_t) + geo.nr * sizeof(int32_t));
  }
  size_t scratch_bytes() const { return static_cast<size_t>(slots) * slot_bytes(); }
};

// Which convs take int8 Winograd, and with which tile (kNone: the GEMM engine). Only stride 1, dilation 1,
// ungrouped 3x3, 1x7 and 7x1 qualify.
WinogradVariant winograd_q8_choice(const Conv2DParams& p, const Shape& in, const Shape& out);

// Transforms and packs q's weights (OHWI) for `variant` on the table entry `e`, and plans blocks and scratch
// for `threads` workers. kUnsupported when the variant does not fit the conv or the weights could overflow
// the exact division (see above); kInternal when memory runs out.
[[nodiscard]] Status conv2d_q8_winograd_create(const WinogradQ8Entry& e, WinogradVariant variant, const Conv2DParams& p,
                                               const Shape& in, const Shape& out, const Q8ConvTypes& types,
                                               const QLinear& q, int threads, Conv2DQ8Winograd* w);

// out = the rule of common/quant.h over conv(in), byte for byte conv2d_q8_ref's (with the fused residual
// where create was given its type). Views may be strided channel slices; the residual may be out's own
// memory; `scratch` holds w.scratch_bytes() (64-byte aligned). Never allocates.
void conv2d_q8_winograd_run(const Conv2DQ8Winograd& w, ConstTensorView<uint8_t> in, TensorView<uint8_t> out,
                            void* scratch, pthreadpool_t pool, ConstTensorView<uint8_t> residual = {});

// The registry kernel on the ISA table of config.kernel: create (kUnsupported when the config turns Winograd
// off, the rule says GEMM or the weights are refused) and run.
[[nodiscard]] Status q8_winograd_kernel_create(const KernelConfig& config, const Conv2DParams& p, KernelPlan* plan);
void q8_winograd_kernel_run(const KernelState* state, const KernelIo& io, pthreadpool_t pool);

}  // namespace incept::ops
