// SPDX-License-Identifier: Apache-2.0
// Softmax's registry entry: shape rule, FLOPs (about 3 per element), kernels (xnn, ref).
#include <iterator>

#include "common/xnn_kernel.h"
#include "op_registry.h"
#if INCEPT_WITH_XNNPACK
#include "softmax/softmax_xnn.h"
#endif

namespace incept::ops {
namespace {

using P = SoftmaxParams;

Status infer(const void* p, const Shape* in, int, Shape* out) {
  return softmax_infer_shape(*static_cast<const P*>(p), in[0], out);
}
double flops(const void*, const Shape*, int, const Shape& out) { return 3.0 * static_cast<double>(out.num_elements()); }
void run_ref(const KernelState* s, const KernelIo& io, pthreadpool_t) {
  softmax_f32_ref(params_of<P>(s), io.inputs[0], io.out);
}

const Kernel kXnn = INCEPT_XNN_UNARY_KERNEL("softmax_f32_xnn", P, softmax_f32_xnn_create, softmax_f32_xnn_setup);
const Kernel kRef = {"softmax_f32_ref", KernelFamily::kRef, Isa::kScalar, create_params_state<P>, nullptr, run_ref};
const Kernel* const kKernels[] = {&kXnn, &kRef};

}  // namespace

const OpDef softmax_op_def = {"Softmax", "softmax", infer, flops,    nullptr,
                              0,         nullptr,   0,     kKernels, static_cast<int>(std::size(kKernels)),
                              1,         1,         {}};

}  // namespace incept::ops
