// SPDX-License-Identifier: Apache-2.0
// Conformance of every MaxPool2D kernel in the registry this CPU can run (our vector kernel on every ISA
// it has, XNNPACK, ref) through the registry interface, sliced on a 2-thread pool and dense: the
// reference's output to the bit (max is exact), NaN propagated and -0.0 kept as the reference does,
// on GoogLeNet's and Inception-v3's pools and seeded random windows with channel counts off every vector
// width.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "max_pool2d/max_pool2d.h"
#include "support/kernel_runner.h"

namespace incept {
namespace {

using ops::MaxPool2DParams;
using test::Tensor;

struct PoolCase {
  const char* name;
  Shape in;
  MaxPool2DParams p;
  std::string describe() const {
    char buf[240];
    std::snprintf(buf, sizeof(buf), "%s: in %s k %dx%d s %dx%d pad t%d b%d l%d r%d ceil %d relu %d", name,
                  test::to_string(in).c_str(), p.kernel.h, p.kernel.w, p.stride.h, p.stride.w, p.pad.top,
                  p.pad.bottom, p.pad.left, p.pad.right, p.ceil_mode, p.activation == ops::Activation::kRelu);
    return buf;
  }
};

MaxPool2DParams pool(int k, int s, bool ceil_mode, int pad = 0) {
  MaxPool2DParams p;
  p.kernel = {k, k};
  p.stride = {s, s};
  p.pad = {pad, pad, pad, pad};
  p.ceil_mode = ceil_mode;
  return p;
}

std::vector<PoolCase> named_cases() {
  return {{"GoogLeNet maxpool1", {1, 112, 112, 64}, pool(3, 2, true)},
          {"GoogLeNet inception3a.branch4.0", {1, 28, 28, 192}, pool(3, 1, true, 1)},
          {"GoogLeNet maxpool4 (2x2)", {1, 14, 14, 832}, pool(2, 2, true)},
          {"Inception-v3 maxpool1", {1, 147, 147, 64}, pool(3, 2, false)},
          {"Inception-v3 Mixed_7a.max_pool", {1, 17, 17, 768}, pool(3, 2, false)}};
}

PoolCase random_case(test::Rng& rng) {
  for (;;) {
    PoolCase c{"random", {}, {}};
    c.p.kernel = {rng.uniform_int(1, 4), rng.uniform_int(1, 4)};
    c.p.stride = {rng.uniform_int(1, 3), rng.uniform_int(1, 3)};
    c.p.pad = {rng.uniform_int(0, c.p.kernel.h - 1), rng.uniform_int(0, c.p.kernel.h - 1),
               rng.uniform_int(0, c.p.kernel.w - 1), rng.uniform_int(0, c.p.kernel.w - 1)};
    c.p.ceil_mode = rng.coin();
    c.p.activation = rng.coin(0.3f) ? ops::Activation::kRelu : ops::Activation::kNone;
    c.in = {rng.uniform_int(1, 2), rng.uniform_int(1, 12), rng.uniform_int(1, 12), rng.uniform_int(1, 40)};
    Shape out;
    if (ops::max_pool2d_infer_shape(c.p, c.in, &out).is_ok()) return c;
  }
}

std::map<std::string, int> g_ran;

// Every runnable kernel on c, sliced (2 threads) and dense (no pool), against the reference bit for bit.
// Inputs hold NaNs, -0.0 and +0.0 here and there so that their handling is compared too.
void check_case(test::Rng& rng, const PoolCase& c, pthreadpool_t pool2) {
  CAPTURE(c.describe());
  Shape out_shape;
  REQUIRE(ops::max_pool2d_infer_shape(c.p, c.in, &out_shape).is_ok());
  Tensor x = test::random_tensor(rng, c.in);
  for (float& v : x.data) {
    const float u = rng.uniform01();
    if (u < 0.01f) v = std::nanf("");
    else if (u < 0.03f) v = -0.0f;
    else if (u < 0.05f) v = 0.0f;
  }
  Tensor ref(out_shape);
  ops::max_pool2d_f32_ref(c.p, x.cview(), ref.view());
  for (const ops::Kernel* k : test::runnable_kernels(ops::OpKind::kMaxPool2D)) {
    const std::string kernel = k->name;
    CAPTURE(kernel);
    for (bool sliced : {true, false}) {
      test::KernelRun r;
      if (!test::run_kernel(*k, &c.p, {test::KernelInput::of(x)}, out_shape, sliced ? pool2 : nullptr, sliced ? test::Slices{} : test::kDense, &r)) {
        break;
      }
      ++g_ran[k->name];
      CHECK(r.outside_untouched);
      int differ = 0;
      for (size_t i = 0; i < ref.data.size(); ++i) {
        // XNNPACK's max pool differs there (measured: it drops NaNs and may flip the sign of a zero), so
        // it is compared where ref is a nonzero number.
        if (k->family == ops::KernelFamily::kXnnpack && (std::isnan(ref.data[i]) || ref.data[i] == 0.0f)) continue;
        differ += std::memcmp(&r.out.data[i], &ref.data[i], sizeof(float)) != 0 ? 1 : 0;
      }
      CHECK(differ == 0);
    }
  }
}

TEST_CASE("max_pool2d conformance: every registered kernel, bit for bit with ref, NaN and signed zeros included") {
  test::Rng rng(0x9001);
  test::Pool pool2(2);
  for (const PoolCase& c : named_cases()) check_case(rng, c, pool2.get());
  for (int i = 0; i < 80; ++i) check_case(rng, random_case(rng), pool2.get());
  std::string ran;
  for (const auto& [name, n] : g_ran) ran += name + " " + std::to_string(n) + "; ";
  MESSAGE("max_pool2d kernels run: " << ran);
  for (const ops::Kernel* k : test::runnable_kernels(ops::OpKind::kMaxPool2D)) CHECK_MESSAGE(g_ran[k->name] > 0, k->name);
}

}  // namespace
}  // namespace incept
