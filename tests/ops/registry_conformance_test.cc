// SPDX-License-Identifier: Apache-2.0
// Conformance of the ops without a test of their own through the registry (AvgPool2D, GlobalAvgPool,
// Softmax, Add, LRN, Concat): every kernel this CPU can run, created, set up and run as prepare and invoke
// do (tests/support/kernel_runner.h), sliced in NaN-guarded buffers on two threads and dense, touching
// nothing outside the output slice and never the heap, against the op's reference kernel run dense. The
// tolerances are the per-kernel tests' (avg_pool2d_xnn_test, global_avg_pool_xnn_test, softmax_xnn_test,
// add_xnn_test), where each is derived; here they only have to hold through the registry's wiring.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "add/add.h"
#include "avg_pool2d/avg_pool2d.h"
#include "concat/concat.h"
#include "global_avg_pool/global_avg_pool.h"
#include "lrn/lrn.h"
#include "softmax/softmax.h"
#include "support/kernel_runner.h"

namespace incept {
namespace {

using test::KernelInput;
using test::Tensor;

std::map<std::string, int> g_ran;

// |y - ref| <= tol(ref) elementwise; returns the number of elements over it (NaN where ref is not: over).
using Bound = std::function<double(double ref)>;

const ops::Kernel& ref_kernel(ops::OpKind kind) {
  const ops::OpDef& def = ops::op_def(kind);
  return *def.kernels[def.num_kernels - 1];   // every op's list ends with its reference
}

// Runs every runnable kernel of `kind` (sliced on pool2, and dense without a pool) against the reference
// kernel's dense output.
void check_op(ops::OpKind kind, const void* params, const std::vector<KernelInput>& inputs, const Shape& out_shape,
              pthreadpool_t pool2, const Bound& bound) {
  test::KernelRun want;
  REQUIRE(ref_kernel(kind).family == ops::KernelFamily::kRef);
  REQUIRE(test::run_kernel(ref_kernel(kind), params, inputs, out_shape, nullptr, test::kDense, &want));
  for (const ops::Kernel* k : test::runnable_kernels(kind)) {
    const std::string kernel = k->name;
    CAPTURE(kernel);
    for (bool sliced : {true, false}) {
      test::KernelRun got;
      if (!test::run_kernel(*k, params, inputs, out_shape, sliced ? pool2 : nullptr, sliced ? test::Slices{} : test::kDense, &got)) continue;   // XNNPACK's add takes dense tensors only
      ++g_ran[kernel];
      CHECK(got.outside_untouched);
      int over = 0;
      for (size_t i = 0; i < want.out.data.size(); ++i) {
        const double r = want.out.data[i], y = got.out.data[i];
        if (std::isnan(r) && std::isnan(y)) continue;
        over += std::fabs(y - r) <= bound(r) ? 0 : 1;
      }
      CHECK(over == 0);
    }
  }
}

void check_every_kernel_ran(ops::OpKind kind) {
  for (const ops::Kernel* k : test::runnable_kernels(kind)) CHECK_MESSAGE(g_ran[k->name] > 0, k->name);
}

const Bound kPoolBound = [](double ref) { return 1e-6 * (1.0 + std::fabs(ref)); };   // avg_pool2d_xnn_test

ops::AvgPool2DParams avg(int k, int s, int pad, bool count_include_pad, bool ceil_mode = false) {
  ops::AvgPool2DParams p;
  p.kernel = {k, k};
  p.stride = {s, s};
  p.pad = {pad, pad, pad, pad};
  p.count_include_pad = count_include_pad;
  p.ceil_mode = ceil_mode;
  return p;
}

TEST_CASE("registry conformance: AvgPool2D") {
  test::Rng rng(0x7a01);
  test::Pool pool2(2);
  struct Case {
    Shape in;
    ops::AvgPool2DParams p;
  };
  std::vector<Case> cases = {
      {{1, 35, 35, 192}, avg(3, 1, 1, true)},     // Inception-v3 branch_pool (torchvision counts the padding)
      {{1, 35, 35, 320}, avg(3, 1, 1, false)},    // TF-trained nets exclude it
      {{1, 8, 8, 2048}, avg(8, 8, 0, true)},      // a whole-map average as a pool
  };
  for (int i = 0; i < 30; ++i) {
    ops::AvgPool2DParams p = avg(rng.uniform_int(1, 4), rng.uniform_int(1, 3), 0, rng.coin(), rng.coin());
    p.pad = {rng.uniform_int(0, p.kernel.h - 1), rng.uniform_int(0, p.kernel.h - 1), rng.uniform_int(0, p.kernel.w - 1),
             rng.uniform_int(0, p.kernel.w - 1)};
    p.activation = rng.coin(0.3f) ? ops::Activation::kRelu : ops::Activation::kNone;
    cases.push_back({{rng.uniform_int(1, 2), rng.uniform_int(4, 12), rng.uniform_int(4, 12), rng.uniform_int(1, 40)}, p});
  }
  for (const Case& c : cases) {
    CAPTURE(test::to_string(c.in));
    Shape out;
    if (!ops::avg_pool2d_infer_shape(c.p, c.in, &out).is_ok()) continue;
    const Tensor x = test::random_tensor(rng, c.in);
    check_op(ops::OpKind::kAvgPool2D, &c.p, {KernelInput::of(x)}, out, pool2.get(), kPoolBound);
  }
  check_every_kernel_ran(ops::OpKind::kAvgPool2D);
}

TEST_CASE("registry conformance: GlobalAvgPool") {
  test::Rng rng(0x7a02);
  test::Pool pool2(2);
  const ops::GlobalAvgPoolParams p;
  for (Shape in : std::vector<Shape>{{1, 8, 8, 2048}, {1, 7, 7, 1024}, {2, 8, 8, 1536}, {1, 3, 5, 7}, {2, 1, 1, 33}}) {
    CAPTURE(test::to_string(in));
    Shape out;
    REQUIRE(ops::global_avg_pool_infer_shape(p, in, &out).is_ok());
    const Tensor x = test::random_tensor(rng, in);
    check_op(ops::OpKind::kGlobalAvgPool, &p, {KernelInput::of(x)}, out, pool2.get(), kPoolBound);
  }
  check_every_kernel_ran(ops::OpKind::kGlobalAvgPool);
}

TEST_CASE("registry conformance: Softmax") {
  test::Rng rng(0x7a03);
  test::Pool pool2(2);
  for (const std::pair<Shape, float>& c : std::vector<std::pair<Shape, float>>{
           {{1, 1000}, 1.0f}, {{2, 1001}, 1.0f}, {{3, 17}, 0.5f}, {{1, 1}, 1.0f}, {{4, 1000}, 3.0f}}) {
    const Shape& in = c.first;   // (no structured bindings: CAPTURE's lambda cannot see them in C++17)
    const float beta = c.second;
    CAPTURE(test::to_string(in));
    ops::SoftmaxParams p;
    p.beta = beta;
    Shape out;
    REQUIRE(ops::softmax_infer_shape(p, in, &out).is_ok());
    Tensor x = test::random_tensor(rng, in);
    for (float& v : x.data) v *= 8.0f;   // logits spread over +-8
    // Both kernels within softmax_xnn_test's relative tolerance of the exact value (|x - max| <= 16 * beta
    // here), so of each other within twice it.
    const double tol = 2.0 * (2.5e-7 * (4.0 + std::sqrt(static_cast<double>(in[1]))) + 16.0 * beta * 0x1p-24);
    check_op(ops::OpKind::kSoftmax, &p, {KernelInput::of(x)}, out, pool2.get(),
             [tol](double ref) { return tol * std::fabs(ref) + 1e-30; });
  }
  check_every_kernel_ran(ops::OpKind::kSoftmax);
}

TEST_CASE("registry conformance: Add (one float rounding: the same bits)") {
  test::Rng rng(0x7a04);
  test::Pool pool2(2);
  for (const std::pair<Shape, bool>& c : std::vector<std::pair<Shape, bool>>{
           {{1, 35, 35, 320}, true}, {{1, 17, 17, 1088}, true}, {{1, 8, 8, 2080}, false}, {{2, 100}, false}, {{1, 3, 3, 5}, true}}) {
    const Shape& shape = c.first;
    const bool relu = c.second;
    CAPTURE(test::to_string(shape));
    ops::AddParams p;
    p.activation = relu ? ops::Activation::kRelu : ops::Activation::kNone;
    Shape out;
    REQUIRE(ops::add_infer_shape(p, shape, shape, &out).is_ok());
    const Tensor a = test::random_tensor(rng, shape), b = test::random_tensor(rng, shape);
    check_op(ops::OpKind::kAdd, &p, {KernelInput::of(a), KernelInput::of(b)}, out, pool2.get(),
             [](double) { return 0.0; });
  }
  check_every_kernel_ran(ops::OpKind::kAdd);
}

TEST_CASE("registry conformance: LRN and Concat (reference kernels only): sliced and dense agree") {
  test::Rng rng(0x7a05);
  test::Pool pool2(2);
  ops::LRNParams lrn;   // GoogLeNet's: size 5, alpha 1e-4, beta 0.75, bias 1
  for (Shape in : std::vector<Shape>{{1, 56, 56, 64}, {1, 28, 28, 192}, {1, 5, 5, 3}}) {
    Shape out;
    REQUIRE(ops::lrn_infer_shape(lrn, in, &out).is_ok());
    const Tensor x = test::random_tensor(rng, in);
    check_op(ops::OpKind::kLRN, &lrn, {KernelInput::of(x)}, out, pool2.get(), [](double) { return 0.0; });
  }
  const ops::ConcatParams cat;
  const Shape parts[] = {{1, 17, 17, 192}, {1, 17, 17, 320}, {1, 17, 17, 7}};
  Shape out;
  REQUIRE(ops::concat_infer_shape(cat, parts, 3, &out).is_ok());
  const Tensor a = test::random_tensor(rng, parts[0]), b = test::random_tensor(rng, parts[1]),
               c = test::random_tensor(rng, parts[2]);
  check_op(ops::OpKind::kConcat, &cat, {KernelInput::of(a), KernelInput::of(b), KernelInput::of(c)}, out, pool2.get(),
           [](double) { return 0.0; });
  check_every_kernel_ran(ops::OpKind::kLRN);
  check_every_kernel_ran(ops::OpKind::kConcat);
}

}  // namespace
}  // namespace incept
