// SPDX-License-Identifier: Apache-2.0
// A loaded, fully verified model file. Immutable after load; share one Model between interpreters.
// LoadOptions caps what a file may ask for (tensors, ops, weight bytes); InterpreterOptions caps the arena.
//
//   incept::Result<incept::Model> model = incept::Model::from_file("inception_v3.incept");
//   if (!model.ok()) { fprintf(stderr, "%s\n", model.status().message()); return 1; }
//   printf("%s, input %dx%d\n", incept::escape_bytes(model->architecture()).c_str(), model->input_height(),
//          model->input_width());
//
// Loading checks, in this order: size, file identifier "INCP", format version, the FlatBuffers
// verifier, then semantics (indices, shapes, byte sizes, op options, producers before consumers).
// A file that passes is safe to prepare; a file that fails yields kInvalidModel with a message
// that says what, where, the value found and the rule (file strings in it escaped, incept/text.h).
// Names, labels and metadata are returned as the file stores them (up to a NUL): any bytes. Escape them
// (incept::escape_bytes) before printing or logging them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "incept/shape.h"
#include "incept/status.h"
#include "incept/text.h"

namespace incept {

// The newest file format this runtime reads (schema/model.fbs, Model.version).
inline constexpr uint32_t kFormatVersion = 1;

namespace detail {
struct ModelData;
}

enum class ChannelOrder : uint8_t { kRgb = 0, kBgr = 1 };

// Caps a model must fit under to load; a file over one is refused (kInvalidModel, naming the need and
// the cap) before anything that grows with it is allocated.
struct LoadOptions {
  uint32_t max_tensors = 1u << 20;
  uint32_t max_ops = 1u << 20;
  uint64_t max_weights_bytes = uint64_t{4} << 30;  // sum of all weight buffers
};

class Model {
 public:
  // Maps the file read-only (mmap); weights are read in place from the mapping.
  static Result<Model> from_file(const char* path, const LoadOptions& options = LoadOptions());
  // Uses `data` in place: the caller keeps it alive and unchanged for the Model's lifetime.
  // `data` must be 8-byte aligned (64 gives kernels aligned weights).
  static Result<Model> from_bytes(const void* data, size_t size, const LoadOptions& options = LoadOptions());

  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  ~Model();

  int num_inputs() const;
  int num_outputs() const;
  const char* input_name(int i) const;
  const char* output_name(int i) const;
  Shape input_shape(int i) const;
  Shape output_shape(int i) const;
  int num_ops() const;
  int num_tensors() const;
  // Bytes of weight data the model holds (read in place from the file).
  size_t weights_bytes() const;

  // Metadata written by the converter ("" / empty when absent).
  const char* architecture() const;
  const char* producer() const;
  int input_height() const;
  int input_width() const;
  // Per-channel preprocessing: x = (pixel / 255 - mean[c]) / std[c]. Three values each.
  const float* mean() const;
  const float* std_dev() const;
  ChannelOrder channel_order() const;
  int num_labels() const;
  const char* label(int i) const;  // "" when out of range

  // Internal: the parsed graph (runtime/loader/graph.h).
  const detail::ModelData& data() const { return *data_; }

 private:
  explicit Model(std::unique_ptr<detail::ModelData> d);
  std::unique_ptr<detail::ModelData> data_;
};

}  // namespace incept
