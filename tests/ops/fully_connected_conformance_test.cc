// SPDX-License-Identifier: Apache-2.0
// Conformance of every FullyConnected kernel in the registry this CPU can run (the native GEMM engine on
// every ISA it has, XNNPACK, Eigen, ref) through the registry interface, sliced on a 2-thread pool and
// dense: within eps * sqrt(K) * (|b| + sum |x w|) x 2 of the reference per output, on the four nets'
// classifiers (batch 1, where the engine takes its single-row micro-kernel, and batch 3) and seeded random
// sizes, ReLU or not, with and without bias.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include "fully_connected/fully_connected.h"
#include "support/kernel_runner.h"

namespace incept {
namespace {

using test::Tensor;

struct FcCase {
  const char* name;
  int32_t batch, in, out;
  bool bias = true, relu = false;
};

std::map<std::string, int> g_ran;
double g_worst = 0.0;

void check_case(test::Rng& rng, const FcCase& c, pthreadpool_t pool2) {
  char what[160];
  std::snprintf(what, sizeof(what), "%s: [%d, %d] -> %d, bias %d, relu %d", c.name, c.batch, c.in, c.out, c.bias, c.relu);
  CAPTURE(std::string(what));
  ops::FullyConnectedParams p;
  p.activation = c.relu ? ops::Activation::kRelu : ops::Activation::kNone;
  const Tensor x = test::random_tensor(rng, Shape{c.batch, c.in});
  const Tensor w = test::random_tensor(rng, Shape{c.out, c.in});
  const Tensor b = test::random_tensor(rng, Shape{c.out});
  const float* bias = c.bias ? b.data.data() : nullptr;
  const Shape out_shape{c.batch, c.out};
  Tensor ref(out_shape), magnitude(out_shape);
  ops::fully_connected_f32_ref(p, x.cview(), w.data.data(), bias, ref.view());
  Tensor ax = x, aw = w, ab = b;
  for (Tensor* t : {&ax, &aw, &ab})
    for (float& v : t->data) v = std::fabs(v);
  ops::fully_connected_f32_ref(ops::FullyConnectedParams{}, ax.cview(), aw.data.data(), c.bias ? ab.data.data() : nullptr,
                               magnitude.view());
  const double scale = 2.0 * std::numeric_limits<float>::epsilon() * std::sqrt(static_cast<double>(c.in));

  const std::vector<test::KernelInput> inputs = {
      test::KernelInput::of(x), test::KernelInput::weights(w.shape, w.data.data()),
      c.bias ? test::KernelInput::weights(b.shape, bias) : test::KernelInput::absent()};
  for (const ops::Kernel* k : test::runnable_kernels(ops::OpKind::kFullyConnected)) {
    const std::string kernel = k->name;
    CAPTURE(kernel);
    for (bool sliced : {true, false}) {
      test::KernelRun r;
      if (!test::run_kernel(*k, &p, inputs, out_shape, sliced ? pool2 : nullptr, sliced ? test::Slices{} : test::kDense, &r)) break;
      ++g_ran[kernel];
      CHECK(r.outside_untouched);
      int bad = 0;
      for (size_t i = 0; i < ref.data.size(); ++i) {
        const double ratio = std::fabs(double{r.out.data[i]} - ref.data[i]) / (scale * (magnitude.data[i] + 1e-30));
        g_worst = std::max(g_worst, ratio);
        bad += ratio <= 1.0 ? 0 : 1;
      }
      CHECK(bad == 0);
    }
  }
}

TEST_CASE("fully_connected conformance: every registered kernel on the four nets' classifiers and random sizes") {
  test::Rng rng(0xfc01);
  test::Pool pool2(2);
  const FcCase named[] = {{"GoogLeNet fc", 1, 1024, 1000},       {"Inception-v3 fc", 1, 2048, 1000},
                          {"Inception-v4 / IRv2 fc", 1, 1536, 1000}, {"Inception-v3 fc, batch 3", 3, 2048, 1000},
                          {"no bias, ReLU", 2, 100, 37, false, true}};
  for (const FcCase& c : named) check_case(rng, c, pool2.get());
  for (int i = 0; i < 40; ++i) {
    const FcCase c{"random", rng.uniform_int(1, 9), rng.uniform_int(1, 300), rng.uniform_int(1, 100), rng.coin(0.8f),
                   rng.coin()};
    check_case(rng, c, pool2.get());
  }
  std::string ran;
  for (const auto& [name, n] : g_ran) ran += name + " " + std::to_string(n) + "; ";
  MESSAGE("fully_connected kernels run: " << ran << "worst " << g_worst << " of the bound");
  for (const ops::Kernel* k : test::runnable_kernels(ops::OpKind::kFullyConnected)) CHECK_MESSAGE(g_ran[k->name] > 0, k->name);
}

}  // namespace
}  // namespace incept
