// SPDX-License-Identifier: Apache-2.0
// libFuzzer target: a model file goes through load -> plan -> prepare -> invoke on every backend
// (tests/support/fuzz_harness.h). Built by the `fuzz` preset (clang, -fsanitize=fuzzer,address,
// undefined); run by scripts/fuzz.sh.
//
// The custom mutator knows the file's layout: [u32 size prefix][FlatBuffer][64-aligned weights].
// Random byte edits mostly break the FlatBuffer verifier, so half of the mutations keep the layout
// and change one aligned scalar inside the FlatBuffer (offsets, counts, dims, strides, indices) to a
// value that is interesting to a loader, or one weight to a special float; the rest are libFuzzer's
// own mutations, after which the size prefix is re-pointed at the file's FlatBuffer part when the
// edit changed the length.
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>

#include "support/fuzz_harness.h"

extern "C" size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace {

// splitmix64 over the seed libFuzzer hands us: mutations reproduce from the seed alone.
struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
  }
  uint32_t below(uint32_t n) { return static_cast<uint32_t>(next() % n); }
};

uint32_t read_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
void write_u32(uint8_t* p, uint32_t v) { std::memcpy(p, &v, 4); }

// Bytes covered by the size prefix (the FlatBuffer part), or 0 if the prefix does not fit.
size_t flatbuffer_bytes(const uint8_t* data, size_t size) {
  if (size < 8) return 0;
  const uint32_t fb = read_u32(data);
  return fb <= size - 4 ? fb : 0;
}

// One aligned 32-bit scalar inside the FlatBuffer becomes a loader-interesting value.
void mutate_scalar(uint8_t* data, size_t fb_bytes, Rng& rng) {
  const size_t words = fb_bytes / 4;
  if (words < 2) return;
  uint8_t* p = data + 4 + 4 * (1 + rng.below(static_cast<uint32_t>(words - 1)));  // keep the root offset
  const uint32_t old = read_u32(p);
  const uint32_t other = read_u32(data + 4 + 4 * rng.below(static_cast<uint32_t>(words)));
  const uint32_t choices[] = {0u,      1u,       2u,          3u,          4u,
                              7u,      64u,      0xffffffffu, 0x7fffffffu, 0x80000000u,
                              0xffffu, 0x10000u, old + 1,     old - 1,     old + 4,
                              old - 4, old * 2,  old / 2,     other,       old ^ (1u << rng.below(32))};
  write_u32(p, choices[rng.below(sizeof(choices) / sizeof(choices[0]))]);
}

// One weight (aligned float after the FlatBuffer) becomes a special value.
void mutate_weight(uint8_t* data, size_t size, size_t fb_bytes, Rng& rng) {
  const size_t first = (4 + fb_bytes + 3) / 4, last = size / 4;
  if (last <= first) return;
  const float choices[] = {std::numeric_limits<float>::quiet_NaN(),
                           std::numeric_limits<float>::infinity(),
                           -std::numeric_limits<float>::infinity(),
                           std::numeric_limits<float>::denorm_min(),
                           std::numeric_limits<float>::max(),
                           -0.0f,
                           1e20f,
                           -1e20f};
  const float v = choices[rng.below(sizeof(choices) / sizeof(choices[0]))];
  std::memcpy(data + 4 * (first + rng.below(static_cast<uint32_t>(last - first))), &v, 4);
}

}  // namespace

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned int seed) {
  Rng rng{seed};
  const size_t fb = flatbuffer_bytes(data, size);
  const uint32_t pick = rng.below(8);
  if (fb > 0 && pick < 3) {
    mutate_scalar(data, fb, rng);
    return size;
  }
  if (fb > 0 && pick == 3) {
    mutate_weight(data, size, fb, rng);
    return size;
  }
  const size_t new_size = LLVMFuzzerMutate(data, size, max_size);
  // A length change inside the FlatBuffer part moves its end: follow it, so the file is still
  // read as prefix + FlatBuffer + weights and the verifier (not the size check) sees the edit.
  if (fb > 0 && new_size != size && new_size >= 8 && rng.below(2) == 0) {
    const int64_t moved = static_cast<int64_t>(fb) + static_cast<int64_t>(new_size) - static_cast<int64_t>(size);
    if (moved >= 8 && static_cast<uint64_t>(moved) <= new_size - 4) write_u32(data, static_cast<uint32_t>(moved));
  }
  return new_size;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  incept::test::fuzz_one_model(data, size);
  return 0;
}
