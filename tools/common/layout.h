// SPDX-License-Identifier: Apache-2.0
// The tools' .npy input and output in either layout: NCHW (PyTorch's order) or NHWC (incept's own). A 4-D
// input is read in the layout its shape has (--layout says which where the shape fits both, C == H == W);
// a 4-D output is written in the input's layout.
//
//   Layout layout;
//   INCEPT_RETURN_IF_ERROR(npy_layout_of(x, it.input(0), NpyLayout::kAuto, &layout));
//   INCEPT_RETURN_IF_ERROR(it.set_input(0, x.data.data(), x.data.size(), layout));
//   NpyArray y = tensor_to_array(it.output(0), layout);
#pragma once

#include <cstdint>
#include <vector>

#include "common/npy.h"
#include "incept/interpreter.h"

namespace incept::tools {

// How a 4-D .npy is read: by its shape, or as --layout says.
enum class NpyLayout : uint8_t { kAuto, kNchw, kNhwc };
// "nchw" or "nhwc" (--layout); kInvalidArgument naming the choices otherwise.
[[nodiscard]] Status parse_npy_layout(const char* name, NpyLayout* out);

// The layout array `a` holds input `in` (NHWC) in: for kAuto the one whose shape `a` has, else `want` if `a`
// has its shape. kInvalidArgument naming both shapes when neither fits, and --layout when both do. An input
// that is not 4-D must have its own shape (*out = kNhwc).
[[nodiscard]] Status npy_layout_of(const NpyArray& a, const TensorRef& in, NpyLayout want, Layout* out);
// "NCHW (PyTorch's order)" / "NHWC (incept's order)", for the tools' summaries.
const char* npy_layout_text(Layout layout);
// The tensor as an array: a 4-D one in `layout` (NHWC -> NCHW transposed), any other as it is.
NpyArray tensor_to_array(const TensorRef& src, Layout layout);

}  // namespace incept::tools
