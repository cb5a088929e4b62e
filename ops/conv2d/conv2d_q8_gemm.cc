// SPDX-License-Identifier: Apache-2.0
// Conv2D over 8-bit tensors as implicit GEMM on the int8 micro-kernels: packing, gathering, blocking and the
// threaded driver (baseline code; the micro-kernels are the only per-ISA part). See conv2d_q8_gemm.h.
#include "conv2d/conv2d_q8_gemm.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "common/parallel.h"
#include "common/q8_kernel.h"
#include "conv2d/conv2d_q8_rows.h"
#include "conv2d/q8_row_bytes.h"

namespace incept::ops {
namespace {

using q8_gemm::ceil_div;
using q8_gemm::copied_pointers;
using q8_gemm::copy_row;
using q8_gemm::copy_windows;
using q8_gemm::element_bytes;
using q8_gemm::gather_rows;
using q8_gemm::kMaxMr;
using q8_gemm::kMaxTaps;
using q8_gemm::pack_a;
using q8_gemm::packed_a_bytes;
using q8_gemm::Q8GemmJob;
using q8_gemm::tap_pointers;
using q8_rows::fill;

// Panel by panel: NR int32 bias values (bias_q - a_zero * sum of the column's weights, modulo 2^32), NR
// multipliers, then k / kr groups of NR columns x kr weights (int8, or int16 in the kS16 form), zero past the
// real reduction and columns.
void pack_weights(Conv2DQ8Gemm& g, const QLinear& q) {
  const Q8GemmUkernel& uk = *g.uk;
  const int64_t depth = int64_t{g.taps} * g.cin;
  for (int32_t p = 0; p < g.panels; ++p) {
    int8_t* panel = reinterpret_cast<int8_t*>(g.packed.data()) + static_cast<size_t>(p) * g.panel_bytes;
    const int32_t nr = p == g.panels - 1 && g.last_half ? uk.nr / 2 : uk.nr;  // this panel's width
    auto* bias = reinterpret_cast<int32_t*>(panel);
    auto* mult = reinterpret_cast<float*>(panel + 4 * nr);
    int8_t* w = panel + 8 * nr;
    const int32_t o0 = p * uk.nr, cols = std::min(nr, g.cout - o0);
    const int64_t row = int64_t{g.p.kernel.w} * g.cin;  // a kernel row's weights; its run is row_k long
    const bool wide = q8_weight_bytes(uk) == 2;
    for (int32_t j = 0; j < cols; ++j) {
      const int8_t* src = q.weights + (o0 + j) * depth;
      int64_t sum = 0;
      for (int64_t k = 0; k < depth; ++k) sum += src[k];
      const int64_t b = int64_t{q.bias[o0 + j]} - int64_t{g.a_zero} * sum;
      bias[j] = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(b)));  // wraps, as the sums do
      mult[j] = q.multiplier[o0 + j];
      for (int64_t d = 0; d < depth; ++d) {
        // kernel row d / row starts its run at row_k; a window copy's order is [kx][ky][c] (windows_item)
        const int64_t k =
            g.windows ? (d % row / g.cin * g.p.kernel.h + d / row) * g.cin + d % g.cin : (d / row) * g.row_k + d % row;
        const int64_t at = (k / uk.kr) * nr * uk.kr + j * uk.kr + k % uk.kr;
        if (wide) {
          reinterpret_cast<int16_t*>(w)[at] = src[d];
        } else {
          w[at] = src[d];
        }
      }
    }
  }
}

void run_panels(const Q8GemmJob& job, int64_t block, int64_t s, Q8GemmTile& t);
void run_strip(const Q8GemmJob& job, int64_t block, int64_t s, Q8GemmTile& t);

