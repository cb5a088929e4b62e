// SPDX-License-Identifier: Apache-2.0
// Writes the model fuzzer's seed models (tests/support/seed_models.h) into a folder:
//   build/fuzz/bin/incept_fuzz_seeds tests/fuzz/corpus/model
// scripts/fuzz.sh --seeds runs it (with tests/tools/tinynet.py's converter-made model beside them).
#include <cstdio>
#include <string>
#include <vector>

#include "support/seed_models.h"

namespace {

bool write(const std::string& path, const std::vector<uint8_t>& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  return std::fclose(f) == 0 && ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DIR\n", argv[0]);
    return 2;
  }
  const std::string dir = argv[1];
  for (const incept::test::SeedModel& s : incept::test::seed_models()) {
    if (!write(dir + "/" + s.name, s.bytes)) {
      std::fprintf(stderr, "%s: cannot write %s/%s\n", argv[0], dir.c_str(), s.name.c_str());
      return 1;
    }
    std::printf("%s/%s (%zu bytes)\n", dir.c_str(), s.name.c_str(), s.bytes.size());
  }
  return 0;
}
