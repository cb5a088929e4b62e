// SPDX-License-Identifier: Apache-2.0
// GlobalAvgPool's registry entry: shape rule, FLOPs (one add per input element), kernels (xnn, ref).
#include <iterator>
#include <memory>

#include "common/q8_kernel.h"
#include "common/xnn_kernel.h"
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
      global_avg_pool_q8_ref(s.qin, s.qout, view_as<TIn>(io.inputs[0]), view_as<TOut>(io.out));
    });
  });
}
const Kernel kRef = {
    "global_avg_pool_f32_ref", KernelFamily::kRef, Isa::kScalar, create_params_state<P>, nullptr, run_ref};
const Kernel kRefQ8 = {"global_avg_pool_q8_ref",
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

const OpDef global_avg_pool_op_def = {"GlobalAvgPool",
                                      "global_avg_pool",
                                      infer,
                                      flops,
                                      nullptr,
                                      0,
                                      nullptr,
                                      0,
                                      kKernels,
                                      static_cast<int>(std::size(kKernels)),
                                      1,
                                      1,
                                      {}};

}  // namespace incept::ops
