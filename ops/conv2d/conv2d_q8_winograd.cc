// SPDX-License-Identifier: Apache-2.0
// Conv2D over 8-bit tensors by exact integer Winograd: the rule, the weight transform and packing, the
// blocking and the threaded driver (baseline code; the transforms and the int16 GEMM are the per-ISA parts).
// See conv2d_q8_winograd.h.
#include "conv2d/conv2d_q8_winograd.h"

#include <algorithm>
#include <cstring>
#include <memory>
#include <vector>

#include "common/parallel.h"
#include "common/q8_kernel.h"
#include "conv2d/winograd_q8_axes.h"
#include "isa/isa_table.h"

namespace incept::ops {
namespace {

constexpr int32_t kMaxMr = 16;

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

struct QAxis {
  int32_t m = 0, r = 0, alpha = 0, l = 0;
  const int32_t* gs = nullptr;  // alpha x r
};
template <class A>
QAxis qaxis() {
  return {A::m, A::r, A::alpha, A::l, &A::gs[0][0]};
}

bool qaxes_of(WinogradVariant v, QAxis* h, QAxis* w) {
  switch (v) {
    case WinogradVariant::kF2x2K3x3: *h = *w = qaxis<QWinoAxisF2x3>(); return true;
    case WinogradVariant::kF4x4K3x3: *h = *w = qaxis<QWinoAxisF4x3>(); return true;
    case WinogradVariant::kF1x2K1x7: *h = qaxis<QWinoAxisIdentity>(), *w = qaxis<QWinoAxisF2x7>(); return true;
    case WinogradVariant::kF2x1K7x1: *h = qaxis<QWinoAxisF2x7>(), *w = qaxis<QWinoAxisIdentity>(); return true;
    default: break;
  }
  return false;
}

// U = gs_h g gs_w^T for every (output, input channel) pair into the packed panels: point (a, b) of output
// column o, input channel ci at panel o / NR, point a * alpha_w + b, group ci / kr, column o % NR, ci % kr.
void pack_weights(Conv2DQ8Winograd& w, const QAxis& ah, const QAxis& aw, const QLinear& q) {
  const int32_t cin = w.geo.cin, nr = w.geo.nr, kr = w.uk->kr, kh = ah.r, kw = aw.r;
  auto* packed = reinterpret_cast<int16_t*>(w.packed.data());
  auto* bias = reinterpret_cast<int32_t*>(w.bias.data());
  std::vector<int32_t> tmp(static_cast<size_t>(ah.alpha) * kw);
  for (int32_t o = 0; o < w.cout; ++o) {
    const int32_t panel = o / nr, col = o % nr;
    bias[o] = q.bias[o];
    w.mult.data()[o] = q.multiplier[o];
    for (int32_t ci = 0; ci < cin; ++ci) {
      auto g = [&](int32_t y, int32_t x) { return int32_t{q.weights[((int64_t{o} * kh + y) * kw + x) * cin + ci]}; };
      for (int32_t a = 0; a < ah.alpha; ++a)
        for (int32_t x = 0; x < kw; ++x) {
          int32_t t = 0;
          for (int32_t y = 0; y < kh; ++y) t += ah.gs[a * kh + y] * g(y, x);
          tmp[static_cast<size_t>(a) * kw + x] = t;
        }
      for (int32_t a = 0; a < ah.alpha; ++a)
        for (int32_t b = 0; b < aw.alpha; ++b) {
          int32_t u = 0;
          for (int32_t x = 0; x < kw; ++x) u += tmp[static_cast<size_t>(a) * kw + x] * aw.gs[b * kw + x];
          const size_t point = static_cast<size_t>(a) * aw.alpha + b;
          int16_t* dst = packed + (static_cast<size_t>(panel) * w.points + point) * w.point_values;
          dst[(ci / kr) * nr * kr + col * kr + ci % kr] = static_cast<int16_t>(u);
        }
    }
  }
}

struct Job {
  const Conv2DQ8Winograd* w;
  ConstTensorView<uint8_t> in;
  TensorView<uint8_t> out;
  ConstTensorView<uint8_t> residual;  // data null: none
  uint8_t* scratch;
  size_t tasks = 1;
};

// One block of `count` tiles from tile0, start to end: input transform into v, then per panel the P GEMMs
// into m and the output transform into the panel's columns.
void run_block(const Job& job, int64_t tile0, int32_t count, int16_t* v, int32_t* m) {
  const Conv2DQ8Winograd& w = *job.w;
  const Q16GemmUkernel& uk = *w.uk;
  const int64_t v_point = static_cast<int64_t>(w.block_tiles) * w.geo.v_stride;
  const int64_t m_point = static_cast<int64_t>(w.block_tiles) * w.geo.nr;
  w.fns->input(w.geo, job.in.data, job.in.pixel_stride, tile0, count, v, v_point);
  const int16_t* rows[kMaxMr];
  Q16GemmTile t;
  t.k = w.k;
  t.a = rows;
  t.c_stride = static_cast<size_t>(w.geo.nr);
  WinogradQ8Epilogue e;
  e.zp = w.requant.zp, e.lo = w.requant.lo, e.hi = w.requant.hi;
  if (job.residual.data != nullptr) {
    e.r_stride = job.residual.pixel_stride;
    e.r_signed = w.types.residual == DataType::kQS8;
    e.r_zp = w.requant.r_zp;
    e.r_m = w.requant.r_m;
  }
  const auto* packed = reinterpret_cast<const int16_t*>(w.packed.data());
  for (int32_t panel = 0; panel < w.panels; ++panel) {
    const int16_t* pw = packed + static_cast<size_t>(panel) * w.points * w.point_values;
    for (int32_t point = 0; point < w.points; ++point) {
      const int16_t* vp = v + point * v_point;
      t.w = pw + static_cast<size_t>(point) * w.point_values;
      for (int32_t s = 0; s < count; s += uk.mr) {
        t.rows = std::min(uk.mr, count - s);
        for (int32_t i = 0; i < uk.mr; ++i) rows[i] = vp + int64_t{std::min(s + i, count - 1)} * w.geo.v_stride;
        t.c = m + point * m_point + int64_t{s} * w.geo.nr;
        uk.run(t);
      }
    }
    const int32_t col0 = panel * w.geo.nr;
    e.bias = reinterpret_cast<const int32_t*>(w.bias.data()) + col0;
    e.mult = w.mult.data() + col0;
    e.r = job.residual.data == nullptr ? nullptr : job.residual.data + col0;
    w.fns->output(w.geo, m, m_point, tile0, count, job.out.data + col0, job.out.pixel_stride,
                  std::min(w.geo.nr, w.cout - col0), e);
  }
}

// Task = a worker's slot: a contiguous share of the blocks (slot s of n takes [B s / n, B (s + 1) / n)).
void slot_task(void* context, size_t slot) {
  const Job& job = *static_cast<const Job*>(context);
  const Conv2DQ8Winograd& w = *job.w;
  uint8_t* base = job.scratch + slot * w.slot_bytes();
  auto* v = reinterpret_cast<int16_t*>(base);
  auto* m = reinterpret_cast<int32_t*>(base + static_cast<size_t>(w.points) * w.block_tiles * w.geo.v_stride *
                                                  sizeof(int16_t));
  const int64_t blocks = ceil_div(w.tiles, w.block_tiles), n = static_cast<int64_t>(job.tasks);
  const int64_t first = blocks * static_cast<int64_t>(slot) / n, last = blocks * (static_cast<int64_t>(slot) + 1) / n;
  for (int64_t b = first; b < last; ++b) {
    const int64_t t0 = b * w.block_tiles;
    run_block(job, t0, static_cast<int32_t>(std::min<int64_t>(w.block_tiles, w.tiles - t0)), v, m);
  }
}

}  // namespace

// The rule, from incept-bench --profile of the four nets in int8 with the CPU capped to AVX2 (see
// ops/README.md): the float engine's map sizes. 3x3: F(4x4,3x3) on maps of 25 and more; F(2x2,3x3) on maps
// of 9 to 24 with Cin >= 64, and on even maps of at most 8 with Cin >= 256 (Inception-v3's 8^2 448 -> 384:
// 1.31 -> 0.87 ms); 1x7 / 7x1 along an axis of 16 and more as F(2,7); the GEMM engine elsewhere and under 16
// channels in or out.
WinogradVariant winograd_q8_choice(const Conv2DParams& p, const Shape& in, const Shape& out) {
  if (p.groups != 1 || p.stride.h != 1 || p.stride.w != 1 || p.dilation.h != 1 || p.dilation.w != 1)
    return WinogradVariant::kNone;
  const int32_t cin = in[3], cout = out[3], oh = out[1], ow = out[2];
  if (cin < 16 || cout < 16) return WinogradVariant::kNone;
  const int32_t kh = p.kernel.h, kw = p.kernel.w;
  if (kh == 3 && kw == 3) {
    const int32_t side = std::min(oh, ow);
    if (side >= 25) return WinogradVariant::kF4x4K3x3;
    if (side >= 9 && cin >= 64) return WinogradVariant::kF2x2K3x3;
    if (oh % 2 == 0 && ow % 2 == 0 && cin >= 256) return WinogradVariant::kF2x2K3x3;
    return WinogradVariant::kNone;
  }
  if (kh == 1 && kw == 7 && ow >= 16) return WinogradVariant::kF1x2K1x7;
  if (kh == 7 && kw == 1 && oh >= 16) return WinogradVariant::kF2x1K7x1;
  return WinogradVariant::kNone;
}

Status conv2d_q8_winograd_create(const WinogradQ8Entry& e, WinogradVariant variant, const Conv2DParams& p,
                                 const Shape& in, const Shape& out, const Q8ConvTypes& types, const QLinear& q,
                                 int threads, Conv2DQ8Winograd* w) {
  QAxis ah, aw;
  INCEPT_CHECK(qaxes_of(variant, &ah, &aw), kUnsupported, "no int8 Winograd variant %s",
               winograd_variant_name(variant));
  INCEPT_CHECK(p.groups == 1 && p.stride.h == 1 && p.stride.w == 1 && p.dilation.h == 1 && p.dilation.w == 1 &&
                   p.kernel.h == ah.r && p.kernel.w == aw.r,
               kUnsupported, "int8 Winograd %s takes an ungrouped %dx%d conv of stride and dilation 1",
               winograd_variant_name(variant), ah.r, aw.r);
  INCEPT_CHECK(e.gemm.run != nullptr && e.fns != nullptr && e.gemm.mr <= kMaxMr && e.gemm.nr % 8 == 0, kInternal,
               "no int8 Winograd in this table");
  w->fns = e.fns(variant);
  INCEPT_CHECK(w->fns != nullptr, kUnsupported, "no int8 Winograd transforms for %s", winograd_variant_name(variant));
  const int32_t cin = in[3], cout = out[3];
  // Exact division: |y| <= 255 * sum |w| must stay under 2^(31 - shift) for every output channel.
  const QWinoDivisor div = qwino_divisor(int64_t{ah.l} * aw.l);
  const int64_t depth = int64_t{ah.r} * aw.r * cin;
  for (int32_t o = 0; o < cout; ++o) {
    int64_t sum = 0;
    for (int64_t k = 0; k < depth; ++k)
      sum += q.weights[o * depth + k] < 0 ? -q.weights[o * depth + k] : q.weights[o * depth + k];
    INCEPT_CHECK(255 * sum < (int64_t{1} << (31 - div.shift)), kUnsupported,
                 "int8 Winograd %s: output channel %d's weights could exceed its exact range",
                 winograd_variant_name(variant), o);
  }
  w->uk = &e.gemm;
  w->variant = variant;
  w->types = types;
  WinogradQ8Geometry& g = w->geo;
  g.in_h = in[1], g.in_w = in[2], g.cin = cin;
  g.out_h = out[1], g.out_w = out[2];
  g.pad_top = p.pad.top, g.pad_left = p.pad.left;
  g.tiles_h = static_cast<int32_t>(ceil_div(g.out_h, ah.m));
  g.tiles_w = static_cast<int32_t>(ceil_div(g.out_w, aw.m));
  g.v_stride = (cin + 15) / 16 * 16;
  g.nr = e.gemm.nr;
  g.in_zp = q.in.zero_point;
  g.in_signed = types.in == DataType::kQS8;
  w->cout = cout;
  w->points = ah.alpha * aw.alpha;
  w->panels = static_cast<int32_t>(ceil_div(cout, g.nr));
  w->k = static_cast<int32_t>(ceil_div(cin, e.gemm.kr) * e.gemm.kr);
  w->tiles = int64_t{in[0]} * g.tiles_h * g.tiles_w;
  INCEPT_CHECK(w->tiles > 0 && w->tiles < (int64_t{1} << 40), kUnsupported, "no tiles to compute");
  w->point_values = static_cast<size_t>(w->k) * g.nr;

  w->requant = q8_requant_of(types, p.activation, q);

  // Blocks: each thread's share of the strips of MR tiles in as few blocks as hold their V and M in half of
  // L2 over the threads, cut evenly (every block reads all the layer's weights), as the float engine's tile
  // split. The scratch (a block per thread) is the int8 arena's largest block: with half of L2 each, two
  // threads put Inception-v4's arena at 1.126 x its lower bound (4.89 MB; 1.018 x, 4.08 MB, at a quarter,
  // for 2 % more time in its Winograd layers).
  const int32_t mr = e.gemm.mr;
  const int64_t strips = ceil_div(w->tiles, mr);
  const size_t strip_vm = static_cast<size_t>(w->points) * mr * (g.v_stride * sizeof(int16_t) + g.nr * sizeof(int32_t));
  w->slots = std::max(threads, 1);
  const int64_t by_cache =
      std::max<int64_t>(1, static_cast<int64_t>(cpu_caches().l2 / 2 / static_cast<size_t>(w->slots) / strip_vm));
  const int64_t per_thread = ceil_div(strips, w->slots);
  w->block_tiles = static_cast<int32_t>(ceil_div(per_thread, ceil_div(per_thread, by_cache)) * mr);

  const size_t values = w->point_values * static_cast<size_t>(w->points) * static_cast<size_t>(w->panels);
  const size_t cols = static_cast<size_t>(w->panels) * g.nr;
  INCEPT_CHECK(
      w->packed.allocate((values * sizeof(int16_t) + 3) / 4) && w->bias.allocate(cols) && w->mult.allocate(cols),
      kInternal, "out of memory packing %zu bytes of int8 Winograd weights", values * sizeof(int16_t));
  std::memset(w->packed.data(), 0, w->packed.bytes());
  std::memset(w->bias.data(), 0, w->bias.bytes());
  std::memset(w->mult.data(), 0, w->mult.bytes());
  pack_weights(*w, ah, aw, q);
  return Status::ok();
}

void conv2d_q8_winograd_run(const Conv2DQ8Winograd& w, ConstTensorView<uint8_t> in, TensorView<uint8_t> out,
                            void* scratch, pthreadpool_t pool, ConstTensorView<uint8_t> residual) {
  Job job{&w, in, out, residual, static_cast<uint8_t*>(scratch)};
  const size_t workers = pool == nullptr ? 1 : std::max<size_t>(pthreadpool_get_threads_count(pool), 1);
  const size_t blocks = static_cast<size_t>(ceil_div(w.tiles, w.block_tiles));
  job.tasks = std::min({workers, static_cast<size_t>(w.slots), blocks});
  parallel_for(pool, slot_task, &job, job.tasks);
}

namespace {

struct Q8WinogradState : KernelState {
  Conv2DQ8Winograd w;
};

}  // namespace

Status q8_winograd_kernel_create(const KernelConfig& c, const Conv2DParams& p, KernelPlan* plan) {
  INCEPT_CHECK(c.winograd, kUnsupported, "Winograd is turned off (InterpreterOptions::winograd)");
  const IsaTable& t = *c.kernel->table;
  const Shape& in = c.input_shapes[0];
  const WinogradVariant variant = winograd_q8_choice(p, in, c.output_shape);
  INCEPT_CHECK(variant != WinogradVariant::kNone, kUnsupported, "the int8 GEMM engine takes this conv");
  std::vector<int32_t> bias;
  std::vector<float> multiplier;
  QLinear q;
  INCEPT_RETURN_IF_ERROR(q8_linear_config(c, p.activation, int64_t{p.kernel.h} * p.kernel.w * in[3], c.output_shape[3],
                                          &bias, &multiplier, &q));
  const Q8ConvTypes types{c.input_types[0], c.output_type, c.residual_stride > 0 ? c.residual_type : DataType::kNone};
  auto s = std::make_unique<Q8WinogradState>();
  INCEPT_RETURN_IF_ERROR(
      conv2d_q8_winograd_create(t.winograd_q8, variant, p, in, c.output_shape, types, q, c.threads, &s->w));
  plan->scratch_bytes = s->w.scratch_bytes();
  plan->packed_bytes = s->w.packed_bytes();
  plan->reads_constants = false;  // transformed and packed
  winograd_plan_name(c, IsaPart::kWinogradQ8, variant, plan);
  plan->state = std::move(s);
  return Status::ok();
}

void q8_winograd_kernel_run(const KernelState* state, const KernelIo& io, pthreadpool_t pool) {
  conv2d_q8_winograd_run(static_cast<const Q8WinogradState*>(state)->w, view_as<uint8_t>(io.inputs[0]),
                         view_as<uint8_t>(io.out), io.scratch, pool, view_as<uint8_t>(io.residual));
}

}  // namespace incept::ops
