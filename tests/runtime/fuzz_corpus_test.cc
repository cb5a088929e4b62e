// SPDX-License-Identifier: Apache-2.0
// Replays the fuzzer's committed inputs through the fuzz harness in every build (release, ASan+UBSan):
// the seed models in tests/fuzz/corpus/model must load, prepare and run on every backend; each file in
// tests/fuzz/regressions/model once crashed (or leaked, or hung) the runtime and must now be handled: refused with
// a message that says why, or run. The folder must not be empty.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "incept/incept.h"
#include "support/fuzz_harness.h"
#include "support/isa.h"
#include "support/model_builder.h"

namespace incept {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> files_in(const char* folder) {
  std::vector<fs::path> out;
  const fs::path dir = fs::path(INCEPT_SOURCE_DIR) / folder;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() != ".md") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<uint8_t> read_file(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

TEST_CASE("fuzz corpus: every seed model loads, prepares and runs on every backend") {
  const std::vector<fs::path> seeds = files_in("tests/fuzz/corpus/model");
  REQUIRE(seeds.size() >= 5);
  std::set<std::string> winograd;
  for (const fs::path& p : seeds) {
    CAPTURE(p.filename().string());
    const std::vector<uint8_t> bytes = read_file(p);
    REQUIRE(!bytes.empty());
    const test::FuzzOutcome o = test::fuzz_one_model(bytes.data(), bytes.size());
    CHECK(o.loaded);
    CHECK(o.prepared == test::fuzz_configurations());
    CHECK(o.invoked == test::fuzz_configurations());
    winograd.insert(o.winograd.begin(), o.winograd.end());
  }
  // The seeds take every Winograd variant (where this CPU has native kernels), so the fuzzer mutates
  // files whose convs run on each of them.
  if (test::cpu_runs_native_kernels()) {
    CHECK(winograd == std::set<std::string>{"f1x2k1x7", "f1x4k1x3", "f2x1k7x1", "f2x2k3x3", "f4x1k3x1", "f4x4k3x3"});
  } else {
    MESSAGE("skipped: the Winograd variants of the seeds (this CPU has no ISA our kernels are built for)");
  }
}

TEST_CASE("fuzz corpus: every input that once broke the runtime is now handled: refused by name, or run") {
  const std::vector<fs::path> regressions = files_in("tests/fuzz/regressions/model");
  REQUIRE_MESSAGE(!regressions.empty(), "tests/fuzz/regressions/model holds no input: nothing would be replayed");
  for (const fs::path& p : regressions) {
    CAPTURE(p.filename().string());
    const std::vector<uint8_t> bytes = read_file(p);
    REQUIRE(!bytes.empty());
    // No crash, leak or UB (the sanitizer builds judge those), and every step either worked or said why.
    const test::FuzzOutcome o = test::fuzz_one_model(bytes.data(), bytes.size());
    std::string refusals;
    for (const std::string& r : o.refusals) refusals += "\n  " + r;
    MESSAGE(p.filename().string() << ": " << std::string(o.loaded ? "loaded" : "refused at load") << ", prepared "
                                  << o.prepared << " and invoked " << o.invoked << " of " << test::fuzz_configurations()
                                  << " configurations" << refusals);
    CHECK(o.unexplained == 0);
  }
}

TEST_CASE("fuzz regression: a buffer table at a 4-byte (not 8-byte) aligned offset is refused by name") {
  // Found by the fuzzer: the FlatBuffers verifier checks vectors for 4-byte alignment only, and the
  // loader then read Buffer's 64-bit fields from a misaligned address (UBSan: misaligned member call).
  const std::vector<uint8_t> bytes =
      read_file(fs::path(INCEPT_SOURCE_DIR) / "tests/fuzz/regressions/model/misaligned-buffer-table.incept");
  REQUIRE(!bytes.empty());
  test::AlignedBytes a(bytes);
  Result<Model> m = Model::from_bytes(a.data(), a.size());
  REQUIRE(!m.ok());
  CHECK(m.status().code() == StatusCode::kInvalidModel);
  CHECK(std::string(m.status().message()).find("buffer table at file offset") != std::string::npos);
  CHECK(std::string(m.status().message()).find("is not 8-byte aligned") != std::string::npos);
}

}  // namespace
}  // namespace incept
