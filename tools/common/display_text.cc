// SPDX-License-Identifier: Apache-2.0
#include "common/display_text.h"

namespace incept::tools {

std::string fit_left(const std::string& s, size_t width) {
  if (s.size() <= width) return s;
  size_t from = s.size() - (width > 2 ? width - 2 : 0);
  while (from < s.size() && (static_cast<unsigned char>(s[from]) & 0xc0) == 0x80) ++from;  // a continuation byte
  return ".." + s.substr(from);
}

}  // namespace incept::tools
