// SPDX-License-Identifier: Apache-2.0
// conv2d_f32_eigen against the reference kernel on real GoogLeNet / Inception-v3 layers and seeded
// random shapes: within a tolerance that grows with the reduction length, bit-identical with and
// without a thread pool, exact inside strided views, never past its
// scratch, and never on the heap (every call below runs under a malloc counter, defined here and
// shared with the FC test).
#include <doctest/doctest.h>
#include <pthreadpool.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "conv2d/conv2d.h"
#include "conv2d/conv2d_eigen.h"
#include "support/conv_cases.h"
#include "support/heap_counter.h"
#include "support/test_util.h"

// ---- heap counter: malloc/calloc/realloc replaced (operator new ends in malloc too) ----
// Only with glibc (whose allocator stays reachable as __libc_*) and without sanitizers (which
// interpose malloc themselves); elsewhere the counter reports -1 and the checks are skipped.
namespace incept {
namespace {

using ops::Activation;
using ops::Conv2DParams;
using test::Rng;
using test::Tensor;
using test::ConvCase;
using test::Pool;
using test::conv;

// A 64-byte aligned scratch buffer of exactly the size asked for, with a canary block behind it.
class Scratch {
 public:
  explicit Scratch(size_t bytes) : bytes_(bytes) {
    mem_ = static_cast<unsigned char*>(std::aligned_alloc(64, bytes + 64));
    std::memset(mem_ + bytes, 0xa5, 64);
  }
  ~Scratch() { std::free(mem_); }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  float* data() { return reinterpret_cast<float*>(mem_); }
  bool canary_intact() const {
    for (size_t i = 0; i < 64; ++i)
      if (mem_[bytes_ + i] != 0xa5) return false;
    return true;
  }

