// SPDX-License-Identifier: Apache-2.0
#include "common/layout.h"

#include <cstring>
#include <string>

namespace incept::tools {
namespace {

std::string dims_to_string(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

// The shape input `s` (NHWC) has in `layout`.
std::vector<int64_t> shape_in(const Shape& s, Layout layout) {
  if (s.rank == 4 && layout == Layout::kNchw) return {s[0], s[3], s[1], s[2]};
  std::vector<int64_t> out;
  for (int i = 0; i < s.rank; ++i) out.push_back(s[i]);
  return out;
}

}  // namespace

Status parse_npy_layout(const char* name, NpyLayout* out) {
  if (std::strcmp(name, "nchw") == 0) {
    *out = NpyLayout::kNchw;
  } else if (std::strcmp(name, "nhwc") == 0) {
    *out = NpyLayout::kNhwc;
  } else {
    return Status::error(StatusCode::kInvalidArgument,
                         "--layout must be nchw (PyTorch's order) or nhwc (incept's), got '%s'", name);
  }
  return Status::ok();
}

const char* npy_layout_text(Layout layout) {
  return layout == Layout::kNchw ? "NCHW (PyTorch's order)" : "NHWC (incept's order)";
}

Status npy_layout_of(const NpyArray& a, const TensorRef& in, NpyLayout want, Layout* out) {
  const std::vector<int64_t> nchw = shape_in(in.shape, Layout::kNchw), nhwc = shape_in(in.shape, Layout::kNhwc);
  const std::string got = dims_to_string(a.shape);
  if (in.shape.rank != 4) {
    INCEPT_CHECK(a.shape == nhwc, kInvalidArgument, "input '%s' must have shape %s, got %s", in.name,
                 dims_to_string(nhwc).c_str(), got.c_str());
    *out = Layout::kNhwc;
    return Status::ok();
  }
  const bool is_nchw = a.shape == nchw, is_nhwc = a.shape == nhwc;
  if (want != NpyLayout::kAuto) {
    const Layout l = want == NpyLayout::kNchw ? Layout::kNchw : Layout::kNhwc;
    const bool other = l == Layout::kNchw ? is_nhwc : is_nchw;
    INCEPT_CHECK(
        a.shape == (l == Layout::kNchw ? nchw : nhwc), kInvalidArgument,
        "--layout %s: input '%s' must have shape %s, got %s%s", l == Layout::kNchw ? "nchw" : "nhwc", in.name,
        dims_to_string(l == Layout::kNchw ? nchw : nhwc).c_str(), got.c_str(),
        other ? (l == Layout::kNchw ? " (the NHWC shape: --layout nhwc)" : " (the NCHW shape: --layout nchw)") : "");
    *out = l;
    return Status::ok();
  }
  INCEPT_CHECK(is_nchw || is_nhwc, kInvalidArgument,
               "input '%s' must have shape %s (NCHW, as PyTorch holds it) or %s (NHWC), got %s", in.name,
               dims_to_string(nchw).c_str(), dims_to_string(nhwc).c_str(), got.c_str());
  INCEPT_CHECK(!(is_nchw && is_nhwc), kInvalidArgument,
               "input '%s' of shape %s reads as NCHW and as NHWC alike (channels = height = width): say which with "
               "--layout nchw or --layout nhwc",
               in.name, got.c_str());
  *out = is_nchw ? Layout::kNchw : Layout::kNhwc;
  return Status::ok();
}

NpyArray tensor_to_array(const TensorRef& src, Layout layout) {
  const Shape& s = src.shape;
  NpyArray out;
  out.shape = shape_in(s, layout);
  out.data.resize(static_cast<size_t>(s.num_elements()));
  if (s.rank != 4 || layout == Layout::kNhwc) {
    std::memcpy(out.data.data(), src.data, src.bytes);
    return out;
  }
  const int64_t n = s[0], h = s[1], w = s[2], c = s[3];
  for (int64_t in = 0; in < n; ++in)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
          out.data[((in * c + ch) * h + y) * w + x] = src.data[((in * h + y) * w + x) * c + ch];
  return out;
}

}  // namespace incept::tools
