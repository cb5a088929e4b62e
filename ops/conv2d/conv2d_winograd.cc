// SPDX-License-Identifier: Apache-2.0
// Conv2D by Winograd: the choice rule, weight transform and packing, blocking and the threaded driver
// (baseline code; the transforms and the micro-kernels are the per-ISA parts). See conv2d_winograd.h.
#include "conv2d/conv2d_winograd.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "common/parallel.h"
#include "conv2d/winograd_axes.h"
#include "isa/isa_table.h"

namespace incept::ops {
namespace {

constexpr int32_t kMaxMr = 16;
constexpr int32_t kInputGroup = 8;  // tiles per phase-1 item

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

struct AxisDesc {
  int32_t m, r, alpha;
  const double* points;
};
template <class A>
AxisDesc desc() {
  return {A::m, A::r, A::alpha, A::points};
}

bool axes_of(WinogradVariant v, AxisDesc* h, AxisDesc* w) {
  switch (v) {
    case WinogradVariant::kF2x2K3x3: *h = *w = desc<WinoAxisF2x3>(); return true;
    case WinogradVariant::kF4x4K3x3: *h = *w = desc<WinoAxisF4x3>(); return true;
    case WinogradVariant::kF1x2K1x7: *h = desc<WinoAxisIdentity>(), *w = desc<WinoAxisF2x7>(); return true;
    case WinogradVariant::kF2x1K7x1: *h = desc<WinoAxisF2x7>(), *w = desc<WinoAxisIdentity>(); return true;
    case WinogradVariant::kF1x4K1x3: *h = desc<WinoAxisIdentity>(), *w = desc<WinoAxisF4x3>(); return true;
    case WinogradVariant::kF4x1K3x1: *h = desc<WinoAxisF4x3>(), *w = desc<WinoAxisIdentity>(); return true;
    case WinogradVariant::kNone: break;
  }
  return false;
}

// U = G_h g G_w^T for every (output, input channel) pair, written into the packed panels: point
// (a, b) of output column o, input channel ci at panel (o / NR * points + point), row ci, column o % NR
// (after the panel's NR zeros of bias). Computed in double, rounded once. Column panel by column panel, so
// a block's GEMMs read the weights front to back.
void pack_weights(Conv2DWinograd& w, const AxisDesc& ah, const AxisDesc& aw, const float* weights, const float* bias) {
  std::vector<double> gh(static_cast<size_t>(ah.alpha) * ah.r), gw(static_cast<size_t>(aw.alpha) * aw.r);
  winograd_filter_matrix(ah.points, ah.m, ah.r, gh.data());
  winograd_filter_matrix(aw.points, aw.m, aw.r, gw.data());
  const int32_t kh = ah.r, kw = aw.r, cin = w.geo.cin, nr = w.geo.nr;
  std::vector<double> tmp(static_cast<size_t>(ah.alpha) * kw);
  for (int32_t o = 0; o < w.cout; ++o) {
    const int32_t panel = o / nr, col = o % nr;
    w.bias.data()[o] = bias != nullptr ? bias[o] : 0.0f;
    for (int32_t ci = 0; ci < cin; ++ci) {
      auto g = [&](int32_t y, int32_t x) { return double{weights[((int64_t{o} * kh + y) * kw + x) * cin + ci]}; };
      for (int32_t a = 0; a < ah.alpha; ++a)
        for (int32_t x = 0; x < kw; ++x) {
          double s = 0.0;
          for (int32_t y = 0; y < kh; ++y) s += gh[a * kh + y] * g(y, x);
          tmp[a * kw + x] = s;
        }
      for (int32_t a = 0; a < ah.alpha; ++a)
        for (int32_t b = 0; b < aw.alpha; ++b) {
          double s = 0.0;
          for (int32_t x = 0; x < kw; ++x) s += tmp[a * kw + x] * gw[b * kw + x];
          const int64_t point = int64_t{a} * aw.alpha + b;
          float* panel_start = w.packed.data() + static_cast<size_t>(panel * w.points + point) * w.panel_floats;
          panel_start[nr + int64_t{ci} * nr + col] = static_cast<float>(s);
        }
    }
  }
}

struct Job {
  const Conv2DWinograd* w;
  ConstTensorView<float> in;
  TensorView<float> out;
  ConstTensorView<float> residual;  // data null: none
  float* v;                         // phase split: every tile's transformed inputs
  float* slots;                     // each worker's scratch (phase split: its M; tile split: its V and M)
  float min;
  int32_t blocks = 0;
  size_t tasks = 1;  // tile split: the slots sharing the blocks
  std::atomic<int64_t> next{0};
};

// Phase 1: item = a group of kInputGroup tiles.
void input_item(void* context, size_t item) {
  Job& job = *static_cast<Job*>(context);
  const Conv2DWinograd& w = *job.w;
  const int64_t t0 = static_cast<int64_t>(item) * kInputGroup;
  const int32_t count = static_cast<int32_t>(std::min<int64_t>(kInputGroup, w.tiles - t0));
  w.fns->input(w.geo, job.in.data, job.in.pixel_stride, t0, count, job.v + t0 * w.geo.v_stride,
               static_cast<int64_t>(w.chunk_tiles) * w.geo.v_stride);
}

// Column panel `panel`'s packed weights, every transform point (the packing is panel-major; panel_floats
// is a whole number of 64-byte lines).
LineRun panel_lines(const Conv2DWinograd& w, int32_t panel) {
  const size_t run = static_cast<size_t>(w.points) * w.panel_floats;
  return {w.packed.data() + static_cast<size_t>(panel) * run, static_cast<int64_t>(run / 16)};
}

// One panel of a block of `count` tiles (the first is tile0): the P GEMMs of transformed inputs v (a tile's
// row of point t at v + t * v_point + i * v_stride) into m, then the output transform into the panel's columns.
// Meanwhile the GEMMs prefetch `next`, the weights the caller runs next, so only a layer's first panel
// waits on memory.
void block_panel(const Job& job, const float* vb, int64_t v_point, int64_t tile0, int32_t count, int32_t panel,
                 float* m, LineRun next) {
  const Conv2DWinograd& w = *job.w;
  const GemmUkernel& uk = *w.uk;
  const int64_t m_point = static_cast<int64_t>(w.block_tiles) * w.geo.nr;
  const float* ptrs[kMaxMr];
  GemmTile tile;
  tile.cols = uk.nr;  // the panels are zero past Cout: M is written whole
  tile.kc = w.geo.cin;
  tile.taps = 1;
  tile.a = ptrs;
  tile.c_stride = static_cast<size_t>(w.geo.nr);
  tile.min = -INFINITY;
  const float* panel_w = panel_lines(w, panel).data;
  const int64_t strips = ceil_div(count, uk.mr), calls = int64_t{w.points} * strips;
  for (int32_t point = 0; point < w.points; ++point) {
    const float* v = vb + point * v_point;
    tile.w = panel_w + static_cast<size_t>(point) * w.panel_floats;
    for (int32_t s = 0; s < count; s += uk.mr) {
      gemm_prefetch(tile, line_slice(next, point * strips + s / uk.mr, calls));
      tile.rows = std::min(uk.mr, count - s);
      for (int32_t i = 0; i < uk.mr; ++i) ptrs[i] = v + int64_t{std::min(s + i, count - 1)} * w.geo.v_stride;
      tile.c = m + point * m_point + int64_t{s} * w.geo.nr;
      (tile.rows == 1 ? uk.single : uk.full)(tile);
    }
  }
  const int32_t col0 = panel * uk.nr;
  const float* r = job.residual.data == nullptr ? nullptr : job.residual.data + col0;
  w.fns->output(w.geo, m, m_point, w.bias.data() + col0, tile0, count, job.out.data + col0, job.out.pixel_stride, r,
                job.residual.pixel_stride, std::min(uk.nr, w.cout - col0), job.min);
}

// Phase 2 item = (panel, block of T tiles), panel-major.
void gemm_item(const Job& job, int64_t item, float* m) {
  const Conv2DWinograd& w = *job.w;
  const int32_t panel = static_cast<int32_t>(item / job.blocks);
  const int64_t t0 = (item % job.blocks) * w.block_tiles;
  const int32_t count = static_cast<int32_t>(std::min<int64_t>(w.block_tiles, w.tiles - t0));
  // The items of one panel share the prefetch of the next panel, a slice each.
  const LineRun next =
      panel + 1 < w.panels ? line_slice(panel_lines(w, panel + 1), item % job.blocks, job.blocks) : LineRun{};
  block_panel(job, job.v + t0 * w.geo.v_stride, static_cast<int64_t>(w.chunk_tiles) * w.geo.v_stride, t0, count, panel,
              m, next);
}

// Tile-split mode, task = a worker's slot ([V of one block][M]): its share of the blocks of T tiles, a
// contiguous run (slot s of n takes blocks [B s / n, B (s + 1) / n)), each start to end on this core (input
// transform, every panel's GEMMs and outputs), so the transformed inputs never leave its L2. Contiguous, as
// pthreadpool hands the direct engine's strips to threads: a core reads the rows the layer before wrote
// from that core, more often than with blocks dealt out as threads come.
void tile_task(void* context, size_t slot) {
  Job& job = *static_cast<Job*>(context);
  const Conv2DWinograd& w = *job.w;
  float* v = job.slots + slot * w.slot_floats();
  float* m = v + static_cast<size_t>(w.points) * w.block_tiles * w.geo.v_stride;
  const int64_t v_point = static_cast<int64_t>(w.block_tiles) * w.geo.v_stride;
  const int64_t blocks = ceil_div(w.tiles, w.block_tiles);
  const int64_t n = static_cast<int64_t>(job.tasks);
  const int64_t first = blocks * static_cast<int64_t>(slot) / n, last = blocks * (static_cast<int64_t>(slot) + 1) / n;
  for (int64_t b = first; b < last; ++b) {
    const int64_t t0 = b * w.block_tiles;
    const int32_t count = static_cast<int32_t>(std::min<int64_t>(w.block_tiles, w.tiles - t0));
    w.fns->input(w.geo, job.in.data, job.in.pixel_stride, t0, count, v, v_point);
    for (int32_t panel = 0; panel < w.panels; ++panel) {  // after the last panel, the next block's first
      const LineRun next = panel + 1 < w.panels ? panel_lines(w, panel + 1)
                           : b + 1 < last       ? panel_lines(w, 0)
                                                : LineRun{};
      block_panel(job, v, v_point, t0, count, panel, m, next);
    }
  }
}

// Phase 2, task = a worker's slot: takes items until none are left. Which slot computes an item does
// not change its result.
void slot_task(void* context, size_t slot) {
  Job& job = *static_cast<Job*>(context);
  const int64_t items = int64_t{job.w->panels} * job.blocks;
  float* m = job.slots + slot * job.w->slot_floats();
  for (;;) {
    const int64_t item = job.next.fetch_add(1, std::memory_order_relaxed);
    if (item >= items) return;
    gemm_item(job, item, m);
  }
}

}  // namespace

const char* winograd_variant_name(WinogradVariant v) {
  switch (v) {
    case WinogradVariant::kF2x2K3x3: return "f2x2k3x3";
    case WinogradVariant::kF4x4K3x3: return "f4x4k3x3";
    case WinogradVariant::kF1x2K1x7: return "f1x2k1x7";
    case WinogradVariant::kF2x1K7x1: return "f2x1k7x1";
    case WinogradVariant::kF1x4K1x3: return "f1x4k1x3";
    case WinogradVariant::kF4x1K3x1: return "f4x1k3x1";
    case WinogradVariant::kNone: break;
  }
  return "";
}

// The rule, from incept-bench --profile of the four nets with Winograd everywhere it can run, each tile
// size, and direct (AVX-512, one thread; in-network times, so the weights stream from memory as they do in
// use: bench/winograd_rule.py, tables in ops/README.md):
//   3x3 on maps of 25 and more: F(4x4,3x3), 1.52-2.79x faster than direct and faster than F(2x2)
//     (1.15-1.83x) on every such layer;
//   3x3 on maps of 9 to 24 (14^2, 17^2) with Cin >= 64: F(2x2,3x3), 1.32-1.56x over direct on 14^2, where
//     F(4x4) is slower (0.97-1.34x); on 17^2 1.47x against F(4x4)'s 1.39x, for a quarter of its extra
//     weight bytes; with Cin 16-32 F(2x2) measured 0.87-1.21x;
//   3x3 on maps of at most 8 with even sides and Cin >= 256: F(2x2,3x3) (8^2, 448 -> 384: 1.34x); on 7^2
//     maps or fewer channels it measured 0.56-1.10x;
//   1x7 / 7x1 along an axis of 16 and more: F(2,7), 1.34-1.46x for 8/7 the weight bytes;
//   1x3 / 3x1 along an axis of 16 and more: F(4,3). On the 8^2 maps of the four nets it measured
//     1.01-1.16x for twice the weight bytes (29.6 MiB more on Inception-v4): direct there.
// At least 16 channels in and out: the transforms' share grows as the channels shrink.
//
// INCEPT_WINOGRAD=all in the environment replaces the rule with "every conv Winograd can take" (F(2x2) on
// maps of at most 8, the larger tile above), INCEPT_WINOGRAD=all-f2x2 the same with F(2x2) for every 3x3:
// how the measurements behind the rule are taken (bench/winograd_rule.py). Other values are ignored.
WinogradVariant winograd_choice(const Conv2DParams& p, const Shape& in, const Shape& out, Isa isa) {
  (void)isa;  // one rule for every ISA until another CPU's measurements say otherwise
  if (p.groups != 1 || p.stride.h != 1 || p.stride.w != 1 || p.dilation.h != 1 || p.dilation.w != 1)
    return WinogradVariant::kNone;
  const int32_t cin = in[3], cout = out[3], oh = out[1], ow = out[2];
  const int32_t kh = p.kernel.h, kw = p.kernel.w;
  static const int everywhere = [] {  // 0: the rule; 1: all; 2: all, F(2x2) for 3x3
    const char* env = std::getenv("INCEPT_WINOGRAD");
    if (env == nullptr) return 0;
    return std::strcmp(env, "all") == 0 ? 1 : std::strcmp(env, "all-f2x2") == 0 ? 2 : 0;
  }();
  if (everywhere != 0) {
    if (kh == 3 && kw == 3)
      return everywhere == 2 || (oh <= 8 && ow <= 8) ? WinogradVariant::kF2x2K3x3 : WinogradVariant::kF4x4K3x3;
    if (kh == 1 && kw == 7) return WinogradVariant::kF1x2K1x7;
    if (kh == 7 && kw == 1) return WinogradVariant::kF2x1K7x1;
    if (kh == 1 && kw == 3) return WinogradVariant::kF1x4K1x3;
    if (kh == 3 && kw == 1) return WinogradVariant::kF4x1K3x1;
    return WinogradVariant::kNone;
  }
  if (cin < 16 || cout < 16) return WinogradVariant::kNone;
  if (kh == 3 && kw == 3) {
    const int32_t side = std::min(oh, ow);
    if (side >= 25) return WinogradVariant::kF4x4K3x3;
    if (side >= 9) return cin >= 64 ? WinogradVariant::kF2x2K3x3 : WinogradVariant::kNone;
    if (oh % 2 == 0 && ow % 2 == 0 && cin >= 256) return WinogradVariant::kF2x2K3x3;
    return WinogradVariant::kNone;
  }
  if (kh == 1 && kw == 7 && ow >= 16) return WinogradVariant::kF1x2K1x7;
  if (kh == 7 && kw == 1 && oh >= 16) return WinogradVariant::kF2x1K7x1;
  if (kh == 1 && kw == 3 && ow >= 16) return WinogradVariant::kF1x4K1x3;
  if (kh == 3 && kw == 1 && oh >= 16) return WinogradVariant::kF4x1K3x1;
  return WinogradVariant::kNone;
}

Status conv2d_f32_winograd_create(const GemmUkernel& uk, WinogradFnsOf fns, WinogradVariant variant,
                                  const Conv2DParams& p, const Shape& in, const Shape& out, const float* weights,
                                  const float* bias, int threads, Conv2DWinograd* w) {
  AxisDesc ah{}, aw{};
  INCEPT_CHECK(axes_of(variant, &ah, &aw), kUnsupported, "no Winograd variant chosen");
  INCEPT_CHECK(p.groups == 1 && p.stride.h == 1 && p.stride.w == 1 && p.dilation.h == 1 && p.dilation.w == 1 &&
                   p.kernel.h == ah.r && p.kernel.w == aw.r,
               kUnsupported, "Winograd %s takes an ungrouped %dx%d conv of stride and dilation 1",
               winograd_variant_name(variant), ah.r, aw.r);
  INCEPT_CHECK(uk.mr <= kMaxMr, kInternal, "micro-kernel %dx%d is outside the driver's range", uk.mr, uk.nr);
  w->fns = fns(variant);
  INCEPT_CHECK(w->fns != nullptr, kUnsupported, "no Winograd transforms for %s", winograd_variant_name(variant));
  w->uk = &uk;
  w->variant = variant;
  w->p = p;
  WinogradGeometry& g = w->geo;
  g.in_h = in[1], g.in_w = in[2], g.cin = in[3];
  g.out_h = out[1], g.out_w = out[2];
  g.pad_top = p.pad.top, g.pad_left = p.pad.left;
  g.tiles_h = static_cast<int32_t>(ceil_div(g.out_h, ah.m));
  g.tiles_w = static_cast<int32_t>(ceil_div(g.out_w, aw.m));
  g.v_stride = (g.cin + 15) / 16 * 16;
  g.nr = uk.nr;
  w->cout = out[3];
  w->points = ah.alpha * aw.alpha;
  w->panels = static_cast<int32_t>(ceil_div(w->cout, uk.nr));
  w->tiles = int64_t{in[0]} * g.tiles_h * g.tiles_w;
  INCEPT_CHECK(w->tiles > 0 && w->tiles < (int64_t{1} << 40), kUnsupported, "no tiles to compute");

  // T: M of one block (points x T x NR) in a quarter of L2, 1..8 strips of MR; fewer strips while that
  // leaves under four phase-2 items per thread (whole items cannot balance two cores otherwise).
  const size_t l2 = cpu_caches().l2;
  const size_t strip_bytes = static_cast<size_t>(w->points) * uk.mr * uk.nr * sizeof(float);
  int64_t strips = std::clamp<int64_t>(static_cast<int64_t>(l2 / 4 / strip_bytes), 1, 8);
  const int64_t want_items = 4 * int64_t{std::max(threads, 1)};
  while (threads > 1 && strips > 1 && w->panels * ceil_div(w->tiles, strips * uk.mr) < want_items) --strips;
  w->block_tiles = static_cast<int32_t>(std::min<int64_t>(strips, ceil_div(w->tiles, uk.mr)) * uk.mr);
  // The phase split runs on few tiles (under four strips per thread, see below): V holds them all.
  w->chunk_tiles = static_cast<int32_t>(ceil_div(w->tiles, w->block_tiles) * w->block_tiles);
  w->slots = std::max(threads, 1);
  // With at least four strips of tiles per thread: tile-split mode (each block of tiles start to end on one
  // core, tile_task). The phase split spreads a block's transformed inputs over both cores' L2: on two
  // threads its Winograd layers ran 1.76x faster than on one where the direct engine's ran 1.96x
  // (Inception-v4); tile-split 1.84-1.94x, and no slower on one thread. The phase split stays for few tiles
  // (small maps), where only splitting the panels gives every thread work.
  // Blocks: each thread's share of the strips in as few blocks as hold their V and M in half of L2, cut
  // evenly, since every block reads all the layer's weights: against blocks of at most 8 strips and at
  // least four per thread, the Winograd layers' time fell 1-12 % on one thread (the same process timing
  // both, alternately) and 2-6 % on two on three of the four nets (GoogLeNet +4 %, within its noise).
  const int64_t strips_total = ceil_div(w->tiles, uk.mr);
  w->tile_split = strips_total >= 4 * int64_t{std::max(threads, 1)};
  if (w->tile_split) {
    const size_t strip_vm = static_cast<size_t>(w->points) * uk.mr * (g.v_stride + uk.nr) * sizeof(float);
    const int64_t by_cache = std::max<int64_t>(1, static_cast<int64_t>(l2 / 2 / strip_vm));
    const int64_t per_thread = ceil_div(strips_total, std::max(threads, 1));
    w->block_tiles = static_cast<int32_t>(ceil_div(per_thread, ceil_div(per_thread, by_cache)) * uk.mr);
    w->chunk_tiles = w->block_tiles;
  }

  w->panel_floats = (static_cast<size_t>(uk.nr) * (static_cast<size_t>(g.cin) + 1) + 15) / 16 * 16;
  const size_t packed = w->panel_floats * static_cast<size_t>(w->panels) * static_cast<size_t>(w->points);
  INCEPT_CHECK(w->packed.allocate(packed) && w->bias.allocate(static_cast<size_t>(w->panels) * uk.nr) &&
                   w->zeros.allocate(static_cast<size_t>(g.cin)),
               kInternal, "out of memory packing %zu bytes of Winograd weights", packed * sizeof(float));
  g.zeros = w->zeros.data();
  pack_weights(*w, ah, aw, weights, bias);
  return Status::ok();
}

void conv2d_f32_winograd_run(const Conv2DWinograd& w, ConstTensorView<float> in, TensorView<float> out, float* scratch,
                             pthreadpool_t pool, ConstTensorView<float> residual) {
  Job job;
  job.w = &w;
  job.in = in;
  job.out = out;
  job.residual = residual;
  job.v = scratch;
  job.slots = scratch + w.v_floats();
  job.min = w.p.activation == Activation::kRelu ? 0.0f : -INFINITY;
  const size_t workers = pool == nullptr ? 1 : std::max<size_t>(pthreadpool_get_threads_count(pool), 1);
  if (w.tile_split) {
    job.slots = scratch;
    job.next.store(0, std::memory_order_relaxed);
    const size_t blocks = static_cast<size_t>(ceil_div(w.tiles, w.block_tiles));
    job.tasks = std::min({workers, static_cast<size_t>(w.slots), blocks});
    parallel_for(pool, tile_task, &job, job.tasks);
    return;
  }
  job.blocks = static_cast<int32_t>(ceil_div(w.tiles, w.block_tiles));
  parallel_for(pool, input_item, &job, static_cast<size_t>(ceil_div(w.tiles, kInputGroup)));
  job.next.store(0, std::memory_order_relaxed);
  const size_t items = static_cast<size_t>(w.panels) * static_cast<size_t>(job.blocks);
  parallel_for(pool, slot_task, &job, std::min({workers, static_cast<size_t>(w.slots), items}));
}

namespace {

struct WinogradState : KernelState {
  Conv2DWinograd w;
};

}  // namespace

void winograd_plan_name(const KernelConfig& c, IsaPart part, WinogradVariant variant, KernelPlan* plan) {
  const IsaTable& t = *c.kernel->table;
  char impl[32], tile[16];
  std::snprintf(impl, sizeof(impl), "winograd_%s", winograd_variant_name(variant));
  t.tile_name(part, tile, sizeof(tile));
  kernel_name(plan->name, sizeof(plan->name), "conv2d", c.kernel->types.input, impl, tile, isa_name(t.isa));
}

Status winograd_kernel_create(const KernelConfig& c, KernelPlan* plan) {
  INCEPT_CHECK(c.winograd, kUnsupported, "Winograd is turned off (InterpreterOptions::winograd)");
  const IsaTable& t = *c.kernel->table;
  const GemmUkernel& uk = t.gemm_f32;
  Conv2DParams p = params_of<Conv2DParams>(c);
  if (c.residual_stride > 0) p.activation = c.fused_activation;  // a fused residual add's (the conv's is none)
  const WinogradVariant variant = winograd_choice(p, c.input_shapes[0], c.output_shape, t.isa);
  INCEPT_CHECK(variant != WinogradVariant::kNone, kUnsupported, "the direct engine takes this conv");
  auto s = std::make_unique<WinogradState>();
  const float* bias = c.num_inputs > 2 ? c.constants[2] : nullptr;
  INCEPT_RETURN_IF_ERROR(conv2d_f32_winograd_create(uk, t.winograd_f32, variant, p, c.input_shapes[0], c.output_shape,
                                                    c.constants[1], bias, c.threads, &s->w));
  plan->scratch_bytes = s->w.scratch_bytes();
  plan->packed_bytes = s->w.packed_bytes();
  plan->reads_constants = false;  // transformed and packed
  winograd_plan_name(c, IsaPart::kWinogradF32, variant, plan);
  plan->state = std::move(s);
  return Status::ok();
}

void winograd_kernel_run(const KernelState* state, const KernelIo& io, pthreadpool_t pool) {
  conv2d_f32_winograd_run(static_cast<const WinogradState*>(state)->w, io.inputs[0], io.out, io.scratch, pool,
                          io.residual);
}

}  // namespace incept::ops
