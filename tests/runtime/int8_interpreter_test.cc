// SPDX-License-Identifier: Apache-2.0
// 8-bit activations through the interpreter: the 8-bit reference kernels where every tensor of an op is
// 8-bit, float32 kernels behind dequantise / quantise conversions elsewhere (an LRN, the float classifier),
// the float32 graph input quantised on entry, 1-byte tensors in the arena, free concat kept. The expected
// bytes come from the reference kernels called by hand in the same order.
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "avg_pool2d/avg_pool2d.h"
#include "concat/concat.h"
#include "conv2d/conv2d.h"
#include "fully_connected/fully_connected.h"
#include "global_avg_pool/global_avg_pool.h"
#include "incept/incept.h"
#include "isa/isa_table.h"
#include "lrn/lrn.h"
#include "max_pool2d/max_pool2d.h"
#include "quantize/quantize.h"
#include "support/heap_counter.h"
#include "support/model_builder.h"
#include "support/test_util.h"

namespace incept {
namespace {

using ops::Quant;
using test::AlignedBytes;
using test::ModelBuilder;

constexpr int kInt8 = 2, kUInt8 = 3;
const Quant kQx{0.0173f, -5}, kQcat{0.0421f, 0}, kQlrn{0.0307f, 0}, kQgap{0.0123f, 0};

uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof(u));
  return u;
}

std::vector<float> ramp(size_t n, float scale) {
  std::vector<float> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = scale * static_cast<float>(static_cast<int>((i * 37) % 17) - 8) / 8.0f;
  return v;
}

// x [1, 8, 8, 4] int8 -> b1: conv 1x1 (int8 weights, relu), b2: conv 3x3 (int8 weights, relu), pool: max
// 3x3 s1 p1 (requantised from x's quantisation) -> concat [.., 15] uint8 -> LRN (float kernel between
// conversions) uint8 -> global pool uint8 -> fc (float32 weights) -> logits float32, and beside it fc8 (int8
// weights: an 8-bit kernel writing float32) -> logits8 float32.
struct Net {
  static constexpr int kFc8 = 20;
  std::vector<uint8_t> bytes;
  std::vector<int8_t> w1, w2, w3;
  std::vector<float> s1, s2, s3, b1, b2, b3, fc_w, fc_b;
  Net() {
    w1.resize(6 * 4);
    for (size_t i = 0; i < w1.size(); ++i) w1[i] = static_cast<int8_t>(static_cast<int>((i * 41) % 255) - 127);
    w2.resize(5 * 3 * 3 * 4);
    for (size_t i = 0; i < w2.size(); ++i) w2[i] = static_cast<int8_t>(static_cast<int>((i * 53) % 251) - 125);
    s1 = {0.01f, 0.02f, 0.004f, 0.03f, 0.011f, 0.007f};
    s2 = {0.003f, 0.005f, 0.002f, 0.004f, 0.006f};
    b1 = ramp(6, 0.1f);
    b2 = ramp(5, 0.2f);
    fc_w = ramp(45, 0.5f);
    fc_b = ramp(3, 0.1f);
    w3.resize(kFc8 * 15);
    for (size_t i = 0; i < w3.size(); ++i) w3[i] = static_cast<int8_t>(static_cast<int>((i * 29) % 253) - 126);
    s3 = ramp(kFc8, 0.004f);
    for (float& v : s3) v = std::fabs(v) + 0.001f;
    b3 = ramp(kFc8, 0.3f);
    ModelBuilder b;
    const int x = b.tensor("x", {1, 8, 8, 4});
    b.set_dtype(x, kInt8);
    b.set_quant(x, kQx.scale, kQx.zero_point);
    auto bytes_of = [](const std::vector<int8_t>& w) { return std::vector<uint8_t>(w.begin(), w.end()); };
    const int cw1 = b.constant_bytes("b1.w", {6, 1, 1, 4}, kInt8, bytes_of(w1));
    b.set_scales(cw1, s1);
    const int cw2 = b.constant_bytes("b2.w", {5, 3, 3, 4}, kInt8, bytes_of(w2));
    b.set_scales(cw2, s2);
    const int t1 = b.tensor("b1", {1, 8, 8, 6}), t2 = b.tensor("b2", {1, 8, 8, 5});
    const int tp = b.tensor("pool", {1, 8, 8, 4}), cat = b.tensor("cat", {1, 8, 8, 15});
    for (int t : {t1, t2, tp, cat}) {
      b.set_dtype(t, kUInt8);
      b.set_quant(t, kQcat.scale, kQcat.zero_point);
    }
    b.conv2d("b1", x, cw1, b.constant("b1.b", {6}, b1), t1, {1, 1}, {1, 1}, {}, ops::Activation::kRelu);
    b.conv2d("b2", x, cw2, b.constant("b2.b", {5}, b2), t2, {3, 3}, {1, 1}, {1, 1, 1, 1}, ops::Activation::kRelu);
    b.max_pool2d("pool", x, tp, {3, 3}, {1, 1}, {1, 1, 1, 1});
    b.concat("cat", {t1, t2, tp}, cat);
    const int lrn = b.tensor("lrn", {1, 8, 8, 15});
    b.set_dtype(lrn, kUInt8);
    b.set_quant(lrn, kQlrn.scale, kQlrn.zero_point);
    b.lrn("lrn", cat, lrn, 5, 0.1f, 0.75f, 1.0f);
    const int g = b.tensor("gap", {1, 15});
    b.set_dtype(g, kUInt8);
    b.set_quant(g, kQgap.scale, kQgap.zero_point);
    b.global_avg_pool("gap", lrn, g);
    const int out = b.tensor("logits", {1, 3});
    b.fully_connected("fc", g, b.constant("fc.w", {3, 15}, fc_w), b.constant("fc.b", {3}, fc_b), out);
    const int out8 = b.tensor("logits8", {1, kFc8});
    const int cw3 = b.constant_bytes("fc8.w", {kFc8, 15}, kInt8, bytes_of(w3));
    b.set_scales(cw3, s3);
    b.fully_connected("fc8", g, cw3, b.constant("fc8.b", {kFc8}, b3), out8);
    bytes = b.finish({x}, {out, out8});
  }

