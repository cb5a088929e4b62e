// SPDX-License-Identifier: Apache-2.0
// MaxPool2D's registry entry: shape rule, FLOPs, kernels (our vector kernel per ISA, xnn, ref).
#include <iterator>

#include "common/xnn_kernel.h"
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
void run_ref(const KernelState* s, const KernelIo& io, pthreadpool_t) { max_pool2d_f32_ref(params_of<P>(s), io.inputs[0], io.out); }

struct NativeState : KernelState {
  MaxPool2DParams p;
  MaxPoolRowsFn rows = nullptr;
};
template <Isa kIsa>
Status create_native(const KernelConfig& c, KernelPlan* plan) {
  const MaxPoolRowsFn rows = max_pool2d_rows_for(kIsa);
  INCEPT_CHECK(rows != nullptr, kUnsupported, "no %s max pool in this build", isa_name(kIsa));
  auto s = std::make_unique<NativeState>();
  s->p = params_of<P>(c);
  s->rows = rows;
  plan->state = std::move(s);
  return Status::ok();
}
void run_native(const KernelState* st, const KernelIo& io, pthreadpool_t pool) {
  const NativeState& s = *static_cast<const NativeState*>(st);
  max_pool2d_f32_native(s.rows, s.p, io.inputs[0], io.out, pool);
}

const Kernel kNativeAvx512 = {"max_pool2d_f32_c16_avx512f", KernelFamily::kNative, Isa::kAvx512f,
                              create_native<Isa::kAvx512f>, nullptr, run_native};
const Kernel kNativeAvx2 = {"max_pool2d_f32_c8_avx2_fma", KernelFamily::kNative, Isa::kAvx2Fma,
                            create_native<Isa::kAvx2Fma>, nullptr, run_native};
const Kernel kNativeNeon = {"max_pool2d_f32_c4_neon", KernelFamily::kNative, Isa::kNeon, create_native<Isa::kNeon>,
                            nullptr, run_native};
const Kernel kXnn = INCEPT_XNN_UNARY_KERNEL("max_pool2d_f32_xnn", P, max_pool2d_f32_xnn_create, max_pool2d_f32_xnn_setup);
const Kernel kRef = {"max_pool2d_f32_ref", KernelFamily::kRef, Isa::kScalar, create_params_state<P>, nullptr, run_ref};
// AVX2 before AVX-512: the 8-wide kernel measured faster here (Zen 5: 40-43 GiB/s against 30-34 on
// Inception-v3's pools, incept_bench_ops, one core); the masks of the 16-wide compare cost more than they save.
const Kernel* const kKernels[] = {&kNativeAvx2, &kNativeAvx512, &kNativeNeon, &kXnn, &kRef};

}  // namespace

const OpDef max_pool2d_op_def = {"MaxPool2D", "max_pool2d", infer, flops, kKernels, static_cast<int>(std::size(kKernels)),
                                 1, 1, {}};

}  // namespace incept::ops