// The windows mode (a whole-row kernel over a stem: Conv2DQ8Gemm::windows): each half of the strip (16 rows: an
// AMX tile) whose pixels lie in one output row is read where it lies in the copy, its rows stride_w x kh x cin
// bytes apart; a strip with a half across rows has its windows packed.
void windows_item(const Q8GemmJob& job, int64_t block, int64_t s, Q8GemmTile& t, const void** rows) {
  const Conv2DQ8Gemm& g = *job.g;
  const int32_t mr = g.uk->mr, half = mr / 2;
  const size_t column = static_cast<size_t>(g.p.kernel.h) * static_cast<size_t>(g.cin);
  const int64_t per_image = int64_t{g.out_h} * g.out_w;
  auto window = [&](int64_t p) {  // the first byte of output pixel p's window
    const int64_t n = p / per_image, oy = p % per_image / g.out_w, ox = p % g.out_w;
    return job.copy + (static_cast<size_t>(n * g.out_h + oy) * static_cast<size_t>(g.copy_w) +
                       static_cast<size_t>(ox) * static_cast<size_t>(g.p.stride.w)) *
                          column;
  };
  const int64_t p0 = s * mr, p1 = p0 + half;
  rows[0] = window(p0);
  rows[1] = p1 < g.pixels ? window(p1) : rows[0];  // (rows past the last pixel: any real ones)
  const bool direct = p0 % g.out_w + half <= g.out_w && (p1 >= g.pixels || p1 % g.out_w + half <= g.out_w);
  t.taps = 1;
  if (direct) {
    t.a_stride = static_cast<size_t>(g.p.stride.w) * column;
    t.kc = g.k;
    run_panels(job, block, s, t);
    return;
  }
  for (int32_t i = 0; i < mr; ++i) rows[i] = window(std::min<int64_t>(s * mr + i, g.pixels - 1));
  t.kc = static_cast<int32_t>(ceil_div(int64_t{g.p.kernel.w} * static_cast<int64_t>(column), g.uk->kr) * g.uk->kr);
  run_strip(job, block, s, t);
}

// run_panels with A packed first into a buffer of kBytes (a frame of its own: the other paths' stacks do not
// hold it).
template <size_t kBytes>
__attribute__((noinline)) void run_packed(const Q8GemmJob& job, int64_t block, int64_t s, Q8GemmTile& t) {
  alignas(64) uint8_t packed[kBytes + kQ8ReadAhead];
  const void* a[1];
  pack_a(t, *job.g->uk, packed, a);
  run_panels(job, block, s, t);
}

// The panels of block over strip s, A in t (packed first for a packs_a micro-kernel).
void run_strip(const Q8GemmJob& job, int64_t block, int64_t s, Q8GemmTile& t) {
  const Q8GemmUkernel& uk = *job.g->uk;
  if (uk.packs_a && uk.a_row > 0) {
    run_packed<kQ8PackRowBytes>(job, block, s, t);
  } else if (uk.packs_a) {
    run_packed<kQ8PackBytes>(job, block, s, t);
  } else {
    run_panels(job, block, s, t);
  }
}

// A kernel that takes whole rows (a_row > 0) gathers straight into its packed layout (row i at i * the row
// stride, zero past k): one copy, not a gather and a packing (a frame of its own, as run_packed).
__attribute__((noinline)) void run_gathered_packed(const Q8GemmJob& job, int64_t block, int64_t s, Q8GemmTile& t) {
  alignas(64) uint8_t packed[kQ8PackRowBytes + kQ8ReadAhead];
  const void* a[kMaxMr];
  gather_rows(job, s * job.g->uk->mr, job.g->uk->mr, packed, a, q8_a_row_stride(*job.g->uk, job.g->k));
  a[0] = packed;
  t.a = a;
  t.taps = 1;
  t.kc = t.k;
  run_panels(job, block, s, t);
}

// The strip's rows gathered into a buffer on the stack first (a frame of its own, as run_packed).
__attribute__((noinline)) void run_gathered(const Q8GemmJob& job, int64_t block, int64_t s, Q8GemmTile& t,
                                            const void** rows) {
  alignas(64) uint8_t buf[kQ8GatherBytes];
  if (job.g->uk->a_form == Q8AForm::kS16) {
    gather_rows(job, s * job.g->uk->mr, job.g->uk->mr, reinterpret_cast<int16_t*>(buf), rows, job.g->k);
  } else {
    gather_rows(job, s * job.g->uk->mr, job.g->uk->mr, buf, rows, job.g->k);
  }
  t.taps = 1;
  t.kc = job.g->k;
  run_strip(job, block, s, t);
}

