// SPDX-License-Identifier: Apache-2.0
// Conv2D as implicit GEMM on the engine's micro-kernels: weight packing, blocking and the threaded
// driver (baseline code; the micro-kernels are the only per-ISA part). See conv2d_gemm.h.
#include "conv2d/conv2d_gemm.h"

#include <algorithm>
#include <cmath>

#include "common/parallel.h"
#include "conv2d/strip_walk.h"

namespace incept::ops {
namespace {

constexpr int32_t kMaxTaps = 64;  // 8x8 windows; the family's largest is GoogLeNet's 7x7 stem
constexpr int32_t kMaxMr = 16;
// im2col: for convs with fewer input channels than this, when a strip's rows fit the stack buffer.
constexpr int32_t kIm2colMaxChannels = 64;
constexpr int32_t kIm2colMaxFloats = 4096;  // 16 KiB on the worker's stack

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Writes panel by panel: NR bias values, then for each tap and input channel NR weights (OHWI source:
// output channel o, tap t, channel ci at (o * taps + t) * cin + ci). Columns past Cout stay zero.
void pack_weights(Conv2DGemm& g, const float* weights, const float* bias) {
  const int32_t nr = g.uk->nr;
  for (int32_t p = 0; p < g.panels; ++p) {
    const int32_t width = p == g.panels - 1 && g.last_half ? nr / 2 : nr;
    const int32_t o0 = p * nr, cols = std::min(width, g.cout - o0);
    float* dst = g.packed.data() + static_cast<size_t>(p) * g.panel_floats;
    for (int32_t j = 0; j < cols; ++j) dst[j] = bias != nullptr ? bias[o0 + j] : 0.0f;
    dst += width;
    for (int32_t t = 0; t < g.taps; ++t) {
      for (int32_t ci = 0; ci < g.cin; ++ci, dst += width) {
        const float* src = weights + (static_cast<int64_t>(o0) * g.taps + t) * g.cin + ci;
        for (int32_t j = 0; j < cols; ++j) dst[j] = src[static_cast<int64_t>(j) * g.taps * g.cin];
      }
    }
  }
}

struct Job {
  const Conv2DGemm* g;
  ConstTensorView<float> in;
  TensorView<float> out;
  float min;
  bool window_rows;  // each window row's taps are adjacent in memory (dense channels, no dilation across)
  ConstTensorView<float> residual;  // data null: none
};

// Short runs (a few channels, a window row) are copied and zeroed in loops the compiler vectorises:
// library calls would cost more than the copies.
inline void copy_floats(float* dst, const float* src, int64_t n) {
  for (int64_t j = 0; j < n; ++j) dst[j] = src[j];
}
inline void zero_floats(float* dst, int64_t n) {
  for (int64_t j = 0; j < n; ++j) dst[j] = 0.0f;
}

// Window rows as taps: ptrs[ky * MR + i] is the first input pixel of pixel i's window row ky (kw * cin
// adjacent floats), or the zero row above and below the image. A window row that crosses the left or
// right edge is gathered, zeros and all, into its slot of `gathered` (MR * kh * kw * cin floats) when
// there is one; without it the strip cannot run this way and the answer is false.
bool strip_window_rows(const Job& job, int64_t s, float* gathered, const float** ptrs) {
  const Conv2DGemm& g = *job.g;
  const Conv2DParams& p = g.p;
  const int32_t mr = g.uk->mr;
  StripWalk walk(g.geometry, s * mr);
  for (int32_t i = 0; i < mr; ++i, walk.next()) {
    const int32_t n = walk.n(), iy0 = walk.iy0(), ix0 = walk.ix0();
    const int32_t kw = p.kernel.w, cin = g.cin;
    const bool inside = ix0 >= 0 && ix0 + kw <= g.in_w;
    if (!inside && gathered == nullptr) return false;
    const int32_t lo = std::clamp(-ix0, 0, kw), hi = std::clamp(g.in_w - ix0, lo, kw);  // in-image taps
    for (int32_t ky = 0; ky < p.kernel.h; ++ky) {
      const int32_t iy = iy0 + ky * p.dilation.h;
      if (iy < 0 || iy >= g.in_h) {
        ptrs[ky * mr + i] = g.zeros.data();
      } else if (inside) {
        ptrs[ky * mr + i] = job.in.pixel(n, iy, ix0);
      } else {
        float* row = gathered + (int64_t{i} * p.kernel.h + ky) * kw * cin;
        zero_floats(row, int64_t{lo} * cin);
        if (hi > lo) copy_floats(row + lo * cin, job.in.pixel(n, iy, ix0 + lo), int64_t{hi - lo} * cin);
        zero_floats(row + hi * cin, int64_t{kw - hi} * cin);
        ptrs[ky * mr + i] = row;
      }
    }
  }
  return true;
}

// Row pointers of strip s for every tap: ptrs[t * MR + i] is the input pixel (or the zero row) that
// tap t of output pixel s * MR + i reads. Rows past the last pixel repeat it (computed, not stored).
void strip_pointers(const Job& job, int64_t s, const float** ptrs) {
  const Conv2DGemm& g = *job.g;
  const Conv2DParams& p = g.p;
  const int32_t mr = g.uk->mr;
  const bool pointwise = g.taps == 1 && p.stride.h == 1 && p.stride.w == 1 && p.pad.top == 0 && p.pad.left == 0;
  if (pointwise) {  // same grid in and out: output pixel pix reads input pixel pix
    for (int32_t i = 0; i < mr; ++i) ptrs[i] = job.in.data + std::min(s * mr + i, g.pixels - 1) * job.in.pixel_stride;
    return;
  }
  StripWalk walk(g.geometry, s * mr);
  for (int32_t i = 0; i < mr; ++i, walk.next()) {
    const int32_t n = walk.n(), iy0 = walk.iy0(), ix0 = walk.ix0();
    for (int32_t ky = 0; ky < p.kernel.h; ++ky) {
      const int32_t iy = iy0 + ky * p.dilation.h;
      for (int32_t kx = 0; kx < p.kernel.w; ++kx) {
        const int32_t ix = ix0 + kx * p.dilation.w;
        const bool inside = iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w;
        ptrs[(ky * p.kernel.w + kx) * mr + i] = inside ? job.in.pixel(n, iy, ix) : g.zeros.data();
      }
    }
  }
}

// Gathers strip s's MR rows of A into `rows` (row i at rows + i * taps * cin, in the packed weights' tap,
// channel order, zeros for padding) and points ptrs[i] at them. Rows past the last pixel repeat it. A
// window row whose in-image taps are contiguous (dense channels, no dilation across) is one copy.
void strip_rows(const Job& job, int64_t s, float* rows, const float** ptrs) {
  const Conv2DGemm& g = *job.g;
  const Conv2DParams& p = g.p;
  const int32_t mr = g.uk->mr, cin = g.cin, kw = p.kernel.w;
  const int64_t depth = int64_t{g.taps} * cin;
  const bool contiguous = job.in.pixel_stride == cin && p.dilation.w == 1;
  StripWalk walk(g.geometry, s * mr);
  for (int32_t i = 0; i < mr; ++i, walk.next()) {
    const int32_t n = walk.n(), iy0 = walk.iy0(), ix0 = walk.ix0();
    float* row = rows + i * depth;
    ptrs[i] = row;
    for (int32_t ky = 0; ky < p.kernel.h; ++ky, row += int64_t{kw} * cin) {
      const int32_t iy = iy0 + ky * p.dilation.h;
      if (iy < 0 || iy >= g.in_h) {
        zero_floats(row, int64_t{kw} * cin);
        continue;
      }
      if (contiguous) {  // taps [lo, hi) are inside the image and adjacent in memory
        const int32_t lo = std::clamp(-ix0, 0, kw), hi = std::clamp(g.in_w - ix0, lo, kw);
        zero_floats(row, int64_t{lo} * cin);
        if (hi > lo) copy_floats(row + lo * cin, job.in.pixel(n, iy, ix0 + lo), int64_t{hi - lo} * cin);
        zero_floats(row + hi * cin, int64_t{kw - hi} * cin);
        continue;
      }
      for (int32_t kx = 0; kx < kw; ++kx) {
        const int32_t ix = ix0 + kx * p.dilation.w;
        if (ix >= 0 && ix < g.in_w) {
          copy_floats(row + kx * cin, job.in.pixel(n, iy, ix), cin);
        } else {
          zero_floats(row + kx * cin, cin);
        }
      }
    }
  }
}

// Strip s of `block` prefetches its share of the next block's packed weights (lines split evenly over the
// block's strips, and each strip's share over its panels), so the next block's first strip does not wait
// on memory for all of them. Nothing after the last block.
LineRun next_block_share(const Conv2DGemm& g, int64_t block, int64_t s) {
  if (block + 1 >= g.blocks) return {};
  const int64_t p0 = (block + 1) * g.panels_per_block;
  const int64_t p1 = std::min<int64_t>(g.panels, p0 + g.panels_per_block);
  const LineRun next{g.packed.data() + static_cast<size_t>(p0) * g.panel_floats,
                     (p1 - p0) * static_cast<int64_t>(g.panel_floats) / 16};  // panels are whole lines
  return line_slice(next, s, g.strips);
}

// Work item = (block of panels, strip of MR output pixels), block-major.
void run_item(void* context, size_t item) {
  const Job& job = *static_cast<const Job*>(context);
  const Conv2DGemm& g = *job.g;
  const GemmUkernel& uk = *g.uk;
  const int64_t block = static_cast<int64_t>(item) / g.strips, s = static_cast<int64_t>(item) % g.strips;
  const float* ptrs[kMaxTaps * kMaxMr];
  alignas(64) float rows[kIm2colMaxFloats];
  GemmTile tile;
  if (job.window_rows && strip_window_rows(job, s, g.gather_fits ? rows : nullptr, ptrs)) {
    tile.kc = g.p.kernel.w * g.cin;
    tile.taps = g.p.kernel.h;
  } else if (g.im2col) {
    strip_rows(job, s, rows, ptrs);
    tile.kc = g.taps * g.cin;
    tile.taps = 1;
  } else {
    strip_pointers(job, s, ptrs);
    tile.kc = g.cin;
    tile.taps = g.taps;
  }
  tile.rows = static_cast<int32_t>(std::min<int64_t>(uk.mr, g.pixels - s * uk.mr));
  tile.a = ptrs;
  tile.c_stride = static_cast<size_t>(job.out.pixel_stride);
  tile.min = job.min;
  float* row0 = job.out.data + s * uk.mr * job.out.pixel_stride;
  const float* r0 = job.residual.data == nullptr ? nullptr : job.residual.data + s * uk.mr * job.residual.pixel_stride;
  tile.r_stride = static_cast<size_t>(job.residual.pixel_stride);
  const bool single_row = tile.rows == 1 && tile.taps == 1;  // the 1-row kernel reads a[0] only
  const int32_t p_begin = static_cast<int32_t>(block * g.panels_per_block);
  const int32_t p_end = static_cast<int32_t>(std::min<int64_t>(g.panels, (block + 1) * g.panels_per_block));
  const LineRun next = next_block_share(g, block, s);
  for (int32_t p = p_begin; p < p_end; ++p) {
    tile.w = g.packed.data() + static_cast<size_t>(p) * g.panel_floats;
    gemm_prefetch(tile, line_slice(next, p - p_begin, p_end - p_begin));
    tile.c = row0 + static_cast<int64_t>(p) * uk.nr;
    tile.r = r0 == nullptr ? nullptr : r0 + static_cast<int64_t>(p) * uk.nr;
    tile.cols = std::min(uk.nr, g.cout - p * uk.nr);
    const bool half = p == g.panels - 1 && g.last_half;
    (half ? uk.half : single_row ? uk.single : uk.full)(tile);
  }
}

}  // namespace

Status conv2d_f32_gemm_create(const GemmUkernel& uk, const Conv2DParams& p, const Shape& in, const Shape& out,
                              const float* weights, const float* bias, Conv2DGemm* g) {
  INCEPT_CHECK(p.groups == 1, kUnsupported, "the GEMM engine takes ungrouped convolutions (groups = %d)", p.groups);
  const int64_t taps = int64_t{p.kernel.h} * p.kernel.w;
  INCEPT_CHECK(taps <= kMaxTaps, kUnsupported, "the GEMM engine takes windows of at most %d taps (%dx%d)", kMaxTaps,
               p.kernel.h, p.kernel.w);
  INCEPT_CHECK(uk.mr <= kMaxMr && uk.nr % 2 == 0, kInternal, "micro-kernel %dx%d is outside the driver's range", uk.mr,
               uk.nr);
  g->uk = &uk;
  g->p = p;
  g->in_h = in[1], g->in_w = in[2], g->cin = in[3];
  g->out_h = out[1], g->out_w = out[2], g->cout = out[3];
  g->taps = static_cast<int32_t>(taps);
  g->pixels = int64_t{out[0]} * out[1] * out[2];
  g->geometry = {g->pixels, g->out_h, g->out_w, p.stride, p.pad};
  g->strips = ceil_div(g->pixels, uk.mr);
  g->panels = static_cast<int32_t>(ceil_div(g->cout, uk.nr));
  g->last_half = g->cout - (g->panels - 1) * uk.nr <= uk.nr / 2;
  const size_t depth = static_cast<size_t>(taps) * static_cast<size_t>(g->cin);
  g->gather_fits = static_cast<size_t>(uk.mr) * depth <= kIm2colMaxFloats;
  g->im2col = taps > 1 && g->cin < kIm2colMaxChannels && g->gather_fits;
  g->panel_floats = (static_cast<size_t>(uk.nr) * (depth + 1) + 15) / 16 * 16;
  // Blocks of panels whose weights fill at most half of one core's L2 (at least one panel), evened out.
  const size_t per_block = std::max<size_t>(1, cpu_caches().l2 / 2 / (g->panel_floats * sizeof(float)));
  g->blocks = static_cast<int32_t>(ceil_div(g->panels, static_cast<int64_t>(std::min<size_t>(per_block, g->panels))));
  g->panels_per_block = static_cast<int32_t>(ceil_div(g->panels, g->blocks));
  INCEPT_CHECK(g->packed.allocate(g->panel_floats * static_cast<size_t>(g->panels)) &&
                   g->zeros.allocate(static_cast<size_t>(p.kernel.w) * static_cast<size_t>(g->cin)),
               kInternal, "out of memory packing %zu bytes of conv weights",
               g->panel_floats * static_cast<size_t>(g->panels) * sizeof(float));
  pack_weights(*g, weights, bias);
  return Status::ok();
}

namespace {

struct GemmState : KernelState {
  Conv2DGemm g;
};

}  // namespace

Status gemm_kernel_create(const GemmUkernel& uk, const Conv2DParams& p, const Shape& in, const Shape& out,
                          const float* weights, const float* bias, KernelPlan* plan) {
  auto s = std::make_unique<GemmState>();
  INCEPT_RETURN_IF_ERROR(conv2d_f32_gemm_create(uk, p, in, out, weights, bias, &s->g));
  plan->packed_bytes = s->g.packed_bytes();
  plan->reads_constants = false;  // packed
  plan->state = std::move(s);
  return Status::ok();
}

void gemm_kernel_run(const KernelState* state, const KernelIo& io, pthreadpool_t pool) {
  conv2d_f32_gemm_run(static_cast<const GemmState*>(state)->g, io.inputs[0], io.out, pool, io.residual);
}

void conv2d_f32_gemm_run(const Conv2DGemm& g, ConstTensorView<float> in, TensorView<float> out, pthreadpool_t pool,
                         ConstTensorView<float> residual) {
  const bool window_rows = g.p.kernel.w > 1 && g.p.dilation.w == 1 && in.pixel_stride == g.cin;
  Job job{&g, in, out, g.p.activation == Activation::kRelu ? 0.0f : -INFINITY, window_rows, residual};
  parallel_for(pool, run_item, &job, static_cast<size_t>(g.blocks) * static_cast<size_t>(g.strips));
}

}  // namespace incept::ops
