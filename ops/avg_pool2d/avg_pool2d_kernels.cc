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
struct Q8PoolState : KernelState {
  P p;
  Quant qin, qout;
  DataType in = DataType::kQU8, out = DataType::kQU8;
};
Status create_q8(const KernelConfig& c, KernelPlan* plan) {
  INCEPT_CHECK(is_q8(c.input_types[0]) && is_q8(c.output_type), kUnsupported, "not an 8-bit op");
  auto s = std::make_unique<Q8PoolState>();
  s->p = params_of<P>(c);
  s->qin = c.input_quant[0];
  s->qout = c.output_quant;
  s->in = c.input_types[0];
  s->out = c.output_type;
  plan->state = std::move(s);
  return Status::ok();
}
void run_q8(const KernelState* st, const KernelIo& io, pthreadpool_t) {
  const auto& s = *static_cast<const Q8PoolState*>(st);
  with_q8_type(s.in, [&](auto tin) {
    with_q8_type(s.out, [&](auto tout) {
      using TIn = decltype(tin);
      using TOut = decltype(tout);
      avg_pool2d_q8_ref(s.p, s.qin, s.qout, view_as<TIn>(io.inputs[0]), view_as<TOut>(io.out));
    });
  });
}
const Kernel kRef = {"avg_pool2d_f32_ref", KernelFamily::kRef, Isa::kScalar, create_params_state<P>, nullptr, run_ref};
const Kernel kRefQ8 = {"avg_pool2d_q8_ref",
                       KernelFamily::kRef,
                       Isa::kScalar,
                       create_q8,
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
