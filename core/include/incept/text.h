// SPDX-License-Identifier: Apache-2.0
// Printing strings that come from a model file. Names, labels and metadata are whatever bytes the file
// holds; a damaged or hostile file can put terminal control sequences or invalid UTF-8 there. Every
// message and tool output of incept passes them through escape_bytes; the API (Model::architecture(),
// Model::label(), OpInfo::name, ...) returns them as stored, so an application printing them should too.
//
//   std::printf("model %s\n", incept::escape_bytes(model.architecture()).c_str());
#pragma once

#include <string>
#include <string_view>

namespace incept {

// `s` as printable text: ASCII 0x20..0x7e as it is (a backslash doubled, so the result reads back
// unambiguously) and well-formed UTF-8 of printable code points as it is; every other byte as \xNN
// (lower-case hex): C0 controls, DEL, C1 controls, bidirectional overrides and isolates, invalid or
// overlong sequences, surrogates, code points past U+10FFFF.
std::string escape_bytes(std::string_view s);

}  // namespace incept
