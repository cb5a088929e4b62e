// SPDX-License-Identifier: Apache-2.0
// Add's registry entry: shape rule, FLOPs, kernels (xnn, ref).
#include <iterator>

#include "common/q8_kernel.h"
#include "common/xnn_kernel.h"
#include "op_registry.h"
#if INCEPT_WITH_XNNPACK
#include "add/add_xnn.h"
#endif

namespace incept::ops {
namespace {

using P = AddParams;

Status infer(const void* p, const Shape* in, int, Shape* out) {
  return add_infer_shape(*static_cast<const P*>(p), in[0], in[1], out);
}
double flops(const void*, const Shape*, int, const Shape& out) { return static_cast<double>(out.num_elements()); }
void run_ref(const KernelState* s, const KernelIo& io, pthreadpool_t) {
  add_f32_ref(params_of<P>(s), io.inputs[0], io.inputs[1], io.out);
}

Status create_xnn(const KernelConfig& c, KernelPlan* plan) {
#if INCEPT_WITH_XNNPACK
  auto s = std::make_unique<XnnState>();
  s->params = c.params;
  INCEPT_RETURN_IF_ERROR(add_f32_xnn_create(params_of<P>(c), c.input_shapes[0], c.input_shapes[1], c.output_shape,
                                            c.input_strides[0], c.input_strides[1], c.output_stride, &s->op));
  plan->state = std::move(s);
  return Status::ok();
#else
  return xnn_not_built_create(c, plan);
#endif
}
Status setup_xnn(KernelState* st, const KernelIo& io, pthreadpool_t pool) {
#if INCEPT_WITH_XNNPACK
  const XnnState& s = *static_cast<XnnState*>(st);
  return add_f32_xnn_setup(*static_cast<const P*>(s.params), s.op, io.inputs[0], io.inputs[1], io.out, pool);
#else
  return xnn_not_built_setup(st, io, pool);
#endif
}

// 8-bit: each input and the output of its own type and quantisation (a residual sum: common/quant.h).
struct Q8State : KernelState {
  P p;
  Quant qa, qb, qout;
  DataType a = DataType::kQU8, b = DataType::kQU8, out = DataType::kQU8;
};
Status create_q8(const KernelConfig& c, KernelPlan* plan) {
  INCEPT_CHECK(is_q8(c.input_types[0]) && is_q8(c.input_types[1]) && is_q8(c.output_type), kUnsupported,
               "not an 8-bit op");
  auto s = std::make_unique<Q8State>();
  s->p = params_of<P>(c);
  s->qa = c.input_quant[0];
  s->qb = c.input_quant[1];
  s->qout = c.output_quant;
  s->a = c.input_types[0];
  s->b = c.input_types[1];
  s->out = c.output_type;
  plan->state = std::move(s);
  return Status::ok();
}
void run_q8(const KernelState* st, const KernelIo& io, pthreadpool_t) {
  const auto& s = *static_cast<const Q8State*>(st);
  with_q8_type(s.a, [&](auto ta) {
    with_q8_type(s.b, [&](auto tb) {
      with_q8_type(s.out, [&](auto tout) {
        using TA = decltype(ta);
        using TB = decltype(tb);
        using TOut = decltype(tout);
        add_q8_ref<TA, TB, TOut>(s.p, s.qa, s.qb, s.qout, view_as<TA>(io.inputs[0]), view_as<TB>(io.inputs[1]),
                                 view_as<TOut>(io.out));
      });
    });
  });
}

const Kernel kXnn = INCEPT_XNN_KERNEL("add_f32_xnn", create_xnn, setup_xnn);
const Kernel kRef = {"add_f32_ref", KernelFamily::kRef, Isa::kScalar, create_params_state<P>, nullptr, run_ref};
const Kernel kRefQ8 = {"add_q8_ref",
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

const OpDef add_op_def = {
    "Add", "add", infer, flops, nullptr, 0, nullptr, 0, kKernels, static_cast<int>(std::size(kKernels)), 2, 2, {}};

}  // namespace incept::ops
