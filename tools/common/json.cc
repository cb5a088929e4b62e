// SPDX-License-Identifier: Apache-2.0
#include "common/json.h"

#include "incept/text.h"

#include <cmath>
#include <cstdio>

namespace incept::tools {

std::string json_string(const char* s) {
  // Escaped first (incept/text.h): what remains is printable ASCII and valid UTF-8, so the JSON is valid
  // whatever bytes a model file put in a name.
  const std::string text = s != nullptr ? escape_bytes(s) : std::string();
  std::string out = "\"";
  for (const unsigned char* p = reinterpret_cast<const unsigned char*>(text.c_str()); *p; ++p) {
    switch (*p) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (*p < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", *p);
          out += buf;
        } else {
          out += static_cast<char>(*p);
        }
    }
  }
  return out + "\"";
}

std::string json_number(double v, int digits) {
  if (!std::isfinite(v)) return "null";
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%.*g", digits, v);
  return buf;
}

}  // namespace incept::tools
