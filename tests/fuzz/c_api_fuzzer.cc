// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: a byte stream read as a sequence of C API calls that misuse incept/c_api.h within its
// contract (tests/support/c_api_fuzz.h). An answer the header does not allow (a status outside the enum, a
// failure without a one-line message, a handle after a failure, a run before prepare) stops the fuzzer like
// a crash.
#include <cstdio>

#include "support/c_api_fuzz.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const incept::test::FuzzReport r = incept::test::fuzz_c_api(data, size);
  for (const std::string& b : r.broken) std::fprintf(stderr, "C API fuzzer: broken: %s\n", b.c_str());
  if (!r.clean()) {
    for (const std::string& s : r.refusals) std::fprintf(stderr, "C API fuzzer: refused: %s\n", s.c_str());
    __builtin_trap();
  }
  return 0;
}
