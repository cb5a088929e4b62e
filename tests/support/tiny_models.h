// SPDX-License-Identifier: Apache-2.0
// Small valid models for runtime tests: an Inception-style module with every op kind.
#pragma once

#include <cstdint>
#include <vector>

#include "support/model_builder.h"
#include "support/test_util.h"

namespace incept::test {

// input [1,10,10,3] -> stem 3x3 conv (relu) [1,10,10,8] -> four branches joined by a channel concat
// (1x1; 1x1 -> 3x3; 1x1 -> 1x3 and 3x1 in a nested concat; 3x3 max pool -> 1x1) -> [1,10,10,19]
// -> 3x3 s2 max pool (ceil) [1,5,5,19] -> avg pool 3x3 s1 p1 -> add(pool, avg) relu -> global avg
// pool [1,19] -> fully connected [1,10] -> softmax. Weights are seeded random.
struct TinyInception {
  ModelBuilder builder;
  int input = -1, logits = -1, probs = -1;
  explicit TinyInception(uint64_t seed);
  std::vector<uint8_t> bytes() const { return builder.finish({input}, {probs}); }
};

}  // namespace incept::test