// The row-runs mode (a whole-row kernel over a spatial conv read in place: Conv2DQ8Gemm::row_runs): each half of
// the strip (16 rows: an AMX tile) whose pixels lie in one output row, their windows inside the image
// horizontally, reads its window rows where they lie, a run of row_k values per kernel row (the values past
// kw * cin, the next pixels', meet zero weights), its rows stride_w pixels apart; a kernel row above or below
// the image reads g.zeros. Any other half (across output rows, at the image's sides, a channel slice, or a read
// that would pass the tensor's end) is gathered into its own rows, with zero past kw * cin.
__attribute__((noinline)) void row_runs_item(const Q8GemmJob& job, int64_t block, int64_t s, Q8GemmTile& t,
                                             const void** a) {
  alignas(64) uint8_t buf[kQ8PackRowBytes + kQ8ReadAhead];
  const Conv2DQ8Gemm& g = *job.g;
  const Conv2DParams& p = g.p;
  const int32_t half = g.uk->mr / 2, kh = p.kernel.h, kw = p.kernel.w;
  const ptrdiff_t pixel = job.in.pixel_stride, row = static_cast<ptrdiff_t>(g.in_w) * pixel;
  const size_t step = static_cast<size_t>(p.stride.w) * static_cast<size_t>(pixel);
  const uint8_t* const end = job.in.data + static_cast<ptrdiff_t>(g.in_n) * g.in_h * row;
  const int64_t per_image = int64_t{g.out_h} * g.out_w;
  size_t strides[2];
  for (int32_t h = 0; h < 2; ++h) {
    const int64_t p0 = s * g.uk->mr + h * half;
    const int32_t ox = static_cast<int32_t>(p0 % g.out_w);
    const int32_t ix_first = ox * p.stride.w - p.pad.left, ix_last = (ox + half - 1) * p.stride.w - p.pad.left;
    bool direct =
        pixel == g.cin && p0 + half <= g.pixels && ox + half <= g.out_w && ix_first >= 0 && ix_last + kw <= g.in_w;
    if (direct) {
      const int64_t n = p0 / per_image, oy = p0 % per_image / g.out_w;
      const uint8_t* const first = job.in.data + n * g.in_h * row + static_cast<ptrdiff_t>(ix_first) * pixel;
      for (int32_t ky = 0, iy = static_cast<int32_t>(oy) * p.stride.h - p.pad.top; ky < kh && direct;
           ++ky, iy += p.dilation.h) {
        const uint8_t* const at = first + static_cast<ptrdiff_t>(iy) * row;
        const bool inside = iy >= 0 && iy < g.in_h;
        direct = !inside || at + static_cast<ptrdiff_t>((half - 1) * step) + g.row_k <= end;
        a[2 * ky + h] = inside ? static_cast<const void*>(at) : g.zeros.data();
      }
      strides[h] = step;
    }
    if (!direct) {
      uint8_t* const rows = buf + static_cast<size_t>(h) * static_cast<size_t>(half) * static_cast<size_t>(g.k);
      const void* ignored[kMaxMr];
      gather_rows(job, p0, half, rows, ignored, g.k);
      for (int32_t ky = 0; ky < kh; ++ky) a[2 * ky + h] = rows + static_cast<ptrdiff_t>(ky) * g.row_k;
      strides[h] = static_cast<size_t>(g.k);
    }
  }
  t.a = a;
  t.taps = kh;
  t.kc = g.row_k;
  t.a_stride = strides[0];
  t.a_stride1 = strides[1];
  run_panels(job, block, s, t);
}

