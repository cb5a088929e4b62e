// SPDX-License-Identifier: Apache-2.0
// 8-bit activations in the file (schema revision 4): every rule the loader checks, each fed a file that breaks
// it (tests/runtime/int8_interpreter_test.cc runs valid ones).
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "incept/incept.h"
#include "support/model_builder.h"

namespace incept {
namespace {

using test::AlignedBytes;
using test::ModelBuilder;

constexpr int kUInt8 = 3, kInt8 = 2, kFloat16 = 1;

Status load_only(const std::vector<uint8_t>& bytes) {
  AlignedBytes a(bytes);
  return Model::from_bytes(a.data(), a.size()).status();
}

void expect_refused(const std::vector<uint8_t>& bytes, const char* text) {
  const Status s = load_only(bytes);
  CAPTURE(s.message());
  CHECK(s.code() == StatusCode::kInvalidModel);
  CHECK(std::string(s.message()).find(text) != std::string::npos);
}

// x [1, 4, 4, 2] (int8 unless the hook says otherwise) -> conv 1x1 relu -> a, conv 1x1 relu -> b,
// concat(a, b) -> c (uint8) -> global pool -> y (float32). Every 8-bit tensor gets valid QuantParams, then
// the hook breaks what it likes.
struct Tensors {
  int x, a, b, c, p, y, w;
};
std::vector<uint8_t> net_with(void (*hook)(ModelBuilder&, const Tensors&)) {
  ModelBuilder b;
  Tensors t{};
  t.x = b.tensor("x", {1, 4, 4, 2});
  b.set_dtype(t.x, kInt8);
  b.set_quant(t.x, 0.02f, -3);
  t.w = b.constant("w", {3, 1, 1, 2}, std::vector<float>(6, 0.5f));
  const int w2 = b.constant("w2", {3, 1, 1, 2}, std::vector<float>(6, 0.25f));
  t.a = b.tensor("a", {1, 4, 4, 3});
  t.b = b.tensor("b", {1, 4, 4, 3});
  t.c = b.tensor("c", {1, 4, 4, 6});
  t.p = b.tensor("p", {1, 6});
  for (int u : {t.a, t.b, t.c}) {
    b.set_dtype(u, kUInt8);
    b.set_quant(u, 0.05f, 0);
  }
  b.conv2d("conv_a", t.x, t.w, -2, t.a, {1, 1}, {1, 1}, {}, ops::Activation::kRelu);
  b.conv2d("conv_b", t.x, w2, -2, t.b, {1, 1}, {1, 1}, {}, ops::Activation::kRelu);
  b.concat("cat", {t.a, t.b}, t.c);
  b.global_avg_pool("pool", t.c, t.p);
  t.y = t.p;
  hook(b, t);
  return b.finish({t.x}, {t.y});
}

void nothing(ModelBuilder&, const Tensors&) {}

TEST_CASE("quantised activations: a valid file loads and prepares") {
  const std::vector<uint8_t> bytes = net_with(nothing);
  CHECK(load_only(bytes).is_ok());
  CHECK(test::load_and_prepare(bytes).is_ok());
}

TEST_CASE("quantised activations: the loader refuses every broken rule, naming the tensor and the rule") {
  SUBCASE("an 8-bit activation without QuantParams") {
    expect_refused(net_with([](ModelBuilder& b, const Tensors& t) {
                     b.set_dtype(t.p, kUInt8);  // the builder writes no QuantParams for p
                   }),
                   "tensor 6 'p': a uint8 activation without QuantParams");
  }
  SUBCASE("a scale that is zero, negative, infinite or NaN") {
    for (float bad : {0.0f, -0.5f, INFINITY, -INFINITY, NAN}) {
      CAPTURE(bad);
      static float s_bad;
      s_bad = bad;
      expect_refused(net_with([](ModelBuilder& b, const Tensors& t) { b.set_quant(t.a, s_bad, 0); }),
                     "tensor 3 'a': quantisation scale is ");
    }
  }
  SUBCASE("a zero point outside the storage type's range") {
    expect_refused(net_with([](ModelBuilder& b, const Tensors& t) { b.set_quant(t.a, 0.05f, 256); }),
                   "tensor 3 'a': zero point 256 is outside the uint8 range [0, 255]");
    expect_refused(net_with([](ModelBuilder& b, const Tensors& t) { b.set_quant(t.a, 0.05f, -1); }),
                   "tensor 3 'a': zero point -1 is outside the uint8 range [0, 255]");
    expect_refused(net_with([](ModelBuilder& b, const Tensors& t) { b.set_quant(t.x, 0.05f, 128); }),
                   "tensor 0 'x': zero point 128 is outside the int8 range [-128, 127]");
    expect_refused(net_with([](ModelBuilder& b, const Tensors& t) { b.set_quant(t.x, 0.05f, -129); }),
                   "tensor 0 'x': zero point -129 is outside the int8 range [-128, 127]");
  }
  SUBCASE("QuantParams on a float32 activation or on a constant") {
    expect_refused(net_with([](ModelBuilder& b, const Tensors& t) { b.set_quant(t.p, 0.1f, 0); }),
                   "tensor 6 'p': a float32 activation with QuantParams");
    expect_refused(net_with([](ModelBuilder& b, const Tensors& t) { b.set_quant(t.w, 0.1f, 0); }),
                   "tensor 1 'w': a constant with QuantParams");
  }
  SUBCASE("a uint8 constant, a float16 activation") {
    expect_refused(net_with([](ModelBuilder& b, const Tensors& t) { b.set_dtype(t.w, kUInt8); }),
                   "tensor 1 'w': a constant stored as uint8");
    expect_refused(net_with([](ModelBuilder& b, const Tensors& t) { b.set_dtype(t.a, kFloat16); }),
                   "tensor 3 'a': an activation stored as float16");
  }
  SUBCASE("an 8-bit graph output") {
    expect_refused(net_with([](ModelBuilder& b, const Tensors& t) {
                     b.set_dtype(t.y, kUInt8);
                     b.set_quant(t.y, 0.1f, 0);
                   }),
                   "graph output tensor 6 'p' is uint8; graph outputs must be float32");
  }
  SUBCASE("a concat input quantised otherwise than the output") {
    expect_refused(net_with([](ModelBuilder& b, const Tensors& t) { b.set_quant(t.b, 0.05f, 1); }),
                   "(Concat): input 1 'b' has scale 0.05 and zero point 1 but the output has 0.05 and 0");
    expect_refused(net_with([](ModelBuilder& b, const Tensors& t) { b.set_quant(t.a, 0.0500001f, 0); }),
                   "(Concat): input 0 'a' has scale");
    expect_refused(net_with([](ModelBuilder& b, const Tensors& t) {
                     b.set_dtype(t.b, kInt8);  // same scale and zero point, another type
                   }),
                   "(Concat): input 1 'b' is int8 but the output is uint8");
  }
}

}  // namespace
}  // namespace incept
