// SPDX-License-Identifier: Apache-2.0
// Conv2D (and fully connected) over 8-bit tensors on the int8 GEMM engine: the same implicit GEMM as the
// float engine (conv2d_gemm.h), C[pixels x Cout] = A[pixels x (taps * Cin)] * W, on an ISA table's int8
// micro-kernel (gemm/gemm_q8.h), writing exactly the bytes of conv2d_q8_ref.
//
//   Conv2DQ8Gemm g;
//   INCEPT_RETURN_IF_ERROR(conv2d_q8_gemm_create(uk, p, in_shape, out_shape, types, q, &g));   // prepare
//   conv2d_q8_gemm_run(g, in, out, scratch, pool);    // invoke; scratch: g.scratch_bytes() in the arena
//
// Weights are packed once into NR-wide panels: the bias with the input's zero point folded in (see
// gemm_q8.h), the requantisation multipliers, then the weights in groups of kr along the reduction. A
// work item is (block of panels, strip of MR output pixels), block-major, blocks sized to half of one
// core's L2, as in the float engine. Each item first gathers its strip's MR rows of A (every tap's channels
// side by side, padding as the input's zero point, in the micro-kernel's form: gemm_q8.h, Q8AForm) into a
// buffer on the worker's stack, then runs the block's panels over them. Where the input's bytes are already
// in the kernel's form (uint8 for VNNI, int8 for the dot product, channels a multiple of kr) nothing is
// gathered: each row's taps are read where they lie (a window row of kw * Cin adjacent bytes when the input's
// channels are dense and the strip's windows lie inside the image horizontally, else tap by tap; padding
// points at a row of real zeros; concat slices included), as the float engine reads its rows.
// A stem (a window over a few channels, RGB: Cin < 8) is read in place too, from a copy of the input in the
// kernel's form that the run makes first (scratch): each window row is a run of kw * Cin values rounded up to
// kr, the extra values reading the next pixel's with zero weights; the copy holds the left and right padding
// columns as real zero, so no strip is gathered. (Gathering a 7x7 stride-2 window over RGB for every output
// cost a quarter of the layer.) For the AMX kernel, whose tiles want 64 values a row, the copy interleaves each
// output row's input rows instead ([ix][ky][c], the windows mode): a window of at least 64 values is one run,
// and 16 pixels of an output row are 16 tile rows a stride apart, read in place (GoogLeNet's 7x7 stem: 0.32
// against the VNNI kernel's 0.57 ms); Inception-v3's 3x3 stems (27 values) stay on the VNNI kernel. Its spatial
// convs read in place (row_runs) give it each half strip's window rows where they lie, a run per kernel row
// rounded up to 64 values, when the half's 16 pixels lie in one output row inside the image horizontally; other
// halves are gathered (row_runs_item).
// Every output is computed by the same call whoever runs it: any thread count gives the same bytes.
#pragma once

#include <pthreadpool.h>

#include <limits>

#include "common/aligned_buffer.h"
#include "common/kernel.h"
#include "common/quant.h"
#include "conv2d/conv2d.h"
#include "conv2d/strip_walk.h"
#include "gemm/gemm_q8.h"

