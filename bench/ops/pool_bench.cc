// SPDX-License-Identifier: Apache-2.0
// MaxPool2D (every GoogLeNet / Inception-v3 max pool, stem and branch) and AvgPool2D (Inception-v3's
// 3x3 s1 p1 branch_pool, counting padding as torchvision does): every registered kernel but the native
// ones, through the registry (BM_<op>_f32_ref beside BM_<op>_f32_xnn), and the native max pool per ISA
// table. Pools are memory-bound: read the "bytes" counter first.
#include <string>
#include <type_traits>

#include "avg_pool2d/avg_pool2d.h"
#include "bench_util.h"
#include "inception_shapes.h"
#include "isa/isa_table.h"
#include "kernel_bench.h"
#include "max_pool2d/max_pool2d.h"
#include "max_pool2d/max_pool2d_native.h"

namespace incept::bench {
namespace {

// Input, output and params of one pool; P is MaxPool2DParams or AvgPool2DParams.
template <typename P>
struct PoolFixture {
  explicit PoolFixture(const PoolShape& s)
      : in{1, s.h, s.w, s.c}, input(static_cast<size_t>(s.h) * s.w * s.c), output(0) {
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

// A registered kernel (XNNPACK, ref) of the max pool (P = MaxPool2DParams) or the average pool, created
// and run as prepare and invoke do.
template <typename P>
void run_registered(benchmark::State& state, Net net, const ops::Kernel& k) {
  constexpr bool kMax = std::is_same_v<P, ops::MaxPool2DParams>;
  const PoolShape s = pool_shape_of(state, net, kMax);
  PoolFixture<P> f(s);
  if (!f.valid) return state.SkipWithError("bad shape");
  KernelBench kb;
  const Status st = kb.prepare(k, &f.p, {KernelBench::activation(f.input.data(), f.in)}, f.out, f.output.data());
  if (!st.is_ok()) return state.SkipWithError(st.message());
  time_kernel(state, kb, s.name, f.flop(), f.bytes());
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
}  // namespace

// Every registered kernel but the native ones: BM_max_pool2d_f32_{xnn,ref}, BM_avg_pool2d_f32_{xnn,ref}.
const int kRegistered = [] {
  for_each_fixed_kernel(ops::OpKind::kMaxPool2D, [](const ops::Kernel& k) {
    register_max_pool_bench(std::string("BM_") + k.name,
                            [&k](benchmark::State& st, Net n) { run_registered<ops::MaxPool2DParams>(st, n, k); });
  });
  for_each_fixed_kernel(ops::OpKind::kAvgPool2D, [](const ops::Kernel& k) {
    register_avg_pool_bench(std::string("BM_") + k.name,
                            [&k](benchmark::State& st, Net n) { run_registered<ops::AvgPool2DParams>(st, n, k); });
  });
  return 0;
}();

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

}  // namespace incept::bench
