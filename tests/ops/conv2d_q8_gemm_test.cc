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
#include "fully_connected/fully_connected.h"
#include "op_registry.h"
#include "support/conv_cases.h"
#include "support/heap_counter.h"
#include "support/net_conv_shapes.h"
#include "support/q8_conv_case.h"
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
using test::Q8Case;
using test::random_q8_case;
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

struct Tally {
  int cases = 0, refused = 0, copied = 0;  // copied: runs of the stems' copied mode
};

// One conv case on every runnable int8 micro-kernel: bytes equal to the reference's, on 1 and 2 threads.
void check_case(Rng& rng, const ConvCase& c, const Q8Case& qc, pthreadpool_t pool2, Tally* tally) {
  CAPTURE(c.describe());
  CAPTURE(std::string(ops::data_type_name(qc.in)));
  CAPTURE(std::string(ops::data_type_name(qc.out)));
  CAPTURE(std::string(ops::data_type_name(qc.residual)));
  test::Q8ConvData d;
  test::make_q8_conv(rng, c, qc, &d);
  ++tally->cases;

  for (const ops::Q8GemmUkernel* table_uk : runnable_q8_ukernels()) {
    CAPTURE(q8_name(*table_uk));
    ops::Q8GemmUkernel every = *table_uk;  // the arithmetic on every shape, those its table leaves to another too
    every.min_cin = 0;
    const ops::Q8GemmUkernel* uk = &every;
    ops::Conv2DQ8Gemm g;
    const Status st = ops::conv2d_q8_gemm_create(*uk, c.p, c.in, d.out_shape, {qc.in, qc.out, qc.residual}, d.q, &g);
    if (!st.is_ok()) {
      CHECK(st.code() == StatusCode::kUnsupported);
      ++tally->refused;
      continue;
    }
    if (g.copied) ++tally->copied;
    std::vector<float> scratch(g.scratch_bytes() / sizeof(float) + 16);
    for (pthreadpool_t pool : {static_cast<pthreadpool_t>(nullptr), pool2}) {
      Bytes out = d.start;
      const ConstTensorView<uint8_t> r = d.residual_for(out);
      test::heap_count_begin();
      ops::conv2d_q8_gemm_run(g, d.in.cview(), out.view(), scratch.data(), pool, r);
      CHECK(test::heap_count_end() <= 0);
      const bool same = out.data == d.ref.data;
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
                                             static_cast<size_t>(ops::cpu_has(ops::Isa::kAvx512Vnni)) +
                                             static_cast<size_t>(ops::cpu_has(ops::Isa::kAmx)));
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
  MESSAGE(tally.cases << " net conv shapes, " << tally.refused << " refused, " << tally.copied
                      << " runs of the stems' copied mode");
  CHECK(tally.refused == 0);
  CHECK(tally.copied >= 2 * static_cast<int>(runnable_q8_ukernels().size()));  // every ISA's stems
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
  MESSAGE(tally.copied << " runs of the stems' copied mode");
  CHECK(tally.refused == 0);
  CHECK(tally.copied >= 20);
}

// Multipliers far over 1 (an output scale far below the input's): float(acc) * m leaves int32, where a kernel
// that rounds before it clamps (Q8GemmTile::small_m) would wrap; every kernel must give the float clamp's bytes.
TEST_CASE("conv2d q8 gemm: multipliers over 1, products past int32, the bytes of the float clamp") {
  Rng rng(0xb16);
  Pool pool2(2);
  Tally tally;
  for (int i = 0; i < 24; ++i) {
    const ConvCase c = test::random_conv_case(rng, 1);
    Q8Case q = random_q8_case(rng, c.depth(), false);
    q.qout.scale = q.qin.scale * 1e-6f;  // m = s_in * s_w / s_out: about 1e6 * s_w
    q.extremes = i % 2 == 0;
    check_case(rng, c, q, pool2.get(), &tally);
  }
  CHECK(tally.refused == 0);
}

// Float32 outputs (an 8-bit classifier writing its logits, Q8GemmTile::f32) on every micro-kernel: fully
// connected shapes as the engine takes them (1x1 convs over [N, 1, 1, I]), Inception's classifiers among them,
// the bits of fully_connected_q8_ref, written into a strided slice whose guard floats stay as they were; a
// fused residual with a float output is refused.
TEST_CASE("conv2d q8 gemm: float32 outputs of fully connected shapes, the reference's bits") {
  Rng rng(0xf32);
  Pool pool2(2);
  struct Dims {
    int32_t n, i, o;
  };
  std::vector<Dims> dims = {{1, 2048, 1000}, {1, 1536, 1000}, {1, 1024, 1000}, {2, 100, 17}, {33, 64, 40}};
  for (int r = 0; r < 30; ++r)
    dims.push_back({rng.uniform_int(1, 40), rng.uniform_int(1, 300), rng.uniform_int(1, 70)});
  int runs = 0;
  for (size_t r = 0; r < dims.size(); ++r) {
    const Dims& dm = dims[r];
    CAPTURE(dm.n);
    CAPTURE(dm.i);
    CAPTURE(dm.o);
    const DataType tin = rng.coin() ? DataType::kQU8 : DataType::kQS8;
    const bool extremes = r % 4 == 3;
    std::vector<int8_t> w(static_cast<size_t>(dm.o) * static_cast<size_t>(dm.i));
    for (int8_t& v : w) v = static_cast<int8_t>(extremes ? (rng.coin() ? 127 : -127) : rng.uniform_int(-127, 127));
    std::vector<float> ws(static_cast<size_t>(dm.o)), bias(ws.size()), mult(ws.size());
    std::vector<int32_t> bias_q(ws.size());
    for (float& v : ws) v = rng.uniform(0.001f, 0.02f);
    for (float& v : bias) v = rng.uniform(-3.0f, 3.0f);
    ops::QLinear q;
    q.in = {rng.uniform(0.005f, 0.05f), rng.coin(0.3f) ? 0 : rng.uniform_int(lo_of(tin), hi_of(tin))};
    ops::q8_linear_prepare(bias.data(), q.in, ws.data(), q.out, dm.o, bias_q.data(), mult.data());
    q.weights = w.data(), q.bias = bias_q.data(), q.multiplier = mult.data();
    ops::Conv2DParams p;
    p.activation = rng.coin() ? ops::Activation::kRelu : ops::Activation::kNone;
    q.activation = p.activation;
    const bool slice = rng.coin();
    Bytes in({dm.n, 1, 1, dm.i}, slice ? 3 : 0, slice ? 5 : 0, 0);
    fill_random(rng, in, tin, extremes);
    const int32_t stride = dm.o + (slice ? 6 : 0), offset = slice ? 2 : 0;
    std::vector<float> ref(static_cast<size_t>(dm.n) * static_cast<size_t>(stride) + 8, 1234.5f);
    ops::with_q8_type(tin, [&](auto t) {
      using T = decltype(t);
      const auto iv = in.cview();
      ops::fully_connected_q8_ref<T, float>(q, {reinterpret_cast<const T*>(iv.data), iv.n, 1, 1, iv.c, iv.pixel_stride},
                                            {ref.data() + offset, dm.n, 1, 1, dm.o, stride});
    });
    for (const ops::Q8GemmUkernel* table_uk : runnable_q8_ukernels()) {
      CAPTURE(q8_name(*table_uk));
      ops::Q8GemmUkernel every = *table_uk;
      every.min_cin = 0;
      ops::Conv2DQ8Gemm g;
      REQUIRE(ops::conv2d_q8_gemm_create(every, p, {dm.n, 1, 1, dm.i}, {dm.n, 1, 1, dm.o}, {tin, DataType::kF32}, q, &g)
                  .is_ok());
      for (pthreadpool_t pool : {static_cast<pthreadpool_t>(nullptr), pool2.get()}) {
        std::vector<float> out(ref.size(), 1234.5f);
        test::heap_count_begin();
        ops::conv2d_q8_gemm_run(
            g, in.cview(), {reinterpret_cast<uint8_t*>(out.data() + offset), dm.n, 1, 1, dm.o, stride}, nullptr, pool);
        CHECK(test::heap_count_end() <= 0);
        const bool same = std::memcmp(out.data(), ref.data(), out.size() * sizeof(float)) == 0;
        CHECK_MESSAGE(
            same, "float32 outputs differ from fully_connected_q8_ref (threads " << (pool == nullptr ? 1 : 2) << ")");
        ++runs;
      }
    }
    // A float output has no fused residual (the 8-bit epilogue's).
    ops::Conv2DQ8Gemm g;
    CHECK(
        test::failed_with(ops::conv2d_q8_gemm_create(*runnable_q8_ukernels().front(), p, {dm.n, 1, 1, dm.i},
                                                     {dm.n, 1, 1, dm.o}, {tin, DataType::kF32, DataType::kQU8}, q, &g),
                          StatusCode::kUnsupported, "float32 output with a fused residual"));
  }
  CHECK(runs == 2 * static_cast<int>(dims.size() * runnable_q8_ukernels().size()));
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
    if (uk->min_cin > 0) {  // a conv over fewer channels is left to a lower table (the registry's next kernel)
      const ConvCase narrow{"narrow", {1, 8, 8, uk->min_cin - 1}, test::conv(3, 3, 1, {1, 1, 1, 1}), 64};
      CHECK(test::failed_with(ops::conv2d_q8_gemm_create(*uk, narrow.p, narrow.in, {1, 8, 8, 64}, {}, q, &g),
                              StatusCode::kUnsupported, "input channels"));
      const ConvCase enough{"enough", {1, 8, 8, uk->min_cin}, test::conv(3, 3, 1, {1, 1, 1, 1}), 64};
      CHECK(ops::conv2d_q8_gemm_create(*uk, enough.p, enough.in, {1, 8, 8, 64}, {}, q, &g).is_ok());
    }
    // Too long to gather (an input the kernel cannot read in place: int8 for VNNI's unsigned bytes, uint8 for
    // the others), and read in place where it can be.
    const ConvCase huge{"huge", {1, 8, 8, 8192}, test::conv(3, 3, 1, {1, 1, 1, 1}), 64};
    // (A kernel that takes whole packed rows gathers straight into its packing: that buffer's limit.)
    const DataType gathered = uk->a_form == ops::Q8AForm::kU8 ? DataType::kQS8 : DataType::kQU8;
    CHECK(test::failed_with(ops::conv2d_q8_gemm_create(*uk, huge.p, huge.in, {1, 8, 8, 64}, {gathered}, q, &g),
                            StatusCode::kUnsupported, uk->a_row > 0 ? "packs at most" : "gathers at most"));
    const DataType direct = uk->a_form == ops::Q8AForm::kU8 ? DataType::kQU8 : DataType::kQS8;
    if (uk->a_form != ops::Q8AForm::kS16 && !uk->packs_a) {
      CHECK(ops::conv2d_q8_gemm_create(*uk, huge.p, huge.in, {1, 8, 8, 64}, {direct}, q, &g).is_ok());
      CHECK(g.in_place);
    } else if (uk->packs_a) {  // read in place, but every strip's rows are packed first
      CHECK(test::failed_with(ops::conv2d_q8_gemm_create(*uk, huge.p, huge.in, {1, 8, 8, 64}, {direct}, q, &g),
                              StatusCode::kUnsupported, "packs at most"));
    }
  }
}

}  // namespace
}  // namespace incept
