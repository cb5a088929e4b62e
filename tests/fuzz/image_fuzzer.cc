// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: three selector bytes and an image file through incept-classify's input path (decode,
// resize, preprocess into a model input; tests/support/image_fuzz.h). A refusal without a one-line
// message, or a broken promise, stops the fuzzer like a crash.
#include <cstdio>

#include "support/image_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const incept::test::FuzzReport r = incept::test::fuzz_one_image(data, size);
  for (const std::string& b : r.broken) std::fprintf(stderr, "image fuzzer: broken: %s\n", b.c_str());
  if (!r.clean()) {
    for (const std::string& s : r.refusals) std::fprintf(stderr, "image fuzzer: refused: %s\n", s.c_str());
    __builtin_trap();
  }
  return 0;
}
