// SPDX-License-Identifier: Apache-2.0
// The body of the image fuzz target (tests/fuzz/image_fuzzer.cc), shared with the corpus replay test
// (tests/tools/fuzz_input_files_test.cc). One input = three selector bytes, then an image file:
//   byte 0  bit 0 the resize policy (crop, stretch), bit 1 the channel order (RGB, BGR), bits 2-3 one of
//           four mean/std sets (none, ImageNet's, Inception's [-1, 1], a tiny std)
//   byte 1  the input height, 1 + byte % 64;  byte 2  the input width, 1 + byte % 64
// The file goes the way incept-classify takes it: decode_image (at most kFuzzMaxPixels pixels, so one
// input stays well under a second), then image_to_tensor into a [1, H, W, 3] float32 input, whose
// values must all be finite.
#pragma once

#include <cstddef>
#include <cstdint>

#include "support/fuzz_report.h"

namespace incept::test {

// The decoder's pixel cap under fuzzing (incept-classify's is tools::kMaxImagePixels, 2^27).
inline constexpr int64_t kFuzzMaxPixels = int64_t{1} << 18;

FuzzReport fuzz_one_image(const uint8_t* data, size_t size);

}  // namespace incept::test
