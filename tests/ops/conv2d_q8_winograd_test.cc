// SPDX-License-Identifier: Apache-2.0
// The exact int8 Winograd engine (conv2d_q8_winograd): its integer tables against the formulas they come
// from and the identity they must keep; every variant (3x3, 1x7, 7x1) forced onto odd shapes, batches, channel tails
// and slices, every pair of 8-bit types, zero points anywhere, ReLU or none and fused residuals, byte for
// byte the reference int8 kernel's on one thread and two, never the heap; every conv shape of the four
// nets the rule takes; the rule, the registry's names and what the engine refuses.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "conv2d/conv2d_q8_winograd.h"
#include "conv2d/winograd_axes.h"
#include "conv2d/winograd_q8_axes.h"
#include "isa/isa_table.h"
#include "op_registry.h"
#include "support/conv_cases.h"
#include "support/heap_counter.h"
#include "support/net_conv_shapes.h"
#include "support/q8_conv_case.h"
#include "support/q8_util.h"
#include "support/winograd_util.h"

namespace incept {
namespace {

using ops::DataType;
using ops::WinogradVariant;
using test::Bytes;
using test::ConvCase;
using test::Pool;
using test::Rng;

// ---- the integer tables --------------------------------------------------------------------------------

// dims: the axis's use, on both axes of a 2-D tile (3x3) or on one (1x7, 7x1).
template <class A>
void check_axis(const char* name, int dims) {
  CAPTURE(name);
  constexpr int m = A::m, r = A::r, alpha = A::alpha;
  // BT, AT and G from the points, in double (winograd_axes.h's formulas).
  double bt[alpha][alpha], at[m][alpha], g[alpha * r];
  test::winograd_tables_from_points<A>(bt, at, g);
  // The least positive integer that makes every value of a row integral.
  auto least = [](const double* row, int n, double scale) {
    for (int64_t k = 1;; ++k) {
      bool ok = true;
      for (int i = 0; i < n && ok; ++i) ok = std::fabs(k * row[i] / scale - std::round(k * row[i] / scale)) <= 1e-9;
      if (ok) return k;
    }
  };
  // bt = diag(s) BT, gs = diag(d) G, at = AT diag(L / (s d)) with L the least making it integral.
  int64_t s[alpha], d[alpha];
  for (int j = 0; j < alpha; ++j) s[j] = least(bt[j], alpha, 1.0), d[j] = least(g + j * r, r, 1.0);
  int64_t l = 1;
  for (;; ++l) {
    bool ok = true;
    for (int i = 0; i < m && ok; ++i)
      for (int j = 0; j < alpha && ok; ++j) {
        const double v = at[i][j] * l / static_cast<double>(s[j] * d[j]);
        ok = std::fabs(v - std::round(v)) <= 1e-9;
      }
    if (ok) break;
  }
  CHECK(l == A::l);
  for (int j = 0; j < alpha; ++j) {
    for (int k = 0; k < alpha; ++k) CHECK(A::bt[j][k] == static_cast<int32_t>(std::lround(s[j] * bt[j][k])));
    for (int k = 0; k < r; ++k) CHECK(A::gs[j][k] == static_cast<int32_t>(std::lround(d[j] * g[j * r + k])));
    for (int i = 0; i < m; ++i)
      CHECK(A::at[i][j] == static_cast<int32_t>(std::lround(at[i][j] * l / static_cast<double>(s[j] * d[j]))));
  }
  // L y = at [(gs w) . (BT x)] exactly, in integers, at the ends of the 8-bit ranges.
  Rng rng(0x9a + m);
  for (int trial = 0; trial < 200; ++trial) {
    int64_t x[alpha], w[r];
    for (int64_t& v : x) v = trial % 3 == 0 ? (rng.coin() ? 255 : -255) : rng.uniform_int(-255, 255);
    for (int64_t& v : w) v = trial % 3 == 0 ? (rng.coin() ? 127 : -127) : rng.uniform_int(-127, 127);
    for (int i = 0; i < m; ++i) {
      int64_t y = 0, want = 0;
      for (int j = 0; j < alpha; ++j) {
        int64_t u = 0, v = 0;
        for (int k = 0; k < r; ++k) u += A::gs[j][k] * w[k];
        for (int k = 0; k < alpha; ++k) v += A::bt[j][k] * x[k];
        y += A::at[i][j] * u * v;
      }
      for (int k = 0; k < r; ++k) want += x[i + k] * w[k];
      CHECK(y == A::l * want);
    }
  }
  // The bounds of winograd_q8_axes.h: 2-D transformed inputs and weights fit int16, a pair sum int32.
  int64_t bt_sum = 0, gs_sum = 0;
  for (int j = 0; j < alpha; ++j) {
    int64_t b = 0, s = 0;
    for (int k = 0; k < alpha; ++k) b += std::abs(A::bt[j][k]);
    for (int k = 0; k < r; ++k) s += std::abs(A::gs[j][k]);
    bt_sum = std::max(bt_sum, b), gs_sum = std::max(gs_sum, s);
  }
  const int64_t v = bt_sum * (dims == 2 ? bt_sum : 1) * 255, u = gs_sum * (dims == 2 ? gs_sum : 1) * 127;
  CHECK(v < 32768);
  CHECK(u < 32768);
  CHECK(2 * v * u < (int64_t{1} << 31));
}

TEST_CASE("q8 winograd axes: the integer tables are their points' formulas and keep L y = at[(gs g).(BT d)]") {
  check_axis<ops::QWinoAxisIdentity>("identity", 1);
  check_axis<ops::QWinoAxisF2x3>("F(2,3)", 2);
  check_axis<ops::QWinoAxisF4x3>("F(4,3)", 2);
  check_axis<ops::QWinoAxisF2x7>("F(2,7)", 1);
  for (int64_t l : {1, 2, 4, 576, 9, 24 * 24, 7 * 64}) {
    const ops::QWinoDivisor dv = ops::qwino_divisor(l);
    CHECK(static_cast<uint32_t>(l >> dv.shift) * dv.inverse == 1u);
    const int64_t back = (l >> dv.shift) << dv.shift;
    CHECK(back == l);
  }
}

// ---- the engine against the reference ------------------------------------------------------------------

std::vector<const ops::IsaTable*> q8_winograd_tables() { return test::runnable_tables(ops::IsaPart::kWinogradQ8); }

struct Tally {
  int runs = 0, refused = 0;
};

// Case c with variant v (kNone: the rule's choice) on every runnable table: the reference's bytes on 1 and 2
// threads, or kUnsupported.
void check_case(Rng& rng, const ConvCase& c, const test::Q8Case& qc, WinogradVariant v, pthreadpool_t pool2,
                Tally* tally) {
  CAPTURE(c.describe());
  CAPTURE(std::string(ops::data_type_name(qc.in)));
  CAPTURE(std::string(ops::data_type_name(qc.out)));
  CAPTURE(std::string(ops::data_type_name(qc.residual)));
  test::Q8ConvData d;
  test::make_q8_conv(rng, c, qc, &d);
  if (v == WinogradVariant::kNone) v = ops::winograd_q8_choice(c.p, c.in, d.out_shape);
  CAPTURE(std::string(ops::winograd_variant_name(v)));
  for (const ops::IsaTable* t : q8_winograd_tables()) {
    CAPTURE(std::string(ops::isa_name(t->isa)));
    ops::Conv2DQ8Winograd w;
    const Status st = ops::conv2d_q8_winograd_create(t->winograd_q8, v, c.p, c.in, d.out_shape,
                                                     {qc.in, qc.out, qc.residual}, d.q, 2, &w);
    if (!st.is_ok()) {
      CHECK(st.code() == StatusCode::kUnsupported);
      ++tally->refused;
      continue;
    }
    std::vector<float> scratch(w.scratch_bytes() / sizeof(float) + 16);
    for (pthreadpool_t pool : {static_cast<pthreadpool_t>(nullptr), pool2}) {
      Bytes out = d.start;
      const ConstTensorView<uint8_t> r = d.residual_for(out);
      test::heap_count_begin();
      ops::conv2d_q8_winograd_run(w, d.in.cview(), out.view(), scratch.data(), pool, r);
      CHECK(test::heap_count_end() <= 0);
      const bool same = out.data == d.ref.data;
      CHECK_MESSAGE(same, "bytes differ from conv2d_q8_ref (threads " << (pool == nullptr ? 1 : 2) << ")");
      ++tally->runs;
      if (!same) return;
    }
  }
}

TEST_CASE("q8 winograd: every variant on odd shapes, types and residuals, bytes equal to the reference") {
  Rng rng(0x3a3a);
  Pool pool2(2);
  Tally tally;
  static const WinogradVariant kVariants[] = {WinogradVariant::kF4x4K3x3, WinogradVariant::kF2x2K3x3,
                                              WinogradVariant::kF1x2K1x7, WinogradVariant::kF2x1K7x1};
  for (int i = 0; i < 160; ++i) {
    const WinogradVariant v = kVariants[i % 4];
    const int32_t kh = v == WinogradVariant::kF2x1K7x1 ? 7 : v == WinogradVariant::kF1x2K1x7 ? 1 : 3;
    const int32_t kw = v == WinogradVariant::kF1x2K1x7 ? 7 : v == WinogradVariant::kF2x1K7x1 ? 1 : 3;
    ConvCase c;
    c.name = "random";
    c.p = test::conv(kh, kw, 1,
                     {rng.uniform_int(0, kh - 1), rng.uniform_int(0, kh - 1), rng.uniform_int(0, kw - 1),
                      rng.uniform_int(0, kw - 1)},
                     rng.coin());
    // Channels off the 16-lane groups (the input transform's tail) and off the 8-column stores; maps from a
    // single tile to many blocks; now and then a batch of two.
    const int32_t side = i % 15 == 14 ? rng.uniform_int(60, 80) : rng.uniform_int(1, 30);
    c.in = {rng.coin(0.2f) ? 2 : 1, std::max(side + rng.uniform_int(-2, 2), 1), side,
            rng.coin(0.3f) ? 16 * rng.uniform_int(1, 6) : rng.uniform_int(1, 100)};
    c.out_c = rng.coin(0.3f) ? 16 * rng.uniform_int(1, 4) : rng.uniform_int(1, 70);
    c.bias = rng.coin(0.8f);
    if (!c.fits()) continue;
    test::Q8Case q = test::random_q8_case(rng, c.depth(), rng.coin(0.3f));
    q.extremes = i % 7 == 0 && c.in[3] <= 24;  // the ends of every range, where the exact bound still holds
    check_case(rng, c, q, v, pool2.get(), &tally);
  }
  MESSAGE(tally.runs << " runs, " << tally.refused << " refused");
  CHECK(tally.refused == 0);
  if (!q8_winograd_tables().empty()) CHECK(tally.runs > 200);
}

TEST_CASE("q8 winograd: every conv shape of the four nets the rule takes, bytes equal to the reference") {
  Rng rng(0x3b3b);
  Pool pool2(2);
  Tally tally;
  int taken = 0;
  for (const ConvCase& c : test::net_conv_shapes()) {
    Shape out;
    REQUIRE(ops::conv2d_infer_shape(c.p, c.in, c.weights(), nullptr, &out).is_ok());
    if (ops::winograd_q8_choice(c.p, c.in, out) == WinogradVariant::kNone) continue;
    ++taken;
    check_case(rng, c, test::random_q8_case(rng, c.depth(), rng.coin(0.3f)), WinogradVariant::kNone, pool2.get(),
               &tally);
  }
  MESSAGE(taken << " net conv shapes take int8 Winograd");
  CHECK(taken >= 10);
  CHECK(tally.refused == 0);
}

TEST_CASE("q8 winograd: the rule, the registry's names and what the engine refuses") {
  // The rule: 3x3 stride 1 on maps of 25 and more with F(4x4), 9 to 24 with F(2x2) from 64 channels, even maps
  // of at most 8 from 256; 1x7 and 7x1 along an axis of 16 and more.
  const ops::Conv2DParams p3 = test::conv(3, 3, 1, {1, 1, 1, 1});
  CHECK(ops::winograd_q8_choice(p3, {1, 35, 35, 64}, {1, 35, 35, 96}) == WinogradVariant::kF4x4K3x3);
  CHECK(ops::winograd_q8_choice(p3, {1, 17, 17, 64}, {1, 17, 17, 96}) == WinogradVariant::kF2x2K3x3);
  CHECK(ops::winograd_q8_choice(p3, {1, 17, 17, 32}, {1, 17, 17, 96}) == WinogradVariant::kNone);
  CHECK(ops::winograd_q8_choice(p3, {1, 8, 8, 448}, {1, 8, 8, 384}) == WinogradVariant::kF2x2K3x3);
  CHECK(ops::winograd_q8_choice(p3, {1, 8, 8, 192}, {1, 8, 8, 384}) == WinogradVariant::kNone);
  CHECK(ops::winograd_q8_choice(p3, {1, 7, 7, 448}, {1, 7, 7, 384}) == WinogradVariant::kNone);
  CHECK(ops::winograd_q8_choice(test::conv(3, 3, 2), {1, 35, 35, 64}, {1, 17, 17, 96}) == WinogradVariant::kNone);
  CHECK(ops::winograd_q8_choice(test::conv(1, 7, 1, {0, 0, 3, 3}), {1, 17, 17, 64}, {1, 17, 17, 96}) ==
        WinogradVariant::kF1x2K1x7);
  CHECK(ops::winograd_q8_choice(test::conv(7, 1, 1, {3, 3, 0, 0}), {1, 17, 17, 64}, {1, 17, 17, 96}) ==
        WinogradVariant::kF2x1K7x1);
  CHECK(ops::winograd_q8_choice(test::conv(1, 7, 1, {0, 0, 3, 3}), {1, 8, 8, 64}, {1, 8, 8, 96}) ==
        WinogradVariant::kNone);
  CHECK(ops::winograd_q8_choice(test::conv(1, 3, 1, {0, 0, 1, 1}), {1, 35, 35, 64}, {1, 35, 35, 96}) ==
        WinogradVariant::kNone);

  for (const ops::IsaTable* t : q8_winograd_tables()) {
    CAPTURE(std::string(ops::isa_name(t->isa)));
    // Offered by the registry as conv2d_q8_winograd_<tile>_<isa>.
    char tile[16];
    t->tile_name(ops::IsaPart::kWinogradQ8, tile, sizeof(tile));
    const std::string name = std::string("conv2d_q8_winograd_") + tile + "_" + ops::isa_name(t->isa);
    bool listed = false;
    const ops::OpDef& def = ops::op_def(ops::OpKind::kConv2D);
    for (int i = 0; i < def.num_kernels; ++i) listed = listed || def.kernels[i]->name == name;
    CHECK_MESSAGE(listed, name);

    // Weights whose sums could leave the exact range: +-127 over 9 x 128 taps (255 * 127 * 1152 >= 2^25).
    std::vector<int8_t> w(32 * 9 * 128, 127);
    std::vector<int32_t> b(32);
    std::vector<float> m(32, 1.0f);
    ops::QLinear q;
    q.weights = w.data(), q.bias = b.data(), q.multiplier = m.data();
    ops::Conv2DQ8Winograd g;
    CHECK(test::failed_with(ops::conv2d_q8_winograd_create(t->winograd_q8, WinogradVariant::kF4x4K3x3, p3,
                                                           {1, 30, 30, 128}, {1, 30, 30, 32}, {}, q, 1, &g),
                            StatusCode::kUnsupported, "exact range"));
    // F(2x2) divides by 4, not 576: the same weights fit.
    CHECK(ops::conv2d_q8_winograd_create(t->winograd_q8, WinogradVariant::kF2x2K3x3, p3, {1, 30, 30, 128},
                                         {1, 30, 30, 32}, {}, q, 1, &g)
              .is_ok());
    // Not a 3x3 stride-1 conv; a variant the engine has no transforms for.
    CHECK(test::failed_with(
        ops::conv2d_q8_winograd_create(t->winograd_q8, WinogradVariant::kF4x4K3x3, test::conv(3, 3, 2),
                                       {1, 30, 30, 128}, {1, 14, 14, 32}, {}, q, 1, &g),
        StatusCode::kUnsupported, "3x3 conv of stride and dilation 1"));
    CHECK(test::failed_with(
        ops::conv2d_q8_winograd_create(t->winograd_q8, WinogradVariant::kF1x4K1x3, test::conv(1, 3, 1, {0, 0, 1, 1}),
                                       {1, 30, 30, 128}, {1, 30, 30, 32}, {}, q, 1, &g),
        StatusCode::kUnsupported, "no int8 Winograd variant"));
  }
}

}  // namespace
}  // namespace incept
