// SPDX-License-Identifier: Apache-2.0
// Conv2D by Winograd on the GEMM engine's micro-kernels: 3x3 stride 1 as F(4x4,3x3) or F(2x2,3x3), and
// the factorised 1x7 / 7x1 as F(2,7) and 1x3 / 3x1 as F(4,3) along one axis (winograd_axes.h).
//
//   Conv2DWinograd w;
//   const IsaTable& t = *isa_table(Isa::kAvx2Fma);
//   INCEPT_RETURN_IF_ERROR(conv2d_f32_winograd_create(t.gemm_f32, t.winograd_f32, variant, p, in, out, weights,
//                                                     bias, threads, &w));
//   conv2d_f32_winograd_run(w, in, out, scratch, pool);   // scratch: w.scratch_bytes() in the arena
//
// The output is cut into tiles of m_h x m_w pixels; each reads an alpha_h x alpha_w input window (zeros
// outside the image). Per tile, the input transform BT d B turns the window's Cin-channel pixels into
// P = alpha_h * alpha_w transformed rows; then, for each point, one GEMM [tiles x Cin] x [Cin x Cout]
// on weights transformed once at prepare (G g GT, packed in the engine's NR-wide panels, every point of
// one column panel together; the GEMMs of a panel prefetch the next one's into L2); then the
// output transform AT M A of each tile's P rows gives its m_h x m_w pixels, plus bias, ReLU, stored at
// any pixel stride (a concat slice). Everything is vectorised across channels (NHWC).
//
// Where there are enough tiles (four strips of MR per thread), each worker takes blocks of T tiles and runs
// each start to end in its own scratch: input transform into V [point][tile][Cin], then per NR-column
// panel the P GEMMs into M [point][tile][NR] and the output transform of those tiles and columns; the
// transformed inputs never leave that core's L2. With few tiles (small maps) the work splits in two
// phases instead: phase 1 transforms every tile's inputs (threads split them by tile groups), phase 2 hands
// out (panel, block) items, panel-major, so every thread has work. Results never depend on the thread count or the mode
// (every output is computed by the same calls whoever runs them).
//
// Which layers take Winograd, and with which tile, is winograd_choice(): a fixed rule from measurements
// (see the function). Turned off with InterpreterOptions::winograd = false (KernelConfig::winograd):
// transformed 3x3 weights take alpha^2 / 9 times the bytes (4x for F(4x4,3x3)).
#pragma once

#include <pthreadpool.h>

#include "common/aligned_buffer.h"
#include "common/kernel.h"
#include "conv2d/conv2d.h"
#include "gemm/gemm.h"

namespace incept::ops {

enum class WinogradVariant : uint8_t {
  kNone = 0,
  kF2x2K3x3,  // 3x3: F(2x2,3x3), alpha 4x4
  kF4x4K3x3,  // 3x3: F(4x4,3x3), alpha 6x6
  kF1x2K1x7,  // 1x7: F(2,7) along the width, alpha 1x8
  kF2x1K7x1,  // 7x1: F(2,7) along the height, alpha 8x1
  kF1x4K1x3,  // 1x3: F(4,3) along the width, alpha 1x6
  kF4x1K3x1,  // 3x1: F(4,3) along the height, alpha 6x1
};
// "f4x4k3x3", ... as kernel names spell it ("" for kNone).
const char* winograd_variant_name(WinogradVariant v);

// Plain data shared with the per-ISA transforms (no member functions: nothing inline is compiled twice).
struct WinogradGeometry {
  int32_t in_h = 0, in_w = 0, cin = 0;
  int32_t out_h = 0, out_w = 0;
  int32_t pad_top = 0, pad_left = 0;
  int32_t tiles_h = 0, tiles_w = 0;  // per image
  int32_t v_stride = 0;              // floats per transformed input row (Cin rounded up to 16)
  int32_t nr = 0;                    // the micro-kernel's NR: floats per M row
  const float* zeros = nullptr;      // Cin zeros: what window pixels outside the image read
};

// One variant's transforms for one ISA (winograd_transforms.h, instantiated by the ISA tables in ops/isa/).
struct WinogradFns {
  // Tiles [tile0, tile0 + count): transformed input row of tile i, point t at v + t * point_stride + i * v_stride.
  void (*input)(const WinogradGeometry& g, const float* in, int64_t in_stride, int64_t tile0, int32_t count, float* v,
                int64_t point_stride);
  // Tiles [tile0, tile0 + count) from M (tile i, point t at m + t * point_stride + i * nr, nr columns) to
  // out (already offset to the panel's first column), columns [0, cols): max(min, (AT M A + bias) + r) with
  // bias nr floats and r the residual at the same pixels and columns (r_stride floats a pixel; it may be
  // out itself), or no residual when r is null.
  void (*output)(const WinogradGeometry& g, const float* m, int64_t point_stride, const float* bias, int64_t tile0,
                 int32_t count, float* out, int64_t out_stride, const float* r, int64_t r_stride, int32_t cols,
                 float min);
};

// An ISA's transforms of every variant (IsaTable::winograd_f32): nullptr for kNone.
using WinogradFnsOf = const WinogradFns* (*)(WinogradVariant variant);

struct Conv2DWinograd {
  const GemmUkernel* uk = nullptr;
  const WinogradFns* fns = nullptr;
  WinogradVariant variant = WinogradVariant::kNone;
  Conv2DParams p;
  WinogradGeometry geo;
  int32_t cout = 0, points = 0, panels = 0;
  int64_t tiles = 0;        // N * tiles_h * tiles_w
  int32_t block_tiles = 0;  // T: tiles per phase-2 item (a multiple of MR)
  int32_t chunk_tiles = 0;  // tiles V holds: phase split, all (rounded up to T); tile split, T
  int32_t slots = 1;        // workers with scratch of their own (the thread count)
  bool tile_split = false;  // each block of tiles start to end on one core (see the .cc)
  size_t panel_floats = 0;  // floats from one packed panel to the next
  AlignedFloats packed;     // points * panels panels: [NR zeros][Cin x NR transformed weights]
  AlignedFloats bias;       // panels * NR, zero past Cout
  AlignedFloats zeros;      // Cin zeros

