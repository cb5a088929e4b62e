// SPDX-License-Identifier: Apache-2.0
// Interpreter::set_input: a float32 buffer copied into a graph input, NHWC as it is or NCHW (PyTorch's
// order) transposed on the copy.
#include <algorithm>

#include "interpreter/interpreter_impl.h"

namespace incept {

const char* layout_name(Layout layout) { return layout == Layout::kNchw ? "NCHW" : "NHWC"; }

Status Interpreter::set_input(int i, const float* data, size_t count, Layout layout) {
  Impl& m = *impl_;
  INCEPT_CHECK(m.prepared, kInvalidArgument, "set_input() called before a successful prepare()");
  INCEPT_CHECK(i >= 0 && i < num_inputs(), kInvalidArgument, "input index %d out of range (the model has %d)", i,
               num_inputs());
  INCEPT_CHECK(layout == Layout::kNhwc || layout == Layout::kNchw, kInvalidArgument,
               "set_input: layout %d is neither NHWC (0) nor NCHW (1)", static_cast<int>(layout));
  const TensorRef in = input(i);
  const Shape& s = in.shape;
  const size_t n = static_cast<size_t>(s.num_elements());
  char buf[64];
  INCEPT_CHECK(data != nullptr, kInvalidArgument, "set_input: data is null");
  INCEPT_CHECK(count == n, kInvalidArgument,
               "set_input: %zu floats for input %d '%s' of shape %s (NHWC), which holds %zu", count, i, in.name,
               shape_to_string(s, buf, sizeof(buf)), n);
  if (layout == Layout::kNhwc || s.rank != 4) {
    std::copy(data, data + n, in.data);
  } else {  // NHWC position (b, y, x, c) reads NCHW element (b, c, y, x)
    const int64_t batch = s[0], h = s[1], w = s[2], c = s[3];
    float* out = in.data;
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
          for (int64_t ch = 0; ch < c; ++ch) *out++ = data[((b * c + ch) * h + y) * w + x];
  }
  if (static_cast<size_t>(i) < m.images.size()) m.images[static_cast<size_t>(i)].pixels = nullptr;
  return Status::ok();
}

}  // namespace incept