 private:
  size_t bytes_;
  unsigned char* mem_;
};

// The worst error seen over the whole run (printed by the last case).
test::ConvErrorMeter g_meter;

// conv2d_f32_eigen with scratch sized for the pool, under the heap counter, checking the canary.
void run_eigen(const ConvCase& c, const Shape& out_shape, ConstTensorView<float> x, const float* w, const float* b,
               TensorView<float> y, pthreadpool_t pool) {
  const int threads = pool == nullptr ? 1 : static_cast<int>(pthreadpool_get_threads_count(pool));
  const size_t bytes = ops::conv2d_f32_eigen_scratch_bytes(c.p, c.in, out_shape, threads);
  CHECK(bytes % 64 == 0);
  Scratch scratch(bytes);
  test::heap_count_begin();
  ops::conv2d_f32_eigen(c.p, x, w, b, y, scratch.data(), pool);
  const long allocations = test::heap_count_end();
  CHECK(allocations <= 0);
  CHECK(scratch.canary_intact());
}

// Eigen vs ref (tolerance), then strided views on a 2-thread pool vs the dense single-thread result
// (bit-identical; nothing outside the output slice written, nothing outside the input slice read).
void check_case(Rng& rng, const ConvCase& c, pthreadpool_t pool2) {
  CAPTURE(c.describe());
  const test::ConvReference r = test::make_conv_reference(rng, c);
  REQUIRE(r.out_shape.rank == 4);
  const Shape& out_shape = r.out_shape;
  const float* w = r.w.data.data();
  const float* bias = r.bias();
  Tensor dense(out_shape, -7.0f);
  run_eigen(c, out_shape, r.x.cview(), w, bias, dense.view(), nullptr);
  CHECK(g_meter.over_bound(c, r, dense) == 0);

  test::StridedTensor xs(c.in, 3, c.in[3] + 5, std::nanf(""));
  xs.copy_from(r.x);
  test::StridedTensor ys(out_shape, 2, c.out_c + 7, 12345.5f);
  run_eigen(c, out_shape, xs.cview(), w, bias, ys.view(), pool2);
  CHECK(test::max_abs_diff(ys.to_dense(), dense) == 0.0f);   // == 0 also needs equal NaN-ness
  CHECK(std::memcmp(ys.to_dense().data.data(), dense.data.data(), sizeof(float) * dense.data.size()) == 0);
  CHECK(ys.outside_untouched());
}

TEST_CASE("conv2d eigen: the heap counter sees an allocation") {
  test::heap_count_begin();
  void* volatile p = std::malloc(24);
  std::free(p);
  const long n = test::heap_count_end();
  if (n < 0) {
    MESSAGE("heap counting is off in this build (sanitizer or non-glibc): no-heap checks are skipped");
  } else {
    CHECK(n == 1);
  }
}

TEST_CASE("conv2d eigen: matches ref on layers of GoogLeNet, v3, v4 and Inception-ResNet-v2, any pool, strided views") {
  Rng rng(0xe16e);
  Pool pool2(2);
  for (const ConvCase& c : test::named_conv_cases()) check_case(rng, c, pool2.get());
}

TEST_CASE("conv2d eigen: matches ref on seeded random shapes, any pool, strided views") {
  Rng rng(0xe16e2);
  Pool pool2(2);
  for (int i = 0; i < 50; ++i) check_case(rng, test::random_conv_case(rng), pool2.get());
  MESSAGE("conv2d eigen vs ref, all cases so far: worst error " << g_meter.worst_abs << ", " << g_meter.worst_ratio
                                                                << " of the tolerance");
}

TEST_CASE("conv2d eigen: one pool size or another gives the same bits") {
  // Tiling depends on the shapes only, so 1, 2 and 3 threads (and no pool) must agree exactly.
  Rng rng(0xb175);
  const ConvCase c{"v3 Mixed_6c.branch7x7_2 (1x7)", {1, 17, 17, 160}, conv(1, 7, 1, {0, 0, 3, 3}), 160};
  const Shape out_shape{1, 17, 17, 160};
  const Tensor x = test::random_tensor(rng, c.in), w = test::random_tensor(rng, c.weights());
  const Tensor b = test::random_tensor(rng, Shape{c.out_c});
  Tensor alone(out_shape);
  run_eigen(c, out_shape, x.cview(), w.data.data(), b.data.data(), alone.view(), nullptr);
  for (size_t threads : {1, 2, 3}) {
    CAPTURE(threads);
    Pool pool(threads);
    Tensor y(out_shape);
    run_eigen(c, out_shape, x.cview(), w.data.data(), b.data.data(), y.view(), pool.get());
    CHECK(std::memcmp(y.data.data(), alone.data.data(), sizeof(float) * alone.data.size()) == 0);
  }
}

TEST_CASE("conv2d eigen: a NaN input pixel gives NaN exactly where ref does, ReLU included") {
  Rng rng(0x7a7);
  const ConvCase c{"3x3 pad 1", {1, 6, 6, 5}, conv(3, 3, 1, {1, 1, 1, 1}), 7};
  const Shape out_shape{1, 6, 6, 7};
  Tensor x = test::random_tensor(rng, c.in);
  x.data[(2 * 6 + 3) * 5 + 1] = std::nanf("");
  const Tensor w = test::random_tensor(rng, c.weights()), b = test::random_tensor(rng, Shape{c.out_c});
  Tensor ref(out_shape), y(out_shape);
  ops::conv2d_f32_ref(c.p, x.cview(), w.data.data(), b.data.data(), ref.view());
  run_eigen(c, out_shape, x.cview(), w.data.data(), b.data.data(), y.view(), nullptr);
  int nans = 0;
  for (size_t i = 0; i < ref.data.size(); ++i) {
    nans += std::isnan(ref.data[i]) ? 1 : 0;
    CHECK(std::isnan(ref.data[i]) == std::isnan(y.data[i]));
  }
  CHECK(nans == 9 * 7);   // the 3x3 neighbourhood of the pixel, every output channel
}

TEST_CASE("conv2d eigen: GFLOP/s on two Inception-v3 convs (printed, not checked)") {
  Rng rng(0x71e);
  const ConvCase cases[] = {{"v3 Mixed_5b.branch3x3dbl_2 (3x3)", {1, 35, 35, 64}, conv(3, 3, 1, {1, 1, 1, 1}), 96},
                            {"v3 Mixed_6b.branch1x1 (1x1)", {1, 17, 17, 768}, conv(1, 1), 192}};
  for (const ConvCase& c : cases) {
    Shape out_shape;
    REQUIRE(ops::conv2d_infer_shape(c.p, c.in, c.weights(), nullptr, &out_shape).code() == StatusCode::kOk);
    const Tensor x = test::random_tensor(rng, c.in), w = test::random_tensor(rng, c.weights());
    const Tensor b = test::random_tensor(rng, Shape{c.out_c});
    Tensor y(out_shape);
    const double flops = 2.0 * static_cast<double>(out_shape.num_elements()) * static_cast<double>(c.depth());
    for (size_t threads : {1, 2}) {
      Pool pool(threads);
      Scratch scratch(ops::conv2d_f32_eigen_scratch_bytes(c.p, c.in, out_shape, static_cast<int>(threads)));
      double best = 1e30;
      for (int rep = 0; rep < 10; ++rep) {
        const auto t0 = std::chrono::steady_clock::now();
        ops::conv2d_f32_eigen(c.p, x.cview(), w.data.data(), b.data.data(), y.view(), scratch.data(), pool.get());
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
      }
      MESSAGE(std::string(c.name) << ", " << threads << " thread(s): " << flops / best * 1e-9 << " GFLOP/s (best of 10)");
    }
  }
}

}  // namespace
}  // namespace incept
