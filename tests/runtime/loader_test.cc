// SPDX-License-Identifier: Apache-2.0
// The loader against hostile files: every rejection has the right code and a message naming the
// problem, and nothing crashes (run under ASan/UBSan too).
#include <doctest/doctest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>

#include "incept/incept.h"
#include "support/model_builder.h"
#include "support/tiny_models.h"

namespace incept {
namespace {

using test::AlignedBytes;
using test::ModelBuilder;

Status load(const std::vector<uint8_t>& bytes) { return test::load_and_prepare(bytes); }

bool mentions(const Status& s, const char* text) { return std::string(s.message()).find(text) != std::string::npos; }

// One conv with a bias; the hook lets each test break one thing.
std::vector<uint8_t> one_conv(void (*hook)(ModelBuilder&, int* in, int* out) = nullptr) {
  ModelBuilder b;
  int in = b.tensor("x", {1, 4, 4, 2});
  const int w = b.constant("w", {3, 1, 1, 2}, std::vector<float>(6, 0.5f));
  const int bias = b.constant("b", {3}, std::vector<float>(3, 0.1f));
  int out = b.tensor("y", {1, 4, 4, 3});
  b.conv2d("conv", in, w, bias, out, {1, 1}, {1, 1}, {});
  if (hook) hook(b, &in, &out);
  return b.finish({in}, {out});
}

TEST_CASE("loader: a valid model loads, prepares and exposes its metadata") {
  const test::TinyInception tiny(7);
  AlignedBytes a(tiny.bytes());
  Result<Model> m = Model::from_bytes(a.data(), a.size());
  REQUIRE(m.ok());
  CHECK(m->num_inputs() == 1);
  CHECK(m->num_outputs() == 1);
  CHECK(std::string(m->architecture()) == "test");
  CHECK(m->input_height() == 8);
  CHECK(m->mean()[0] == doctest::Approx(0.485f));
  CHECK(m->weights_bytes() > 0);
  Interpreter it(*m);
  CHECK(it.prepare().is_ok());
}

TEST_CASE("loader: truncation at every length is rejected as an invalid model") {
  const std::vector<uint8_t> bytes = test::TinyInception(1).bytes();
  for (size_t len = 0; len < bytes.size(); ++len) {
    CAPTURE(len);
    const std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<ptrdiff_t>(len));
    const Status s = load(cut);
    REQUIRE(!s.is_ok());
    CHECK(s.code() == StatusCode::kInvalidModel);
    CHECK(std::strlen(s.message()) > 10);
  }
}

TEST_CASE("loader: every single-bit flip either loads or is rejected, never a crash") {
  const std::vector<uint8_t> bytes = test::TinyInception(2).bytes();
  int rejected = 0, accepted = 0;
  // The FlatBuffer part (structure) is where flips matter; weights are just numbers.
  const size_t fb_end = 4 + (bytes[0] | bytes[1] << 8 | bytes[2] << 16 | size_t{bytes[3]} << 24);
  for (size_t i = 0; i < fb_end; ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      std::vector<uint8_t> bad = bytes;
      bad[i] ^= static_cast<uint8_t>(1u << bit);
      AlignedBytes a(bad);
      Result<Model> m = Model::from_bytes(a.data(), a.size());
      if (!m.ok()) {
        ++rejected;
        CHECK(m.status().code() == StatusCode::kInvalidModel);
        continue;
      }
      Interpreter it(*m);
      const Status s = it.prepare();
      if (s.is_ok()) {
        ++accepted;
        CHECK(it.invoke().is_ok());
      } else {
        ++rejected;
      }
    }
  }
  MESSAGE("bit flips: " << rejected << " rejected, " << accepted << " still valid");
  CHECK(rejected > accepted);
}

TEST_CASE("Model::from_bytes: bytes that are not 8-byte aligned are refused, not read misaligned") {
  const std::vector<uint8_t> bytes = one_conv();
  std::vector<uint8_t> shifted(bytes.size() + 64);
  test::AlignedBytes a(shifted);
  uint8_t* base = const_cast<uint8_t*>(a.data());
  for (size_t shift : {4, 2, 1}) {
    CAPTURE(shift);
    std::memcpy(base + shift, bytes.data(), bytes.size());
    Result<Model> m = Model::from_bytes(base + shift, bytes.size());
    REQUIRE(!m.ok());
    CHECK(m.status().code() == StatusCode::kInvalidArgument);
    CHECK(mentions(m.status(), "not 8-byte aligned"));
  }
  std::memcpy(base + 8, bytes.data(), bytes.size());
  CHECK(Model::from_bytes(base + 8, bytes.size()).ok());
}

