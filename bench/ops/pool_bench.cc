// SPDX-License-Identifier: Apache-2.0
// MaxPool2D (every GoogLeNet / Inception-v3 max pool, stem and branch) and AvgPool2D (Inception-v3's
// 3x3 s1 p1 branch_pool, counting padding as torchvision does): BM_<op>_f32_ref beside
// BM_<op>_f32_xnn. Pools are memory-bound: read the "bytes" counter first.
#include <string>
#include <type_traits>

#include "avg_pool2d/avg_pool2d.h"
#include "bench_util.h"
#include "inception_shapes.h"
#include "isa/isa_table.h"
#include "max_pool2d/max_pool2d.h"
#include "max_pool2d/max_pool2d_native.h"
#if INCEPT_WITH_XNNPACK
#include "avg_pool2d/avg_pool2d_xnn.h"
#include "max_pool2d/max_pool2d_xnn.h"
#endif

namespace incept::bench {
namespace {

// Input, output and params of one pool; P is MaxPool2DParams or AvgPool2DParams.
template <typename P>
struct PoolFixture {
  explicit PoolFixture(const PoolShape& s) : in{1, s.h, s.w, s.c}, input(static_cast<size_t>(s.h) * s.w * s.c), output(0) {
    p.kernel = {s.k, s.k};
    p.stride = {s.stride, s.stride};
    p.pad = {s.pad, s.pad, s.pad, s.pad};
    p.ceil_mode = s.ceil_mode;
    Status st;
    if constexpr (std::is_same_v<P, ops::MaxPool2DParams>) {
      st = ops::max_pool2d_infer_shape(p, in, &out);
    } else {
      st = ops::avg_pool2d_infer_shape(p, in, &out);
    }
    valid = st.is_ok();
    output = Buffer(valid ? static_cast<size_t>(out.num_elements()) : 0);
    input.fill(4);
  }
  ConstTensorView<float> in_view() const { return as_const(dense_view(input.data(), in)); }
  TensorView<float> out_view() const { return dense_view(output.data(), out); }
  double flop() const { return double(out.num_elements()) * p.kernel.h * p.kernel.w; }
  double bytes() const { return 4.0 * double(in.num_elements() + out.num_elements()); }

  P p;
  Shape in, out;
  Buffer input, output;
  bool valid = false;
};

void BM_max_pool2d_f32_ref(benchmark::State& state, Net net) {
  const PoolShape s = pool_shape_of(state, net, /*max_pool=*/true);
  PoolFixture<ops::MaxPool2DParams> f(s);
  if (!f.valid) return state.SkipWithError("bad shape");
  for (auto _ : state) {
    ops::max_pool2d_f32_ref(f.p, f.in_view(), f.out_view());
    benchmark::ClobberMemory();
  }
  report(state, s.name, f.flop(), f.bytes(), 1);
}

// Our vector max pool of table `t` (skipped where the CPU lacks its ISA).
void run_max_pool_native(benchmark::State& state, Net net, const ops::IsaTable& t) {
  const PoolShape s = pool_shape_of(state, net, /*max_pool=*/true);
  PoolFixture<ops::MaxPool2DParams> f(s);
  if (!f.valid) return state.SkipWithError("bad shape");
  const ops::MaxPoolRowsFn rows = t.max_pool_f32;
  if (!ops::cpu_has(t.isa)) return state.SkipWithError("this CPU lacks the ISA");
  for (auto _ : state) {
    ops::max_pool2d_f32_native(rows, f.p, f.in_view(), f.out_view(), bench_pool());
    benchmark::ClobberMemory();
  }
  report(state, s.name, f.flop(), f.bytes(), bench_threads());
}
void BM_avg_pool2d_f32_ref(benchmark::State& state, Net net) {
  const PoolShape s = pool_shape_of(state, net, /*max_pool=*/false);
  PoolFixture<ops::AvgPool2DParams> f(s);
  if (!f.valid) return state.SkipWithError("bad shape");
  for (auto _ : state) {
    ops::avg_pool2d_f32_ref(f.p, f.in_view(), f.out_view());
    benchmark::ClobberMemory();
  }
  report(state, s.name, f.flop(), f.bytes(), 1);
}

#if INCEPT_WITH_XNNPACK
void BM_max_pool2d_f32_xnn(benchmark::State& state, Net net) {
  const PoolShape s = pool_shape_of(state, net, /*max_pool=*/true);
  PoolFixture<ops::MaxPool2DParams> f(s);
  if (!f.valid) return state.SkipWithError("bad shape");
  if (!ops::xnn_ensure_initialized().is_ok()) return state.SkipWithError("XNNPACK is not usable on this CPU");
  ops::XnnOp op;
  Status st = ops::max_pool2d_f32_xnn_create(f.p, f.in, f.out, s.c, s.c, &op);
  if (st.is_ok()) st = ops::max_pool2d_f32_xnn_setup(f.p, op, f.in_view(), f.out_view(), bench_pool());
  if (!st.is_ok()) return state.SkipWithError(st.message());
  for (auto _ : state) {
    xnn_run_operator(op.get(), bench_pool());
    benchmark::ClobberMemory();
  }
  report(state, s.name, f.flop(), f.bytes(), bench_threads());
}

void BM_avg_pool2d_f32_xnn(benchmark::State& state, Net net) {
  const PoolShape s = pool_shape_of(state, net, /*max_pool=*/false);
  PoolFixture<ops::AvgPool2DParams> f(s);
  if (!f.valid) return state.SkipWithError("bad shape");
  if (!ops::xnn_ensure_initialized().is_ok()) return state.SkipWithError("XNNPACK is not usable on this CPU");
  ops::XnnOp op;
  Status st = ops::avg_pool2d_f32_xnn_create(f.p, f.in, f.out, s.c, s.c, &op);
  if (st.is_ok()) st = ops::avg_pool2d_f32_xnn_setup(f.p, op, f.in_view(), f.out_view(), bench_pool());
  if (!st.is_ok()) return state.SkipWithError(st.message());
  for (auto _ : state) {
    xnn_run_operator(op.get(), bench_pool());
    benchmark::ClobberMemory();
  }
  report(state, s.name, f.flop(), f.bytes(), bench_threads());
}
#endif

}  // namespace

INCEPT_BENCH_MAX_POOL(BM_max_pool2d_f32_ref);
// The native max pool of every ISA table that has one, named as its kernel (BM_max_pool2d_f32_c8_avx2_fma).
const int kPerIsa = [] {
  for (const ops::IsaTable* t : ops::isa_tables()) {
    if (!t->has(ops::IsaPart::kMaxPoolF32)) continue;
    char tile[16];
    t->tile_name(ops::IsaPart::kMaxPoolF32, tile, sizeof(tile));
    register_max_pool_bench(std::string("BM_max_pool2d_f32_") + tile + "_" + ops::isa_name(t->isa),
                            [t](benchmark::State& st, Net n) { run_max_pool_native(st, n, *t); });
  }
  return 0;
}();
INCEPT_BENCH_AVG_POOL(BM_avg_pool2d_f32_ref);
#if INCEPT_WITH_XNNPACK
INCEPT_BENCH_MAX_POOL(BM_max_pool2d_f32_xnn);
INCEPT_BENCH_AVG_POOL(BM_avg_pool2d_f32_xnn);
#endif

}  // namespace incept::bench
