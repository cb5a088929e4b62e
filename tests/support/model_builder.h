// SPDX-License-Identifier: Apache-2.0
// Builds incept model files in memory for tests, with the same layout incept-convert writes:
// a size-prefixed FlatBuffer ("INCP"), then weights at 64-byte aligned offsets. Nothing is
// validated here on purpose: tests use it to write broken files (bad indices, dims, sizes) too.
//
//   test::ModelBuilder b;
//   int x = b.tensor("x", {1, 8, 8, 3});
//   int w = b.constant("w", {4, 3, 3, 3}, weights);
//   int y = b.tensor("y", {1, 8, 8, 4});
//   b.conv2d("conv", x, w, -1, y, {3, 3}, {1, 1}, {1, 1, 1, 1});
//   std::vector<uint8_t> bytes = b.finish({x}, {y});
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/op_types.h"
#include "incept/status.h"

namespace incept::fb {
enum class OpOptions : uint8_t;
}

namespace incept::test {

class ModelBuilder {
 public:
  // An activation (no data).
  int tensor(const std::string& name, std::vector<int32_t> shape);
  // A constant with data; `buffer_bytes_override` >= 0 stores a different Buffer.size (broken files).
  int constant(const std::string& name, std::vector<int32_t> shape, std::vector<float> data,
               int64_t buffer_bytes_override = -1);
  // A constant stored as `dtype` (0 FLOAT32, 1 FLOAT16, 2 INT8, 3 UINT8; any byte for broken files) whose buffer
  // holds `bytes` as given. INT8 weights also need set_scales().
  int constant_bytes(const std::string& name, std::vector<int32_t> shape, int dtype, std::vector<uint8_t> bytes);
  // Tensor fields as narrow (or broken) files have them.
  void set_dtype(int tensor, int dtype);
  void set_scales(int tensor, std::vector<float> scales);
  // An 8-bit activation's QuantParams (any values, for broken files too).
  void set_quant(int tensor, float scale, int32_t zero_point);
  // A tensor pointing at an arbitrary buffer index (broken files).
  int tensor_with_buffer(const std::string& name, std::vector<int32_t> shape, int32_t buffer);

  // b: bias tensor, -1 to write an absent (-1) bias index, -2 to leave the bias input out.
  void conv2d(const std::string& name, int in, int w, int b, int out, ops::Size2D kernel, ops::Size2D stride,
              ops::Pad2D pad, ops::Activation act = ops::Activation::kNone, int32_t groups = 1,
              ops::Size2D dilation = {1, 1});
  void max_pool2d(const std::string& name, int in, int out, ops::Size2D kernel, ops::Size2D stride, ops::Pad2D pad,
                  bool ceil_mode = false);
  void avg_pool2d(const std::string& name, int in, int out, ops::Size2D kernel, ops::Size2D stride, ops::Pad2D pad,
                  bool count_include_pad = true, bool ceil_mode = false);
  void concat(const std::string& name, std::vector<int> ins, int out, int32_t axis = 3);
  void global_avg_pool(const std::string& name, int in, int out);
  void fully_connected(const std::string& name, int in, int w, int b, int out,
                       ops::Activation act = ops::Activation::kNone);
  void softmax(const std::string& name, int in, int out, float beta = 1.0f);
  void add(const std::string& name, int a, int b, int out, ops::Activation act = ops::Activation::kNone);
  void lrn(const std::string& name, int in, int out, int32_t size, float alpha = 1e-4f, float beta = 0.75f,
           float bias = 1.0f);
  // An op with no options table at all (broken files).
  void op_without_options(const std::string& name, std::vector<int> ins, int out);
  // An op whose OpOptions type `type` is past the last member this build knows, with an empty options
  // table: what an op added to a newer schema looks like to this runtime.
  void op_of_unknown_type(const std::string& name, std::vector<int> ins, int out, uint8_t type);

  void set_version(uint32_t v) { version_ = v; }
  // The preprocessing's channel order (RGB unless set): BGR models read a pixel's bytes the other way round.
  void set_bgr(bool bgr) { bgr_ = bgr; }
  // Model bytes. `data` in each buffer is placed after the FlatBuffer at 64-byte aligned offsets.
  std::vector<uint8_t> finish(std::vector<int> inputs, std::vector<int> outputs) const;

 private:
  struct TensorDef {
    std::string name;
    std::vector<int32_t> shape;
    int32_t buffer = -1;
    int dtype = 0;
    bool has_scales = false;
    std::vector<float> scales = {};
    bool has_quant = false;
    float quant_scale = 0.0f;
    int32_t zero_point = 0;
  };
  struct BufferDef {
    std::vector<uint8_t> data;
    int64_t bytes_override = -1;
  };
  struct OpDef {
    std::string name;
    int kind = 0;  // fb::OpOptions value, 0 = none
    std::vector<int> inputs;
    int out = -1;
    ops::Size2D kernel, stride, dilation;
    ops::Pad2D pad;
    ops::Activation act = ops::Activation::kNone;
    int32_t groups = 1, axis = 3;
    bool ceil_mode = false, count_include_pad = true;
    float beta = 1.0f;
    int32_t lrn_size = 0;
    float alpha = 0.0f, bias = 0.0f;  // LRN (beta above is shared with Softmax)
  };
  OpDef& add_op(const std::string& name, fb::OpOptions kind, std::vector<int> inputs, int out);
  std::vector<uint8_t> build(uint64_t data_start, std::vector<uint64_t>* offsets, const std::vector<int>& inputs,
                             const std::vector<int>& outputs) const;

  std::vector<TensorDef> tensors_;
  std::vector<BufferDef> buffers_;
  std::vector<OpDef> ops_;
  uint32_t version_ = 1;
  bool bgr_ = false;
};

// Bytes in a 64-byte aligned heap block (Model::from_bytes reads weights in place).
class AlignedBytes {
 public:
  explicit AlignedBytes(const std::vector<uint8_t>& bytes);
  ~AlignedBytes();
  AlignedBytes(const AlignedBytes&) = delete;
  AlignedBytes& operator=(const AlignedBytes&) = delete;
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }

 private:
  uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// Loads `bytes` (copied to aligned memory) and prepares an interpreter with default options: the first
// error either step reports, or ok. What the loader tests feed every broken file through.
incept::Status load_and_prepare(const std::vector<uint8_t>& bytes);

}  // namespace incept::test