  // The same arithmetic, reference kernel by reference kernel: logits, then logits8.
  std::vector<float> expected(const std::vector<float>& input) const {
    const Shape xs{1, 8, 8, 4}, cs{1, 8, 8, 15};
    std::vector<int8_t> xq(input.size());
    ops::quantize_ref<int8_t>(kQx, dense_view(input.data(), xs), dense_view(xq.data(), xs));
    std::vector<uint8_t> cat(static_cast<size_t>(cs.num_elements()));
    TensorView<uint8_t> catv = dense_view(cat.data(), cs);
    auto slice = [&](int32_t c0, int32_t c) {
      TensorView<uint8_t> v = catv;
      v.data += c0;
      v.c = c;
      return v;
    };
    const ConstTensorView<int8_t> xv = dense_view<const int8_t>(xq.data(), xs);
    for (int branch = 0; branch < 2; ++branch) {
      const std::vector<float>& s = branch == 0 ? s1 : s2;
      const std::vector<float>& bias = branch == 0 ? b1 : b2;
      const int32_t cout = static_cast<int32_t>(s.size());
      std::vector<int32_t> bq(cout);
      std::vector<float> m(cout);
      ops::q8_linear_prepare(bias.data(), kQx, s.data(), kQcat, cout, bq.data(), m.data());
      ops::Conv2DParams p;
      p.kernel = branch == 0 ? ops::Size2D{1, 1} : ops::Size2D{3, 3};
      p.pad = branch == 0 ? ops::Pad2D{} : ops::Pad2D{1, 1, 1, 1};
      p.activation = ops::Activation::kRelu;
      ops::QLinear q;
      q.in = kQx;
      q.out = kQcat;
      q.weights = branch == 0 ? w1.data() : w2.data();
      q.bias = bq.data();
      q.multiplier = m.data();
      q.activation = p.activation;
      ops::conv2d_q8_ref<int8_t, uint8_t>(p, q, xv, slice(branch == 0 ? 0 : 6, cout));
    }
    ops::MaxPool2DParams mp;
    mp.kernel = {3, 3};
    mp.pad = {1, 1, 1, 1};
    ops::max_pool2d_q8_ref<int8_t, uint8_t>(mp, kQx, kQcat, xv, slice(11, 4));
    std::vector<float> catf(cat.size()), lrnf(cat.size());
    ops::dequantize_ref<uint8_t>(kQcat, dense_view<const uint8_t>(cat.data(), cs), dense_view(catf.data(), cs));
    ops::LRNParams lp;
    lp.size = 5;
    lp.alpha = 0.1f;
    lp.beta = 0.75f;
    lp.bias = 1.0f;
    ops::lrn_f32_ref(lp, dense_view<const float>(catf.data(), cs), dense_view(lrnf.data(), cs));
    std::vector<uint8_t> lrnq(cat.size()), gap(15);
    ops::quantize_ref<uint8_t>(kQlrn, dense_view<const float>(lrnf.data(), cs), dense_view(lrnq.data(), cs));
    ops::global_avg_pool_q8_ref<uint8_t, uint8_t>(kQlrn, kQgap, dense_view<const uint8_t>(lrnq.data(), cs),
                                                  dense_view(gap.data(), Shape{1, 15}));
    std::vector<float> gapf(15), logits(3);
    ops::dequantize_ref<uint8_t>(kQgap, dense_view<const uint8_t>(gap.data(), Shape{1, 15}),
                                 dense_view(gapf.data(), Shape{1, 15}));
    ops::fully_connected_f32_ref(ops::FullyConnectedParams{}, dense_view<const float>(gapf.data(), Shape{1, 15}),
                                 fc_w.data(), fc_b.data(), dense_view(logits.data(), Shape{1, 3}));
    std::vector<int32_t> bq(kFc8);
    std::vector<float> m(kFc8), logits8(kFc8);
    ops::q8_linear_prepare(b3.data(), kQgap, s3.data(), Quant{}, kFc8, bq.data(), m.data());
    ops::QLinear q;
    q.in = kQgap;
    q.weights = w3.data();
    q.bias = bq.data();
    q.multiplier = m.data();
    ops::fully_connected_q8_ref<uint8_t, float>(q, dense_view<const uint8_t>(gap.data(), Shape{1, 15}),
                                                dense_view(logits8.data(), Shape{1, kFc8}));
    logits.insert(logits.end(), logits8.begin(), logits8.end());
    return logits;
  }
};