// Work item = (block of panels, strip of MR output pixels), block-major.
void run_item(void* context, size_t item) {
  const Q8GemmJob& job = *static_cast<const Q8GemmJob*>(context);
  const Conv2DQ8Gemm& g = *job.g;
  const Q8GemmUkernel& uk = *g.uk;
  const int64_t block = static_cast<int64_t>(item) / g.strips, s = static_cast<int64_t>(item) % g.strips;
  const void* rows[kMaxTaps * kMaxMr];
  Q8GemmTile t;
  t.k = g.k;
  t.a = rows;
  // A pointwise conv's full strip read where it lies by a whole-row kernel: its rows are MR input pixels one
  // pixel_stride apart; a row's read of k values stays inside the tensor unless it is the last pixel's (the
  // strip holding it is packed).
  if (g.windows) {
    windows_item(job, block, s, t, rows);
    return;
  }
  if (g.strided && (s + 1) * uk.mr < g.pixels) {
    rows[0] = job.in.data + s * uk.mr * job.in.pixel_stride;
    rows[1] = static_cast<const uint8_t*>(rows[0]) + static_cast<size_t>(uk.mr / 2) * job.in.pixel_stride;
    t.a_stride = static_cast<size_t>(job.in.pixel_stride);
    t.taps = 1;
    t.kc = g.k;
    run_panels(job, block, s, t);
    return;
  }
  if (g.row_runs) {
    row_runs_item(job, block, s, t, rows);
    return;
  }
  if (g.in_place) {
    t.taps = tap_pointers(job, s, rows);
    t.kc = g.strided ? g.cin : g.k / t.taps;  // (a strided conv's k runs past its rows: packed, zero there)
    run_strip(job, block, s, t);
    return;
  }
  if (g.copied) {
    copied_pointers(job, s, rows);
    t.taps = g.p.kernel.h;
    t.kc = g.row_k;
    run_strip(job, block, s, t);
    return;
  }
  if (uk.packs_a && uk.a_row > 0) {
    run_gathered_packed(job, block, s, t);
    return;
  }
  run_gathered(job, block, s, t, rows);
}

// Work items [start, start + count) on one thread, between the micro-kernel's begin and end.
void run_items(void* context, size_t start, size_t count) {
  const Q8GemmUkernel& uk = *static_cast<const Q8GemmJob*>(context)->g->uk;
  if (uk.begin != nullptr) uk.begin();
  for (size_t i = start; i < start + count; ++i) run_item(context, i);
  if (uk.end != nullptr) uk.end();
}

// The panels of `block` over strip s's A (t.a, t.taps, t.kc set).
void run_panels(const Q8GemmJob& job, int64_t block, int64_t s, Q8GemmTile& t) {
  const Conv2DQ8Gemm& g = *job.g;
  const Q8GemmUkernel& uk = *g.uk;
  t.rows = static_cast<int32_t>(std::min<int64_t>(uk.mr, g.pixels - s * uk.mr));
  const int64_t ob = g.requant.f32 ? 4 : 1;  // bytes an output
  t.c_stride = static_cast<size_t>(job.out.pixel_stride * ob);
  t.zp = g.requant.zp, t.lo = g.requant.lo, t.hi = g.requant.hi;
  t.small_m = g.requant.small_m;
  t.f32 = g.requant.f32, t.f_lo = g.requant.f_lo;
  uint8_t* c0 = job.out.data + s * uk.mr * job.out.pixel_stride * ob;
  const uint8_t* r0 = nullptr;
  if (job.residual.data != nullptr) {
    r0 = job.residual.data + s * uk.mr * job.residual.pixel_stride;
    t.r_stride = static_cast<size_t>(job.residual.pixel_stride);
    t.r_signed = g.types.residual == DataType::kQS8;
    t.r_zp = g.requant.r_zp;
    t.r_m = g.requant.r_m;
  }
  const int32_t p_begin = static_cast<int32_t>(block * g.panels_per_block);
  const int32_t p_end = static_cast<int32_t>(std::min<int64_t>(g.panels, (block + 1) * g.panels_per_block));
  int32_t p = p_begin;
  if (uk.panels) {  // the block's full panels in one call
    const int32_t full = p_end - (p_end == g.panels && g.last_half ? 1 : 0);
    if (full > p_begin) {
      t.panels = full - p_begin;
      t.w_stride = g.panel_bytes;
      t.w = reinterpret_cast<const int8_t*>(g.packed.data()) + static_cast<size_t>(p_begin) * g.panel_bytes;
      t.c = c0 + static_cast<int64_t>(p_begin) * uk.nr * ob;
      t.r = r0 == nullptr ? nullptr : r0 + static_cast<int64_t>(p_begin) * uk.nr;
      t.cols = std::min(t.panels * uk.nr, g.cout - p_begin * uk.nr);
      uk.run(t);
      t.panels = 1;
      p = full;
    }
  }
  for (; p < p_end; ++p) {
    t.w = reinterpret_cast<const int8_t*>(g.packed.data()) + static_cast<size_t>(p) * g.panel_bytes;
    t.c = c0 + static_cast<int64_t>(p) * uk.nr * ob;
    t.r = r0 == nullptr ? nullptr : r0 + static_cast<int64_t>(p) * uk.nr;
    t.cols = std::min(uk.nr, g.cout - p * uk.nr);
    (p == g.panels - 1 && g.last_half ? uk.half : uk.run)(t);
  }
}

}  // namespace