  size_t packed_bytes() const { return packed.bytes() + bias.bytes() + zeros.bytes(); }
  // Scratch: phase split, [V of every tile][M of each slot]; tile split, [V and M of one block] per slot.
  size_t v_floats() const { return tile_split ? 0 : static_cast<size_t>(points) * chunk_tiles * geo.v_stride; }
  size_t slot_floats() const {
    return static_cast<size_t>(points) * block_tiles * (geo.nr + (tile_split ? geo.v_stride : 0));
  }
  size_t scratch_bytes() const { return (v_floats() + static_cast<size_t>(slots) * slot_floats()) * sizeof(float); }
};

// The rule for which conv takes Winograd, and with which tile (kNone: the direct engine), on the
// micro-kernel of `isa`. Only stride 1, dilation 1, ungrouped 3x3, 1x7, 7x1, 1x3, 3x1 qualify.
WinogradVariant winograd_choice(const Conv2DParams& p, const Shape& in, const Shape& out, Isa isa);

// Transforms and packs the weights for `variant` on micro-kernel `uk` with the transforms `fns` (the same
// ISA's) and plans blocks and scratch for `threads` workers. kUnsupported when the variant does not fit
// the conv; kInternal when memory runs out.
[[nodiscard]] Status conv2d_f32_winograd_create(const GemmUkernel& uk, WinogradFnsOf fns, WinogradVariant variant,
                                                const Conv2DParams& p, const Shape& in, const Shape& out,
                                                const float* weights, const float* bias, int threads,
                                                Conv2DWinograd* w);

// out = act(conv(in) + bias), or with a residual (data not null; out's shape, possibly out's own memory)
// act((conv(in) + bias) + residual). `in`, `out` and `residual` may be strided channel slices; `scratch`
// holds w.scratch_bytes(). Never allocates.
void conv2d_f32_winograd_run(const Conv2DWinograd& w, ConstTensorView<float> in, TensorView<float> out, float* scratch,
                             pthreadpool_t pool, ConstTensorView<float> residual = {});

// A Winograd kernel's plan name: its registry name with the variant after "winograd"
// (conv2d_<type>_winograd_<variant>_<tile>_<isa>, the tile of `part` in the config's table). Both the float
// and the int8 engines name their plans so.
void winograd_plan_name(const KernelConfig& config, IsaPart part, WinogradVariant variant, KernelPlan* plan);

// The registry kernel, on the ISA table of config.kernel: create (kUnsupported when the config turns
// Winograd off or the rule says direct) and run.
[[nodiscard]] Status winograd_kernel_create(const KernelConfig& config, KernelPlan* plan);
void winograd_kernel_run(const KernelState* state, const KernelIo& io, pthreadpool_t pool);

}  // namespace incept::ops