std::vector<float> seeded_input(uint64_t seed) {
  test::Rng rng(seed);
  std::vector<float> v(8 * 8 * 4);
  for (float& x : v) x = rng.uniform(-2.5f, 2.5f);
  return v;
}

int find_op(const Interpreter& it, const char* name) {
  for (int i = 0; i < it.num_ops(); ++i)
    if (std::string(it.op_info(i).name) == name) return i;
  return -1;
}

TEST_CASE("int8 interpreter: the reference kernels' bytes, on every backend and thread count") {
  const Net net;
  AlignedBytes file(net.bytes);
  Result<Model> model = Model::from_bytes(file.data(), file.size());
  REQUIRE(model.ok());
  for (Backend backend : {Backend::kAuto, Backend::kRef, Backend::kNative, Backend::kXnnpack}) {
    for (int threads : {1, 2}) {
      CAPTURE(static_cast<int>(backend));
      CAPTURE(threads);
      InterpreterOptions o;
      o.backend = backend;
      o.threads = threads;
      Interpreter it(*model, o);
      const Status s = it.prepare();
      if (s.code() == StatusCode::kUnsupported) continue;  // a backend this build or CPU lacks
      REQUIRE(s.is_ok());
      for (uint64_t seed : {1u, 2u}) {
        const std::vector<float> x = seeded_input(seed);
        REQUIRE(it.input(0).bytes == x.size() * sizeof(float));  // the API takes float32
        std::memcpy(it.input(0).data, x.data(), it.input(0).bytes);
        REQUIRE(it.invoke().is_ok());
        const std::vector<float> want = net.expected(x);
        // The 8-bit ops run the 8-bit reference kernels' bytes on every backend, fc8 too (its float32 logits
        // the reference's bits); the float classifier runs that backend's float32 kernel (exact against the
        // reference only on ref: others sum in another order).
        auto check_logits = [&]() {
          const float* got = it.output(0).data;
          for (int i = 0; i < 3; ++i) {
            if (backend == Backend::kRef) {
              CHECK(bits_of(got[i]) == bits_of(want[i]));
            } else {
              CHECK(std::fabs(got[i] - want[i]) <= 1e-5f * (std::fabs(want[i]) + 1.0f));
            }
          }
          const float* got8 = it.output(1).data;
          for (int i = 0; i < Net::kFc8; ++i) CHECK(bits_of(got8[i]) == bits_of(want[3 + i]));
        };
        check_logits();
        // The float input stays as written: invoking again gives the same logits.
        REQUIRE(it.invoke().is_ok());
        check_logits();
      }
    }
  }
}

