// SPDX-License-Identifier: Apache-2.0
// The committed fuzz inputs as the corpus replay tests read them: tests/fuzz/corpus/<target> (seeds) and
// tests/fuzz/regressions/<target> (every input that once broke something).
#pragma once

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace incept::test {

// The files in `folder` (relative to the source tree), sorted; none when it does not exist (git keeps no
// empty folder: a target without findings has no regressions folder in a clone).
inline std::vector<std::filesystem::path> fuzz_files(const std::string& folder) {
  namespace fs = std::filesystem;
  std::vector<fs::path> out;
  const fs::path dir = fs::path(INCEPT_SOURCE_DIR) / folder;
  if (!fs::is_directory(dir)) return out;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() != ".md") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

inline std::vector<uint8_t> fuzz_file_bytes(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

// The report as text for a test's message: what worked, what was refused and why, what broke.
inline std::string describe(const std::string& name, int done, const std::vector<std::string>& refusals,
                            const std::vector<std::string>& broken) {
  std::string s = name + ": " + std::to_string(done) + " steps worked";
  for (const std::string& r : refusals) s += "\n  refused: " + r;
  for (const std::string& b : broken) s += "\n  BROKEN: " + b;
  return s;
}

}  // namespace incept::test