TEST_CASE("loader: bad identifier names the identifier") {
  std::vector<uint8_t> bytes = one_conv();
  std::memcpy(bytes.data() + 8, "ONNX", 4);
  const Status s = load(bytes);
  CHECK(s.code() == StatusCode::kInvalidModel);
  CHECK(mentions(s, "identifier is 'ONNX'"));
}

TEST_CASE("loader: unknown format versions are refused with the version found") {
  for (uint32_t v : {0u, 2u, 7u}) {
    CAPTURE(v);
    ModelBuilder b;
    const int x = b.tensor("x", {1, 2});
    const int y = b.tensor("y", {1, 2});
    b.softmax("sm", x, y);
    b.set_version(v);
    const Status s = load(b.finish({x}, {y}));
    CHECK(s.code() == StatusCode::kInvalidModel);
    CHECK(mentions(s, ("format version " + std::to_string(v)).c_str()));
  }
}

TEST_CASE("loader: a text file is named as not a model file before its size prefix is read") {
  const char text[] = "hello, I am a text file renamed .incept\n";
  std::vector<uint8_t> bytes(text, text + sizeof(text) - 1);
  bytes.resize(64, ' ');
  const Status s = load(bytes);
  CHECK(s.code() == StatusCode::kInvalidModel);
  CHECK(mentions(s, "not an incept model file (file identifier is ' am ', expected 'INCP')"));
  CHECK(!mentions(s, "size prefix"));
}

TEST_CASE("loader: size prefix larger than the file") {
  std::vector<uint8_t> bytes = one_conv();
  bytes[3] = 0x7f;
  const Status s = load(bytes);
  CHECK(s.code() == StatusCode::kInvalidModel);
  CHECK(mentions(s, "size prefix"));
}

TEST_CASE("loader: out-of-range tensor indices in ops and graph inputs") {
  SUBCASE("op input") {
    const Status s = load(one_conv([](ModelBuilder& b, int*, int* out) {
      const int y2 = b.tensor("y2", {1, 4, 4, 3});
      b.softmax("bad", 99, y2);
      *out = y2;
    }));
    CHECK(s.code() == StatusCode::kInvalidModel);
    CHECK(mentions(s, "tensor index 99 is out of range"));
    CHECK(mentions(s, "'bad' (Softmax)"));
  }
  SUBCASE("graph input") {
    const Status s = load(one_conv([](ModelBuilder&, int* in, int*) { *in = 42; }));
    CHECK(s.code() == StatusCode::kInvalidModel);
    CHECK(mentions(s, "graph input 0: tensor index 42 is out of range"));
  }
  SUBCASE("negative index") {
    const Status s = load(one_conv([](ModelBuilder& b, int*, int* out) {
      const int y2 = b.tensor("y2", {1, 4, 4, 3});
      b.softmax("neg", -5, y2);
      *out = y2;
    }));
    CHECK(mentions(s, "tensor index -5 is out of range"));
  }
}

TEST_CASE("loader: buffer index out of range") {
  const Status s = load(one_conv([](ModelBuilder& b, int*, int*) { b.tensor_with_buffer("orphan", {4}, 17); }));
  CHECK(s.code() == StatusCode::kInvalidModel);
  CHECK(mentions(s, "buffer index 17 is out of range"));
}

TEST_CASE("loader: zero, negative and overflowing dims") {
  SUBCASE("zero") {
    const Status s = load(one_conv([](ModelBuilder& b, int*, int*) { b.tensor("z", {1, 0, 4, 3}); }));
    CHECK(mentions(s, "dim 1 is 0; dims must be >= 1"));
  }
  SUBCASE("negative") {
    const Status s = load(one_conv([](ModelBuilder& b, int*, int*) { b.tensor("n", {1, 4, -3, 3}); }));
    CHECK(s.code() == StatusCode::kInvalidModel);
    CHECK(mentions(s, "dim 2 is -3"));
  }
  SUBCASE("overflow") {
    const Status s = load(one_conv([](ModelBuilder& b, int*, int*) {
      b.tensor("big", {1 << 20, 1 << 20, 1 << 20, 4});
    }));
    CHECK(s.code() == StatusCode::kInvalidModel);
    CHECK(mentions(s, "'big': element count overflows"));
  }
  SUBCASE("rank 5") {
    const Status s = load(one_conv([](ModelBuilder& b, int*, int*) { b.tensor("r5", {1, 1, 1, 1, 1}); }));
    CHECK(mentions(s, "rank 5 is out of range"));
  }
}

