// SPDX-License-Identifier: Apache-2.0
// Draws an interpreter's memory plan as SVG: x = step (op index), y = arena offset. Each planned
// tensor is one <rect class="tensor"> spanning its lifetime x its bytes; each concat view is one
// <rect class="view"> (hatched, dashed outline) drawn as its channel share of its root's block, since
// its bytes interleave with its siblings' pixel by pixel. Lines mark the lower bound and the bytes
// live at each step. Every rect carries a <title> tooltip: name, shape, bytes, offset, lifetime.
#pragma once

#include <string>

#include "incept/incept.h"

namespace incept::bench {

// Requires it.arena_bytes_required() or it.prepare() to have succeeded. kIoError if the file
// cannot be written.
// `title` is printed as it is (printable text: the caller escapes any file strings in it).
[[nodiscard]] Status write_plan_svg(const char* path, const Interpreter& it, const std::string& title);

}  // namespace incept::bench
