// SPDX-License-Identifier: Apache-2.0
// fully_connected_f32_eigen against the reference kernel: the GoogLeNet / Inception-v3 classifiers and
// seeded random shapes on both paths (gemv for batches up to 16, the 1x1-conv GEMM above), within a
// tolerance that grows with the reduction length, bit-identical with and without a pool, exact in
// strided views, inside its scratch, and off the heap (counter defined in conv2d_eigen_test.cc).
#include <doctest/doctest.h>
#include <pthreadpool.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "fully_connected/fully_connected.h"
#include "fully_connected/fully_connected_eigen.h"
#include "support/heap_counter.h"
#include "support/test_util.h"

namespace incept {
namespace {

using ops::Activation;
using ops::FullyConnectedParams;
using test::Rng;
using test::Tensor;

// Same rule as the conv test: |eigen - ref| <= 2 * eps * sqrt(K) * (|b| + sum |x w|).
constexpr double kTolerance = 2.0;
constexpr double kEps = std::numeric_limits<float>::epsilon();

struct FcCase {
  const char* name;
  int n, in, out;
  bool bias, relu;
  std::string describe() const {
    return std::string(name) + ": n " + std::to_string(n) + " in " + std::to_string(in) + " out " +
           std::to_string(out) + " bias " + std::to_string(bias) + " relu " + std::to_string(relu);
  }
};

// Exactly the bytes asked for (64-byte aligned; at least one block so nullptr never stands for
// "none"), with a canary block behind them.
struct Scratch {
  explicit Scratch(size_t bytes) : size(bytes) {
    mem = static_cast<unsigned char*>(std::aligned_alloc(64, bytes + 64));
    std::memset(mem + bytes, 0x5a, 64);
  }
  ~Scratch() { std::free(mem); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  bool canary_intact() const {
    for (size_t i = 0; i < 64; ++i)
      if (mem[size + i] != 0x5a) return false;
    return true;
  }
  size_t size;
  unsigned char* mem;
};

double g_worst_ratio = 0.0, g_worst_abs = 0.0;

void run_eigen(const FcCase& c, const FullyConnectedParams& p, ConstTensorView<float> x, const float* w,
               const float* b, TensorView<float> y, pthreadpool_t pool) {
  const int threads = pool == nullptr ? 1 : static_cast<int>(pthreadpool_get_threads_count(pool));
  const size_t bytes =
      ops::fully_connected_f32_eigen_scratch_bytes(p, Shape{c.n, c.in}, Shape{c.n, c.out}, threads);
  CHECK(bytes % 64 == 0);
  Scratch scratch(bytes);
  test::heap_count_begin();
  ops::fully_connected_f32_eigen(p, x, w, b, y, reinterpret_cast<float*>(scratch.mem), pool);
  CHECK(test::heap_count_end() <= 0);
  CHECK(scratch.canary_intact());
}

void check_case(Rng& rng, const FcCase& c, pthreadpool_t pool2) {
  CAPTURE(c.describe());
  FullyConnectedParams p;
  p.activation = c.relu ? Activation::kRelu : Activation::kNone;
  const Tensor x = test::random_tensor(rng, Shape{c.n, c.in}), w = test::random_tensor(rng, Shape{c.out, c.in});
  const Tensor b = test::random_tensor(rng, Shape{c.out});
  const float* bias = c.bias ? b.data.data() : nullptr;

  Tensor ref(Shape{c.n, c.out}), magnitude(Shape{c.n, c.out}), dense(Shape{c.n, c.out}, -7.0f);
  ops::fully_connected_f32_ref(p, x.cview(), w.data.data(), bias, ref.view());
  Tensor ax = x, aw = w, ab = b;
  for (Tensor* t : {&ax, &aw, &ab})
    for (float& v : t->data) v = std::fabs(v);
  ops::fully_connected_f32_ref(FullyConnectedParams{}, ax.cview(), aw.data.data(), c.bias ? ab.data.data() : nullptr,
                               magnitude.view());
  run_eigen(c, p, x.cview(), w.data.data(), bias, dense.view(), nullptr);

  const double scale = kTolerance * kEps * std::sqrt(static_cast<double>(c.in));
  int bad = 0;
  for (size_t i = 0; i < ref.data.size(); ++i) {
    const double err = std::fabs(double{dense.data[i]} - ref.data[i]);
    const double ratio = err / (scale * (magnitude.data[i] + 1e-30));
    g_worst_ratio = std::max(g_worst_ratio, ratio);
    g_worst_abs = std::max(g_worst_abs, err);
    if (!(ratio <= 1.0)) ++bad;
  }
  CHECK(bad == 0);

  test::StridedTensor xs(x.shape, 2, c.in + 3, std::nanf(""));
  xs.copy_from(x);
  test::StridedTensor ys(Shape{c.n, c.out}, 5, c.out + 6, 12345.5f);
  run_eigen(c, p, xs.cview(), w.data.data(), bias, ys.view(), pool2);
  const Tensor strided = ys.to_dense();
  CHECK(std::memcmp(strided.data.data(), dense.data.data(), sizeof(float) * dense.data.size()) == 0);
  CHECK(ys.outside_untouched());
}

TEST_CASE("fully_connected eigen: matches ref on the GoogLeNet and Inception-v3 classifiers") {
  Rng rng(0xfce1);
  pthreadpool_t pool2 = pthreadpool_create(2);
  check_case(rng, {"v3 fc (gemv)", 1, 2048, 1000, true, false}, pool2);
  check_case(rng, {"GoogLeNet fc (gemv)", 1, 1024, 1000, true, false}, pool2);
  check_case(rng, {"v3 fc, batch 16 (gemv)", 16, 2048, 1000, true, true}, pool2);
  check_case(rng, {"v3 fc, batch 17 (GEMM)", 17, 2048, 1000, true, false}, pool2);
  pthreadpool_destroy(pool2);
}

TEST_CASE("fully_connected eigen: matches ref on seeded random shapes, any pool, strided views") {
  Rng rng(0xfce2);
  pthreadpool_t pool2 = pthreadpool_create(2);
  for (int i = 0; i < 40; ++i) {
    const int n = rng.coin() ? rng.uniform_int(1, 16) : rng.uniform_int(17, 40);   // gemv or GEMM
    const FcCase c{"random", n, rng.uniform_int(1, 700), rng.uniform_int(1, 300), rng.coin(0.8f), rng.coin()};
    check_case(rng, c, pool2);
  }
  pthreadpool_destroy(pool2);
  MESSAGE("fully_connected eigen vs ref: worst error " << g_worst_abs << ", " << g_worst_ratio
                                                       << " of the tolerance");
}

TEST_CASE("fully_connected eigen: scratch is needed only for the GEMM path") {
  FullyConnectedParams p;
  CHECK(ops::fully_connected_f32_eigen_scratch_bytes(p, Shape{1, 2048}, Shape{1, 1000}, 2) == 0);
  CHECK(ops::fully_connected_f32_eigen_scratch_bytes(p, Shape{16, 2048}, Shape{16, 1000}, 2) == 0);
  CHECK(ops::fully_connected_f32_eigen_scratch_bytes(p, Shape{17, 2048}, Shape{17, 1000}, 2) > 0);
}

}  // namespace
}  // namespace incept
