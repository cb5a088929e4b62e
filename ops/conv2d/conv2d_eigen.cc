// SPDX-License-Identifier: Apache-2.0
// Conv2D as GEMM on Eigen's internal blocked-product pieces (gemm_pack_lhs, gemm_pack_rhs, gebp_kernel),
// the same ones Eigen's own general_matrix_matrix_product runs, but with every buffer in caller scratch.
//
// Per group g the convolution is one GEMM in Eigen's column-major terms:
//   C (O_g x P) += A (O_g x K) * B (K x P),   K = kh * kw * C_g,  P = N * OH * OW output pixels,
// where A is the OHWI weights (row-major, row stride K), B holds one im2col column per output pixel
// (k = (ky * kw + kx) * C_g + ic, the OHWI order), and C is the NHWC output itself: column p of C is
// output pixel p, so C's outer stride is out.pixel_stride and a concat slice costs nothing.
//
// Why not Eigen's products: for dynamic sizes gemm_blocking_space heap-allocates its packing buffers
// (aligned_new) and general_matrix_matrix_product::run falls back to aligned_malloc above
// EIGEN_STACK_ALLOCATION_LIMIT; invoke() must never allocate. Driving the three pieces directly keeps
// packed panels in `scratch`, packs the weights once per call for all pixel tiles, and puts the bias and
// ReLU into the tile loop.
//
// Work split: phase 1 packs A, one task per (group, depth block); phase 2 hands out work items = (tile
// of output pixels, block of output channels) to one task per thread, each with its own scratch slot.
// The split is a function of the shapes only (aim: >= 8 items), so results never depend on threads.
// Layout of `scratch` (offsets multiples of 64 bytes):
//   [packed A: groups x k_blocks blocks of round_up(O_g * kc, 16) floats]
//   [slot 0: packed B (kc x tile) | im2col block (kc x tile)] [slot 1] ... one slot per thread.
#include "conv2d/conv2d_eigen.h"

#include <Eigen/Core>
#include <algorithm>
#include <atomic>
#include <cstring>

#include "common/parallel.h"