Status conv2d_q8_gemm_create(const Q8GemmUkernel& uk, const Conv2DParams& p, const Shape& in, const Shape& out,
                             const Q8ConvTypes& types, const QLinear& q, Conv2DQ8Gemm* g) {
  INCEPT_CHECK(uk.run != nullptr && uk.mr <= kMaxMr && uk.kr > 0, kInternal, "no int8 micro-kernel in this table");
  INCEPT_CHECK(p.groups == 1, kUnsupported, "the int8 GEMM engine takes ungrouped convolutions (groups = %d)",
               p.groups);
  INCEPT_CHECK(types.out != DataType::kF32 || types.residual == DataType::kNone, kUnsupported,
               "a float32 output with a fused residual");
  g->uk = &uk;
  g->p = p;
  g->types = types;
  g->in_n = in[0], g->in_h = in[1], g->in_w = in[2], g->cin = in[3];
  g->out_h = out[1], g->out_w = out[2], g->cout = out[3];
  g->taps = p.kernel.h * p.kernel.w;
  // The kernel's form of the input (gemm_q8.h): kU8 wants unsigned bytes, kS8 signed ones.
  const bool in_signed = types.in == DataType::kQS8;
  const int32_t offset = uk.a_form == Q8AForm::kU8   ? (in_signed ? 128 : 0)
                         : uk.a_form == Q8AForm::kS8 ? (in_signed ? 0 : -128)
                                                     : 0;
  g->a_xor = offset != 0 ? 0x80 : 0;
  g->a_zero = q.in.zero_point + offset;
  g->in_place = uk.a_form != Q8AForm::kS16 && g->a_xor == 0 && g->cin % uk.kr == 0 && g->cin > 0 && g->taps <= kMaxTaps;
  g->copied = !g->in_place && g->cin < 8 && p.kernel.w > 1 && p.dilation.w == 1 && g->taps <= kMaxTaps &&
              int64_t{in[0]} * in[1] * in[2] * g->cin * element_bytes(uk.a_form) <= (int64_t{1} << 30);
  // A whole-row kernel (AMX) reads a stem's windows whole from a copy that interleaves the rows they span:
  // enough values a window to fill its 64-value tiles (Inception-v3's 27 do not: the next table's kernel).
  g->windows = g->copied && uk.packs_a && uk.a_row > 0 && element_bytes(uk.a_form) == 1 &&
               int64_t{p.kernel.h} * p.kernel.w * g->cin >= uk.a_row && g->taps <= kMaxTaps &&
               int64_t{in[0]} * out[1] * (in[2] + p.pad.left + p.pad.right) * p.kernel.h * g->cin <= (int64_t{1} << 30);
  INCEPT_CHECK(g->windows || in[3] >= uk.min_cin, kUnsupported,
               "this micro-kernel takes %d or more input channels (%d here): a lower table's is faster below",
               uk.min_cin, in[3]);
  g->copy_w = g->copied ? g->in_w + p.pad.left + p.pad.right : 0;
  const bool pointwise = g->taps == 1 && p.stride.h == 1 && p.stride.w == 1 && p.pad.top == 0 && p.pad.left == 0 &&
                         p.pad.bottom == 0 && p.pad.right == 0 && out[1] == in[1] && out[2] == in[2];
  g->strided = g->in_place && uk.packs_a && uk.a_row > 0 && pointwise;
  // (Output rows narrower than a strip hold few whole halves: Inception's 17 x 17 layers ran slower this way.)
  g->row_runs = g->in_place && uk.packs_a && uk.a_row > 0 && g->taps > 1 && p.dilation.w == 1 && out[2] >= uk.mr;
  const int64_t row_values = int64_t{p.kernel.w} * g->cin;
  g->row_k = static_cast<int32_t>(g->copied     ? ceil_div(row_values, uk.kr) * uk.kr
                                  : g->row_runs ? ceil_div(row_values, uk.a_row) * uk.a_row
                                                : row_values);
  // rows read in place a_row values at a time
  const int32_t k_step = g->strided || g->windows || g->row_runs ? uk.a_row : uk.kr;
  const int64_t k =
      ceil_div(g->windows ? int64_t{p.kernel.h} * p.kernel.w * g->cin : int64_t{p.kernel.h} * g->row_k, k_step) *
      k_step;
  INCEPT_CHECK(k <= INT32_MAX, kUnsupported, "a reduction of %lld", static_cast<long long>(k));
  g->k = static_cast<int32_t>(k);
  g->pixels = int64_t{out[0]} * out[1] * out[2];
  g->geometry = {g->pixels, g->out_h, g->out_w, p.stride, p.pad};
  g->strips = ceil_div(g->pixels, uk.mr);
  g->panels = static_cast<int32_t>(ceil_div(g->cout, uk.nr));
  g->panel_bytes = q8_panel_bytes(uk, k);

  g->last_half = uk.half != nullptr && g->cout - (g->panels - 1) * uk.nr <= uk.nr / 2;
  INCEPT_CHECK(g->in_place || (uk.packs_a && uk.a_row > 0) ||
                   static_cast<size_t>(k) * static_cast<size_t>(uk.mr) * element_bytes(uk.a_form) <= kQ8GatherBytes,
               kUnsupported, "the int8 GEMM engine gathers at most %zu bytes a strip (%d taps x %d channels)",
               kQ8GatherBytes, g->taps, g->cin);
  const size_t pack_limit = uk.a_row > 0 ? kQ8PackRowBytes : kQ8PackBytes;
  INCEPT_CHECK(!uk.packs_a || packed_a_bytes(uk, k) <= pack_limit, kUnsupported,
               "the int8 GEMM engine packs at most %zu bytes of A a strip (%d taps x %d channels)", pack_limit, g->taps,
               g->cin);

  g->requant = q8_requant_of(types, p.activation, q);
  // (With a residual: |float(acc) * m| < 2^30 and |float(q_r - zp_r) * r_m| < 2^28, so their sum stays in int32.)
  const bool residual = types.residual != DataType::kNone;
  const float m_bound = residual ? 0.5f : 1.0f;
  g->requant.small_m = !g->requant.f32 && (!residual || g->requant.r_m < 1048576.0f);
  for (int32_t o = 0; o < g->cout; ++o) g->requant.small_m = g->requant.small_m && q.multiplier[o] < m_bound;

  const size_t per_block = std::max<size_t>(1, cpu_caches().l2 / 2 / g->panel_bytes);
  g->blocks = static_cast<int32_t>(ceil_div(g->panels, static_cast<int64_t>(std::min<size_t>(per_block, g->panels))));
  g->panels_per_block = static_cast<int32_t>(ceil_div(g->panels, g->blocks));
  const size_t bytes = g->panel_bytes * static_cast<size_t>(g->panels);
  // A row of real zero; the row-runs mode's half of 16 rows over a kernel row outside the image reads it whole.
  const size_t zero_values =
      static_cast<size_t>(g->row_k) +
      (g->row_runs ? static_cast<size_t>(uk.mr / 2 - 1) * static_cast<size_t>(p.stride.w) * static_cast<size_t>(g->cin)
                   : 0);
  const size_t elem = static_cast<size_t>(element_bytes(uk.a_form));
  INCEPT_CHECK(g->packed.allocate((bytes + q8_weight_slack(uk) + 3) / sizeof(float)) &&
                   g->zeros.allocate((zero_values * elem + 3) / 4),
               kInternal, "out of memory packing %zu bytes of int8 weights", bytes);
  if (elem == 2) {
    fill(reinterpret_cast<int16_t*>(g->zeros.data()), static_cast<int64_t>(zero_values),
         static_cast<int16_t>(g->a_zero));
  } else {
    std::memset(g->zeros.data(), static_cast<uint8_t>(g->a_zero), zero_values);
  }
  pack_weights(*g, q);
  return Status::ok();
}