TEST_CASE("loader: zero stride is rejected with the stride found") {
  ModelBuilder b;
  const int x = b.tensor("x", {1, 4, 4, 2});
  const int w = b.constant("w", {3, 1, 1, 2}, std::vector<float>(6, 0.5f));
  const int y = b.tensor("y", {1, 4, 4, 3});
  b.conv2d("conv", x, w, -2, y, {1, 1}, {0, 1}, {});
  const Status s = load(b.finish({x}, {y}));
  CHECK(s.code() == StatusCode::kInvalidModel);
  CHECK(mentions(s, "node 0 'conv' (Conv2D): stride must be within 1x1"));
  CHECK(mentions(s, "got 0x1"));
}

TEST_CASE("loader: LRN options out of range are rejected with the value found") {
  const float inf = std::numeric_limits<float>::infinity();
  const struct {
    int32_t size;
    float alpha, beta, bias;
    const char* message;
  } cases[] = {
      {0, 1e-4f, 0.75f, 1.0f, "size must be within 1..4096, got 0"},  // also what an absent size reads as
      {-5, 1e-4f, 0.75f, 1.0f, "size must be within 1..4096, got -5"},
      {5000, 1e-4f, 0.75f, 1.0f, "size must be within 1..4096, got 5000"},
      {5, -1.0f, 0.75f, 1.0f, "alpha must be finite and >= 0, got -1"},
      {5, std::nanf(""), 0.75f, 1.0f, "alpha must be finite and >= 0, got nan"},
      {5, 1e-4f, inf, 1.0f, "beta must be finite, got inf"},
      {5, 1e-4f, -inf, 1.0f, "beta must be finite, got -inf"},
      {5, 1e-4f, 0.75f, 0.0f, "bias must be finite and > 0, got 0"},  // 0 / 0 on an all-zero window
      {5, 1e-4f, 0.75f, -1.5f, "bias must be finite and > 0, got -1.5"},
      {5, 1e-4f, 0.75f, inf, "bias must be finite and > 0, got inf"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.message);
    ModelBuilder b;
    const int x = b.tensor("x", {1, 2, 2, 8});
    const int y = b.tensor("y", {1, 2, 2, 8});
    b.lrn("norm1", x, y, c.size, c.alpha, c.beta, c.bias);
    const Status s = load(b.finish({x}, {y}));
    CHECK(s.code() == StatusCode::kInvalidModel);
    CHECK(mentions(s, "node 0 'norm1' (LRN): "));
    CHECK(mentions(s, c.message));
  }
  ModelBuilder b;
  const int x = b.tensor("x", {1, 2, 2, 8});
  const int y = b.tensor("y", {1, 2, 2, 8});
  b.lrn("norm1", x, y, 4, 0.0f, -0.5f, 1e-30f);  // edge values that are still fine
  CHECK(load(b.finish({x}, {y})).is_ok());
}

TEST_CASE("loader: an op type from a newer schema is refused by number, not misread") {
  // The Verifier accepts a union member it does not know (it cannot check the table); the loader then
  // refuses the op. So appending an op to the schema needs no format version bump.
  ModelBuilder b;
  const int x = b.tensor("x", {1, 2, 2, 8});
  const int y = b.tensor("y", {1, 2, 2, 8});
  b.op_of_unknown_type("future", {x}, y, 200);
  const Status s = load(b.finish({x}, {y}));
  CHECK(s.code() == StatusCode::kInvalidModel);
  CHECK(mentions(s, "node 0 'future': op options type 200 is not a known op"));
}

