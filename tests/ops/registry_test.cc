// SPDX-License-Identifier: Apache-2.0
// The registry (ops/op_registry.h) and the ISA tables it is made from (ops/isa/isa_table.h): kernels'
// properties (XNNPACK's read slack, a concat that is a view); every registered kernel name
// parses back to its op, data type, tile and ISA, and names the table it runs on; every table's GEMM
// micro-kernels (full, half, single row) are driven directly over the edges of their tile (rows 1,
// MR - 1, MR; columns 1, NR - 1, NR; k = 1, odd k; one and several taps; with and without a residual and
// ReLU) against a float64 sum, writing exactly their rows and columns; and the GEMM engine over m, n, k
// of 1, tile - 1, tile, tile + 1. Tables of an ISA this CPU lacks are reported as skipped, by name.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "concat/concat.h"
#include "conv2d/conv2d_gemm.h"
#include "isa/isa_table.h"
#include "op_registry.h"
#include "support/conv_cases.h"
#include "support/test_util.h"

namespace incept {
namespace {

using test::Rng;

// <op>_<dtype>_<impl>_<tile>_<isa> split back into its parts, the op and the ISA matched against the
// known spellings (both contain '_').
struct ParsedName {
  std::string op, dtype, impl, tile, isa;
};

bool parse_kernel_name(const std::string& name, const std::string& op, ParsedName* out) {
  if (name.rfind(op + "_", 0) != 0) return false;
  out->op = op;
  std::string rest = name.substr(op.size() + 1);
  const size_t dtype_end = rest.find('_');
  out->dtype = rest.substr(0, dtype_end);
  rest = dtype_end == std::string::npos ? "" : rest.substr(dtype_end + 1);
  out->impl = rest;
  out->tile.clear();
  out->isa.clear();
  for (const ops::IsaTable* t : ops::isa_tables()) {
    const std::string isa = ops::isa_name(t->isa);
    if (rest.size() <= isa.size() + 1 || rest.compare(rest.size() - isa.size(), isa.size(), isa) != 0) continue;
    std::string head = rest.substr(0, rest.size() - isa.size() - 1);  // <impl>_<tile> or <tile>
    const size_t cut = head.rfind('_');
    out->tile = cut == std::string::npos ? head : head.substr(cut + 1);
    out->impl = cut == std::string::npos ? "" : head.substr(0, cut);
    out->isa = isa;
  }
  return !out->dtype.empty();
}

// The tile spelled "6x16" or "c8", as numbers.
bool parse_tile(const std::string& tile, int* a, int* b) {
  if (std::sscanf(tile.c_str(), "%dx%d", a, b) == 2) return true;
  *b = 0;
  return std::sscanf(tile.c_str(), "c%d", a) == 1;
}

const ops::OpKind kAllOps[] = {
#define INCEPT_OP(Name, snake) ops::OpKind::k##Name,
#include "op_list.inc"
#undef INCEPT_OP
};

TEST_CASE("isa tables: every registered kernel name parses back to its op, dtype, tile and ISA table") {
  int natives = 0;
  for (ops::OpKind kind : kAllOps) {
    const ops::OpDef& def = ops::op_def(kind);
    CAPTURE(def.name);
    REQUIRE(def.num_kernels >= 1);
    const ops::Kernel& last = *def.kernels[def.num_kernels - 1];
    CHECK(last.family == ops::KernelFamily::kRef);
    CHECK(last.isa == ops::Isa::kScalar);
    std::map<std::string, int> seen;
    int previous_table = -1;
    for (int i = 0; i < def.num_kernels; ++i) {
      const ops::Kernel& k = *def.kernels[i];
      const std::string name = k.name;
      CAPTURE(name);
      CHECK(++seen[name] == 1);
      ParsedName p;
      REQUIRE(parse_kernel_name(name, def.snake, &p));
      CHECK(p.dtype == ops::data_type_name(k.types.input));
      if (k.family != ops::KernelFamily::kNative || k.table == nullptr) {
        CHECK(k.table == nullptr);
        CHECK(p.isa.empty());
        continue;
      }
      ++natives;
      // A native kernel names the table it runs on, and the table's tile for its part.
      CHECK(p.isa == ops::isa_name(k.isa));
      CHECK(k.table->isa == k.isa);
      CHECK(ops::isa_table(k.isa) == k.table);
      int a = 0, b = 0;
      REQUIRE(parse_tile(p.tile, &a, &b));
      if ((p.impl == "gemm" || p.impl == "gemm_f32out") && p.dtype == "q8") {
        // gemm_f32out: the same engine writing float32 (a classifier's logits)
        CHECK((k.types.output == ops::DataType::kF32) == (p.impl == "gemm_f32out"));
        CHECK(a == k.table->gemm_q8.mr);
        CHECK(b == k.table->gemm_q8.nr);
        CHECK(k.table->has(ops::IsaPart::kGemmQ8));
      } else if (p.impl == "winograd" && p.dtype == "q8") {
        CHECK(a == k.table->winograd_q8.gemm.mr);
        CHECK(b == k.table->winograd_q8.gemm.nr);
        CHECK(k.table->has(ops::IsaPart::kWinogradQ8));
      } else if (p.impl == "gemm" || p.impl == "winograd") {
        CHECK(a == k.table->gemm_f32.mr);
        CHECK(b == k.table->gemm_f32.nr);
      } else if (p.dtype == "q8") {
        CHECK(p.impl.empty());
        CHECK(a == k.table->q8_pool.lanes);
        CHECK(k.table->has(ops::IsaPart::kPoolQ8));
      } else {
        CHECK(p.impl.empty());
        CHECK(a == k.table->max_pool_f32_lanes);
        CHECK(k.table->has(ops::IsaPart::kMaxPoolF32));
      }
      // Best ISA first: the tables' order, each table's kernels together.
      int index = 0;
      for (const ops::IsaTable* t : ops::isa_tables()) {
        if (t == k.table) break;
        ++index;
      }
      CHECK(index >= previous_table);
      previous_table = index;
    }
    // One kernel per native definition and table that has its part.
    int want = 0;
    for (const ops::IsaTable* t : ops::isa_tables())
      for (int n = 0; n < def.num_natives; ++n) want += t->has(def.natives[n].part) ? 1 : 0;
    int got = 0;
    for (int i = 0; i < def.num_kernels; ++i) got += def.kernels[i]->table != nullptr ? 1 : 0;
    CHECK(got == want);
  }
#if defined(__x86_64__) || defined(__aarch64__)
  CHECK(natives >= 4);  // conv gemm and winograd, fully connected, max pool on some table
#endif
}

TEST_CASE("isa tables: kernel_name leaves out empty parts and refuses what does not fit") {
  char buf[48];
  REQUIRE(ops::kernel_name(buf, sizeof(buf), "max_pool2d", ops::DataType::kF32, "", "c8", "avx2_fma"));
  CHECK(std::string(buf) == "max_pool2d_f32_c8_avx2_fma");
  REQUIRE(ops::kernel_name(buf, sizeof(buf), "conv2d", ops::DataType::kF32, "gemm", "6x16", "avx2_fma"));
  CHECK(std::string(buf) == "conv2d_f32_gemm_6x16_avx2_fma");
  char small[12];
  CHECK_FALSE(ops::kernel_name(small, sizeof(small), "conv2d", ops::DataType::kF32, "gemm", "6x16", "avx2_fma"));
}

// Reports the tables whose ISA this CPU lacks, so a run on a smaller CPU says what it did not test.
std::vector<const ops::IsaTable*> tables_to_test() {
  std::vector<const ops::IsaTable*> out;
  for (const ops::IsaTable* t : ops::isa_tables()) {
    if (!t->has(ops::IsaPart::kGemmF32)) continue;  // an int8-only table: conv2d_q8_gemm_test's
    if (ops::cpu_has(t->isa)) {
      out.push_back(t);
    } else {
      MESSAGE("skipped: the " << ops::isa_name(t->isa) << " table (" << test::tile_isa(t->gemm_f32) << " GEMM) needs "
                              << ops::isa_name(t->isa) << ", which this CPU lacks");
    }
  }
  return out;
}

// One micro-kernel call of `fn` over a tile of rows x cols (panel width `width`), kc channels and `taps`
// taps, checked against a float64 sum: every written value within a bound of it, and nothing written
// outside rows x cols of C.
void check_tile(ops::GemmUkernelFn fn, int mr, int width, int rows, int cols, int kc, int taps, bool residual,
                bool relu, Rng& rng) {
  CAPTURE(rows);
  CAPTURE(cols);
  CAPTURE(kc);
  CAPTURE(taps);
  CAPTURE(residual);
  CAPTURE(relu);
  // A: `taps` x mr row pointers into pixels of kc floats; W: width bias values, then taps * kc rows of width.
  std::vector<float> a(static_cast<size_t>(taps) * mr * kc);
  for (float& v : a) v = rng.uniform(-1.0f, 1.0f);
  std::vector<const float*> a_rows(static_cast<size_t>(taps) * mr);
  for (int t = 0; t < taps; ++t)
    for (int i = 0; i < mr; ++i)  // rows past `rows` point at a real row, as the contract asks
      a_rows[t * mr + i] = a.data() + (static_cast<size_t>(t) * mr + std::min(i, rows - 1)) * kc;
  std::vector<float> w(static_cast<size_t>(width) * (1 + taps * kc), 0.0f);
  for (int j = 0; j < cols; ++j) w[j] = rng.uniform(-1.0f, 1.0f);
  for (int r = 0; r < taps * kc; ++r)
    for (int j = 0; j < cols; ++j) w[static_cast<size_t>(width) * (1 + r) + j] = rng.uniform(-1.0f, 1.0f);
  const int stride = width + 5;
  const float guard = 12345.5f;
  std::vector<float> c(static_cast<size_t>(mr + 1) * stride, guard), res(static_cast<size_t>(mr) * stride);
  for (float& v : res) v = rng.uniform(-2.0f, 2.0f);

  ops::GemmTile t;
  t.rows = rows;
  t.cols = cols;
  t.kc = kc;
  t.taps = taps;
  t.a = a_rows.data();
  t.w = w.data();
  t.c = c.data();
  t.c_stride = static_cast<size_t>(stride);
  t.min = relu ? 0.0f : -INFINITY;
  t.r = residual ? res.data() : nullptr;
  t.r_stride = static_cast<size_t>(stride);
  fn(t);

  int wrong = 0, outside = 0;
  for (int i = 0; i <= mr; ++i) {
    for (int j = 0; j < stride; ++j) {
      const float got = c[static_cast<size_t>(i) * stride + j];
      if (i >= rows || j >= cols) {
        outside += got == guard ? 0 : 1;
        continue;
      }
      double sum = w[j], mag = std::fabs(w[j]);
      for (int tap = 0; tap < taps; ++tap) {
        for (int k = 0; k < kc; ++k) {
          const double term = double(a_rows[tap * mr + i][k]) * w[static_cast<size_t>(width) * (1 + tap * kc + k) + j];
          sum += term;
          mag += std::fabs(term);
        }
      }
      if (residual)
        sum += res[static_cast<size_t>(i) * stride + j], mag += std::fabs(res[static_cast<size_t>(i) * stride + j]);
      const double want = relu ? std::max(0.0, sum) : sum;
      wrong += std::fabs(got - want) <= 1e-6 * mag + 1e-30 ? 0 : 1;
    }
  }
  CHECK(wrong == 0);
  CHECK(outside == 0);
}

TEST_CASE("isa tables: every GEMM micro-kernel over the edges of its tile") {
  Rng rng(0x7173);
  for (const ops::IsaTable* table : tables_to_test()) {
    const ops::GemmUkernel& uk = table->gemm_f32;
    CAPTURE(test::tile_isa(uk));
    REQUIRE(uk.mr >= 1);
    REQUIRE(uk.nr % 2 == 0);
    const int half = uk.nr / 2;
    for (int kc : {1, 2, 7, 16, 33}) {
      for (int taps : {1, 3}) {
        const bool residual = (kc + taps) % 2 == 0, relu = kc % 3 == 1;
        for (int rows : {1, uk.mr - 1, uk.mr}) {
          if (rows < 1) continue;
          for (int cols : {1, uk.nr - 1, uk.nr})
            check_tile(uk.full, uk.mr, uk.nr, rows, cols, kc, taps, residual, relu, rng);
          for (int cols : {1, half - 1, half}) {
            if (cols >= 1) check_tile(uk.half, uk.mr, half, rows, cols, kc, taps, !residual, relu, rng);
          }
        }
        for (int cols : {1, uk.nr - 1, uk.nr}) check_tile(uk.single, 1, uk.nr, 1, cols, kc, taps, residual, !relu, rng);
      }
    }
  }
}

TEST_CASE("isa tables: the GEMM engine over m, n and k of 1, tile - 1, tile and tile + 1") {
  Rng rng(0x7174);
  for (const ops::IsaTable* table : tables_to_test()) {
    const ops::GemmUkernel& uk = table->gemm_f32;
    CAPTURE(test::tile_isa(uk));
    for (int m : {1, uk.mr - 1, uk.mr, uk.mr + 1}) {
      for (int n : {1, uk.nr / 2, uk.nr - 1, uk.nr, uk.nr + 1}) {
        for (int k : {1, 7, uk.nr + 1}) {
          if (m < 1) continue;
          CAPTURE(m);
          CAPTURE(n);
          CAPTURE(k);
          // m output pixels in one row: a 1x1 conv over [1, 1, m, k].
          const test::ConvCase c{"gemm edge", {1, 1, m, k}, test::conv(1, 1), n};
          const test::ConvReference r = test::make_conv_reference(rng, c);
          ops::Conv2DGemm g;
          REQUIRE(ops::conv2d_f32_gemm_create(uk, c.p, c.in, r.out_shape, r.w.data.data(), r.bias(), &g).is_ok());
          test::Tensor y(r.out_shape);
          ops::conv2d_f32_gemm_run(g, r.x.cview(), y.view(), nullptr);
          CHECK(test::max_abs_diff(y, r.ref) <= 1e-5f * (1.0f + k));
        }
      }
    }
  }
}

TEST_CASE("registry: XNNPACK kernels, and only they, say how far past an input they may read") {
  int xnn = 0;
  for (ops::OpKind kind : kAllOps) {
    const ops::OpDef& def = ops::op_def(kind);
    for (int i = 0; i < def.num_kernels; ++i) {
      const ops::Kernel& k = *def.kernels[i];
      CAPTURE(k.name);
      if (k.family != ops::KernelFamily::kXnnpack) {
        CHECK(k.read_past_end_bytes == 0);
        continue;
      }
      ++xnn;
#if INCEPT_WITH_XNNPACK
      CHECK(k.read_past_end_bytes >= 16);  // XNN_EXTRA_BYTES
#endif
    }
  }
  CHECK(xnn >= 7);  // conv, fully connected, max and avg pool, global avg pool, softmax, add
}

TEST_CASE("registry: a concat whose inputs all live in their output slices is a view that copies nothing") {
  const ops::OpDef& def = ops::op_def(ops::OpKind::kConcat);
  const ops::Kernel& k = *def.kernels[def.num_kernels - 1];
  ops::ConcatParams p;
  for (bool second_in_slice : {true, false}) {
    CAPTURE(second_in_slice);
    ops::KernelInputs args(2);
    args.shapes = {Shape{1, 4, 4, 3}, Shape{1, 4, 4, 5}};
    args.strides = {8, 8};
    args.in_output_slice[0] = true;
    args.in_output_slice[1] = second_in_slice;
    ops::KernelConfig config;
    args.bind(&config);
    config.params = &p;
    config.output_shape = Shape{1, 4, 4, 8};
    config.output_stride = 8;
    ops::KernelPlan plan;
    REQUIRE(ops::create_kernel(k, config, &plan).is_ok());
    CHECK(plan.view == second_in_slice);
    CHECK((std::string(plan.name) == "concat_view") == second_in_slice);
  }
}

}  // namespace
}  // namespace incept