namespace incept::ops {

// The stack buffer a work item gathers its rows into: MR rows of the padded reduction must fit.
constexpr size_t kQ8GatherBytes = 64 * 1024;
// The stack buffer a packs_a micro-kernel's A is packed into (gemm_q8.h), by layout: groups interleaved (the
// NEON dot-product kernel) as much as the gather buffer; whole rows (a_row > 0: the AMX kernel) 160 KiB, so its
// 32 rows of a 3 x 3 window over 512 channels (147 KiB) fit. Each buffer is in a stack frame of its own, so a
// work item takes at most about 180 KiB of a worker's stack with AMX, 145 KiB with the dot product (gathered,
// then packed) and 80 KiB elsewhere.
constexpr size_t kQ8PackBytes = 64 * 1024;
constexpr size_t kQ8PackRowBytes = 160 * 1024;

// The 8-bit types of a conv's tensors (kQU8 or kQS8; residual kNone when no residual is fused). The output may
// be kF32 instead (a classifier's logits: float(acc) * s_in * s_w, the activation applied; no residual).
struct Q8ConvTypes {
  DataType in = DataType::kQU8, out = DataType::kQU8, residual = DataType::kNone;
};

// What an int8 conv engine's epilogue needs of the output and a fused residual (both engines make it once, at
// create): the output's zero point and range (lo raised by a ReLU), the residual's zero point and multiplier
// s_r / s_out (0 without a residual).
struct Q8Requant {
  int32_t zp = 0, lo = 0, hi = 255;
  int32_t r_zp = 0;
  float r_m = 0.0f;
  bool small_m = false;  // every multiplier under 1 (Q8GemmTile::small_m); set by the engine that knows them
  bool f32 = false;      // a float32 output (Q8GemmTile::f32), raised to f_lo
  float f_lo = -std::numeric_limits<float>::infinity();
};
inline Q8Requant q8_requant_of(const Q8ConvTypes& types, Activation activation, const QLinear& q) {
  Q8Requant r;
  r.zp = q.out.zero_point;
  if (types.out == DataType::kF32) {
    r.zp = 0;
    r.f32 = true;
    if (activation == Activation::kRelu) r.f_lo = 0.0f;
  } else if (types.out == DataType::kQS8) {
    r.lo = q8_lower_bound<int8_t>(activation, r.zp), r.hi = QRange<int8_t>::hi;
  } else {
    r.lo = q8_lower_bound<uint8_t>(activation, r.zp), r.hi = QRange<uint8_t>::hi;
  }
  r.r_zp = q.residual.zero_point;
  r.r_m = types.residual != DataType::kNone ? q.residual.scale / q.out.scale : 0.0f;
  return r;
}

struct Conv2DQ8Gemm {
  const Q8GemmUkernel* uk = nullptr;
  Conv2DParams p;
  Q8ConvTypes types;
  int32_t in_n = 0, in_h = 0, in_w = 0, cin = 0;
  int32_t out_h = 0, out_w = 0, cout = 0;
  int32_t taps = 0;
  int32_t k = 0;                   // taps * cin rounded up to the micro-kernel's kr
  int64_t pixels = 0, strips = 0;  // output pixels; strips of MR of them
  StripGeometry geometry;
  int32_t panels = 0, panels_per_block = 0, blocks = 0;
  size_t panel_bytes = 0;
  bool in_place = false;   // A read where it lies, a run per tap or window row (bytes already in the kernel's form)
  bool copied = false;     // a stem: A read in place from the input's copy in the kernel's form (scratch)
  bool windows = false;    // copied, for a whole-row kernel: the copy interleaves each output row's input rows
                           // ([ix][ky][c]), so a window is one run and a tile's 16 pixels are a stride apart
  bool strided = false;    // a pointwise conv for a whole-row kernel (a_row): a full strip's rows are the input's
                           // pixels one pixel_stride apart, read without packing (k rounded up to a_row)
  bool row_runs = false;   // a whole-row kernel over a spatial conv in place: a half strip in one output row reads
                           // its window rows where they lie (runs of row_k), others are gathered (row_runs_item)
  int32_t row_k = 0;       // reduction values per kernel row: kw * cin, rounded up to kr when copied, to a_row
                           // for row_runs
  int32_t copy_w = 0;      // copied: pixels of a row of the copy (the input's and its left and right padding)
  bool last_half = false;  // the last panel is NR / 2 wide, for the half micro-kernel
  uint8_t a_xor = 0;       // what the gather XORs into each byte (0x80: between uint8 and int8)
  int32_t a_zero = 0;      // real zero in the kernel's form: the input's zero point plus the form's offset
  Q8Requant requant;
  AlignedFloats packed;  // panels * panel_bytes bytes
  AlignedFloats zeros;   // a window row of real zero (a_zero) in the kernel's form: what padding taps read in place

  size_t packed_bytes() const { return packed.bytes() + zeros.bytes(); }
  // The copied mode's input copy (N x H x copy_w x Cin values of the kernel's form, plus kr of slack read past
  // the last window row); 0 otherwise.
  size_t scratch_bytes() const;
};

// Packs q's weights (OHWI, or [O, I] as a 1x1 conv) for micro-kernel `uk` and plans the blocking. `q` holds
// the prepared bias and multipliers (q8_linear_prepare) and, with a residual, its quantisation; it is read
// only here. kUnsupported when the engine does not take the conv (groups > 1, rows that do not fit the
// gather buffer); kInternal when memory runs out.
[[nodiscard]] Status conv2d_q8_gemm_create(const Q8GemmUkernel& uk, const Conv2DParams& p, const Shape& in,
                                           const Shape& out, const Q8ConvTypes& types, const QLinear& q,
                                           Conv2DQ8Gemm* g);

// out = the rule of common/quant.h over conv(in), byte for byte conv2d_q8_ref's; with a residual (data not
// null; the type create was given), the fused residual's. Views hold bytes whatever their 8-bit type; any
// may be a strided channel slice, and the residual may be out's own memory. `scratch` holds
// g.scratch_bytes() (64-byte aligned; may be null when that is 0). `pool` may be nullptr. Never allocates.
void conv2d_q8_gemm_run(const Conv2DQ8Gemm& g, ConstTensorView<uint8_t> in, TensorView<uint8_t> out, void* scratch,
                        pthreadpool_t pool, ConstTensorView<uint8_t> residual = {});

// The engine as a registry kernel (the native 8-bit conv2d and fully_connected kernels): create prepares the
// op's bias and multipliers (q8_linear_config; k products per output, cout outputs) and packs for
// micro-kernel `uk`; run is the kernel's run.
[[nodiscard]] Status q8_gemm_kernel_create(const Q8GemmUkernel& uk, const KernelConfig& c, const Conv2DParams& p,
                                           const Shape& in, const Shape& out, int64_t k, int32_t cout,
                                           KernelPlan* plan);
void q8_gemm_kernel_run(const KernelState* state, const KernelIo& io, pthreadpool_t pool);

}  // namespace incept::ops
