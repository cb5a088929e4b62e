// SPDX-License-Identifier: Apache-2.0
// Narrow weight storage (schema DType FLOAT16, INT8): the widening is exact, the loader refuses every
// malformed narrow field with a message naming it, and a model whose weights are stored narrow computes
// the same bits as the same values stored as float32, on every backend, 1 and 2 threads, without heap
// use in invoke().
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "incept/incept.h"
#include "loader/graph.h"
#include "support/heap_counter.h"
#include "support/model_builder.h"
#include "support/test_util.h"

namespace incept {
namespace {

using test::AlignedBytes;
using test::ModelBuilder;

uint32_t bits_of(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof(u));
  return u;
}

// binary16 -> float by the definition (in double), for the test only.
double half_value(uint16_t h) {
  const int sign = h >> 15, exponent = (h >> 10) & 0x1f, mantissa = h & 0x3ff;
  const double s = sign ? -1.0 : 1.0;
  if (exponent == 0) return s * std::ldexp(mantissa, -24);
  if (exponent == 31) return mantissa == 0 ? s * INFINITY : NAN;
  return s * std::ldexp(1024 + mantissa, exponent - 25);
}

std::vector<uint8_t> as_bytes(const std::vector<uint16_t>& v) {
  std::vector<uint8_t> out(v.size() * 2);
  std::memcpy(out.data(), v.data(), out.size());
  return out;
}

TEST_CASE("weights: every float16 value widens exactly (zeros, subnormals, normals, infinities, NaN payloads)") {
  std::vector<uint16_t> all(65536);
  for (uint32_t i = 0; i < all.size(); ++i) all[i] = static_cast<uint16_t>(i);
  const std::vector<uint8_t> raw = as_bytes(all);
  detail::TensorInfo t;
  t.shape = Shape{65536};
  t.num_elements = 65536;
  t.storage = detail::Storage::kFloat16;
  t.raw = raw.data();
  t.raw_bytes = raw.size();
  std::vector<float> out(65536);
  detail::expand_weights(t, out.data());
  int wrong = 0;
  for (uint32_t h = 0; h < 65536; ++h) {
    const double want = half_value(static_cast<uint16_t>(h));
    const bool ok = std::isnan(want)
                        ? std::isnan(out[h]) && ((bits_of(out[h]) >> 13) & 0x3ff) == (h & 0x3ff) &&
                              (bits_of(out[h]) >> 31) == (h >> 15)
                        : static_cast<double>(out[h]) == want && std::signbit(out[h]) == static_cast<bool>(h >> 15);
    wrong += ok ? 0 : 1;
    if (!ok && wrong < 5) FAIL_CHECK("half " << h << " -> " << out[h] << ", want " << want);
  }
  CHECK(wrong == 0);
}

TEST_CASE("weights: int8 widens per output channel as q * scale (one float multiply)") {
  const std::vector<int8_t> q = {-127, -1, 0, 1, 127, 5, -7, 64};  // [2 channels][4]
  const std::vector<float> scales = {0.0123f, 3.5f};
  detail::TensorInfo t;
  t.shape = Shape{2, 1, 1, 4};
  t.num_elements = 8;
  t.storage = detail::Storage::kInt8;
  t.raw = reinterpret_cast<const uint8_t*>(q.data());
  t.raw_bytes = 8;
  t.scales = scales.data();
  std::vector<float> out(8);
  detail::expand_weights(t, out.data());
  for (int i = 0; i < 8; ++i) CHECK(bits_of(out[i]) == bits_of(static_cast<float>(q[i]) * scales[i / 4]));
}

Status load(const std::vector<uint8_t>& bytes) { return test::load_and_prepare(bytes); }

// A 1x1 conv 2 -> 3 whose weights the hook stores (and breaks) as it likes; bias float32.
std::vector<uint8_t> conv_with(void (*hook)(ModelBuilder&, int* w, int x)) {
  ModelBuilder b;
  const int x = b.tensor("x", {1, 4, 4, 2});
  int w = -1;
  hook(b, &w, x);
  const int bias = b.constant("b", {3}, std::vector<float>(3, 0.1f));
  const int y = b.tensor("y", {1, 4, 4, 3});
  b.conv2d("conv", x, w, bias, y, {1, 1}, {1, 1}, {});
  return b.finish({x}, {y});
}

void expect_refused(const std::vector<uint8_t>& bytes, const char* text) {
  const Status s = load(bytes);
  CAPTURE(s.message());
  CHECK(s.code() == StatusCode::kInvalidModel);
  CHECK(std::string(s.message()).find(text) != std::string::npos);
}

TEST_CASE("weights: the loader refuses malformed narrow storage, naming the field") {
  SUBCASE("a dtype this runtime does not know") {
    expect_refused(conv_with([](ModelBuilder& b, int* w, int) {
                     *w = b.constant_bytes("w", {3, 1, 1, 2}, 4, std::vector<uint8_t>(6));
                   }),
                   "tensor 1 'w': dtype 4 is not one this runtime reads");
  }
  SUBCASE("an activation stored narrow, or with scales") {
    expect_refused(conv_with([](ModelBuilder& b, int* w, int x) {
                     *w = b.constant("w", {3, 1, 1, 2}, std::vector<float>(6, 0.5f));
                     b.set_dtype(x, 1);
                   }),
                   "tensor 0 'x': an activation stored as float16; activations are float32");
    expect_refused(conv_with([](ModelBuilder& b, int* w, int x) {
                     *w = b.constant("w", {3, 1, 1, 2}, std::vector<float>(6, 0.5f));
                     b.set_scales(x, {1.0f, 2.0f});
                   }),
                   "tensor 0 'x': an activation with 2 per-channel scales");
  }
  SUBCASE("int8 without one scale per output channel") {
    expect_refused(conv_with([](ModelBuilder& b, int* w, int) {
                     *w = b.constant_bytes("w", {3, 1, 1, 2}, 2, std::vector<uint8_t>(6));
                   }),
                   "INT8 weights need one scale per output channel (3), the file has 0");
    expect_refused(conv_with([](ModelBuilder& b, int* w, int) {
                     *w = b.constant_bytes("w", {3, 1, 1, 2}, 2, std::vector<uint8_t>(6));
                     b.set_scales(*w, {1.0f, 1.0f});
                   }),
                   "INT8 weights need one scale per output channel (3), the file has 2");
  }
  SUBCASE("int8 scales that are zero, negative, infinite or NaN") {
    for (float bad : {0.0f, -0.5f, INFINITY, NAN}) {
      CAPTURE(bad);
      static float s_bad;
      s_bad = bad;
      expect_refused(conv_with([](ModelBuilder& b, int* w, int) {
                       *w = b.constant_bytes("w", {3, 1, 1, 2}, 2, std::vector<uint8_t>(6));
                       b.set_scales(*w, {1.0f, s_bad, 1.0f});
                     }),
                     "scale 1 is ");
    }
  }
  SUBCASE("scales on float16 or float32 weights") {
    expect_refused(conv_with([](ModelBuilder& b, int* w, int) {
                     *w = b.constant_bytes("w", {3, 1, 1, 2}, 1, std::vector<uint8_t>(12));
                     b.set_scales(*w, {1.0f, 1.0f, 1.0f});
                   }),
                   "float16 weights with 3 scales (only INT8 has scales)");
    expect_refused(conv_with([](ModelBuilder& b, int* w, int) {
                     *w = b.constant("w", {3, 1, 1, 2}, std::vector<float>(6, 0.5f));
                     b.set_scales(*w, {1.0f, 1.0f, 1.0f});
                   }),
                   "float32 weights with 3 scales");
  }
  SUBCASE("a buffer whose size is not the shape at the stored width") {
    expect_refused(conv_with([](ModelBuilder& b, int* w, int) {
                     *w = b.constant_bytes("w", {3, 1, 1, 2}, 1, std::vector<uint8_t>(24));  // float32's size
                   }),
                   "buffer 0 holds 24 bytes but shape needs 12 bytes (float16)");
    expect_refused(conv_with([](ModelBuilder& b, int* w, int) {
                     *w = b.constant_bytes("w", {3, 1, 1, 2}, 2, std::vector<uint8_t>(12));
                     b.set_scales(*w, {1.0f, 1.0f, 1.0f});
                   }),
                   "buffer 0 holds 12 bytes but shape needs 6 bytes (int8)");
  }
}

// x [1, 9, 9, 5] -> conv 3x3 (relu) -> a [.., 16] -> conv 1x1 -> y [.., 6]: the same model with weights
// stored as float32, float16 or int8, the values chosen so that every storage holds them exactly (int8:
// q * scale with the float32 file holding those products), biases float32.
struct Net {
  std::vector<uint8_t> bytes;
  Net(detail::Storage storage) {
    test::Rng rng(11);
    ModelBuilder b;
    const int x = b.tensor("x", {1, 9, 9, 5});
    const int a = b.tensor("a", {1, 9, 9, 16});
    const int y = b.tensor("y", {1, 9, 9, 6});
    auto weights = [&](const std::string& name, std::vector<int32_t> shape) {
      const int out = shape[0];
      const int per = shape[1] * shape[2] * shape[3];
      std::vector<int8_t> q(static_cast<size_t>(out * per));
      std::vector<float> scales(static_cast<size_t>(out)), values(q.size());
      std::vector<uint16_t> halves(q.size());
      for (int o = 0; o < out; ++o) {
        scales[o] = std::ldexp(1.0f, -7 - o % 3);  // a power of two: q * scale is a float16 too
        for (int i = 0; i < per; ++i) {
          const size_t k = static_cast<size_t>(o * per + i);
          q[k] = static_cast<int8_t>(rng.uniform_int(-127, 127));
          values[k] = static_cast<float>(q[k]) * scales[o];
          const double v = values[k];  // |v| <= 127/128: a normal float16 with <= 7 mantissa bits
          int e = 0;
          const double m = std::frexp(std::fabs(v), &e);  // v = m * 2^e, m in [0.5, 1)
          halves[k] = v == 0.0 ? 0
                               : static_cast<uint16_t>((v < 0 ? 0x8000 : 0) | ((e - 1 + 15) << 10) |
                                                       static_cast<int>((m * 2.0 - 1.0) * 1024.0));
        }
      }
      switch (storage) {
        case detail::Storage::kFloat32: return b.constant(name, shape, values);
        case detail::Storage::kFloat16: return b.constant_bytes(name, shape, 1, as_bytes(halves));
        case detail::Storage::kInt8: {
          std::vector<uint8_t> raw(q.size());
          std::memcpy(raw.data(), q.data(), raw.size());
          const int t = b.constant_bytes(name, shape, 2, raw);
          b.set_scales(t, scales);
          return t;
        }
        case detail::Storage::kUInt8: break;  // not a weight storage
      }
      return -1;
    };
    std::vector<float> b1(16), b2(6);
    for (float& v : b1) v = rng.uniform(-0.5f, 0.5f);
    for (float& v : b2) v = rng.uniform(-0.5f, 0.5f);
    b.conv2d("conv1", x, weights("w1", {16, 3, 3, 5}), b.constant("b1", {16}, b1), a, {3, 3}, {1, 1}, {1, 1, 1, 1},
             ops::Activation::kRelu);
    b.conv2d("conv2", a, weights("w2", {6, 1, 1, 16}), b.constant("b2", {6}, b2), y, {1, 1}, {1, 1}, {});
    bytes = b.finish({x}, {y});
  }
};

std::vector<float> run(const Net& net, Backend backend, int threads, PlanStats* stats, size_t* file_bytes) {
  AlignedBytes file(net.bytes);
  Result<Model> m = Model::from_bytes(file.data(), file.size());
  REQUIRE_MESSAGE(m.ok(), m.status().message());
  *file_bytes = m->weights_bytes();
  Interpreter it(*m, InterpreterOptions{backend, threads});
  REQUIRE(it.prepare().is_ok());
  const TensorRef in = it.input(0);
  for (size_t i = 0; i < in.bytes / sizeof(float); ++i) in.data[i] = static_cast<float>(i % 17) * 0.125f - 1.0f;
  test::heap_count_begin();
  REQUIRE(it.invoke().is_ok());
  CHECK(test::heap_count_end() <= 0);
  *stats = it.plan_stats();
  return std::vector<float>(it.output(0).data, it.output(0).data + it.output(0).bytes / sizeof(float));
}

TEST_CASE("weights: float16 and int8 storage compute the float32 model's bits on every backend") {
  const Net f32(detail::Storage::kFloat32), f16(detail::Storage::kFloat16), i8(detail::Storage::kInt8);
  for (Backend backend : {Backend::kRef, Backend::kEigen, Backend::kXnnpack, Backend::kNative, Backend::kAuto}) {
    if (!backend_available(backend)) continue;
    for (int threads : {1, 2}) {
      CAPTURE(backend_name(backend));
      CAPTURE(threads);
      PlanStats s32, s16, s8;
      size_t file32 = 0, file16 = 0, file8 = 0;
      const std::vector<float> y32 = run(f32, backend, threads, &s32, &file32);
      const std::vector<float> y16 = run(f16, backend, threads, &s16, &file16);
      const std::vector<float> y8 = run(i8, backend, threads, &s8, &file8);
      REQUIRE(y16.size() == y32.size());
      REQUIRE(y8.size() == y32.size());
      CHECK(std::memcmp(y16.data(), y32.data(), y32.size() * sizeof(float)) == 0);
      CHECK(std::memcmp(y8.data(), y32.data(), y32.size() * sizeof(float)) == 0);
      // The file holds 2 and 1 bytes a weight (the biases stay float32: 22 floats).
      const size_t weights = 16 * 9 * 5 + 6 * 16, biases = 22 * 4;
      CHECK(file32 == weights * 4 + biases);
      CHECK(file16 == weights * 2 + biases);
      CHECK(file8 == weights + biases);
      // Kernels that read weights as they are keep the widened copy, and say so; packing kernels do not.
      if (s32.file_weights_bytes > 0) CHECK(s16.packed_weights_bytes >= s32.packed_weights_bytes + weights * 4);
    }
  }
}

}  // namespace
}  // namespace incept
