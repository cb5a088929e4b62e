// SPDX-License-Identifier: Apache-2.0
// Strings from a model file (names, labels, metadata) as the tools print them: escaped (incept/text.h), so
// a damaged or hostile file cannot put control sequences or invalid UTF-8 on a terminal, in a log or in
// --json output; and cut to a column width at a character boundary.
#pragma once

#include <string>

#include "incept/text.h"

namespace incept::tools {

// escape_bytes(s) for a NUL-terminated string (nullptr prints as "").
inline std::string shown(const char* s) { return s != nullptr ? escape_bytes(s) : std::string(); }

// `s` (already printable) in at most `width` bytes: the end of it, after "..", when longer (the end of a
// layer name is the distinctive part); never starts inside a UTF-8 sequence.
std::string fit_left(const std::string& s, size_t width);

// An op's kernel as the tools print it: its name, then " +cvtN" when its float32 kernel runs between N
// float32 copies of 8-bit tensors (dequantised before, quantised after: OpInfo::converted_tensors).
inline std::string kernel_label(const char* kernel, int converted_tensors) {
  std::string s = kernel != nullptr ? kernel : "";
  if (converted_tensors > 0) s += " +cvt" + std::to_string(converted_tensors);
  return s;
}

}  // namespace incept::tools
