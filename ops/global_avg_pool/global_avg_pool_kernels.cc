// SPDX-License-Identifier: Apache-2.0
// GlobalAvgPool's registry entry: shape rule, FLOPs (one add per input element), kernels (xnn, ref).
#include <iterator>
#include <memory>

#include "common/q8_kernel.h"
#include "common/q8_pool.h"
#include "common/xnn_kernel.h"
#include "isa/isa_table.h"
#include "op_registry.h"
#if INCEPT_WITH_XNNPACK
#include "global_avg_pool/global_avg_pool_xnn.h"
#endif

namespace incept::ops {
namespace {

using P = GlobalAvgPoolParams;

Status infer(const void* p, const Shape* in, int, Shape* out) {
  return global_avg_pool_infer_shape(*static_cast<const P*>(p), in[0], out);
}
double flops(const void*, const Shape* in, int, const Shape&) { return static_cast<double>(in[0].num_elements()); }
void run_ref(const KernelState* s, const KernelIo& io, pthreadpool_t) {
  global_avg_pool_f32_ref(params_of<P>(s), io.inputs[0], io.out);
}

const Kernel kXnn = INCEPT_XNN_UNARY_KERNEL("global_avg_pool_f32_xnn", P, global_avg_pool_f32_xnn_create,
                                            global_avg_pool_f32_xnn_setup);

// 8-bit: uint8 or int8 in and out, each with its own quantisation (common/q8_kernel.h makes the state).
void run_q8(const KernelState* st, const KernelIo& io, pthreadpool_t) {
  const auto& s = *static_cast<const Q8UnaryState<P>*>(st);
  with_q8_types(s.in, s.out, [&](auto tin, auto tout) {
    using TIn = decltype(tin);
    using TOut = decltype(tout);
    global_avg_pool_q8_ref(s.qin, s.qout, view_as<TIn>(io.inputs[0]), view_as<TOut>(io.out));
  });
}
const Kernel kRef = {
    "global_avg_pool_f32_ref", KernelFamily::kRef, Isa::kScalar, create_params_state<P>, nullptr, run_ref};
const Kernel kRefQ8 = {"global_avg_pool_q8_ref",
                       KernelFamily::kRef,
                       Isa::kScalar,
                       q8_unary_create<P>,
                       nullptr,
                       run_q8,
                       false,
                       0,
                       kQ8PoolTypes};
const Kernel* const kKernels[] = {&kXnn, &kRefQ8, &kRef};

// 8-bit on our own vector rows (common/q8_pool.h): an average pool whose window is the whole image.
Status create_q8_native(const KernelConfig& c, KernelPlan* plan) {
  AvgPool2DParams whole;
  whole.kernel = {c.input_shapes[0][1], c.input_shapes[0][2]};
  return q8_pool_create(c, nullptr, &whole, plan);
}
const NativeKernel kNatives[] = {{"", IsaPart::kPoolQ8, create_q8_native, nullptr, q8_pool_run, false, kQ8PoolTypes}};

}  // namespace

const OpDef global_avg_pool_op_def = {"GlobalAvgPool",
                                      "global_avg_pool",
                                      infer,
                                      flops,
                                      nullptr,
                                      0,
                                      kNatives,
                                      static_cast<int>(std::size(kNatives)),
                                      kKernels,
                                      static_cast<int>(std::size(kKernels)),
                                      1,
                                      1,
                                      {}};

}  // namespace incept::ops
