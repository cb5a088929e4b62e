// SPDX-License-Identifier: Apache-2.0
#include "incept/shape.h"

#include <cstdio>

namespace incept {

int64_t checked_num_elements(const Shape& s, int64_t limit) {
  int64_t n = 1;
  for (int i = 0; i < s.rank; ++i) {
    if (s.dims[i] < 0) return -1;
    if (s.dims[i] != 0 && n > limit / s.dims[i]) return -1;
    n *= s.dims[i];
  }
  return n;
}

const char* shape_to_string(const Shape& s, char* buf, size_t size) {
  if (size == 0) return buf;
  size_t used = 0;
  auto put = [&](const char* fmt, int32_t v) {
    if (used + 1 >= size) return;
    int k = std::snprintf(buf + used, size - used, fmt, v);
    if (k > 0) used += static_cast<size_t>(k);
    if (used >= size) used = size - 1;
  };
  buf[0] = '\0';
  put("[", 0);
  for (int i = 0; i < s.rank; ++i) put(i == 0 ? "%d" : ", %d", s.dims[i]);
  put("]", 0);
  return buf;
}

}  // namespace incept
