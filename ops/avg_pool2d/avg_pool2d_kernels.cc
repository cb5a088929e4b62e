// SPDX-License-Identifier: Apache-2.0
// AvgPool2D's registry entry: shape rule, FLOPs, kernels (xnn, ref).
#include <iterator>
#include <memory>

#include "common/q8_kernel.h"
#include "common/q8_pool.h"
#include "common/xnn_kernel.h"
#include "isa/isa_table.h"
#include "op_registry.h"
#if INCEPT_WITH_XNNPACK
#include "avg_pool2d/avg_pool2d_xnn.h"
#endif

namespace incept::ops {
namespace {

using P = AvgPool2DParams;

Status infer(const void* p, const Shape* in, int, Shape* out) {
  return avg_pool2d_infer_shape(*static_cast<const P*>(p), in[0], out);
}
double flops(const void* p, const Shape*, int, const Shape& out) {
  const P& q = *static_cast<const P*>(p);
  return static_cast<double>(out.num_elements()) * q.kernel.h * q.kernel.w;
}
void run_ref(const KernelState* s, const KernelIo& io, pthreadpool_t) {
  avg_pool2d_f32_ref(params_of<P>(s), io.inputs[0], io.out);
}

const Kernel kXnn =
    INCEPT_XNN_UNARY_KERNEL("avg_pool2d_f32_xnn", P, avg_pool2d_f32_xnn_create, avg_pool2d_f32_xnn_setup);

// 8-bit: uint8 or int8 in and out, each with its own quantisation (common/q8_kernel.h makes the state).
void run_q8(const KernelState* st, const KernelIo& io, pthreadpool_t) {
  const auto& s = *static_cast<const Q8UnaryState<P>*>(st);
  with_q8_types(s.in, s.out, [&](auto tin, auto tout) {
    using TIn = decltype(tin);
    using TOut = decltype(tout);
    avg_pool2d_q8_ref(s.p, s.qin, s.qout, view_as<TIn>(io.inputs[0]), view_as<TOut>(io.out));
  });
}
const Kernel kRef = {"avg_pool2d_f32_ref", KernelFamily::kRef, Isa::kScalar, create_params_state<P>, nullptr, run_ref};
const Kernel kRefQ8 = {
    "avg_pool2d_q8_ref", KernelFamily::kRef, Isa::kScalar, q8_unary_create<P>, nullptr, run_q8, false, 0, kQ8PoolTypes};
const Kernel* const kKernels[] = {&kXnn, &kRefQ8, &kRef};

// 8-bit on our own vector rows (common/q8_pool.h).
Status create_q8_native(const KernelConfig& c, KernelPlan* plan) {
  return q8_pool_create(c, nullptr, &params_of<P>(c), plan);
}
const NativeKernel kNatives[] = {{"", IsaPart::kPoolQ8, create_q8_native, nullptr, q8_pool_run, false, kQ8PoolTypes}};

}  // namespace

const OpDef avg_pool2d_op_def = {"AvgPool2D", "avg_pool2d",
                                 infer,       flops,
                                 nullptr,     0,
                                 kNatives,    static_cast<int>(std::size(kNatives)),
                                 kKernels,    static_cast<int>(std::size(kKernels)),
                                 1,           1,
                                 {}};

}  // namespace incept::ops
