// SPDX-License-Identifier: Apache-2.0
// LRN's registry entry: shape rule, FLOPs, and its one kernel (XNNPACK and Eigen have no LRN).
#include <iterator>

#include "op_registry.h"

namespace incept::ops {
namespace {

using P = LRNParams;

Status infer(const void* p, const Shape* in, int, Shape* out) {
  return lrn_infer_shape(*static_cast<const P*>(p), in[0], out);
}
// Square, window add and subtract, scale and bias, pow, multiply.
double flops(const void*, const Shape*, int, const Shape& out) { return 6.0 * static_cast<double>(out.num_elements()); }
void run_ref(const KernelState* s, const KernelIo& io, pthreadpool_t) {
  lrn_f32_ref(params_of<P>(s), io.inputs[0], io.out);
}

const Kernel kRef = {"lrn_f32_ref", KernelFamily::kRef, Isa::kScalar, create_params_state<P>, nullptr, run_ref};
const Kernel* const kKernels[] = {&kRef};

}  // namespace

const OpDef lrn_op_def = {
    "LRN", "lrn", infer, flops, nullptr, 0, nullptr, 0, kKernels, static_cast<int>(std::size(kKernels)), 1, 1, {}};

}  // namespace incept::ops
