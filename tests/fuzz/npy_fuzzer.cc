// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: a selector byte and a .npy file through incept-run's input path (parse_npy, the layout
// against a model input, set_input and back; tests/support/npy_fuzz.h). A refusal without a one-line
// message, or a broken promise, stops the fuzzer like a crash.
#include <cstdio>

#include "support/npy_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const incept::test::FuzzReport r = incept::test::fuzz_one_npy(data, size);
  for (const std::string& b : r.broken) std::fprintf(stderr, "npy fuzzer: broken: %s\n", b.c_str());
  if (!r.clean()) {
    for (const std::string& s : r.refusals) std::fprintf(stderr, "npy fuzzer: refused: %s\n", s.c_str());
    __builtin_trap();
  }
  return 0;
}
