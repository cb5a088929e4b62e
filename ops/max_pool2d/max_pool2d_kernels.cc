// SPDX-License-Identifier: Apache-2.0
// MaxPool2D's registry entry: shape rule, FLOPs, kernels (xnn, ref).
#include "common/xnn_kernel.h"
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

const Kernel kXnn = INCEPT_XNN_UNARY_KERNEL("max_pool2d_f32_xnn", P, max_pool2d_f32_xnn_create, max_pool2d_f32_xnn_setup);
const Kernel kRef = {"max_pool2d_f32_ref", KernelFamily::kRef, Isa::kScalar, create_params_state<P>, nullptr, run_ref};
const Kernel* const kKernels[] = {&kXnn, &kRef};

}  // namespace

const OpDef max_pool2d_op_def = {"MaxPool2D", "max_pool2d", infer, flops, kKernels, 2};

}  // namespace incept::ops
