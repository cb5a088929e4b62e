// SPDX-License-Identifier: Apache-2.0
// Backend choice per op, kernel set-up, and the dispatch invoke() runs.
#include <cstdio>
#include <cstring>

#include "conv2d/conv2d_eigen.h"
#include "fully_connected/fully_connected_eigen.h"
#include "interpreter/interpreter_impl.h"
#if INCEPT_WITH_XNNPACK
#include "add/add_xnn.h"
#include "avg_pool2d/avg_pool2d_xnn.h"
#include "conv2d/conv2d_xnn.h"
#include "fully_connected/fully_connected_xnn.h"
#include "global_avg_pool/global_avg_pool_xnn.h"
#include "max_pool2d/max_pool2d_xnn.h"
#include "softmax/softmax_xnn.h"
#endif

namespace incept {
namespace {

using detail::ModelData;
using detail::OpKind;
using detail::OpNode;

bool eigen_implements(OpKind k) { return k == OpKind::kConv2D || k == OpKind::kFullyConnected; }

const Shape& shape_of(const ModelData& d, int t) { return d.tensors[t].shape; }
const float* data_of(const ModelData& d, const OpNode& n, size_t j) {
  return j < n.inputs.size() && n.inputs[j] >= 0 ? d.tensors[n.inputs[j]].data : nullptr;
}

// The best native GEMM micro-kernel this CPU may run (INCEPT_ISA caps it), or nullptr.
const ops::GemmUkernel* best_gemm_ukernel() {
  int count = 0;
  const ops::GemmUkernel* const* all = ops::gemm_ukernels(&count);
  for (int i = 0; i < count; ++i)
    if (ops::isa_usable(all[i]->isa)) return all[i];
  return nullptr;
}

// Packs op k's conv for the native engine; kUnsupported when the engine does not take it.
Status create_native(Interpreter::Impl& impl, int k, KernelChoice* choice) {
  const ModelData& d = *impl.model;
  const OpNode& n = d.ops[k];
  const ops::GemmUkernel* uk = best_gemm_ukernel();
  if (n.kind != OpKind::kConv2D || uk == nullptr)
    return Status::error(StatusCode::kUnsupported, "no native kernel for this op");
  auto g = std::make_unique<ops::Conv2DGemm>();
  INCEPT_RETURN_IF_ERROR(ops::conv2d_f32_gemm_create(*uk, std::get<ops::Conv2DParams>(n.params),
                                                     shape_of(d, n.inputs[0]), shape_of(d, n.outputs[0]),
                                                     data_of(d, n, 1), data_of(d, n, 2), g.get()));
  std::snprintf(choice->name, sizeof(choice->name), "conv2d_f32_gemm_%s_%s", uk->tile, ops::isa_name(uk->isa));
  impl.gemm_convs[k] = std::move(g);
  return Status::ok();
}

#if INCEPT_WITH_XNNPACK
// Creates the XNNPACK operator for op k; kUnsupported when XNNPACK cannot do it exactly.
Status create_xnn(Interpreter::Impl& impl, int k) {
  const ModelData& d = *impl.model;
  const OpNode& n = d.ops[k];
  const Shape& in = shape_of(d, n.inputs[0]);
  const Shape& out = shape_of(d, n.outputs[0]);
  const int32_t si = impl.pixel_stride(n.inputs[0]), so = impl.pixel_stride(n.outputs[0]);
  ops::XnnOp* op = &impl.xnn_ops[k];
  switch (n.kind) {
    case OpKind::kConv2D:
      return ops::conv2d_f32_xnn_create(std::get<ops::Conv2DParams>(n.params), in, out, si, so, data_of(d, n, 1),
                                        data_of(d, n, 2), op);
    case OpKind::kMaxPool2D:
      return ops::max_pool2d_f32_xnn_create(std::get<ops::MaxPool2DParams>(n.params), in, out, si, so, op);
    case OpKind::kAvgPool2D:
      return ops::avg_pool2d_f32_xnn_create(std::get<ops::AvgPool2DParams>(n.params), in, out, si, so, op);
    case OpKind::kGlobalAvgPool:
      return ops::global_avg_pool_f32_xnn_create(std::get<ops::GlobalAvgPoolParams>(n.params), in, out, si, so, op);
    case OpKind::kFullyConnected:
      return ops::fully_connected_f32_xnn_create(std::get<ops::FullyConnectedParams>(n.params), in, out, si, so,
                                                 data_of(d, n, 1), data_of(d, n, 2), op);
    case OpKind::kSoftmax:
      return ops::softmax_f32_xnn_create(std::get<ops::SoftmaxParams>(n.params), in, out, si, so, op);
    case OpKind::kAdd:
      return ops::add_f32_xnn_create(std::get<ops::AddParams>(n.params), in, shape_of(d, n.inputs[1]), out, si,
                                     impl.pixel_stride(n.inputs[1]), so, op);
    case OpKind::kConcat:
    case OpKind::kLRN: break;   // XNNPACK has no LRN
  }
  return Status::error(StatusCode::kUnsupported, "no XNNPACK kernel for this op");
}
#endif

}  // namespace

double op_flops(const ModelData& d, const OpNode& n) {
  const Shape& out = shape_of(d, n.outputs[0]);
  const double outs = static_cast<double>(out.num_elements());
  switch (n.kind) {
    case OpKind::kConv2D: {
      const Shape& w = shape_of(d, n.inputs[1]);   // OHWI
      return 2.0 * outs * w[1] * w[2] * w[3];
    }
    case OpKind::kFullyConnected: return 2.0 * outs * shape_of(d, n.inputs[1])[1];
    case OpKind::kMaxPool2D: {
      const auto& p = std::get<ops::MaxPool2DParams>(n.params);
      return outs * p.kernel.h * p.kernel.w;
    }
    case OpKind::kAvgPool2D: {
      const auto& p = std::get<ops::AvgPool2DParams>(n.params);
      return outs * p.kernel.h * p.kernel.w;
    }
    case OpKind::kGlobalAvgPool: return static_cast<double>(shape_of(d, n.inputs[0]).num_elements());
    case OpKind::kAdd: return outs;
    case OpKind::kSoftmax: return 3.0 * outs;
    case OpKind::kLRN: return 6.0 * outs;   // square, window add and subtract, scale and bias, pow, multiply
    case OpKind::kConcat: return 0.0;
  }
  return 0.0;
}

bool native_available() { return best_gemm_ukernel() != nullptr; }

Status choose_kernel(Interpreter::Impl& impl, int k, KernelChoice* choice) {
  const ModelData& d = *impl.model;
  const OpNode& n = d.ops[k];
  choice->flops = op_flops(d, n);
  choice->backend = Backend::kRef;
  const char* const snake = detail::op_snake_name(n.kind);
  std::snprintf(choice->name, sizeof(choice->name), "%s_f32_ref", snake);
  if (n.kind == OpKind::kConcat) return Status::ok();
  const Backend want = impl.options.backend;
  if (want == Backend::kAuto || want == Backend::kNative) {
    const Status s = create_native(impl, k, choice);
    if (s.is_ok()) {
      choice->backend = Backend::kNative;
      return Status::ok();
    }
    if (s.code() != StatusCode::kUnsupported) return Status::error(s.code(), "%s: %s", n.label.c_str(), s.message());
  }
#if INCEPT_WITH_XNNPACK
  if ((want == Backend::kAuto || want == Backend::kXnnpack) && backend_available(Backend::kXnnpack)) {
    const Status s = create_xnn(impl, k);
    if (s.is_ok()) {
      choice->backend = Backend::kXnnpack;
      std::snprintf(choice->name, sizeof(choice->name), "%s_f32_xnn", snake);
      return Status::ok();
    }
    if (s.code() != StatusCode::kUnsupported) return Status::error(s.code(), "%s: %s", n.label.c_str(), s.message());
  }
#endif
  if ((want == Backend::kAuto || want == Backend::kEigen) && eigen_implements(n.kind)) {
    const Shape& in = shape_of(d, n.inputs[0]);
    const Shape& out = shape_of(d, n.outputs[0]);
    choice->backend = Backend::kEigen;
    std::snprintf(choice->name, sizeof(choice->name), "%s_f32_eigen", snake);
    choice->scratch_bytes =
        n.kind == OpKind::kConv2D
            ? ops::conv2d_f32_eigen_scratch_bytes(std::get<ops::Conv2DParams>(n.params), in, out, impl.options.threads)
            : ops::fully_connected_f32_eigen_scratch_bytes(std::get<ops::FullyConnectedParams>(n.params), in, out,
                                                           impl.options.threads);
  }
  return Status::ok();
}

Status setup_kernel(Interpreter::Impl& impl, int k, Step* s) {
  if (s->backend == Backend::kNative) {
    s->gemm = impl.gemm_convs[k].get();
    return Status::ok();
  }
#if INCEPT_WITH_XNNPACK
  if (s->backend != Backend::kXnnpack) return Status::ok();
  const OpNode& n = impl.model->ops[k];
  const ops::XnnOp& op = impl.xnn_ops[k];
  s->xnn = op.get();
  pthreadpool_t pool = impl.pool;
  Status st;
  switch (n.kind) {
    case OpKind::kConv2D:
      st = ops::conv2d_f32_xnn_setup(std::get<ops::Conv2DParams>(n.params), op, s->in0, s->out, pool);
      break;
    case OpKind::kMaxPool2D:
      st = ops::max_pool2d_f32_xnn_setup(std::get<ops::MaxPool2DParams>(n.params), op, s->in0, s->out, pool);
      break;
    case OpKind::kAvgPool2D:
      st = ops::avg_pool2d_f32_xnn_setup(std::get<ops::AvgPool2DParams>(n.params), op, s->in0, s->out, pool);
      break;
    case OpKind::kGlobalAvgPool:
      st = ops::global_avg_pool_f32_xnn_setup(std::get<ops::GlobalAvgPoolParams>(n.params), op, s->in0, s->out, pool);
      break;
    case OpKind::kFullyConnected:
      st = ops::fully_connected_f32_xnn_setup(std::get<ops::FullyConnectedParams>(n.params), op, s->in0, s->out, pool);
      break;
    case OpKind::kSoftmax:
      st = ops::softmax_f32_xnn_setup(std::get<ops::SoftmaxParams>(n.params), op, s->in0, s->out, pool);
      break;
    case OpKind::kAdd:
      st = ops::add_f32_xnn_setup(std::get<ops::AddParams>(n.params), op, s->in0, s->in1, s->out, pool);
      break;
    case OpKind::kConcat:
    case OpKind::kLRN: break;
  }
  if (!st.is_ok()) return Status::error(st.code(), "%s: %s", n.label.c_str(), st.message());
#else
  (void)impl;
  (void)k;
  (void)s;
#endif
  return Status::ok();
}

namespace {

// Copies a (possibly strided) view into a slice of a wider tensor, pixel by pixel.
void copy_view_f32(ConstTensorView<float> src, TensorView<float> dst) {
  for (int32_t n = 0; n < src.n; ++n)
    for (int32_t y = 0; y < src.h; ++y)
      for (int32_t x = 0; x < src.w; ++x)
        std::memcpy(dst.pixel(n, y, x), src.pixel(n, y, x), static_cast<size_t>(src.c) * sizeof(float));
}

void run_ref(const Step& s, const CopyJob* copies) {
  switch (s.kind) {
    case OpKind::kConv2D:
      ops::conv2d_f32_ref(std::get<ops::Conv2DParams>(*s.params), s.in0, s.weights, s.bias, s.out);
      return;
    case OpKind::kMaxPool2D: ops::max_pool2d_f32_ref(std::get<ops::MaxPool2DParams>(*s.params), s.in0, s.out); return;
    case OpKind::kAvgPool2D: ops::avg_pool2d_f32_ref(std::get<ops::AvgPool2DParams>(*s.params), s.in0, s.out); return;
    case OpKind::kConcat:
      for (uint32_t i = 0; i < s.num_copies; ++i) copy_view_f32(copies[s.first_copy + i].src, copies[s.first_copy + i].dst);
      return;
    case OpKind::kGlobalAvgPool:
      ops::global_avg_pool_f32_ref(std::get<ops::GlobalAvgPoolParams>(*s.params), s.in0, s.out);
      return;
    case OpKind::kFullyConnected:
      ops::fully_connected_f32_ref(std::get<ops::FullyConnectedParams>(*s.params), s.in0, s.weights, s.bias, s.out);
      return;
    case OpKind::kSoftmax: ops::softmax_f32_ref(std::get<ops::SoftmaxParams>(*s.params), s.in0, s.out); return;
    case OpKind::kAdd: ops::add_f32_ref(std::get<ops::AddParams>(*s.params), s.in0, s.in1, s.out); return;
    case OpKind::kLRN: ops::lrn_f32_ref(std::get<ops::LRNParams>(*s.params), s.in0, s.out); return;
  }
}

}  // namespace

void run_step(const Step& s, const CopyJob* copies, pthreadpool_t pool) {
  switch (s.backend) {
    case Backend::kXnnpack:
#if INCEPT_WITH_XNNPACK
      xnn_run_operator(static_cast<xnn_operator_t>(s.xnn), pool);   // set up at prepare; cannot fail here
#endif
      return;
    case Backend::kNative:
      ops::conv2d_f32_gemm_run(*s.gemm, s.in0, s.out, pool);   // the only native op so far
      return;
    case Backend::kEigen:
      if (s.kind == OpKind::kConv2D) {
        ops::conv2d_f32_eigen(std::get<ops::Conv2DParams>(*s.params), s.in0, s.weights, s.bias, s.out, s.scratch, pool);
      } else {
        ops::fully_connected_f32_eigen(std::get<ops::FullyConnectedParams>(*s.params), s.in0, s.weights, s.bias, s.out,
                                       s.scratch, pool);
      }
      return;
    default: run_ref(s, copies); return;
  }
}

}  // namespace incept