namespace {

struct Q8GemmState : KernelState {
  Conv2DQ8Gemm g;
};

}  // namespace

Status q8_gemm_kernel_create(const Q8GemmUkernel& uk, const KernelConfig& c, const Conv2DParams& p, const Shape& in,
                             const Shape& out, int64_t k, int32_t cout, KernelPlan* plan) {
  std::vector<int32_t> bias;
  std::vector<float> multiplier;
  QLinear q;
  INCEPT_RETURN_IF_ERROR(q8_linear_config(c, p.activation, k, cout, &bias, &multiplier, &q));
  const Q8ConvTypes types{c.input_types[0], c.output_type, c.residual_stride > 0 ? c.residual_type : DataType::kNone};
  auto s = std::make_unique<Q8GemmState>();
  INCEPT_RETURN_IF_ERROR(conv2d_q8_gemm_create(uk, p, in, out, types, q, &s->g));
  plan->packed_bytes = s->g.packed_bytes();
  plan->scratch_bytes = s->g.scratch_bytes();
  plan->reads_constants = false;  // packed
  plan->state = std::move(s);
  return Status::ok();
}

void q8_gemm_kernel_run(const KernelState* state, const KernelIo& io, pthreadpool_t pool) {
  conv2d_q8_gemm_run(static_cast<const Q8GemmState*>(state)->g, view_as<uint8_t>(io.inputs[0]),
                     view_as<uint8_t>(io.out), io.scratch, pool, view_as<uint8_t>(io.residual));
}

