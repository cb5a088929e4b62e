// SPDX-License-Identifier: Apache-2.0
// What every XNNPACK kernel in the registry shares: its state (the operator and the op's params) and
// run(). In a build without XNNPACK the kernels stay listed and their create() answers kUnsupported.
#pragma once

#include "common/kernel.h"
#if INCEPT_WITH_XNNPACK
#include "common/xnn_op.h"
#endif

namespace incept::ops {

struct XnnState : KernelState {
#if INCEPT_WITH_XNNPACK
  XnnOp op;
#endif
  const void* params = nullptr;
};

inline Status xnn_not_built() { return Status::error(StatusCode::kUnsupported, "this build has no XNNPACK"); }

inline Status xnn_not_built_setup(KernelState*, const KernelIo&, pthreadpool_t) { return xnn_not_built(); }
inline Status xnn_not_built_create(const KernelConfig&, KernelPlan*) { return xnn_not_built(); }

// An XNNPACK kernel may read up to this many bytes past the end of an input (Kernel::read_past_end_bytes).
#if INCEPT_WITH_XNNPACK
inline constexpr uint32_t kXnnReadPastEnd = XNN_EXTRA_BYTES;
#else
inline constexpr uint32_t kXnnReadPastEnd = 0;  // no XNNPACK kernel runs in this build
#endif

inline void xnn_kernel_run(const KernelState* s, const KernelIo&, pthreadpool_t pool) {
#if INCEPT_WITH_XNNPACK
  xnn_run_operator(static_cast<const XnnState*>(s)->op.get(), pool);  // set up at prepare; cannot fail here
#else
  (void)s;
  (void)pool;
#endif
}

// The registry entry of an XNNPACK kernel with the given create and setup: family, ISA, run() and read slack
// as every XNNPACK kernel has them.
#define INCEPT_XNN_KERNEL(name, create, setup)                                                           \
  {                                                                                                      \
    name, KernelFamily::kXnnpack, Isa::kScalar, create, setup, xnn_kernel_run, /*fuses_residual=*/false, \
        kXnnReadPastEnd                                                                                  \
  }

#if INCEPT_WITH_XNNPACK
// create/setup of an XNNPACK kernel with one activation in and one out (pools, softmax), from the op's
// <op>_f32_xnn_create(p, in, out, in_stride, out_stride, op) and <op>_f32_xnn_setup(p, op, in, out, pool).
template <typename P, auto Create, auto Setup>
Status xnn_unary_create(const KernelConfig& c, KernelPlan* plan) {
  auto s = std::make_unique<XnnState>();
  s->params = c.params;
  INCEPT_RETURN_IF_ERROR(
      Create(params_of<P>(c), c.input_shapes[0], c.output_shape, c.input_strides[0], c.output_stride, &s->op));
  plan->state = std::move(s);
  return Status::ok();
}
template <typename P, auto Create, auto Setup>
Status xnn_unary_setup(KernelState* st, const KernelIo& io, pthreadpool_t pool) {
  const XnnState& s = *static_cast<XnnState*>(st);
  return Setup(*static_cast<const P*>(s.params), s.op, io.inputs[0], io.out, pool);
}
// create of an XNNPACK kernel with weights and an optional bias as inputs 1 and 2 (conv, fully connected),
// from <op>_f32_xnn_create(p, in, out, in_stride, out_stride, weights, bias, op); XNNPACK packs them, so
// the file's copy is not read again. setup as for one activation.
template <typename P, auto Create, auto Setup>
Status xnn_weighted_create(const KernelConfig& c, KernelPlan* plan) {
  auto s = std::make_unique<XnnState>();
  s->params = c.params;
  INCEPT_RETURN_IF_ERROR(Create(params_of<P>(c), c.input_shapes[0], c.output_shape, c.input_strides[0], c.output_stride,
                                c.constants[1], c.num_inputs > 2 ? c.constants[2] : nullptr, &s->op));
  plan->state = std::move(s);
  plan->reads_constants = false;
  return Status::ok();
}
#define INCEPT_XNN_UNARY_KERNEL(name, P, create, setup) \
  INCEPT_XNN_KERNEL(name, (xnn_unary_create<P, create, setup>), (xnn_unary_setup<P, create, setup>))
#define INCEPT_XNN_WEIGHTED_KERNEL(name, P, create, setup) \
  INCEPT_XNN_KERNEL(name, (xnn_weighted_create<P, create, setup>), (xnn_unary_setup<P, create, setup>))
#else
#define INCEPT_XNN_UNARY_KERNEL(name, P, create, setup) \
  INCEPT_XNN_KERNEL(name, xnn_not_built_create, xnn_not_built_setup)
#define INCEPT_XNN_WEIGHTED_KERNEL(name, P, create, setup) INCEPT_XNN_UNARY_KERNEL(name, P, create, setup)
#endif

}  // namespace incept::ops
