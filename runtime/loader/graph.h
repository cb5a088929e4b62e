// SPDX-License-Identifier: Apache-2.0
// The verified, schema-free form of a model: what the loader produces and the interpreter consumes.
// Every index here has been range-checked, every shape has positive dims and an overflow-checked
// byte size, and every constant's data pointer covers exactly its bytes inside the file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "incept/model.h"
#include "incept/shape.h"
#include "op_registry.h"

namespace incept::detail {

// The op list lives in ops/ (op_registry.h); the graph refers to it.
using ops::OpKind;
using ops::OpParams;
const char* op_kind_name(OpKind kind);  // "Conv2D", ...

// How a tensor's elements are stored in the file (schema DType). Constants may be float32, float16 or int8
// (per-channel scales); activations float32, or 8-bit (int8, uint8) with one QuantParams for the tensor.
enum class Storage : uint8_t { kFloat32 = 0, kFloat16 = 1, kInt8 = 2, kUInt8 = 3 };
const char* storage_name(Storage s);  // "float32", "float16", "int8", "uint8"

// An 8-bit activation's quantisation: real = scale * (q - zero_point).
struct QuantParams {
  float scale = 0.0f;                           // finite and > 0 (the loader checked)
  int32_t zero_point = 0;                       // in the storage type's range
  bool operator==(const QuantParams& o) const;  // bit for bit (what free concat requires)
};

struct TensorInfo {
  std::string name;   // as the file holds it (the API returns this)
  std::string shown;  // escape_bytes(name): what messages print
  Shape shape;
  int64_t num_elements = 0;
  Storage storage = Storage::kFloat32;
  const uint8_t* raw = nullptr;   // constants (weights): their bytes in the file; nullptr for activations
  size_t raw_bytes = 0;           // num_elements x 4, 2 or 1
  const float* data = nullptr;    // float32 constants: raw, read in place; nullptr otherwise (expand_weights)
  const float* scales = nullptr;  // int8 constants: shape[0] scales, finite and > 0 (in the file)
  QuantParams quant;              // 8-bit activations; zero for float32 ones and constants
  bool is_8bit_activation() const { return raw == nullptr && storage != Storage::kFloat32; }
  bool is_constant() const { return raw != nullptr; }
};

// A narrow constant (float16, int8) as float32 into out[num_elements]; the same values the converter's
// reader gives (one rounding-free widening, or one float multiply q * scale).
void expand_weights(const TensorInfo& t, float* out);

struct OpNode {
  OpKind kind = OpKind::kConv2D;
  std::string name;
  std::string label;        // "node 41 'Mixed_5b/branch_pool' (AvgPool2D)" for messages (name escaped)
  std::vector<int> inputs;  // -1 = absent optional input
  std::vector<int> outputs;
  OpParams params;
};

struct ModelData {
  // Backing storage: either an mmap'ed file (unmapped in the destructor) or caller bytes.
  const uint8_t* bytes = nullptr;
  size_t size = 0;
  void* mapping = nullptr;
  size_t mapping_size = 0;

  std::vector<TensorInfo> tensors;
  std::vector<OpNode> ops;  // execution order
  std::vector<int> inputs, outputs;
  size_t weights_bytes = 0;

  std::string architecture, producer;
  int input_height = 0, input_width = 0;
  float mean[3] = {0.0f, 0.0f, 0.0f};
  float std_dev[3] = {1.0f, 1.0f, 1.0f};
  ChannelOrder channel_order = ChannelOrder::kRgb;
  std::vector<std::string> labels;

  ModelData() = default;
  ModelData(const ModelData&) = delete;
  ModelData& operator=(const ModelData&) = delete;
  ~ModelData();
};

// Unmaps a mapping made by Model::from_file (no-op for nullptr).
void release_mapping(void* mapping, size_t size);

// Tells the OS that [data, data + bytes) of a file-mapped model will not be read again (kernels
// repacked it), so its pages leave the resident set; they would fault back in from the file if read.
// No-op for models loaded from caller bytes.
void release_pages(const ModelData& d, const void* data, size_t bytes);

// Parses and verifies `bytes` (which must stay valid) into `out`. The fixed order of checks is in loader.cc.
// The alignment Model::from_bytes asks of its bytes: the widest field read in place (Buffer's uint64s).
constexpr size_t kModelAlignment = 8;

[[nodiscard]] Status load_model(const uint8_t* bytes, size_t size, const LoadOptions& options, ModelData* out);

}  // namespace incept::detail
