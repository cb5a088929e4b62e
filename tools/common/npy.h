// SPDX-License-Identifier: Apache-2.0
// Minimal .npy (NumPy format 1.0/2.0/3.0) reader and writer for little-endian float32 C-order arrays,
// the way PyTorch users hold tensors (np.save(t.numpy())).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "incept/status.h"

namespace incept::tools {

struct NpyArray {
  std::vector<int64_t> shape;
  std::vector<float> data;
};

[[nodiscard]] Status read_npy(const std::string& path, NpyArray* out);
// read_npy over a file's bytes already in memory; `path` only names the file in messages.
[[nodiscard]] Status parse_npy(const std::string& bytes, const std::string& path, NpyArray* out);
[[nodiscard]] Status write_npy(const std::string& path, const std::vector<int64_t>& shape, const float* data);

}  // namespace incept::tools
