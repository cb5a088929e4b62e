// SPDX-License-Identifier: Apache-2.0
// Plain parameter types shared by the 2-D ops. No schema types: the loader converts into these.
#pragma once

#include <cstdint>

#include "incept/shape.h"
#include "incept/status.h"

namespace incept::ops {

struct Size2D {
  int32_t h = 1, w = 1;
};
struct Pad2D {
  int32_t top = 0, bottom = 0, left = 0, right = 0;
};
enum class Activation : uint8_t { kNone = 0, kRelu = 1 };

inline float apply_activation(Activation a, float v) { return a == Activation::kRelu && v < 0.0f ? 0.0f : v; }

// Output length of a sliding window along one axis, PyTorch's rule: floor (or ceil) of
// (in + pad_a + pad_b - span) / stride, plus one, where span = dilation * (kernel - 1) + 1; with ceil
// rounding a last window that would start in the trailing padding is dropped. Returns -1 when the
// window does not fit even once or an argument is out of range.
int32_t window_out_size(int32_t in, int32_t kernel, int32_t stride, int32_t dilation, int32_t pad_a, int32_t pad_b,
                        bool ceil_mode);

// Checks kernel/stride/dilation >= 1 and pads >= 0 and < kernel span, naming the op in messages.
// (Pads below the span keep every window of a pool over at least one image element; see op_types.cc.)
[[nodiscard]] Status check_window(const char* op, Size2D kernel, Size2D stride, Size2D dilation, Pad2D pad);

// Checks that `s` has rank 1..4, every dim >= 1 and at most 2^40 elements; `what` names the tensor
// ("input", "weights", ...) in the message. Shared by the *_infer_shape functions.
[[nodiscard]] Status check_positive_dims(const char* op, const char* what, const Shape& s);

// Checks that `a` is one of the Activation enumerators (a loader bug could cast any byte into it).
[[nodiscard]] Status check_activation(const char* op, Activation a);

// Shape rule shared by the 2-D pools: NHWC input, window/stride/pad checked by check_window, output
// [N, OH, OW, C] with PyTorch's floor/ceil rounding. `op` names the pool in messages.
[[nodiscard]] Status pool2d_infer_shape(const char* op, Size2D kernel, Size2D stride, Pad2D pad, bool ceil_mode,
                                        Activation activation, const Shape& in, Shape* out);

}  // namespace incept::ops
