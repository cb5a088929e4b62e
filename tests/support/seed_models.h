// SPDX-License-Identifier: Apache-2.0
// The model fuzzer's seed models (tests/fuzz/corpus/model): small, valid, covering every op kind and option.
// incept_fuzz_seeds writes them (tests/fuzz/write_seeds.cc); the npy and C API fuzz targets build some of
// them in memory, so those targets drive real models without reading files.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace incept::test {

struct SeedModel {
  std::string name;  // its file name in tests/fuzz/corpus/model
  std::vector<uint8_t> bytes;
};

// Every seed the writer makes, in a fixed order (tests/fuzz/corpus/model also holds converted_tinynet.incept,
// which the converter writes).
std::vector<SeedModel> seed_models();

// One by name ("tiny_inception.incept", "quantised_inception.incept", ...); empty bytes if there is none.
std::vector<uint8_t> seed_model(const std::string& name);

}  // namespace incept::test
