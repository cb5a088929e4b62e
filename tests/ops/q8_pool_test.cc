// SPDX-License-Identifier: Apache-2.0
// The native 8-bit pools (max_pool2d_q8_c*, avg_pool2d_q8_c*, global_avg_pool_q8_c*: common/q8_pool.h, one
// per ISA table that has them) through the registry, as prepare creates and invoke runs them, held to the
// reference 8-bit kernels byte for byte: the four nets' pools at full size, seeded random windows (ceil
// mode, padding counted or not, ReLU; channels past the kernels' register-held blocks of 64), every pair of
// 8-bit types, the output's quantisation equal to the input's (a max pool then copies) or not (it
// requantises: a branch into a concat), strided slices with guard bytes, one thread and two, no heap.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "avg_pool2d/avg_pool2d.h"
#include "global_avg_pool/global_avg_pool.h"
#include "isa/isa_table.h"
#include "max_pool2d/max_pool2d.h"
#include "op_registry.h"
#include "support/cases.h"
#include "support/heap_counter.h"
#include "support/q8_util.h"

namespace incept {
namespace {

using ops::DataType;
using test::Bytes;
using test::Rng;

// The registry's native 8-bit kernels of `kind` whose ISA this CPU has (whatever the cap).
std::vector<const ops::Kernel*> native_q8_kernels(ops::OpKind kind) {
  std::vector<const ops::Kernel*> out;
  const ops::OpDef& def = ops::op_def(kind);
  for (int i = 0; i < def.num_kernels; ++i) {
    const ops::Kernel* k = def.kernels[i];
    if (k->family == ops::KernelFamily::kNative && k->types.input == DataType::kQ8 && ops::cpu_has(k->isa))
      out.push_back(k);
  }
  return out;
}

struct Q8Types {
  DataType in, out;
  ops::Quant qin, qout;
};

Q8Types random_types(Rng& rng, bool same_allowed) {
  Q8Types t;
  t.in = rng.coin() ? DataType::kQU8 : DataType::kQS8;
  t.out = rng.coin() ? DataType::kQU8 : DataType::kQS8;
  t.qin = {rng.uniform(0.01f, 0.1f), rng.uniform_int(test::lo_of(t.in), test::hi_of(t.in))};
  if (same_allowed && t.in == t.out && rng.coin()) {
    t.qout = t.qin;
  } else {
    t.qout = {t.qin.scale * rng.uniform(0.3f, 3.0f), rng.uniform_int(test::lo_of(t.out), test::hi_of(t.out))};
  }
  return t;
}

// Runs `ref` into a copy of the output's guard-filled bytes, then every native kernel of `kind`, created on
// a KernelConfig as prepare makes it, on 1 and 2 threads: the same bytes everywhere.
template <typename RunRef>
void check_pool(ops::OpKind kind, const void* params, const Shape& in_shape, const Shape& out_shape, bool slice,
                const Q8Types& t, Rng& rng, pthreadpool_t pool2, RunRef run_ref, int* ran) {
  CAPTURE(std::string(ops::data_type_name(t.in)));
  CAPTURE(std::string(ops::data_type_name(t.out)));
  Bytes in(in_shape, slice ? 5 : 0, slice ? 3 : 0, 0);
  test::fill_random(rng, in, t.in, false);
  const Bytes start(out_shape, slice ? 2 : 0, slice ? 9 : 0, 0x5A);
  Bytes ref = start;
  run_ref(in, ref);
  for (const ops::Kernel* k : native_q8_kernels(kind)) {
    CAPTURE(std::string(k->name));
    ops::KernelInputs inputs(1);
    inputs.shapes[0] = in_shape;
    inputs.strides[0] = in.stride;
    inputs.types[0] = t.in;
    inputs.quant[0] = t.qin;
    ops::KernelConfig config;
    inputs.bind(&config);
    config.params = params;
    config.types = {DataType::kQU8, DataType::kNone, DataType::kQU8};
    config.output_shape = out_shape;
    config.output_stride = ref.stride;
    config.output_type = t.out;
    config.output_quant = t.qout;
    ops::KernelPlan plan;
    const Status st = ops::create_kernel(*k, config, &plan);
    REQUIRE_MESSAGE(st.is_ok(), st.message());
    for (pthreadpool_t pool : {static_cast<pthreadpool_t>(nullptr), pool2}) {
      Bytes out = start;
      const ConstTensorView<float> x = in.io_cview();
      ops::KernelIo io;
      io.inputs = &x;
      io.num_inputs = 1;
      io.out = out.io_view();
      test::heap_count_begin();
      k->run(plan.state.get(), io, pool);
      CHECK(test::heap_count_end() <= 0);
      CHECK_MESSAGE(out.data == ref.data, "bytes differ from the reference (threads " << (pool ? 2 : 1) << ")");
      ++*ran;
    }
  }
}

template <typename TIn, typename TOut>
ConstTensorView<TIn> as_in(Bytes& b) {
  const auto v = b.cview();
  return {reinterpret_cast<const TIn*>(v.data), v.n, v.h, v.w, v.c, v.pixel_stride};
}
template <typename TOut>
TensorView<TOut> as_out(Bytes& b) {
  const auto v = b.view();
  return {reinterpret_cast<TOut*>(v.data), v.n, v.h, v.w, v.c, v.pixel_stride};
}

void check_max(const test::MaxPoolCase& c, Rng& rng, pthreadpool_t pool2, int* ran) {
  CAPTURE(c.describe());
  const Q8Types t = random_types(rng, true);
  check_pool(
      ops::OpKind::kMaxPool2D, &c.p, c.in, c.out_shape(), !c.slices.describe().empty() || rng.coin(), t, rng, pool2,
      [&](Bytes& in, Bytes& out) {
        ops::with_q8_types(t.in, t.out, [&](auto ti, auto to) {
          using TIn = decltype(ti);
          using TOut = decltype(to);
          ops::max_pool2d_q8_ref(c.p, t.qin, t.qout, as_in<TIn, TOut>(in), as_out<TOut>(out));
        });
      },
      ran);
}

void check_avg(const test::AvgPoolCase& c, Rng& rng, pthreadpool_t pool2, int* ran) {
  CAPTURE(c.describe());
  const Q8Types t = random_types(rng, false);
  check_pool(
      ops::OpKind::kAvgPool2D, &c.p, c.in, c.out_shape(), rng.coin(), t, rng, pool2,
      [&](Bytes& in, Bytes& out) {
        ops::with_q8_types(t.in, t.out, [&](auto ti, auto to) {
          using TIn = decltype(ti);
          using TOut = decltype(to);
          ops::avg_pool2d_q8_ref(c.p, t.qin, t.qout, as_in<TIn, TOut>(in), as_out<TOut>(out));
        });
      },
      ran);
}

void check_gap(const test::GapCase& c, Rng& rng, pthreadpool_t pool2, int* ran) {
  CAPTURE(c.describe());
  const Q8Types t = random_types(rng, false);
  static const ops::GlobalAvgPoolParams kParams;
  check_pool(
      ops::OpKind::kGlobalAvgPool, &kParams, c.in, Shape{c.in[0], 1, 1, c.in[3]}, rng.coin(), t, rng, pool2,
      [&](Bytes& in, Bytes& out) {
        ops::with_q8_types(t.in, t.out, [&](auto ti, auto to) {
          using TIn = decltype(ti);
          using TOut = decltype(to);
          ops::global_avg_pool_q8_ref(t.qin, t.qout, as_in<TIn, TOut>(in), as_out<TOut>(out));
        });
      },
      ran);
}

// A random window whose channels, half the time, fill the kernels' register-held blocks of 64 (and a tail).
template <typename P>
test::PoolCase<P> q8_pool_case(Rng& rng) {
  for (;;) {
    test::PoolCase<P> c = test::random_wide_pool_case<P>(rng);
    if (rng.coin()) c.in[3] = rng.uniform_int(64, 200);
    if (c.fits()) return c;
  }
}

TEST_CASE("q8 pools: every native 8-bit pool writes the reference's bytes") {
  const int tables = static_cast<int>(native_q8_kernels(ops::OpKind::kMaxPool2D).size());
  MESSAGE(tables << " native 8-bit max pool kernels on this CPU");
#if defined(__x86_64__) || defined(__aarch64__)
  CHECK(tables >= 1);
#endif
  CHECK(native_q8_kernels(ops::OpKind::kAvgPool2D).size() == static_cast<size_t>(tables));
  CHECK(native_q8_kernels(ops::OpKind::kGlobalAvgPool).size() == static_cast<size_t>(tables));
  Rng rng(0x9001);
  test::Pool pool2(2);
  int ran = 0;
  for (const test::MaxPoolCase& c : test::named_max_pool_cases()) check_max(c, rng, pool2.get(), &ran);
  for (const test::AvgPoolCase& c : test::named_avg_pool_cases()) check_avg(c, rng, pool2.get(), &ran);
  for (const test::GapCase& c : test::named_gap_cases()) check_gap(c, rng, pool2.get(), &ran);
  for (int i = 0; i < 150; ++i) {
    check_max(q8_pool_case<ops::MaxPool2DParams>(rng), rng, pool2.get(), &ran);
    check_avg(q8_pool_case<ops::AvgPool2DParams>(rng), rng, pool2.get(), &ran);
    check_gap(test::random_gap_case(rng, 2, 9, 600, false), rng, pool2.get(), &ran);
  }
  MESSAGE(ran << " kernel runs");
}

}  // namespace
}  // namespace incept
