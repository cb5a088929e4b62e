// SPDX-License-Identifier: Apache-2.0
// AvgPool2D's registry entry: shape rule, FLOPs, kernels (xnn, ref).
#include <iterator>
#include <memory>

#include "common/q8_kernel.h"
#include "common/xnn_kernel.h"
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
const Kernel kRefQ8 = {"avg_pool2d_q8_ref",
                       KernelFamily::kRef,
                       Isa::kScalar,
                       q8_unary_create<P>,
                       nullptr,
                       run_q8,
                       false,
                       0,
                       {DataType::kQ8, DataType::kNone, DataType::kQ8}};
const Kernel* const kKernels[] = {&kXnn, &kRefQ8, &kRef};

}  // namespace

const OpDef avg_pool2d_op_def = {"AvgPool2D", "avg_pool2d",
                                 infer,       flops,
                                 nullptr,     0,
                                 nullptr,     0,
                                 kKernels,    static_cast<int>(std::size(kKernels)),
                                 1,           1,
                                 {}};

}  // namespace incept::ops
