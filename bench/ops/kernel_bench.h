// SPDX-License-Identifier: Apache-2.0
// One registered kernel (ops/op_registry.h), benchmarked as prepare and invoke run it: create_kernel()
// on dense tensors, setup(), then run() alone in the timed loop. The op benchmarks time every kernel of
// the registry this way (the native ones also on their engines, per ISA table, with variants the rules
// would not choose), so a kernel added to the registry is benchmarked with no new code.
//
//   KernelBench kb;
//   if (Status s = kb.prepare(kernel, &params, {KernelBench::activation(x, shape), ...}, out, y); !s.is_ok()) skip;
//   for (auto _ : state) kb.run();
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bench_util.h"
#include "inception_shapes.h"
#include "op_registry.h"

namespace incept::bench {

class KernelBench {
 public:
  struct Input {
    Shape shape;
    const float* data = nullptr;  // dense; activations have Buffer's read slack after them
    bool constant = false;
  };
  static Input activation(const float* data, const Shape& s) { return {s, data, false}; }
  static Input constant(const float* data, const Shape& s) { return {s, data, true}; }

  // Creates and sets up `kernel` for an op with `params`, `inputs` and the output `out` (dense, of
  // out_shape). kUnsupported where the kernel declines the op or cannot run on this CPU.
  Status prepare(const ops::Kernel& kernel, const void* params, const std::vector<Input>& inputs,
                 const Shape& out_shape, float* out) {
    if (!ops::kernel_usable(kernel))
      return Status::error(StatusCode::kUnsupported, "%s cannot run on this CPU or build", kernel.name);
    kernel_ = &kernel;
    const int n = static_cast<int>(inputs.size());
    args_.resize(n);
    views_.assign(n, ConstTensorView<float>{});
    for (int i = 0; i < n; ++i) {
      args_.shapes[i] = inputs[i].shape;
      if (inputs[i].constant) {
        args_.constants[i] = inputs[i].data;
        continue;
      }
      views_[i] = as_const(dense_view(const_cast<float*>(inputs[i].data), inputs[i].shape));  // [N, C] too
      args_.strides[i] = views_[i].pixel_stride;
    }
    io_.out = dense_view(out, out_shape);
    ops::KernelConfig config;
    args_.bind(&config);
    config.params = params;
    config.output_shape = out_shape;
    config.output_stride = io_.out.pixel_stride;
    config.threads = bench_threads();
    INCEPT_RETURN_IF_ERROR(ops::create_kernel(kernel, config, &plan_));
    scratch_ = std::make_unique<Buffer>(plan_.scratch_bytes / sizeof(float) + 1);
    io_.inputs = views_.data();
    io_.constants = args_.constants.data();
    io_.num_inputs = n;
    io_.scratch = plan_.scratch_bytes > 0 ? scratch_->data() : nullptr;
    if (kernel.setup != nullptr) INCEPT_RETURN_IF_ERROR(kernel.setup(plan_.state.get(), io_, bench_pool()));
    return Status::ok();
  }
  void run() const { kernel_->run(plan_.state.get(), io_, bench_pool()); }
  // The threads run() uses: the reference kernels run on the calling thread alone.
  int threads() const { return kernel_->family == ops::KernelFamily::kRef ? 1 : bench_threads(); }

 private:
  const ops::Kernel* kernel_ = nullptr;
  ops::KernelInputs args_;
  std::vector<ConstTensorView<float>> views_;
  ops::KernelPlan plan_;
  std::unique_ptr<Buffer> scratch_;
  ops::KernelIo io_;
};

// Times kb.run() (prepared) and reports its rates with `label` (bench_util.h's report()).
inline void time_kernel(benchmark::State& state, const KernelBench& kb, const std::string& label, double flop,
                        double bytes) {
  for (auto _ : state) {
    kb.run();
    benchmark::ClobberMemory();
  }
  report(state, label, flop, bytes, kb.threads());
}

// Calls add(kernel) for every float32 kernel of `kind` that is not native: the native kernels are timed on their
// engines, one set per ISA table, under the names the reports read (BM_conv2d_f32_gemm_avx2_fma, ...).
inline void for_each_fixed_kernel(ops::OpKind kind, const std::function<void(const ops::Kernel&)>& add) {
  const ops::OpDef& def = ops::op_def(kind);
  for (int i = 0; i < def.num_kernels; ++i)
    if (def.kernels[i]->family != ops::KernelFamily::kNative && def.kernels[i]->types.input == ops::DataType::kF32)
      add(*def.kernels[i]);
}

}  // namespace incept::bench
