// SPDX-License-Identifier: Apache-2.0
// Counts heap allocations from any thread, at the malloc level (so operator new, Eigen's
// aligned_malloc and C code are all seen), between heap_count_begin() and heap_count_end().
// Works with glibc in non-sanitized builds; sanitizers replace malloc themselves, and there
// heap_count_end() returns -1 ("cannot count").
#pragma once

namespace incept::test {

void heap_count_begin();
// Allocations seen since heap_count_begin(), or -1 when this build cannot count them.
long heap_count_end();

}  // namespace incept::test