size_t Conv2DQ8Gemm::scratch_bytes() const {
  if (windows)  // the interleaved rows, and a tile row's slack past the last window
    return static_cast<size_t>(in_n) * static_cast<size_t>(out_h) * static_cast<size_t>(copy_w) *
               static_cast<size_t>(p.kernel.h) * static_cast<size_t>(cin) +
           static_cast<size_t>(uk->a_row);
  if (!copied) return 0;
  const size_t values =
      static_cast<size_t>(in_n) * static_cast<size_t>(in_h) * static_cast<size_t>(copy_w) * static_cast<size_t>(cin);
  return (values + static_cast<size_t>(uk->kr)) * static_cast<size_t>(element_bytes(uk->a_form));
}

void conv2d_q8_gemm_run(const Conv2DQ8Gemm& g, ConstTensorView<uint8_t> in, TensorView<uint8_t> out, void* scratch,
                        pthreadpool_t pool, ConstTensorView<uint8_t> residual) {
  Q8GemmJob job{&g, in, out, residual};
  if (g.windows) {
    job.copy = static_cast<uint8_t*>(scratch);
    parallel_for(pool, copy_windows, &job, static_cast<size_t>(g.in_n) * static_cast<size_t>(g.out_h));
    std::memset(job.copy + g.scratch_bytes() - static_cast<size_t>(g.uk->a_row), 0, static_cast<size_t>(g.uk->a_row));
  } else if (g.copied) {  // the input in the kernel's form, and the slack its last window row reads past
    job.copy = static_cast<uint8_t*>(scratch);
    parallel_for(pool, copy_row, &job, static_cast<size_t>(g.in_n) * static_cast<size_t>(g.in_h));
    const size_t elem = static_cast<size_t>(element_bytes(g.uk->a_form));
    std::memset(job.copy + g.scratch_bytes() - static_cast<size_t>(g.uk->kr) * elem, 0,
                static_cast<size_t>(g.uk->kr) * elem);
  }
  const size_t items = static_cast<size_t>(g.blocks) * static_cast<size_t>(g.strips);
  const size_t threads = pool != nullptr ? pthreadpool_get_threads_count(pool) : 1;
  parallel_for_tiles(pool, run_items, &job, items, std::max<size_t>(1, items / (4 * threads)));
}

}  // namespace incept::ops
