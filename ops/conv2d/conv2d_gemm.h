// SPDX-License-Identifier: Apache-2.0
// Conv2D on the packed-GEMM engine (ops/gemm): our own fast path on every CPU with a micro-kernel.
//
//   Conv2DGemm g;
//   INCEPT_RETURN_IF_ERROR(conv2d_f32_gemm_create(*uk, p, in_shape, out_shape, weights, bias, &g));  // prepare
//   conv2d_f32_gemm_run(g, in, out, pool);                                                // invoke: no heap, no checks
//
// The convolution is one implicit GEMM: C[pixels x Cout] = A[pixels x (taps * Cin)] * W, with A never
// built. Each micro-kernel call takes MR output pixels and, per tap (ky, kx), the MR input pixels that
// tap sees (NHWC rows read in place at any pixel stride, so concat slices are free; padding reads a row
// of zeros). Weights are packed once, at create, into NR-wide panels (bias first, then tap-major,
// channel, column), and the panels are cut into blocks that fit half of one core's L2. Work items are
// (block, strip of MR pixels), block-major: a core keeps its block's weights in L2 while the pixel
// strips stream through, and each strip's rows stay in L1 across the block's panels; meanwhile the
// strips prefetch the next block's weights into L2, a slice each, so only a layer's first block waits on
// memory (packed weights of a whole net are many times L3: in use they come from DRAM). The epilogue
// adds a fused residual (when prepare folded an Add in), applies ReLU and stores only the real columns,
// straight into the output (a channel slice of a concat when it is one).
//
// Fewer, longer taps where the memory allows: when the input's channels are dense (pixel stride = Cin,
// a graph input or a whole tensor) the kw taps of a window row are kw * Cin adjacent floats, so each
// strip whose windows lie inside the image horizontally runs kh taps of kw * Cin channels, reading in
// place; the window rows that cross the left or right edge are gathered, padded with zeros, into a
// small buffer on the worker's stack (when a strip's rows fit it). A sliced input, or rows too long for
// the buffer, fall back: with few input channels (a stem over RGB: 7x7 taps of 3 channels; im2col) the
// strip's MR rows are gathered whole and run as one tap of taps * Cin channels; otherwise tap by tap. The
// packed weights serve all three unchanged, and each output sums its terms in the same order in all
// three, so which one a strip takes never changes a bit. Every output is computed by the same call
// whoever runs it: results are bit-identical for any thread count.
#pragma once

#include <pthreadpool.h>

#include "common/aligned_buffer.h"
#include "common/kernel.h"
#include "conv2d/conv2d.h"
#include "conv2d/strip_walk.h"
#include "gemm/gemm.h"

namespace incept::ops {

struct Conv2DGemm {
  const GemmUkernel* uk = nullptr;
  Conv2DParams p;
  int32_t in_h = 0, in_w = 0, cin = 0;
  int32_t out_h = 0, out_w = 0, cout = 0;
  int32_t taps = 0;
  int64_t pixels = 0, strips = 0;  // output pixels (N * OH * OW); strips of MR of them
  StripGeometry geometry;
  int32_t panels = 0;  // NR-wide column panels (the last one NR / 2 wide when last_half)
  bool last_half = false;
  bool im2col = false;       // gather each strip's rows first (few input channels; see above)
  bool gather_fits = false;  // a strip's MR * taps * cin floats fit the workers' stack buffer
  int32_t panels_per_block = 0, blocks = 0;
  size_t panel_floats = 0;  // floats from one panel to the next (64-byte multiple)
  AlignedFloats packed;     // panels * panel_floats
  AlignedFloats zeros;      // kw * cin zeros: what padding taps (or window rows) read

  size_t packed_bytes() const { return packed.bytes() + zeros.bytes(); }
};

// Packs the weights for micro-kernel `uk` and plans the blocking. kUnsupported when the engine does not
// take this conv (groups > 1, more taps or rows than it indexes); kInternal when memory runs out.
// `in` and `out` are the NHWC shapes (conv2d_infer_shape's), weights OHWI, bias [O] or nullptr.
[[nodiscard]] Status conv2d_f32_gemm_create(const GemmUkernel& uk, const Conv2DParams& p, const Shape& in,
                                            const Shape& out, const float* weights, const float* bias, Conv2DGemm* g);

// The engine as a registry kernel (the native conv2d and fully_connected kernels): create packs for
// micro-kernel `uk` (its ISA table's) and fills `plan`; run is the kernel's run (with KernelIo::residual
// when the conv has one fused: `p` then carries the fused activation).
[[nodiscard]] Status gemm_kernel_create(const GemmUkernel& uk, const Conv2DParams& p, const Shape& in, const Shape& out,
                                        const float* weights, const float* bias, KernelPlan* plan);
void gemm_kernel_run(const KernelState* state, const KernelIo& io, pthreadpool_t pool);

// out = act(conv(in) + bias), conv2d_f32_ref's function; with a residual (data not null, out's shape, any
// pixel stride, possibly out's own memory), out = act((conv(in) + bias) + residual): conv2d_f32_ref then
// add_f32_ref, the same bits. `in`, `out` and `residual` may be strided channel slices. `pool` may be
// nullptr. Never allocates.
void conv2d_f32_gemm_run(const Conv2DGemm& g, ConstTensorView<float> in, TensorView<float> out, pthreadpool_t pool,
                         ConstTensorView<float> residual = {});

}  // namespace incept::ops
