// SPDX-License-Identifier: Apache-2.0
// The int8 GEMM engine (conv2d_q8_gemm) on every int8 micro-kernel this CPU can run, held to the reference
// int8 kernel byte for byte: every conv shape of the four nets (support/net_conv_shapes.h), the named
// layers at full size (branches into their concat slices), seeded random shapes, every pair of 8-bit input
// and output types, zero points anywhere in range, ReLU or none, a fused residual of either type (itself
// the output's memory or apart), on one thread and two, reading and writing strided slices and touching
// nothing outside the output slice, never the heap. A case built to saturate a 16-bit pair sum (weights
// +-127 against activations at the ends of their range) catches a kernel that is not exact. Also: the
// registry names and offers the engine per ISA table, and what the engine refuses.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "common/q8_kernel.h"
#include "conv2d/conv2d_q8_gemm.h"
#include "op_registry.h"
#include "support/conv_cases.h"
#include "support/heap_counter.h"
#include "support/net_conv_shapes.h"
#include "support/q8_util.h"

namespace incept {
namespace {

using ops::DataType;
using test::Bytes;
using test::ConvCase;
using test::fill_random;
using test::hi_of;
using test::lo_of;
using test::Pool;
using test::Rng;

// The int8 micro-kernels of the tables this CPU can run, whatever the INCEPT_ISA cap says.
std::vector<const ops::Q8GemmUkernel*> runnable_q8_ukernels() {
  std::vector<const ops::Q8GemmUkernel*> out;
  for (const ops::IsaTable* t : test::runnable_tables(ops::IsaPart::kGemmQ8)) out.push_back(&t->gemm_q8);
  return out;
}

std::string q8_name(const ops::Q8GemmUkernel& uk) {
  return "conv2d_q8_gemm_" + std::to_string(uk.mr) + "x" + std::to_string(uk.nr) + "_" + ops::isa_name(uk.isa);
}

struct Q8Case {
  DataType in = DataType::kQU8, out = DataType::kQU8, residual = DataType::kNone;
  ops::Quant qin, qout, qres;
  bool extremes = false;  // weights +-127, activations at the ends of their range
};

Q8Case random_q8_case(Rng& rng, int64_t depth, bool residual) {
  Q8Case q;
  q.in = rng.coin() ? DataType::kQU8 : DataType::kQS8;
  q.out = rng.coin(0.7f) ? DataType::kQU8 : DataType::kQS8;
  q.qin = {rng.uniform(0.005f, 0.05f), rng.coin(0.4f) ? 0 : rng.uniform_int(lo_of(q.in), hi_of(q.in))};
  // Outputs spread over their range: |acc| is about 80 * 73 * sqrt(depth) for random data.
  const float spread = 80.0f * 73.0f * std::sqrt(static_cast<float>(depth)) / rng.uniform(40.0f, 160.0f);
  q.qout = {q.qin.scale * 0.01f * spread, rng.coin(0.5f) ? 0 : rng.uniform_int(lo_of(q.out), hi_of(q.out))};
  if (residual) {
    q.residual = rng.coin() ? DataType::kQU8 : DataType::kQS8;
    q.qres = {q.qout.scale * rng.uniform(0.05f, 3.0f), rng.uniform_int(lo_of(q.residual), hi_of(q.residual))};
  }
  return q;
}

// Runs the reference into `ref` and the engine (micro-kernel uk) into `out`, both with the same data.
template <typename TIn, typename TOut, typename TRes>
void ref_conv(const ConvCase& c, const ops::QLinear& q, Bytes& in, Bytes& out, Bytes* res) {
  ConstTensorView<TRes> r{};
  if (res != nullptr) {
    auto v = res->cview();
    r = {reinterpret_cast<const TRes*>(v.data), v.n, v.h, v.w, v.c, v.pixel_stride};
  }
  auto iv = in.cview();
  auto ov = out.view();
  ops::conv2d_q8_ref<TIn, TOut, TRes>(c.p, q,
                                      {reinterpret_cast<const TIn*>(iv.data), iv.n, iv.h, iv.w, iv.c, iv.pixel_stride},
                                      {reinterpret_cast<TOut*>(ov.data), ov.n, ov.h, ov.w, ov.c, ov.pixel_stride}, r);
}

struct Tally {
  int cases = 0, refused = 0;
};

// One conv case on every runnable int8 micro-kernel: bytes equal to the reference's, on 1 and 2 threads.
void check_case(Rng& rng, const ConvCase& c, const Q8Case& qc, pthreadpool_t pool2, Tally* tally) {
  CAPTURE(c.describe());
  CAPTURE(std::string(ops::data_type_name(qc.in)));
  CAPTURE(std::string(ops::data_type_name(qc.out)));
  CAPTURE(std::string(ops::data_type_name(qc.residual)));
  Shape out_shape;
  REQUIRE(ops::conv2d_infer_shape(c.p, c.in, c.weights(), nullptr, &out_shape).is_ok());
  const int64_t depth = c.depth();
  // Weights, bias and multipliers, as q8_linear_prepare makes them from float scales.
  std::vector<int8_t> w(static_cast<size_t>(c.out_c * depth));
  for (int8_t& v : w) v = static_cast<int8_t>(qc.extremes ? (rng.coin() ? 127 : -127) : rng.uniform_int(-127, 127));
  std::vector<float> ws(static_cast<size_t>(c.out_c)), bias(static_cast<size_t>(c.out_c));
  for (float& s : ws) s = rng.uniform(0.5f, 2.0f);
  for (float& b : bias) b = c.bias ? rng.uniform(-1.0f, 1.0f) * qc.qout.scale * 50.0f : 0.0f;
  std::vector<int32_t> bias_q(ws.size());
  std::vector<float> mult(ws.size());
  ops::q8_linear_prepare(bias.data(), qc.qin, ws.data(), qc.qout, c.out_c, bias_q.data(), mult.data());
  ops::QLinear q;
  q.in = qc.qin, q.out = qc.qout, q.residual = qc.qres;
  q.weights = w.data(), q.bias = bias_q.data(), q.multiplier = mult.data();
  q.activation = c.p.activation;

  const bool slice = rng.coin();
  Bytes in(c.in, slice ? 3 : 0, slice ? 5 : 0, 0);
  fill_random(rng, in, qc.in, qc.extremes);
  // The residual in place is the output's own memory: it has the output's layout, and the output starts as
  // its bytes; apart, it has a layout of its own and the output starts as guard bytes.
  const bool has_res = qc.residual != DataType::kNone;
  const bool res_in_place = has_res && qc.residual == qc.out && rng.coin();
  Bytes start(out_shape, slice ? 7 : 0, slice ? 2 : 0, 0xA5);
  Bytes res = res_in_place ? start : Bytes(out_shape, slice ? 1 : 0, slice ? 4 : 0, 0);
  if (has_res) fill_random(rng, res, qc.residual, false);
  if (res_in_place) start = res;
  Bytes ref = start;
  ops::with_q8_types(qc.in, qc.out, [&](auto ti, auto to) {
    using TIn = decltype(ti);
    using TOut = decltype(to);
    if (qc.residual == DataType::kQS8) {
      ref_conv<TIn, TOut, int8_t>(c, q, in, ref, &res);
    } else {
      ref_conv<TIn, TOut, uint8_t>(c, q, in, ref, has_res ? &res : nullptr);
    }
  });
  ++tally->cases;

  for (const ops::Q8GemmUkernel* uk : runnable_q8_ukernels()) {
    CAPTURE(q8_name(*uk));
    ops::Conv2DQ8Gemm g;
    const Status st = ops::conv2d_q8_gemm_create(*uk, c.p, c.in, out_shape, {qc.in, qc.out, qc.residual}, q, &g);
    if (!st.is_ok()) {
      CHECK(st.code() == StatusCode::kUnsupported);
      ++tally->refused;
      continue;
    }
    for (pthreadpool_t pool : {static_cast<pthreadpool_t>(nullptr), pool2}) {
      Bytes out = start;
      ConstTensorView<uint8_t> r{};
      if (has_res) r = res_in_place ? out.cview() : res.cview();
      test::heap_count_begin();
      ops::conv2d_q8_gemm_run(g, in.cview(), out.view(), pool, r);
      CHECK(test::heap_count_end() <= 0);
      const bool same = out.data == ref.data;
      CHECK_MESSAGE(same, "bytes differ from conv2d_q8_ref (threads " << (pool == nullptr ? 1 : 2) << ")");
      if (!same) return;
    }
  }
}

TEST_CASE("conv2d q8 gemm: this CPU runs the int8 micro-kernels its ISA promises") {
  std::string names;
  for (const ops::Q8GemmUkernel* uk : runnable_q8_ukernels()) names += q8_name(*uk) + " ";
  MESSAGE("runnable int8 GEMM micro-kernels: " << (names.empty() ? "none" : names));
#if defined(__x86_64__)
  CHECK(runnable_q8_ukernels().size() == static_cast<size_t>(ops::cpu_has(ops::Isa::kAvx2Fma)) +
                                             static_cast<size_t>(ops::cpu_has(ops::Isa::kAvx512Vnni)));
#elif defined(__aarch64__)
  CHECK(runnable_q8_ukernels().size() == 1 + static_cast<size_t>(ops::cpu_has(ops::Isa::kNeonDot)));
#endif
  // The registry offers each as conv2d_q8_gemm_<tile>_<isa> (and fully_connected_q8_gemm_...).
  for (const ops::Q8GemmUkernel* uk : runnable_q8_ukernels()) {
    bool listed = false;
    const ops::OpDef& def = ops::op_def(ops::OpKind::kConv2D);
    for (int i = 0; i < def.num_kernels; ++i) listed = listed || def.kernels[i]->name == q8_name(*uk);
    CHECK_MESSAGE(listed, q8_name(*uk));
  }
}

TEST_CASE("conv2d q8 gemm: every conv shape of the four nets, bytes equal to the reference") {
  Rng rng(0x1a8e);
  Pool pool2(2);
  Tally tally;
  for (const ConvCase& c : test::net_conv_shapes())
    check_case(rng, c, random_q8_case(rng, c.depth(), false), pool2.get(), &tally);
  MESSAGE(tally.cases << " net conv shapes, " << tally.refused << " refused");
  CHECK(tally.refused == 0);
}

TEST_CASE("conv2d q8 gemm: the named layers at full size, into their concat slices, with residuals") {
  Rng rng(0x0a11);
  Pool pool2(2);
  Tally tally;
  for (const ConvCase& c : test::named_conv_cases()) {
    const bool residual = c.p.activation != ops::Activation::kRelu || rng.coin(0.3f);
    check_case(rng, c, random_q8_case(rng, c.depth(), residual), pool2.get(), &tally);
  }
  CHECK(tally.refused == 0);
}

TEST_CASE("conv2d q8 gemm: random shapes and types, exact where a 16-bit pair sum would saturate") {
  Rng rng(0x5a7e);
  Pool pool2(2);
  Tally tally;
  for (int i = 0; i < 300; ++i) {
    ConvCase c = test::random_conv_case(rng, 1);
    Q8Case q = random_q8_case(rng, c.depth(), rng.coin(0.3f));
    q.extremes = i % 5 == 0;
    check_case(rng, c, q, pool2.get(), &tally);
  }
  for (const ConvCase& c : test::small_conv_cases())
    if (c.p.groups == 1) check_case(rng, c, random_q8_case(rng, c.depth(), false), pool2.get(), &tally);
  CHECK(tally.refused == 0);
}

TEST_CASE("conv2d q8 gemm: what the engine refuses") {
  for (const ops::Q8GemmUkernel* uk : runnable_q8_ukernels()) {
    CAPTURE(q8_name(*uk));
    std::vector<int8_t> w(64 * 9 * 8192);  // the largest conv below
    std::vector<int32_t> b(64);
    std::vector<float> m(64, 1.0f);
    ops::QLinear q;
    q.weights = w.data(), q.bias = b.data(), q.multiplier = m.data();
    ops::Conv2DQ8Gemm g;
    const ConvCase grouped{"grouped", {1, 8, 8, 64}, test::conv(3, 3, 1, {1, 1, 1, 1}, true, 2), 64};
    CHECK(test::failed_with(ops::conv2d_q8_gemm_create(*uk, grouped.p, grouped.in, {1, 8, 8, 64}, {}, q, &g),
                            StatusCode::kUnsupported, "ungrouped"));
    // Too long to gather (an input the kernel cannot read in place: int8 for VNNI's unsigned bytes, uint8 for
    // the others), and read in place where it can be.
    const ConvCase huge{"huge", {1, 8, 8, 8192}, test::conv(3, 3, 1, {1, 1, 1, 1}), 64};
    const DataType gathered = uk->a_form == ops::Q8AForm::kU8 ? DataType::kQS8 : DataType::kQU8;
    CHECK(test::failed_with(ops::conv2d_q8_gemm_create(*uk, huge.p, huge.in, {1, 8, 8, 64}, {gathered}, q, &g),
                            StatusCode::kUnsupported, "gathers at most"));
    if (uk->a_form != ops::Q8AForm::kS16) {
      const DataType direct = uk->a_form == ops::Q8AForm::kU8 ? DataType::kQU8 : DataType::kQS8;
      CHECK(ops::conv2d_q8_gemm_create(*uk, huge.p, huge.in, {1, 8, 8, 64}, {direct}, q, &g).is_ok());
      CHECK(g.in_place);
    }
  }
}

}  // namespace
}  // namespace incept
