// SPDX-License-Identifier: Apache-2.0
// The body of the C API fuzz target (tests/fuzz/c_api_fuzzer.cc), shared with the corpus replay test
// (tests/runtime/fuzz_c_api_corpus_test.cc). One input = a program: each call is one byte (the entry point,
// modulo 16) and the bytes its arguments need (read on demand, 0 past the end), at most kMaxCalls calls.
// The calls misuse incept/c_api.h the ways its contract allows a caller to: NULL handles and out pointers,
// indices and sizes out of range, wrong element counts, layouts, backends and channel counts outside their
// enums, arenas too small or misaligned, set_input / invoke before prepare, prepare twice, calls on a handle
// after freeing it (the program then holds NULL, as the header defines), truncated model bytes. What the
// contract leaves undefined is never done: a model's bytes stay alive and unchanged until it is freed, a model
// outlives its interpreters (freeing it frees them first), an arena outlives its interpreter, a buffer holds
// what its arguments say, pixels stay valid until the next invoke.
// The models, built in memory: tiny_inception ([1, 10, 10, 3] float32), pools ([1, 8, 8, 3]),
// quantised_inception ([1, 8, 8, 4] int8) and an int8 image input ([1, 6, 6, 3]).
// Every call's answer is checked against the header: a status inside the enum, a one-line message for
// every failure, *out NULL after a failed load or create, no invoke or set_input before a prepare worked.
#pragma once

#include <cstddef>
#include <cstdint>

#include "support/fuzz_report.h"

namespace incept::test {

inline constexpr int kMaxCalls = 64;

FuzzReport fuzz_c_api(const uint8_t* data, size_t size);

}  // namespace incept::test
