// SPDX-License-Identifier: Apache-2.0
// Conv2D's registry entry: shape rule, FLOPs, kernels in priority order: on each ISA table, Winograd where
// its rule takes the conv (conv2d_winograd.h), then our GEMM engine (conv2d_gemm.h); then XNNPACK, Eigen, ref.
// Inputs: x, weights (OHWI), optional bias [O]. Our own kernels also take a fused residual add
// (KernelConfig::residual_stride): prepare folds an Add that a conv alone feeds into the conv's epilogue.
#include <iterator>

#include "common/q8_kernel.h"
#include "common/xnn_kernel.h"
#include "conv2d/conv2d_eigen.h"
#include "conv2d/conv2d_gemm.h"
#include "conv2d/conv2d_q8_gemm.h"
#include "conv2d/conv2d_q8_winograd.h"
#include "conv2d/conv2d_winograd.h"
#include "isa/isa_table.h"
#include "op_registry.h"
#if INCEPT_WITH_XNNPACK
#include "conv2d/conv2d_xnn.h"
#endif

namespace incept::ops {
namespace {

using P = Conv2DParams;

const Shape* optional(const Shape* in, int n, int i) { return i < n && in[i].rank > 0 ? &in[i] : nullptr; }
const float* bias_of(const KernelIo& io) { return io.num_inputs > 2 ? io.constants[2] : nullptr; }
const float* bias_of(const KernelConfig& c) { return c.num_inputs > 2 ? c.constants[2] : nullptr; }

Status infer(const void* p, const Shape* in, int n, Shape* out) {
  return conv2d_infer_shape(*static_cast<const P*>(p), in[0], in[1], optional(in, n, 2), out);
}
double flops(const void*, const Shape* in, int, const Shape& out) {
  const Shape& w = in[1];  // OHWI
  return 2.0 * static_cast<double>(out.num_elements()) * w[1] * w[2] * w[3];
}

// The conv's params, with the activation of a fused residual add in place of its own (none) when it has one.
P fused_params(const KernelConfig& c) {
  P p = params_of<P>(c);
  if (c.residual_stride > 0) p.activation = c.fused_activation;
  return p;
}

Status create_gemm(const KernelConfig& c, KernelPlan* plan) {
  return gemm_kernel_create(c.kernel->table->gemm_f32, fused_params(c), c.input_shapes[0], c.output_shape,
                            c.constants[1], bias_of(c), plan);
}

Status create_eigen(const KernelConfig& c, KernelPlan* plan) {
  plan->scratch_bytes = conv2d_f32_eigen_scratch_bytes(params_of<P>(c), c.input_shapes[0], c.output_shape, c.threads);
  return create_params_state<P>(c, plan);
}
void run_eigen(const KernelState* s, const KernelIo& io, pthreadpool_t pool) {
  conv2d_f32_eigen(params_of<P>(s), io.inputs[0], io.constants[1], bias_of(io), io.out, io.scratch, pool);
}

void run_ref(const KernelState* s, const KernelIo& io, pthreadpool_t) {
  conv2d_f32_ref(params_of<P>(s), io.inputs[0], io.constants[1], bias_of(io), io.out);
}

// 8-bit: with a fused residual (KernelConfig::residual_type), the Add's activation and the residual's
// quantisation; the config's output is the Add's.
Status create_q8(const KernelConfig& c, KernelPlan* plan) {
  const P p = fused_params(c);
  const Shape& w = c.input_shapes[1];  // OHWI
  return q8_linear_create(c, p, p.activation, int64_t{w[1]} * w[2] * w[3], w[0], plan);
}
void run_q8(const KernelState* st, const KernelIo& io, pthreadpool_t) {
  const auto& s = *static_cast<const Q8LinearState<P>*>(st);
  with_q8_types(s.in, s.out, [&](auto tin, auto tout) {
    using TIn = decltype(tin);
    using TOut = decltype(tout);
    if (s.residual == DataType::kQS8) {
      conv2d_q8_ref<TIn, TOut, int8_t>(s.p, s.q, view_as<TIn>(io.inputs[0]), view_as<TOut>(io.out),
                                       view_as<int8_t>(io.residual));
    } else {  // uint8, or none (an empty view)
      conv2d_q8_ref<TIn, TOut, uint8_t>(s.p, s.q, view_as<TIn>(io.inputs[0]), view_as<TOut>(io.out),
                                        view_as<uint8_t>(io.residual));
    }
  });
}

Status create_q8_gemm(const KernelConfig& c, KernelPlan* plan) {
  const Shape& w = c.input_shapes[1];  // OHWI
  return q8_gemm_kernel_create(c.kernel->table->gemm_q8, c, fused_params(c), c.input_shapes[0], c.output_shape,
                               int64_t{w[1]} * w[2] * w[3], w[0], plan);
}

Status create_q8_winograd(const KernelConfig& c, KernelPlan* plan) {
  return q8_winograd_kernel_create(c, fused_params(c), plan);
}

const NativeKernel kNatives[] = {
    {"winograd", IsaPart::kWinogradF32, winograd_kernel_create, nullptr, winograd_kernel_run, true},
    {"gemm", IsaPart::kGemmF32, create_gemm, nullptr, gemm_kernel_run, true},
    {"winograd", IsaPart::kWinogradQ8, create_q8_winograd, nullptr, q8_winograd_kernel_run, true, kQ8LinearTypes},
    {"gemm", IsaPart::kGemmQ8, create_q8_gemm, nullptr, q8_gemm_kernel_run, true, kQ8LinearTypes},
};
const Kernel kXnn = INCEPT_XNN_WEIGHTED_KERNEL("conv2d_f32_xnn", P, conv2d_f32_xnn_create, conv2d_f32_xnn_setup);
const Kernel kEigen = {"conv2d_f32_eigen", KernelFamily::kEigen, Isa::kScalar, create_eigen, nullptr, run_eigen};
const Kernel kRef = {"conv2d_f32_ref", KernelFamily::kRef, Isa::kScalar, create_params_state<P>, nullptr, run_ref};
const Kernel kRefQ8 = {"conv2d_q8_ref", KernelFamily::kRef, Isa::kScalar, create_q8, nullptr, run_q8, true, 0,
                       kQ8LinearTypes};
const Kernel* const kFixed[] = {&kXnn, &kEigen, &kRefQ8, &kRef};

}  // namespace

const OpDef conv2d_op_def = {"Conv2D",
                             "conv2d",
                             infer,
                             flops,
                             nullptr,
                             0,
                             kNatives,
                             static_cast<int>(std::size(kNatives)),
                             kFixed,
                             static_cast<int>(std::size(kFixed)),
                             2,
                             3,
                             {InputRole::kActivation, InputRole::kWeights, InputRole::kBias}};

}  // namespace incept::ops
