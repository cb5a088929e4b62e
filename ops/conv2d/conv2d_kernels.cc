// SPDX-License-Identifier: Apache-2.0
// Conv2D's registry entry: shape rule, FLOPs, kernels in priority order: on each ISA, Winograd where its
// rule takes the conv (conv2d_winograd.h), then our GEMM engine (conv2d_gemm.h); then XNNPACK, Eigen, ref.
// Inputs: x, weights (OHWI), optional bias [O]. Our own kernels also take a fused residual add
// (KernelConfig::residual_stride): prepare folds an Add that a conv alone feeds into the conv's epilogue.
#include <iterator>

#include "common/xnn_kernel.h"
#include "conv2d/conv2d_eigen.h"
#include "conv2d/conv2d_gemm.h"
#include "conv2d/conv2d_winograd.h"
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
  const Shape& w = in[1];   // OHWI
  return 2.0 * static_cast<double>(out.num_elements()) * w[1] * w[2] * w[3];
}

// The conv's params, with the activation of a fused residual add in place of its own (none) when it has one.
P fused_params(const KernelConfig& c) {
  P p = params_of<P>(c);
  if (c.residual_stride > 0) p.activation = c.fused_activation;
  return p;
}

template <Isa kIsa>
Status create_gemm(const KernelConfig& c, KernelPlan* plan) {
  return gemm_kernel_create(kIsa, fused_params(c), c.input_shapes[0], c.output_shape, c.constants[1], bias_of(c),
                            plan);
}

template <Isa kIsa>
Status create_winograd(const KernelConfig& c, KernelPlan* plan) {
  return winograd_kernel_create(kIsa, c, plan);
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

const Kernel kWinogradAvx512 = {"conv2d_f32_winograd_8x32_avx512f", KernelFamily::kNative, Isa::kAvx512f,
                                create_winograd<Isa::kAvx512f>, nullptr, winograd_kernel_run, true};
const Kernel kWinogradAvx2 = {"conv2d_f32_winograd_6x16_avx2_fma", KernelFamily::kNative, Isa::kAvx2Fma,
                              create_winograd<Isa::kAvx2Fma>, nullptr, winograd_kernel_run, true};
const Kernel kWinogradNeon = {"conv2d_f32_winograd_" INCEPT_GEMM_NEON_TILE "_neon", KernelFamily::kNative, Isa::kNeon,
                              create_winograd<Isa::kNeon>, nullptr, winograd_kernel_run, true};
const Kernel kGemmAvx512 = {"conv2d_f32_gemm_8x32_avx512f", KernelFamily::kNative, Isa::kAvx512f,
                            create_gemm<Isa::kAvx512f>, nullptr, gemm_kernel_run, true};
const Kernel kGemmAvx2 = {"conv2d_f32_gemm_6x16_avx2_fma", KernelFamily::kNative, Isa::kAvx2Fma,
                          create_gemm<Isa::kAvx2Fma>, nullptr, gemm_kernel_run, true};
const Kernel kGemmNeon = {"conv2d_f32_gemm_" INCEPT_GEMM_NEON_TILE "_neon", KernelFamily::kNative, Isa::kNeon,
                          create_gemm<Isa::kNeon>, nullptr, gemm_kernel_run, true};
const Kernel kXnn = INCEPT_XNN_WEIGHTED_KERNEL("conv2d_f32_xnn", P, conv2d_f32_xnn_create, conv2d_f32_xnn_setup);
const Kernel kEigen = {"conv2d_f32_eigen", KernelFamily::kEigen, Isa::kScalar, create_eigen, nullptr, run_eigen};
const Kernel kRef = {"conv2d_f32_ref", KernelFamily::kRef, Isa::kScalar, create_params_state<P>, nullptr, run_ref};
const Kernel* const kKernels[] = {&kWinogradAvx512, &kGemmAvx512, &kWinogradAvx2, &kGemmAvx2, &kWinogradNeon,
                                  &kGemmNeon,       &kXnn,        &kEigen,         &kRef};

}  // namespace

const OpDef conv2d_op_def = {"Conv2D", "conv2d", infer, flops, kKernels, static_cast<int>(std::size(kKernels)),
                             2, 3, {InputRole::kActivation, InputRole::kWeights, InputRole::kBias}};

}  // namespace incept::ops
