// SPDX-License-Identifier: Apache-2.0
// The XNNPACK backend's shared pieces: one-time library initialisation with a counting allocator
// (so the memory XNNPACK holds - packed weights, indirection buffers - is accounted for), and
// XnnOp, the owner of one created-and-set-up operator. Built only with INCEPT_WITH_XNNPACK.
//
// Life of an XNNPACK op in incept: <op>_f32_xnn_create() at prepare time (checks what XNNPACK can
// do exactly like the reference kernel, packs weights), <op>_f32_xnn_setup() once the arena is
// bound (pointers and threadpool are fixed from then on), and xnn_run_operator() at invoke time.
#pragma once

#include <pthreadpool.h>
#include <xnnpack.h>

#include <cmath>
#include <cstddef>
#include <cstdint>

#include "common/op_types.h"
#include "incept/status.h"

namespace incept::ops {

// Initialises XNNPACK once per process (thread-safe). kUnsupported when this CPU lacks what the
// library needs.
[[nodiscard]] Status xnn_ensure_initialized();

// Bytes currently allocated by XNNPACK through incept's allocator, over all operators.
size_t xnn_live_bytes();

// Owns one xnn_operator_t (deleted with the XnnOp). Move-only.
class XnnOp {
 public:
  XnnOp() = default;
  ~XnnOp() { reset(); }
  XnnOp(XnnOp&& o) noexcept : op_(o.op_) { o.op_ = nullptr; }
  XnnOp& operator=(XnnOp&& o) noexcept {
    if (this != &o) {
      reset();
      op_ = o.op_;
      o.op_ = nullptr;
    }
    return *this;
  }
  XnnOp(const XnnOp&) = delete;
  XnnOp& operator=(const XnnOp&) = delete;

  xnn_operator_t get() const { return op_; }
  xnn_operator_t* out() {
    reset();
    return &op_;
  }  // for xnn_create_*(..., op.out())
  void reset();

 private:
  xnn_operator_t op_ = nullptr;
};

// Lower output clamp that fuses `a` into an XNNPACK operator (the upper one is always +inf).
inline float xnn_output_min(Activation a) { return a == Activation::kRelu ? 0.0f : -INFINITY; }

// Extra trailing padding after which XNNPACK's floor-rounded output length along one axis is `out`:
// how ceil-mode pooling is expressed to XNNPACK, which has no ceil rounding.
inline uint32_t xnn_ceil_extra_padding(int32_t in, int32_t kernel, int32_t stride, int32_t pad_a, int32_t pad_b,
                                       int32_t out) {
  const int64_t need = int64_t{out - 1} * stride + kernel - (int64_t{in} + pad_a + pad_b);
  return need > 0 ? static_cast<uint32_t>(need) : 0u;
}

// "xnn_status_invalid_parameter" etc., for messages.
const char* xnn_status_name(xnn_status s);

}  // namespace incept::ops