TEST_CASE("int8 interpreter: 8-bit kernels where every tensor is 8-bit, conversions elsewhere, free concat") {
  const Net net;
  AlignedBytes file(net.bytes);
  Result<Model> model = Model::from_bytes(file.data(), file.size());
  REQUIRE(model.ok());
  Interpreter it(*model);
  REQUIRE(it.prepare().is_ok());
  auto info = [&](const char* name) { return it.op_info(find_op(it, name)); };
  // The int8 GEMM engine of the best table the cap allows that takes b1 and b2's 4 input channels (AMX's leaves
  // convs over fewer than its min_cin to the next table), else the reference.
  std::string conv_kernel = "conv2d_q8_ref";
  for (const ops::IsaTable* t : ops::isa_tables()) {
    if (!t->has(ops::IsaPart::kGemmQ8) || !ops::isa_usable(t->isa) || t->gemm_q8.min_cin > 4) continue;
    conv_kernel = std::string("conv2d_q8_gemm_") + std::to_string(t->gemm_q8.mr) + "x" + std::to_string(t->gemm_q8.nr) +
                  "_" + ops::isa_name(t->isa);
    break;
  }
  std::string pool_kernel = "max_pool2d_q8_ref", gap_kernel = "global_avg_pool_q8_ref";
  for (const ops::IsaTable* t : ops::isa_tables()) {
    if (!t->has(ops::IsaPart::kPoolQ8) || !ops::isa_usable(t->isa)) continue;
    const std::string tile = "_c" + std::to_string(t->q8_pool.lanes) + "_" + ops::isa_name(t->isa);
    pool_kernel = "max_pool2d_q8" + tile, gap_kernel = "global_avg_pool_q8" + tile;
    break;
  }
  CHECK(std::string(info("b1").kernel) == conv_kernel);
  CHECK(std::string(info("b2").kernel) == conv_kernel);
  CHECK(std::string(info("pool").kernel) == pool_kernel);
  CHECK(std::string(info("cat").backend) == "view");
  CHECK(std::string(info("gap").kernel) == gap_kernel);
  CHECK(info("b1").converted_tensors == 0);
  CHECK(info("lrn").converted_tensors == 2);  // its uint8 input and output, around the float kernel
  CHECK(info("fc").converted_tensors == 1);   // its uint8 input; the logits are float32
  // fc8's int8 weights: the int8 engine (or reference) reads the uint8 input and writes float32 itself.
  CHECK(info("fc8").converted_tensors == 0);
  CHECK(std::string(info("fc8").kernel).rfind("fully_connected_q8_", 0) == 0);
  CHECK(std::string(info("fc8").kernel).find("f32out") != std::string::npos);
  CHECK(std::string(info("lrn").kernel).find("f32") != std::string::npos);
  // 1-byte tensors in the arena, the branches inside the concat's bytes.
  for (int t = 0; t < it.num_tensors(); ++t) {
    const TensorPlacement p = it.tensor_placement(t);
    if (std::string(p.name) == "cat") {
      CHECK(p.bytes == 8 * 8 * 15);
      CHECK(std::string(p.dtype) != "float32");  // 8-bit, with its quantisation (what incept-inspect prints)
      CHECK(p.scale > 0.0f);
    }
    if (std::string(p.name) == "b2") {
      CHECK(p.view_of >= 0);
      CHECK(p.bytes == 8 * 8 * 5);
    }
  }
  std::memset(it.input(0).data, 0, it.input(0).bytes);
  test::heap_count_begin();
  REQUIRE(it.invoke().is_ok());
  const long allocations = test::heap_count_end();
  if (allocations >= 0) CHECK(allocations == 0);
}

}  // namespace
}  // namespace incept
