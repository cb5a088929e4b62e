// SPDX-License-Identifier: Apache-2.0
// Add on XNNPACK against the reference kernel, bit for bit (one rounding per element): the residual
// adds of Inception-ResNet-v2, seeded random shapes, in place (out aliasing either input), a real
// 2-thread pthreadpool, and kUnsupported for strided views.
#if INCEPT_WITH_XNNPACK
#include <doctest/doctest.h>
#include <pthreadpool.h>

#include <cstdio>
#include <string>
#include <vector>

#include "add/add_xnn.h"
#include "support/test_util.h"

namespace incept {
namespace {

using ops::Activation;
using ops::AddParams;
using test::Rng;
using test::Tensor;

// XNNPACK may read (never write) XNN_EXTRA_BYTES past an input, so every input buffer carries that slack.
constexpr size_t kSlack = XNN_EXTRA_BYTES / sizeof(float);

enum class Alias { kNone, kA, kB };   // out is a fresh buffer, or in_a, or in_b

struct AddCase {
  const char* name = "random";
  Shape shape;
  bool relu = false;
  Alias alias = Alias::kNone;
  std::string describe() const {
    char buf[160];
    std::snprintf(buf, sizeof(buf), "%s: %s relu %d alias %d", name, test::to_string(shape).c_str(), relu,
                  static_cast<int>(alias));
    return buf;
  }
};

void check_case(Rng& rng, const AddCase& c, pthreadpool_t pool = nullptr) {
  CAPTURE(c.describe());
  AddParams p;
  p.activation = c.relu ? Activation::kRelu : Activation::kNone;
  Shape out_shape;
  const Status inferred = ops::add_infer_shape(p, c.shape, c.shape, &out_shape);
  REQUIRE_MESSAGE(inferred.is_ok(), inferred.message());
  const Tensor a = test::random_tensor(rng, c.shape), b = test::random_tensor(rng, c.shape);
  Tensor ref(out_shape);
  ops::add_f32_ref(p, a.cview(), b.cview(), ref.view());

  std::vector<float> buf_a(a.data), buf_b(b.data);
  buf_a.resize(buf_a.size() + kSlack);
  buf_b.resize(buf_b.size() + kSlack);
  // The output gets a guard zone after it (its last element is followed by 16 sentinels).
  std::vector<float> buf_out(ref.data.size() + kSlack, 12345.5f);
  float* out_data = c.alias == Alias::kA ? buf_a.data() : c.alias == Alias::kB ? buf_b.data() : buf_out.data();
  const int32_t channels = test::as_nhwc(c.shape)[3];

  ops::XnnOp op;
  const Status created =
      ops::add_f32_xnn_create(p, c.shape, c.shape, out_shape, channels, channels, channels, &op);
  REQUIRE_MESSAGE(created.is_ok(), created.message());
  const Status set = ops::add_f32_xnn_setup(p, op, dense_view<const float>(buf_a.data(), c.shape),
                                            dense_view<const float>(buf_b.data(), c.shape),
                                            dense_view(out_data, out_shape), pool);
  REQUIRE_MESSAGE(set.is_ok(), set.message());
  const size_t live = ops::xnn_live_bytes();
  REQUIRE(xnn_run_operator(op.get(), pool) == xnn_status_success);
  CHECK(ops::xnn_live_bytes() == live);   // running allocates nothing

  const std::vector<float> got(out_data, out_data + ref.data.size());
  CHECK(test::max_abs_diff(got, ref.data) == 0.0f);
  if (c.alias == Alias::kNone) {
    for (size_t i = ref.data.size(); i < buf_out.size(); ++i) CHECK(buf_out[i] == 12345.5f);
  }
}

AddCase named(const char* name, Shape shape, Alias alias = Alias::kNone, bool relu = true) {
  AddCase c;
  c.name = name;
  c.shape = shape;
  c.alias = alias;
  c.relu = relu;
  return c;
}

AddCase random_case(Rng& rng) {
  AddCase c;
  c.shape = rng.coin(0.3f) ? Shape{rng.uniform_int(1, 4), rng.uniform_int(1, 300)}
                           : Shape{rng.uniform_int(1, 2), rng.uniform_int(1, 12), rng.uniform_int(1, 12),
                                   rng.uniform_int(1, 70)};
  c.relu = rng.coin();
  c.alias = static_cast<Alias>(rng.uniform_int(0, 2));
  return c;
}

TEST_CASE("add xnn: bit-exact on Inception-ResNet-v2 residual adds, in place and not") {
  Rng rng(0xadd001);
  check_case(rng, named("IRv2 block35 residual", {1, 35, 35, 320}, Alias::kA));
  check_case(rng, named("IRv2 block17 residual", {1, 17, 17, 1088}, Alias::kB));
  check_case(rng, named("IRv2 block8 residual", {1, 8, 8, 2080}));
  check_case(rng, named("IRv2 last block8 (no relu)", {1, 8, 8, 2080}, Alias::kA, false));
  check_case(rng, named("[N, C]", {3, 1000}));
}

TEST_CASE("add xnn: bit-exact on seeded random shapes") {
  Rng rng(0xadd002);
  for (int i = 0; i < 60; ++i) check_case(rng, random_case(rng));
}

TEST_CASE("add xnn: a 2-thread pthreadpool gives the same result") {
  pthreadpool_t pool = pthreadpool_create(2);
  REQUIRE(pool != nullptr);
  Rng rng(0xadd003);
  check_case(rng, named("IRv2 block35 residual", {1, 35, 35, 320}, Alias::kA), pool);
  for (int i = 0; i < 12; ++i) check_case(rng, random_case(rng), pool);
  pthreadpool_destroy(pool);
}

TEST_CASE("add xnn: a strided view is kUnsupported (XNNPACK's add takes dense tensors)") {
  ops::XnnOp op;
  const Shape s{1, 35, 35, 320};
  CHECK_FAILED_WITH(ops::add_f32_xnn_create({}, s, s, s, 320, 320, 640, &op), kUnsupported,
                    "pixel strides 320, 320 (inputs) and 640 (output) must all equal the channel count 320");
  CHECK_FAILED_WITH(ops::add_f32_xnn_create({}, s, s, s, 336, 320, 320, &op), kUnsupported, "dense tensors only");
  CHECK(op.get() == nullptr);
}

}  // namespace
}  // namespace incept
#endif  // INCEPT_WITH_XNNPACK
