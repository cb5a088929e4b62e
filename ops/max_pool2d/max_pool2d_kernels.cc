// SPDX-License-Identifier: Apache-2.0
// MaxPool2D's registry entry: shape rule, FLOPs, kernels (our vector kernel per ISA table that has one, xnn, ref).
#include <iterator>
#include <memory>

#include "common/q8_kernel.h"
#include "common/q8_pool.h"
#include "common/xnn_kernel.h"
#include "isa/isa_table.h"
#include "max_pool2d/max_pool2d_native.h"
#include "op_registry.h"
#if INCEPT_WITH_XNNPACK
#include "max_pool2d/max_pool2d_xnn.h"
#endif

namespace incept::ops {
namespace {

using P = MaxPool2DParams;

Status infer(const void* p, const Shape* in, int, Shape* out) {
  return max_pool2d_infer_shape(*static_cast<const P*>(p), in[0], out);
}
double flops(const void* p, const Shape*, int, const Shape& out) {
  const P& q = *static_cast<const P*>(p);
  return static_cast<double>(out.num_elements()) * q.kernel.h * q.kernel.w;
}
void run_ref(const KernelState* s, const KernelIo& io, pthreadpool_t) {
  max_pool2d_f32_ref(params_of<P>(s), io.inputs[0], io.out);
}

struct NativeState : KernelState {
  MaxPool2DParams p;
  MaxPoolRowsFn rows = nullptr;
};
Status create_native(const KernelConfig& c, KernelPlan* plan) {
  auto s = std::make_unique<NativeState>();
  s->p = params_of<P>(c);
  s->rows = c.kernel->table->max_pool_f32;
  plan->state = std::move(s);
  return Status::ok();
}
void run_native(const KernelState* st, const KernelIo& io, pthreadpool_t pool) {
  const NativeState& s = *static_cast<const NativeState*>(st);
  max_pool2d_f32_native(s.rows, s.p, io.inputs[0], io.out, pool);
}

Status create_q8_native(const KernelConfig& c, KernelPlan* plan) {
  return q8_pool_create(c, &params_of<P>(c), nullptr, plan);
}

const NativeKernel kNatives[] = {
    {"", IsaPart::kMaxPoolF32, create_native, nullptr, run_native},
    {"", IsaPart::kPoolQ8, create_q8_native, nullptr, q8_pool_run, false, kQ8PoolTypes},
};
const Kernel kXnn =
    INCEPT_XNN_UNARY_KERNEL("max_pool2d_f32_xnn", P, max_pool2d_f32_xnn_create, max_pool2d_f32_xnn_setup);

// 8-bit: uint8 or int8 in and out, each with its own quantisation (common/q8_kernel.h makes the state).
void run_q8(const KernelState* st, const KernelIo& io, pthreadpool_t) {
  const auto& s = *static_cast<const Q8UnaryState<P>*>(st);
  with_q8_types(s.in, s.out, [&](auto tin, auto tout) {
    using TIn = decltype(tin);
    using TOut = decltype(tout);
    max_pool2d_q8_ref(s.p, s.qin, s.qout, view_as<TIn>(io.inputs[0]), view_as<TOut>(io.out));
  });
}
const Kernel kRef = {"max_pool2d_f32_ref", KernelFamily::kRef, Isa::kScalar, create_params_state<P>, nullptr, run_ref};
const Kernel kRefQ8 = {
    "max_pool2d_q8_ref", KernelFamily::kRef, Isa::kScalar, q8_unary_create<P>, nullptr, run_q8, false, 0, kQ8PoolTypes};
const Kernel* const kFixed[] = {&kXnn, &kRefQ8, &kRef};

}  // namespace

const OpDef max_pool2d_op_def = {"MaxPool2D", "max_pool2d",
                                 infer,       flops,
                                 nullptr,     0,
                                 kNatives,    static_cast<int>(std::size(kNatives)),
                                 kFixed,      static_cast<int>(std::size(kFixed)),
                                 1,           1,
                                 {}};

}  // namespace incept::ops