TEST_CASE("loader: a buffer shorter or longer than its shape") {
  for (int64_t bytes : {int64_t{20}, int64_t{28}, int64_t{0}}) {
    CAPTURE(bytes);
    ModelBuilder b;
    const int x = b.tensor("x", {1, 4, 4, 2});
    const int w = b.constant("w", {3, 1, 1, 2}, std::vector<float>(6, 0.5f), bytes);
    const int y = b.tensor("y", {1, 4, 4, 3});
    b.conv2d("conv", x, w, -2, y, {1, 1}, {1, 1}, {});
    const Status s = load(b.finish({x}, {y}));
    CHECK(s.code() == StatusCode::kInvalidModel);
    CHECK(mentions(s, ("holds " + std::to_string(bytes) + " bytes but shape needs 24 bytes").c_str()));
  }
}

TEST_CASE("loader: op structure errors") {
  SUBCASE("missing options") {
    const Status s = load(one_conv([](ModelBuilder& b, int*, int* out) {
      const int y2 = b.tensor("y2", {1, 4, 4, 3});
      b.op_without_options("mystery", {*out}, y2);
      *out = y2;
    }));
    CHECK(mentions(s, "op options type 0 is not a known op"));
  }
  SUBCASE("used before produced") {
    ModelBuilder b;
    const int x = b.tensor("x", {1, 2});
    const int y = b.tensor("y", {1, 2});
    const int z = b.tensor("z", {1, 2});
    b.softmax("first", y, z);
    b.softmax("second", x, y);
    const Status s = load(b.finish({x}, {z}));
    CHECK(mentions(s, "is used before any op produces it"));
  }
  SUBCASE("produced twice") {
    ModelBuilder b;
    const int x = b.tensor("x", {1, 2});
    const int y = b.tensor("y", {1, 2});
    b.softmax("a", x, y);
    b.softmax("b", x, y);
    const Status s = load(b.finish({x}, {y}));
    CHECK(mentions(s, "is already produced by node 0 'a'"));
  }
  SUBCASE("weights given as an activation") {
    ModelBuilder b;
    const int x = b.tensor("x", {1, 4, 4, 2});
    const int w = b.tensor("w", {3, 1, 1, 2});
    const int y = b.tensor("y", {1, 4, 4, 3});
    b.conv2d("conv", x, w, -2, y, {1, 1}, {1, 1}, {});
    const Status s = load(b.finish({x}, {y}));
    CHECK(mentions(s, "must be a constant with data"));
  }
  SUBCASE("output never produced") {
    ModelBuilder b;
    const int x = b.tensor("x", {1, 2});
    const int y = b.tensor("y", {1, 2});
    const int z = b.tensor("z", {1, 2});
    b.softmax("a", x, y);
    const Status s = load(b.finish({x}, {z}));
    CHECK(mentions(s, "graph output tensor 2 'z' is not produced by any op"));
  }
}

TEST_CASE("prepare: a stored shape that disagrees with the op is named") {
  ModelBuilder b;
  const int x = b.tensor("x", {1, 4, 4, 2});
  const int w = b.constant("w", {3, 1, 1, 2}, std::vector<float>(6, 0.5f));
  const int y = b.tensor("y", {1, 4, 4, 5});
  b.conv2d("conv", x, w, -2, y, {1, 1}, {1, 1}, {});
  const Status s = load(b.finish({x}, {y}));
  CHECK(s.code() == StatusCode::kInvalidModel);
  CHECK(mentions(s, "stored as [1, 4, 4, 5] but the op produces [1, 4, 4, 3]"));
}

TEST_CASE("Model::from_file: missing file and non-model file") {
  Result<Model> m = Model::from_file("/nonexistent/model.incept");
  CHECK(m.status().code() == StatusCode::kIoError);
  CHECK(mentions(m.status(), "/nonexistent/model.incept"));
  Result<Model> d = Model::from_file("/");
  CHECK(d.status().code() == StatusCode::kIoError);
  CHECK(mentions(d.status(), "'/' is not a regular file (it is a directory)"));
  CHECK_FALSE(mentions(d.status(), "No such file"));  // no stale errno in the message
  Result<Model> n = Model::from_file("/dev/null");
  CHECK(n.status().code() == StatusCode::kIoError);
  CHECK(mentions(n.status(), "'/dev/null' is not a regular file (it is a device, pipe or socket)"));
}

}  // namespace
}  // namespace incept
