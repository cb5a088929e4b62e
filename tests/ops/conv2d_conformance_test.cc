// SPDX-License-Identifier: Apache-2.0
// Conformance of every Conv2D kernel in the registry (ops/conv2d/conv2d_kernels.cc) that this CPU can
// run, on every ISA it has whatever the INCEPT_ISA cap says: created, set up and run exactly as prepare
// and invoke do (KernelConfig / KernelIo), on the named layers of GoogLeNet, v3, v4 and
// Inception-ResNet-v2 and on seeded random shapes (groups, dilation, channel counts off every register
// tile), reading a NaN-guarded channel slice and writing a channel slice on a 2-thread pool, against
// the reference within the shared error bound, touching nothing outside the output slice and never the
// heap. A kernel may refuse a case only as kUnsupported; every case is taken by at least one fast kernel
// or the reference.
#include <doctest/doctest.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "gemm/gemm.h"
#include "op_registry.h"
#include "support/conv_cases.h"
#include "support/heap_counter.h"

namespace incept {
namespace {

using test::ConvCase;
using test::Tensor;

// The kernels this CPU can run: its ISA is there (cap or not) and, for XNNPACK, the library initialised.
std::vector<const ops::Kernel*> runnable_kernels() {
  const ops::OpDef& def = ops::op_def(ops::OpKind::kConv2D);
  std::vector<const ops::Kernel*> out;
  const ops::Isa saved = ops::isa_cap();
  ops::set_isa_cap(ops::cpu_best_isa());
  for (int i = 0; i < def.num_kernels; ++i)
    if (ops::kernel_usable(*def.kernels[i])) out.push_back(def.kernels[i]);
  ops::set_isa_cap(saved);
  return out;
}

struct AlignedScratch {
  explicit AlignedScratch(size_t bytes)
      : p(static_cast<float*>(std::aligned_alloc(64, (bytes + 63) / 64 * 64 + 64)), &std::free) {}
  std::unique_ptr<float, decltype(&std::free)> p;
};

test::ConvErrorMeter g_meter;
std::map<std::string, int> g_ran, g_refused;

// Runs kernel k on case c through the registry interface, sliced (input at channels [3, 3 + C) of C + 8,
// room for XNNPACK's read slack; output at [2, 2 + O) of O + 7) or dense (input followed by 16 floats of
// slack). kUnsupported from create: returns false.
bool run_kernel(const ops::Kernel& k, const ConvCase& c, const test::ConvReference& r, pthreadpool_t pool, bool sliced,
                Tensor* result) {
  const int32_t in_stride = c.in[3] + (sliced ? 8 : 0), out_stride = c.out_c + (sliced ? 7 : 0);
  test::StridedTensor xs(c.in, sliced ? 3 : 0, in_stride, std::nanf(""));
  xs.copy_from(r.x);
  xs.buffer.resize(xs.buffer.size() + 16, std::nanf(""));
  test::StridedTensor ys(r.out_shape, sliced ? 2 : 0, out_stride, 12345.5f);

  const Shape shapes[3] = {c.in, c.weights(), c.bias ? Shape{c.out_c} : Shape{}};
  const int32_t strides[3] = {in_stride, 0, 0};
  const float* constants[3] = {nullptr, r.w.data.data(), r.bias()};
  const bool in_slice[3] = {false, false, false};
  ops::KernelConfig config;
  config.params = &c.p;
  config.num_inputs = 3;
  config.input_shapes = shapes;
  config.input_strides = strides;
  config.constants = constants;
  config.in_output_slice = in_slice;
  config.output_shape = r.out_shape;
  config.output_stride = out_stride;
  config.threads = pool == nullptr ? 1 : static_cast<int>(pthreadpool_get_threads_count(pool));
  ops::KernelPlan plan;
  const Status s = k.create(config, &plan);
  if (s.code() == StatusCode::kUnsupported) return false;
  REQUIRE_MESSAGE(s.is_ok(), s.message());

  AlignedScratch scratch(plan.scratch_bytes);
  const ConstTensorView<float> inputs[3] = {xs.cview(), {}, {}};
  ops::KernelIo io;
  io.inputs = inputs;
  io.constants = constants;
  io.num_inputs = 3;
  io.out = ys.view();
  io.scratch = plan.scratch_bytes > 0 ? scratch.p.get() : nullptr;
  if (k.setup != nullptr) REQUIRE(k.setup(plan.state.get(), io, pool).is_ok());
  test::heap_count_begin();
  k.run(plan.state.get(), io, pool);
  CHECK(test::heap_count_end() <= 0);
  CHECK(ys.outside_untouched());
  *result = ys.to_dense();
  return true;
}

void check_case(test::Rng& rng, const ConvCase& c, pthreadpool_t pool2, bool with_ref_kernel) {
  CAPTURE(c.describe());
  const test::ConvReference r = test::make_conv_reference(rng, c);
  REQUIRE(r.out_shape.rank == 4);
  int fast_taken = 0;
  for (const ops::Kernel* k : runnable_kernels()) {
    if (k->family == ops::KernelFamily::kRef && !with_ref_kernel) continue;
    CAPTURE(k->name);
    Tensor sliced, dense;
    if (!run_kernel(*k, c, r, pool2, /*sliced=*/true, &sliced)) {
      ++g_refused[k->name];
      continue;
    }
    ++g_ran[k->name];
    fast_taken += k->family != ops::KernelFamily::kRef ? 1 : 0;
    CHECK(g_meter.over_bound(c, r, sliced) == 0);
    REQUIRE(run_kernel(*k, c, r, nullptr, /*sliced=*/false, &dense));
    CHECK(g_meter.over_bound(c, r, dense) == 0);
  }
  CHECK(fast_taken >= 1);   // eigen takes every conv
}

TEST_CASE("conv2d conformance: every registered kernel on layers of GoogLeNet, v3, v4 and Inception-ResNet-v2") {
  test::Rng rng(0xc0f1);
  test::Pool pool2(2);
  for (const ConvCase& c : test::named_conv_cases()) check_case(rng, c, pool2.get(), /*with_ref_kernel=*/false);
}

TEST_CASE("conv2d conformance: every registered kernel on seeded random shapes") {
  test::Rng rng(0xc0f2);
  test::Pool pool2(2);
  for (int i = 0; i < 60; ++i) check_case(rng, test::random_conv_case(rng), pool2.get(), /*with_ref_kernel=*/true);
  std::string summary;
  for (const auto& [name, n] : g_ran) summary += name + " ran " + std::to_string(n) + ", refused " +
                                                 std::to_string(g_refused[name]) + "; ";
  MESSAGE("conv2d kernels: " << summary << "worst error " << g_meter.worst_abs << ", " << g_meter.worst_ratio
                             << " of the tolerance");
  for (const ops::Kernel* k : runnable_kernels()) CHECK_MESSAGE(g_ran[k->name] > 0, k->name);   // nobody idle
}

TEST_CASE("registry: every op ends with a reference kernel; names follow <op>_f32_<impl>[_<tile>_<isa>]") {
#define INCEPT_OP(Name, op_snake)                                                                          \
  {                                                                                                     \
    const ops::OpDef& def = ops::op_def(ops::OpKind::k##Name);                                          \
    CHECK(std::string(def.name) == #Name);                                                              \
    CHECK(std::string(def.snake) == #op_snake);                                                            \
    REQUIRE(def.num_kernels >= 1);                                                                      \
    const ops::Kernel& last = *def.kernels[def.num_kernels - 1];                                        \
    CHECK(last.family == ops::KernelFamily::kRef);                                                      \
    CHECK(last.isa == ops::Isa::kScalar);                                                               \
    for (int i = 0; i < def.num_kernels; ++i) {                                                         \
      const std::string name = def.kernels[i]->name;                                                    \
      CAPTURE(name);                                                                                    \
      CHECK(name.rfind(std::string(#op_snake) + "_f32_", 0) == 0);                                         \
      if (def.kernels[i]->isa != ops::Isa::kScalar) {                                                   \
        const std::string isa = ops::isa_name(def.kernels[i]->isa);                                     \
        CHECK(name.size() > isa.size());                                                                \
        CHECK(name.compare(name.size() - isa.size(), isa.size(), isa) == 0);                            \
      }                                                                                                 \
    }                                                                                                   \
  }
#include "op_list.inc"
#undef INCEPT_OP
  // The native conv kernels' names say the tile of the micro-kernel they run.
  const ops::OpDef& conv = ops::op_def(ops::OpKind::kConv2D);
  for (int i = 0; i < conv.num_kernels; ++i) {
    const ops::Kernel& k = *conv.kernels[i];
    const ops::GemmUkernel* uk = k.family == ops::KernelFamily::kNative ? ops::gemm_ukernel_for(k.isa) : nullptr;
    if (uk != nullptr)
      CHECK(std::string(k.name) == std::string("conv2d_f32_gemm_") + uk->tile + "_" + ops::isa_name(uk->isa));
  }
}

}  // namespace
}  // namespace incept