namespace incept::ops {
namespace {

namespace ei = Eigen::internal;
using Index = Eigen::Index;
using Traits = ei::gebp_traits<float, float>;
using LhsMapper = ei::const_blas_data_mapper<float, Index, Eigen::RowMajor>;
using RhsMapper = ei::const_blas_data_mapper<float, Index, Eigen::ColMajor>;
using ResMapper = ei::blas_data_mapper<float, Index, Eigen::ColMajor, Eigen::Unaligned, 1>;
using PackLhs = ei::gemm_pack_lhs<float, Index, LhsMapper, Traits::mr, Traits::LhsProgress,
                                  typename Traits::LhsPacket4Packing, Eigen::RowMajor>;
using PackRhs = ei::gemm_pack_rhs<float, Index, RhsMapper, Traits::nr, Eigen::ColMajor>;
using Gebp = ei::gebp_kernel<float, float, Index, ResMapper, Traits::mr, Traits::nr, false, false>;

constexpr int64_t kAlignFloats = 16;  // 64 bytes
constexpr int64_t kMaxKc = 256;       // depth block: an A micro-panel (mr x kc) stays in L1
constexpr int64_t kMaxTile = 128;     // output pixels per tile: B block (kc x tile) stays in L2
constexpr int64_t kMinTile = 32;      // below this gebp reuses each A micro-panel too little
constexpr int64_t kTargetTasks = 8;   // work items per conv at least, when the shapes allow

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
int64_t round_up(int64_t v, int64_t m) { return ceil_div(v, m) * m; }

// Blocking and scratch layout: a pure function of the shapes, shared by scratch_bytes and the kernel
// so the two always agree, and independent of the thread count so results are too.
struct Plan {
  int64_t pixels = 0;  // P: GEMM columns
  int64_t groups = 1, group_in = 0, group_out = 0;
  int64_t depth = 0;                     // K: GEMM inner dimension
  int64_t kc = 0, k_blocks = 0;          // depth cut into k_blocks blocks of kc (the last may be shorter)
  int64_t tile = 0, tiles = 0;           // output pixels per tile; number of tiles
  int64_t o_block = 0, o_blocks = 0;     // output channels (of a group) per work item; number of blocks
  bool direct = false;                   // 1x1 stride 1: B is the input pixels themselves
  int64_t a_block = 0, a_floats = 0;     // one packed weight block; all of them
  int64_t b_floats = 0, col_floats = 0;  // per slot: packed B block; im2col block (0 when direct)
};

Plan make_plan(const Conv2DParams& p, int64_t in_c, int64_t pixels, int64_t out_c) {
  Plan pl;
  pl.pixels = pixels;
  pl.groups = p.groups;
  pl.group_in = in_c / p.groups;
  pl.group_out = out_c / p.groups;
  pl.depth = int64_t{p.kernel.h} * p.kernel.w * pl.group_in;
  // Even blocks no larger than kMaxKc, in multiples of 8, so no block is a short remainder.
  pl.k_blocks = ceil_div(pl.depth, kMaxKc);
  pl.kc = std::min(pl.depth, round_up(ceil_div(pl.depth, pl.k_blocks), 8));
  pl.k_blocks = ceil_div(pl.depth, pl.kc);
  pl.tile = std::min(pixels, std::clamp(round_up(ceil_div(pixels, kTargetTasks), 8), kMinTile, kMaxTile));
  pl.tiles = ceil_div(pixels, pl.tile);
  // Few tiles (8x8 grids, FC batches): also split the output channels, in whole mr-row panels of A
  // so that each block's packed panels are a contiguous run of the full packing.
  const int64_t want = ceil_div(kTargetTasks, pl.tiles);
  pl.o_block = std::min(pl.group_out, round_up(ceil_div(pl.group_out, want), Traits::mr));
  pl.o_blocks = ceil_div(pl.group_out, pl.o_block);
  pl.direct = p.kernel.h == 1 && p.kernel.w == 1 && p.stride.h == 1 && p.stride.w == 1;
  pl.a_block = round_up(pl.group_out * pl.kc, kAlignFloats);
  pl.a_floats = pl.groups * pl.k_blocks * pl.a_block;
  pl.b_floats = round_up(pl.kc * pl.tile, kAlignFloats);
  pl.col_floats = pl.direct ? 0 : pl.b_floats;
  return pl;
}

// Everything a worker needs; lives on the caller's stack for the duration of one call.
struct Job {
  const Conv2DParams* p;
  ConstTensorView<float> in;
  const float* bias;
  TensorView<float> out;
  Plan plan;
  const float* weights = nullptr;   // phase 1: OHWI weights in,
  float* pack_into = nullptr;       //          packed panels out
  const float* packed_a = nullptr;  // phase 2: packed panels in (== pack_into after phase 1)
  float* slots = nullptr;           // phase 2: per-slot buffers
  std::atomic<int64_t> next_item{0};
};

// Phase 1, task i = (group, depth block): packs A's block into Eigen's lhs panel format.
void pack_weights_task(void* context, size_t i) {
  Job& job = *static_cast<Job*>(context);
  const Plan& pl = job.plan;
  const int64_t g = static_cast<int64_t>(i) / pl.k_blocks, kb = static_cast<int64_t>(i) % pl.k_blocks;
  const int64_t k0 = kb * pl.kc, kcb = std::min(pl.kc, pl.depth - k0);
  const LhsMapper lhs(job.weights + g * pl.group_out * pl.depth, pl.depth);
  PackLhs()(job.pack_into + static_cast<int64_t>(i) * pl.a_block, lhs.getSubMapper(0, k0), kcb, pl.group_out);
}

// Writes rows [k0, k0 + kcb) of B for output pixels [p0, p0 + cols) of group g into `col`
// (column-major, column stride kcb): the input values each output pixel's window sees, zeros in padding.
// Works in runs: the padded part of a window row is one run of zeros, and when a window row is
// contiguous in memory (dense input, one group, no horizontal dilation; e.g. a 7x7 stem over RGB)
// its in-image part is one copy rather than kw.
void im2col_block(const Job& job, int64_t g, int64_t k0, int64_t kcb, int64_t p0, int64_t cols, float* col) {
  const Conv2DParams& p = *job.p;
  const ConstTensorView<float>& in = job.in;
  const int64_t cg = job.plan.group_in, c0 = g * cg, kw = p.kernel.w, dw = p.dilation.w;
  const bool rows_contiguous = dw == 1 && in.pixel_stride == cg;
  const int32_t oh = job.out.h, ow = job.out.w;
  int32_t ox = static_cast<int32_t>(p0 % ow);
  int32_t oy = static_cast<int32_t>((p0 / ow) % oh);
  int32_t n = static_cast<int32_t>(p0 / (int64_t{ow} * oh));
  for (int64_t j = 0; j < cols; ++j) {
    float* dst = col + j * kcb;
    for (int64_t k = k0, k_end = k0 + kcb; k < k_end;) {
      const int64_t tap = k / cg, ic = k - tap * cg;
      const int64_t ky = tap / kw, kx = tap % kw;
      const int64_t iy = int64_t{oy} * p.stride.h - p.pad.top + ky * p.dilation.h;
      const int64_t ix = int64_t{ox} * p.stride.w - p.pad.left + kx * dw;
      int64_t taps;  // taps of this window row in the run, from kx on
      bool zero = true;
      if (iy < 0 || iy >= in.h || ix >= in.w) {
        taps = kw - kx;  // the rest of the row is outside the image
      } else if (ix < 0) {
        taps = std::min(kw - kx, ceil_div(-ix, dw));
      } else {
        taps = rows_contiguous ? std::min(kw - kx, in.w - ix) : 1;
        zero = false;
      }
      const int64_t len = std::min(taps * cg - ic, k_end - k);
      if (zero) {
        std::fill(dst, dst + len, 0.0f);
      } else {
        const float* src = in.pixel(n, static_cast<int32_t>(iy), static_cast<int32_t>(ix)) + c0 + ic;
        std::memcpy(dst, src, sizeof(float) * static_cast<size_t>(len));
      }
      dst += len;
      k += len;
    }
    if (++ox == ow) {
      ox = 0;
      if (++oy == oh) {
        oy = 0;
        ++n;
      }
    }
  }
}

// Work item `item` = (pixel tile, output-channel block): bias, then every (group, depth block) product
// accumulated by gebp straight into `out`, then the activation.
void run_item(const Job& job, int64_t item, float* slot) {
  const Plan& pl = job.plan;
  const int64_t tile = item / pl.o_blocks, o0 = (item % pl.o_blocks) * pl.o_block;
  const int64_t rows = std::min(pl.o_block, pl.group_out - o0);
  const int64_t p0 = tile * pl.tile, cols = std::min(pl.tile, pl.pixels - p0);
  const int64_t ostride = job.out.pixel_stride, istride = job.in.pixel_stride;
  float* const out0 = job.out.data + p0 * ostride;
  float* const packed_b = slot;
  float* const col = slot + pl.b_floats;

  for (int64_t g = 0; g < pl.groups; ++g) {
    const int64_t c0 = g * pl.group_out + o0;  // this block's first output channel
    for (int64_t j = 0; j < cols; ++j) {
      float* o = out0 + j * ostride + c0;
      if (job.bias != nullptr) {
        std::memcpy(o, job.bias + c0, sizeof(float) * static_cast<size_t>(rows));
      } else {
        std::fill(o, o + rows, 0.0f);
      }
    }
    const ResMapper res(out0 + c0, ostride);
    for (int64_t kb = 0; kb < pl.k_blocks; ++kb) {
      const int64_t k0 = kb * pl.kc, kcb = std::min(pl.kc, pl.depth - k0);
      if (pl.direct) {
        const RhsMapper rhs(job.in.data + p0 * istride + g * pl.group_in + k0, istride);
        PackRhs()(packed_b, rhs, kcb, cols);
      } else {
        im2col_block(job, g, k0, kcb, p0, cols, col);
        PackRhs()(packed_b, RhsMapper(col, kcb), kcb, cols);
      }
      // Rows o0.. of a packed block start at o0 * kcb: o0 is a multiple of mr.
      const float* packed_a = job.packed_a + (g * pl.k_blocks + kb) * pl.a_block + o0 * kcb;
      Gebp()(res, packed_a, packed_b, rows, kcb, cols, 1.0f);
    }
    if (job.p->activation == Activation::kRelu) {
      // Eigen's max is std::max(v, 0) = v < 0 ? 0 : v, NaN kept as in ref; vectorised, no branches.
      for (int64_t j = 0; j < cols; ++j) {
        Eigen::Map<Eigen::ArrayXf> o(out0 + j * ostride + c0, rows);
        o = o.max(0.0f);
      }
    }
  }
}

// Phase 2, task = scratch slot: takes work items until none are left. Which slot computes an item
// does not change its result, so dynamic hand-out balances the load without costing determinism.
void items_task(void* context, size_t slot_index) {
  Job& job = *static_cast<Job*>(context);
  const Plan& pl = job.plan;
  float* slot = job.slots + static_cast<int64_t>(slot_index) * (pl.b_floats + pl.col_floats);
  for (;;) {
    const int64_t item = job.next_item.fetch_add(1, std::memory_order_relaxed);
    if (item >= pl.tiles * pl.o_blocks) return;
    run_item(job, item, slot);
  }
}

Plan plan_for(const Conv2DParams& p, const Shape& in, const Shape& out) {
  return make_plan(p, in[3], int64_t{out[0]} * out[1] * out[2], out[3]);
}

void run_items(Job& job, pthreadpool_t pool) {
  const size_t slots = pool == nullptr ? 1 : std::max<size_t>(pthreadpool_get_threads_count(pool), 1);
  parallel_for(pool, items_task, &job, std::min(slots, static_cast<size_t>(job.plan.tiles * job.plan.o_blocks)));
}

}  // namespace

size_t conv2d_f32_eigen_scratch_bytes(const Conv2DParams& p, const Shape& in, const Shape& out, int threads) {
  const Plan pl = plan_for(p, in, out);
  return sizeof(float) * static_cast<size_t>(pl.a_floats + std::max(threads, 1) * (pl.b_floats + pl.col_floats));
}

void conv2d_f32_eigen(const Conv2DParams& p, ConstTensorView<float> in, const float* weights, const float* bias,
                      TensorView<float> out, float* scratch, pthreadpool_t pool) {
  Job job{&p, in, bias, out, make_plan(p, in.c, out.num_pixels(), out.c)};
  job.weights = weights;
  job.pack_into = scratch;
  job.packed_a = scratch;
  job.slots = scratch + job.plan.a_floats;
  parallel_for(pool, pack_weights_task, &job, static_cast<size_t>(job.plan.groups * job.plan.k_blocks));
  run_items(job, pool);
}

}  // namespace incept::ops
