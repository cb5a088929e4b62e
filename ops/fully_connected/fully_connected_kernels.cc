// SPDX-License-Identifier: Apache-2.0
// FullyConnected's registry entry: shape rule, FLOPs, kernels (the native GEMM engine as a 1x1 conv over
// [N, 1, 1, I], xnn, eigen, ref; 8-bit ones writing 8-bit or, for a classifier's logits, float32). Inputs: x,
// weights [O, I], optional bias [O].
#include <iterator>

#include "common/q8_kernel.h"
#include "common/xnn_kernel.h"
#include "conv2d/conv2d_gemm.h"
#include "conv2d/conv2d_q8_gemm.h"
#include "fully_connected/fully_connected_eigen.h"
#include "isa/isa_table.h"
#include "op_registry.h"
#if INCEPT_WITH_XNNPACK
#include "fully_connected/fully_connected_xnn.h"
#endif

namespace incept::ops {
namespace {

using P = FullyConnectedParams;

const Shape* optional(const Shape* in, int n, int i) { return i < n && in[i].rank > 0 ? &in[i] : nullptr; }
const float* bias_of(const KernelIo& io) { return io.num_inputs > 2 ? io.constants[2] : nullptr; }

Status infer(const void* p, const Shape* in, int n, Shape* out) {
  return fully_connected_infer_shape(*static_cast<const P*>(p), in[0], in[1], optional(in, n, 2), out);
}
double flops(const void*, const Shape* in, int, const Shape& out) {
  return 2.0 * static_cast<double>(out.num_elements()) * in[1][1];
}

void run_ref(const KernelState* s, const KernelIo& io, pthreadpool_t) {
  fully_connected_f32_ref(params_of<P>(s), io.inputs[0], io.constants[1], bias_of(io), io.out);
}

Status create_q8(const KernelConfig& c, KernelPlan* plan) {
  const P& p = params_of<P>(c);
  const Shape& w = c.input_shapes[1];  // [O, I]
  return q8_linear_create(c, p, p.activation, w[1], w[0], plan);
}
void run_q8(const KernelState* st, const KernelIo& io, pthreadpool_t) {
  const auto& s = *static_cast<const Q8LinearState<P>*>(st);
  with_q8_types(s.in, s.out, [&](auto tin, auto tout) {
    using TIn = decltype(tin);
    using TOut = decltype(tout);
    fully_connected_q8_ref<TIn, TOut>(s.q, view_as<TIn>(io.inputs[0]), view_as<TOut>(io.out));
  });
}
// 8-bit in, float32 logits out.
void run_q8_f32(const KernelState* st, const KernelIo& io, pthreadpool_t) {
  const auto& s = *static_cast<const Q8LinearState<P>*>(st);
  with_q8_type(s.in, [&](auto tin) {
    using TIn = decltype(tin);
    fully_connected_q8_ref<TIn, float>(s.q, view_as<TIn>(io.inputs[0]), io.out);
  });
}

// [N, I] x [O, I]^T is the 1x1 conv of [N, 1, 1, I] with OHWI weights [O, 1, 1, I]; the engine takes a
// batch of one row with its single-row micro-kernel.
Status create_gemm(const KernelConfig& c, KernelPlan* plan) {
  Conv2DParams conv;
  conv.activation = params_of<P>(c).activation;
  const Shape& in = c.input_shapes[0];
  const Shape& out = c.output_shape;
  return gemm_kernel_create(c.kernel->table->gemm_f32, conv, Shape{in[0], 1, 1, in[1]}, Shape{out[0], 1, 1, out[1]},
                            c.constants[1], c.num_inputs > 2 ? c.constants[2] : nullptr, plan);
}

Status create_eigen(const KernelConfig& c, KernelPlan* plan) {
  plan->scratch_bytes =
      fully_connected_f32_eigen_scratch_bytes(params_of<P>(c), c.input_shapes[0], c.output_shape, c.threads);
  return create_params_state<P>(c, plan);
}
void run_eigen(const KernelState* s, const KernelIo& io, pthreadpool_t pool) {
  fully_connected_f32_eigen(params_of<P>(s), io.inputs[0], io.constants[1], bias_of(io), io.out, io.scratch, pool);
}

// The 8-bit [N, I] x [O, I]^T on the int8 engine, as the same 1x1 conv.
Status create_q8_gemm(const KernelConfig& c, KernelPlan* plan) {
  Conv2DParams conv;
  conv.activation = params_of<P>(c).activation;
  const Shape& in = c.input_shapes[0];
  const Shape& out = c.output_shape;
  return q8_gemm_kernel_create(c.kernel->table->gemm_q8, c, conv, Shape{in[0], 1, 1, in[1]},
                               Shape{out[0], 1, 1, out[1]}, in[1], out[1], plan);
}

const NativeKernel kNatives[] = {
    {"gemm", IsaPart::kGemmF32, create_gemm, nullptr, gemm_kernel_run},
    {"gemm", IsaPart::kGemmQ8, create_q8_gemm, nullptr, q8_gemm_kernel_run, false, kQ8LinearTypes},
    {"gemm_f32out", IsaPart::kGemmQ8, create_q8_gemm, nullptr, q8_gemm_kernel_run, false, kQ8ToF32LinearTypes},
};
const Kernel kXnn = INCEPT_XNN_WEIGHTED_KERNEL("fully_connected_f32_xnn", P, fully_connected_f32_xnn_create,
                                               fully_connected_f32_xnn_setup);
const Kernel kEigen = {
    "fully_connected_f32_eigen", KernelFamily::kEigen, Isa::kScalar, create_eigen, nullptr, run_eigen};
const Kernel kRef = {
    "fully_connected_f32_ref", KernelFamily::kRef, Isa::kScalar, create_params_state<P>, nullptr, run_ref};
const Kernel kRefQ8 = {
    "fully_connected_q8_ref", KernelFamily::kRef, Isa::kScalar, create_q8, nullptr, run_q8, false, 0, kQ8LinearTypes};
const Kernel kRefQ8F32 = {"fully_connected_q8_f32out_ref",
                          KernelFamily::kRef,
                          Isa::kScalar,
                          create_q8,
                          nullptr,
                          run_q8_f32,
                          false,
                          0,
                          kQ8ToF32LinearTypes};
const Kernel* const kFixed[] = {&kXnn, &kEigen, &kRefQ8, &kRefQ8F32, &kRef};

}  // namespace

const OpDef fully_connected_op_def = {"FullyConnected",
                                      "fully_connected",
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
