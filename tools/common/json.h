// SPDX-License-Identifier: Apache-2.0
// JSON text for the tools' --json output (incept-classify, incept-bench).
#pragma once

#include <string>

namespace incept::tools {

// `s` as a JSON string literal, quotes included: first escaped as the tools print file strings
// (escape_bytes: a backslash doubled, control bytes and invalid UTF-8 as \xNN), then ", \ JSON-escaped.
std::string json_string(const char* s);
inline std::string json_string(const std::string& s) { return json_string(s.c_str()); }
// `v` with `digits` significant digits; "null" for NaN and infinities, which JSON has no word for.
std::string json_number(double v, int digits);

}  // namespace incept::tools
