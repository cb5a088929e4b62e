// SPDX-License-Identifier: Apache-2.0
// One parse step per op: a schema Operator becomes an OpNode with plain params, every nullable field
// and range checked. Forward-declares the generated types so only loader .cc files include them.
#pragma once

#include <cstdint>

#include "loader/graph.h"

namespace incept::fb {
struct Operator;
}

namespace incept::detail {

// `d` holds the already-verified tensors (indices are checked against it).
[[nodiscard]] Status parse_operator(const fb::Operator& op, uint32_t index, const ModelData& d, OpNode* out);

}  // namespace incept::detail
