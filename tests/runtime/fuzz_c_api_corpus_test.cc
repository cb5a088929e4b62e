// SPDX-License-Identifier: Apache-2.0
// Replays the C API fuzz target's committed programs (tests/fuzz/corpus/c_api, tests/fuzz/regressions/c_api)
// through its body (tests/support/c_api_fuzz.h) in every build: each must end without a crash, leak or UB
// (the sanitizer build judges those), every refused call with a one-line message, and no answer the header
// rules out.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "support/c_api_fuzz.h"
#include "support/fuzz_files.h"

namespace incept {
namespace {

test::FuzzReport replay(const std::filesystem::path& p) {
  const std::vector<uint8_t> bytes = test::fuzz_file_bytes(p);
  const test::FuzzReport r = test::fuzz_c_api(bytes.data(), bytes.size());
  MESSAGE(test::describe(p.filename().string(), r.done, r.refusals, r.broken));
  CHECK(r.unexplained == 0);
  CHECK(r.broken.empty());
  return r;
}

TEST_CASE("fuzz corpus: every C API seed program runs as the header says, the well-formed ones without a refusal") {
  const std::vector<std::filesystem::path> seeds = test::fuzz_files("tests/fuzz/corpus/c_api");
  REQUIRE(seeds.size() >= 5);
  for (const std::filesystem::path& p : seeds) {
    CAPTURE(p.filename().string());
    const test::FuzzReport r = replay(p);
    // The seeds that use the API as documented must keep doing so: a refusal there means a seed rotted.
    const std::string name = p.filename().string();
    if (name == "float_model_every_call" || name == "int8_image_pending") {
      CHECK(r.refusals.empty());
      CHECK(r.done >= 8);
    }
  }
}

TEST_CASE("fuzz corpus: every C API call sequence that once broke the library is now answered as the header says") {
  for (const std::filesystem::path& p : test::fuzz_files("tests/fuzz/regressions/c_api")) {
    CAPTURE(p.filename().string());
    replay(p);
  }
}

}  // namespace
}  // namespace incept
