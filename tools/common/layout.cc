// SPDX-License-Identifier: Apache-2.0
#include "common/layout.h"

#include <cstring>
#include <string>

namespace incept::tools {

static std::string dims_to_string(const std::vector<int64_t>& d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i) s += (i ? ", " : "") + std::to_string(d[i]);
  return s + "]";
}

Status nchw_to_tensor(const NpyArray& src, const TensorRef& dst) {
  const Shape& s = dst.shape;
  std::vector<int64_t> want;
  if (s.rank == 4) {
    want = {s[0], s[3], s[1], s[2]};
  } else {
    for (int i = 0; i < s.rank; ++i) want.push_back(s[i]);
  }
  INCEPT_CHECK(src.shape == want, kInvalidArgument, "input '%s' must have shape %s (NCHW), got %s", dst.name,
               dims_to_string(want).c_str(), dims_to_string(src.shape).c_str());
  if (s.rank != 4) {
    std::memcpy(dst.data, src.data.data(), dst.bytes);
    return Status::ok();
  }
  const int64_t n = s[0], h = s[1], w = s[2], c = s[3];
  for (int64_t in = 0; in < n; ++in)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
          dst.data[((in * h + y) * w + x) * c + ch] = src.data[((in * c + ch) * h + y) * w + x];
  return Status::ok();
}

NpyArray tensor_to_nchw(const TensorRef& src) {
  const Shape& s = src.shape;
  NpyArray out;
  out.data.resize(static_cast<size_t>(s.num_elements()));
  if (s.rank != 4) {
    for (int i = 0; i < s.rank; ++i) out.shape.push_back(s[i]);
    std::memcpy(out.data.data(), src.data, src.bytes);
    return out;
  }
  const int64_t n = s[0], h = s[1], w = s[2], c = s[3];
  out.shape = {n, c, h, w};
  for (int64_t in = 0; in < n; ++in)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t x = 0; x < w; ++x)
          out.data[((in * c + ch) * h + y) * w + x] = src.data[((in * h + y) * w + x) * c + ch];
  return out;
}

}  // namespace incept::tools
