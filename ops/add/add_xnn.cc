// SPDX-License-Identifier: Apache-2.0
// Add on XNNPACK. The two inputs have equal shapes (no broadcasting) and every view is dense, so the
// op is set up on one flat dimension of N * H * W * C elements.
#include "add/add_xnn.h"

#include <cmath>

namespace incept::ops {

Status add_f32_xnn_create(const AddParams& p, const Shape& in_a, const Shape&, const Shape&, int32_t in_a_pixel_stride,
                          int32_t in_b_pixel_stride, int32_t out_pixel_stride, XnnOp* op) {
  INCEPT_RETURN_IF_ERROR(xnn_ensure_initialized());
  const int32_t c = in_a[in_a.rank - 1];
  INCEPT_CHECK(in_a_pixel_stride == c && in_b_pixel_stride == c && out_pixel_stride == c, kUnsupported,
               "Add (XNNPACK): pixel strides %d, %d (inputs) and %d (output) must all equal the channel count %d: "
               "XNNPACK's add works on dense tensors only",
               in_a_pixel_stride, in_b_pixel_stride, out_pixel_stride, c);
  const float out_min = xnn_output_min(p.activation);
  const xnn_status s = xnn_create_add_nd_f32(out_min, INFINITY, /*flags=*/0, op->out());
  INCEPT_CHECK(s == xnn_status_success, kUnsupported, "Add (XNNPACK): XNNPACK refused the operator (%s)",
               xnn_status_name(s));
  return Status::ok();
}

Status add_f32_xnn_setup(const AddParams&, const XnnOp& op, ConstTensorView<float> in_a, ConstTensorView<float> in_b,
                         TensorView<float> out, pthreadpool_t pool) {
  INCEPT_CHECK(op.get() != nullptr, kInternal, "Add (XNNPACK): setup called before a successful create");
  const size_t shape[1] = {static_cast<size_t>(out.num_pixels()) * static_cast<size_t>(out.c)};
  const xnn_status s = xnn_setup_add_nd_f32(op.get(), 1, shape, 1, shape, in_a.data, in_b.data, out.data, pool);
  INCEPT_CHECK(s == xnn_status_success, kInternal, "Add (XNNPACK): setup failed for %zu elements (%s)", shape[0],
               xnn_status_name(s));
  return Status::ok();
}

}  // namespace incept::ops
