// SPDX-License-Identifier: Apache-2.0
// The body of the .npy fuzz target (tests/fuzz/npy_fuzzer.cc), shared with the corpus replay test
// (tests/tools/fuzz_input_files_test.cc). One input = one selector byte, then a .npy file:
//   selector bits 0-1  the layout asked for (--layout): 0 and 3 auto, 1 nchw, 2 nhwc
//   selector bits 2-7  which model input the array is read against (modulo the models below)
// The file goes the way incept-run takes it: parse_npy, npy_layout_of against the model's input,
// Interpreter::set_input in that layout, and back with tensor_to_array, which must give the array again.
// The models (built once, in memory, prepared on the ref backend): tiny_inception [1, 10, 10, 3] (float32),
// quantised_inception [1, 8, 8, 4] (int8), a [1, 4, 4, 4] input (NCHW and NHWC alike) and a [1, 6] one.
#pragma once

#include <cstddef>
#include <cstdint>

#include "support/fuzz_report.h"

namespace incept::test {

FuzzReport fuzz_one_npy(const uint8_t* data, size_t size);

}  // namespace incept::test
