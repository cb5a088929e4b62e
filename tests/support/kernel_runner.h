// SPDX-License-Identifier: Apache-2.0
// Runs one registered kernel (ops/op_registry.h) exactly as prepare and invoke do: create from a
// KernelConfig, setup and run on a KernelIo, with the activations either dense or channel slices of wider
// NaN-guarded buffers, scratch of the size asked for, and the heap counted around run(). Shared by the
// per-op conformance tests, which loop it over every kernel this CPU can run.
//
//   for (const ops::Kernel* k : test::runnable_kernels(ops::OpKind::kMaxPool2D)) {
//     test::KernelRun r;
//     if (!test::run_kernel(*k, &params, {test::KernelInput::activation(x)}, out_shape, pool, true, &r)) continue;
//     CHECK(r.outside_untouched);  ... compare r.out with the reference ...
//   }
#pragma once

#include <doctest/doctest.h>
#include <pthreadpool.h>

#include <cmath>
#include <cstdlib>
#include <memory>
#include <vector>

#include "op_registry.h"
#include "support/heap_counter.h"
#include "support/test_util.h"

namespace incept::test {

// Every kernel of `kind` this CPU can run, whatever the INCEPT_ISA cap says (XNNPACK: where it initialises).
inline std::vector<const ops::Kernel*> runnable_kernels(ops::OpKind kind) {
  const ops::OpDef& def = ops::op_def(kind);
  std::vector<const ops::Kernel*> out;
  const ops::Isa saved = ops::isa_cap();
  ops::set_isa_cap(ops::cpu_best_isa());
  for (int i = 0; i < def.num_kernels; ++i)
    if (ops::kernel_usable(*def.kernels[i])) out.push_back(def.kernels[i]);
  ops::set_isa_cap(saved);
  return out;
}

// One op input: an activation (sliced or dense as the run says), a constant, or absent (rank 0 shape).
struct KernelInput {
  Shape shape;
  const Tensor* activation = nullptr;
  const float* constant = nullptr;
  static KernelInput of(const Tensor& t) { return {t.shape, &t, nullptr}; }
  static KernelInput weights(const Shape& s, const float* data) { return {s, nullptr, data}; }
  static KernelInput absent() { return {}; }
};

struct KernelRun {
  Tensor out;                      // dense copy of the output
  bool outside_untouched = true;   // sliced runs: nothing outside the output slice was written
};

// A residual add fused into the kernel (Kernel::fuses_residual): x of the output's shape, added before
// `activation`. In place: x is first copied into the output slice, which the kernel reads as the residual
// and overwrites (as prepare arranges it over a dying input); apart, x lives in a NaN-guarded channel
// slice of its own (channels [1, 1 + C) of C + 5).
struct KernelResidual {
  const Tensor* x = nullptr;
  ops::Activation activation = ops::Activation::kNone;
  bool in_place = false;
};

// Creates and runs `k`. Sliced: input i at channels [3, 3 + C) of C + 8 with NaN around (room for
// XNNPACK's read slack), the output at [2, 2 + C) of C + 7 filled with 12345.5; dense: plain tensors with
// 16 floats of slack after each input. Returns false when create answers kUnsupported (any other error
// fails the test).
inline bool run_kernel(const ops::Kernel& k, const void* params, const std::vector<KernelInput>& inputs,
                       const Shape& out_shape, pthreadpool_t pool, bool sliced, KernelRun* result,
                       const KernelResidual* residual = nullptr) {
  const int n = static_cast<int>(inputs.size());
  std::vector<std::unique_ptr<StridedTensor>> xs(n);
  ops::KernelInputs args(n);
  std::vector<ConstTensorView<float>> views(n);
  for (int i = 0; i < n; ++i) {
    args.shapes[i] = inputs[i].shape;
    args.constants[i] = inputs[i].constant;
    if (inputs[i].activation == nullptr) continue;
    const int32_t c = as_nhwc(inputs[i].shape)[3];
    args.strides[i] = c + (sliced ? 8 : 0);
    xs[i] = std::make_unique<StridedTensor>(inputs[i].shape, sliced ? 3 : 0, args.strides[i], std::nanf(""));
    xs[i]->copy_from(*inputs[i].activation);
    xs[i]->buffer.resize(xs[i]->buffer.size() + 16, std::nanf(""));
    views[i] = xs[i]->cview();
  }
  const int32_t out_c = as_nhwc(out_shape)[3];
  StridedTensor ys(out_shape, sliced ? 2 : 0, out_c + (sliced ? 7 : 0), 12345.5f);

  ops::KernelConfig config;
  args.bind(&config);
  config.params = params;
  config.output_shape = out_shape;
  config.output_stride = ys.pixel_stride;
  config.threads = pool == nullptr ? 1 : static_cast<int>(pthreadpool_get_threads_count(pool));
  std::unique_ptr<StridedTensor> rs;
  if (residual != nullptr) {
    REQUIRE(k.fuses_residual);
    if (residual->in_place) {
      ys.copy_from(*residual->x);
    } else {
      rs = std::make_unique<StridedTensor>(out_shape, 1, out_c + 5, std::nanf(""));
      rs->copy_from(*residual->x);
    }
    config.residual_stride = residual->in_place ? ys.pixel_stride : rs->pixel_stride;
    config.fused_activation = residual->activation;
  }
  ops::KernelPlan plan;
  const Status s = ops::create_kernel(k, config, &plan);
  if (s.code() == StatusCode::kUnsupported) return false;
  REQUIRE_MESSAGE(s.is_ok(), s.message());

  std::unique_ptr<float, decltype(&std::free)> scratch(
      static_cast<float*>(std::aligned_alloc(64, (plan.scratch_bytes + 63) / 64 * 64 + 64)), &std::free);
  ops::KernelIo io;
  io.inputs = views.data();
  io.constants = args.constants.data();
  io.num_inputs = n;
  io.out = ys.view();
  io.scratch = plan.scratch_bytes > 0 ? scratch.get() : nullptr;
  if (residual != nullptr) io.residual = residual->in_place ? ys.cview() : rs->cview();
  if (k.setup != nullptr) REQUIRE(k.setup(plan.state.get(), io, pool).is_ok());
  heap_count_begin();
  k.run(plan.state.get(), io, pool);
  CHECK(heap_count_end() <= 0);
  result->outside_untouched = ys.outside_untouched();
  result->out = ys.to_dense();
  return true;
}

}  // namespace incept::test
