// SPDX-License-Identifier: Apache-2.0
// GlobalAvgPool's registry entry: shape rule, FLOPs (one add per input element), kernels (xnn, ref).
#include <iterator>

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
const Kernel kRef = {
    "global_avg_pool_f32_ref", KernelFamily::kRef, Isa::kScalar, create_params_state<P>, nullptr, run_ref};
const Kernel* const kKernels[] = {&kXnn, &kRef};

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
