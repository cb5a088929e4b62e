// SPDX-License-Identifier: Apache-2.0
// Replays the npy and image fuzz targets' committed inputs (tests/fuzz/corpus/<target>,
// tests/fuzz/regressions/<target>) through their bodies (tests/support/{npy,image}_fuzz.h) in every build
// that has the tools: each must be handled without a crash, leak or UB (the sanitizer build judges those),
// every refusal a one-line message, no broken promise; and the well-formed seeds must go all the way.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "support/fuzz_files.h"
#include "support/image_fuzz.h"
#include "support/npy_fuzz.h"

namespace incept {
namespace {

using Body = test::FuzzReport (*)(const uint8_t*, size_t);

test::FuzzReport replay(Body body, const std::filesystem::path& p) {
  const std::vector<uint8_t> bytes = test::fuzz_file_bytes(p);
  const test::FuzzReport r = body(bytes.data(), bytes.size());
  MESSAGE(test::describe(p.filename().string(), r.done, r.refusals, r.broken));
  CHECK(r.unexplained == 0);
  CHECK(r.broken.empty());
  return r;
}

TEST_CASE("fuzz corpus: every npy seed is read as incept-run reads it, the well-formed ones into the input") {
  const std::vector<std::filesystem::path> seeds = test::fuzz_files("tests/fuzz/corpus/npy");
  REQUIRE(seeds.size() >= 10);
  const std::set<std::string> well_formed = {"tiny_nchw_auto.npy", "tiny_nhwc_asked.npy", "quant_nchw_v2.npy",
                                             "quant_nhwc_v3.npy",  "square_nchw.npy",     "flat.npy"};
  int accepted = 0;
  for (const std::filesystem::path& p : seeds) {
    CAPTURE(p.filename().string());
    const test::FuzzReport r = replay(&test::fuzz_one_npy, p);
    if (well_formed.count(p.filename().string()) != 0) {
      CHECK(r.refusals.empty());
      accepted += r.refusals.empty() ? 1 : 0;
    } else {
      CHECK(!r.refusals.empty());  // the others are there to be refused, each for its own reason
    }
  }
  CHECK(accepted == static_cast<int>(well_formed.size()));
}

TEST_CASE("fuzz corpus: every image seed decodes and becomes a finite model input") {
  const std::vector<std::filesystem::path> seeds = test::fuzz_files("tests/fuzz/corpus/image");
  REQUIRE(seeds.size() >= 10);
  for (const std::filesystem::path& p : seeds) {
    CAPTURE(p.filename().string());
    const test::FuzzReport r = replay(&test::fuzz_one_image, p);
    CHECK(r.refusals.empty());
    CHECK(r.done == 2);
  }
}

TEST_CASE("fuzz corpus: every npy or image input that once broke a tool is now refused by name, or read") {
  for (const std::filesystem::path& p : test::fuzz_files("tests/fuzz/regressions/npy")) {
    CAPTURE(p.filename().string());
    replay(&test::fuzz_one_npy, p);
  }
  for (const std::filesystem::path& p : test::fuzz_files("tests/fuzz/regressions/image")) {
    CAPTURE(p.filename().string());
    replay(&test::fuzz_one_image, p);
  }
}

}  // namespace
}  // namespace incept
