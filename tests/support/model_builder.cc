// SPDX-License-Identifier: Apache-2.0
#include "support/model_builder.h"

#include <cstdlib>
#include <cstring>

#include "incept/incept.h"
#include "incept/schema/model_generated.h"

namespace incept::test {
namespace {

fb::Activation to_fb(ops::Activation a) {
  return a == ops::Activation::kRelu ? fb::Activation::RELU : fb::Activation::NONE;
}
fb::Size2D to_fb(ops::Size2D s) { return fb::Size2D(s.h, s.w); }
fb::Pad2D to_fb(ops::Pad2D p) { return fb::Pad2D(p.top, p.bottom, p.left, p.right); }

}  // namespace

ModelBuilder::OpDef& ModelBuilder::add_op(const std::string& name, fb::OpOptions kind, std::vector<int> inputs,
                                          int out) {
  OpDef op;
  op.name = name;
  op.kind = static_cast<int>(kind);
  op.inputs = std::move(inputs);
  op.out = out;
  ops_.push_back(std::move(op));
  return ops_.back();
}

int ModelBuilder::tensor(const std::string& name, std::vector<int32_t> shape) {
  tensors_.push_back({name, std::move(shape), -1});
  return static_cast<int>(tensors_.size()) - 1;
}

int ModelBuilder::constant(const std::string& name, std::vector<int32_t> shape, std::vector<float> data,
                           int64_t buffer_bytes_override) {
  std::vector<uint8_t> bytes(data.size() * sizeof(float));
  if (!data.empty()) std::memcpy(bytes.data(), data.data(), bytes.size());
  buffers_.push_back({std::move(bytes), buffer_bytes_override});
  tensors_.push_back({name, std::move(shape), static_cast<int32_t>(buffers_.size()) - 1});
  return static_cast<int>(tensors_.size()) - 1;
}

int ModelBuilder::constant_bytes(const std::string& name, std::vector<int32_t> shape, int dtype,
                                 std::vector<uint8_t> bytes) {
  buffers_.push_back({std::move(bytes), -1});
  tensors_.push_back({name, std::move(shape), static_cast<int32_t>(buffers_.size()) - 1, dtype});
  return static_cast<int>(tensors_.size()) - 1;
}

void ModelBuilder::set_dtype(int tensor, int dtype) { tensors_[tensor].dtype = dtype; }

void ModelBuilder::set_scales(int tensor, std::vector<float> scales) {
  tensors_[tensor].has_scales = true;
  tensors_[tensor].scales = std::move(scales);
}

void ModelBuilder::set_quant(int tensor, float scale, int32_t zero_point) {
  tensors_[tensor].has_quant = true;
  tensors_[tensor].quant_scale = scale;
  tensors_[tensor].zero_point = zero_point;
}

int ModelBuilder::tensor_with_buffer(const std::string& name, std::vector<int32_t> shape, int32_t buffer) {
  tensors_.push_back({name, std::move(shape), buffer});
  return static_cast<int>(tensors_.size()) - 1;
}

void ModelBuilder::conv2d(const std::string& name, int in, int w, int b, int out, ops::Size2D kernel,
                          ops::Size2D stride, ops::Pad2D pad, ops::Activation act, int32_t groups,
                          ops::Size2D dilation) {
  OpDef& op = add_op(name, fb::OpOptions::Conv2DOptions, {in, w}, out);
  if (b != -2) op.inputs.push_back(b);
  op.kernel = kernel;
  op.stride = stride;
  op.pad = pad;
  op.act = act;
  op.groups = groups;
  op.dilation = dilation;
}

void ModelBuilder::max_pool2d(const std::string& name, int in, int out, ops::Size2D kernel, ops::Size2D stride,
                              ops::Pad2D pad, bool ceil_mode) {
  OpDef& op = add_op(name, fb::OpOptions::MaxPool2DOptions, {in}, out);
  op.kernel = kernel;
  op.stride = stride;
  op.pad = pad;
  op.ceil_mode = ceil_mode;
}

void ModelBuilder::avg_pool2d(const std::string& name, int in, int out, ops::Size2D kernel, ops::Size2D stride,
                              ops::Pad2D pad, bool count_include_pad, bool ceil_mode) {
  OpDef& op = add_op(name, fb::OpOptions::AvgPool2DOptions, {in}, out);
  op.kernel = kernel;
  op.stride = stride;
  op.pad = pad;
  op.count_include_pad = count_include_pad;
  op.ceil_mode = ceil_mode;
}

void ModelBuilder::concat(const std::string& name, std::vector<int> ins, int out, int32_t axis) {
  OpDef& op = add_op(name, fb::OpOptions::ConcatOptions, std::move(ins), out);
  op.axis = axis;
}

void ModelBuilder::global_avg_pool(const std::string& name, int in, int out) {
  add_op(name, fb::OpOptions::GlobalAvgPoolOptions, {in}, out);
}

void ModelBuilder::fully_connected(const std::string& name, int in, int w, int b, int out, ops::Activation act) {
  OpDef& op = add_op(name, fb::OpOptions::FullyConnectedOptions, {in, w}, out);
  if (b != -2) op.inputs.push_back(b);
  op.act = act;
}

void ModelBuilder::softmax(const std::string& name, int in, int out, float beta) {
  OpDef& op = add_op(name, fb::OpOptions::SoftmaxOptions, {in}, out);
  op.beta = beta;
}

void ModelBuilder::add(const std::string& name, int a, int b, int out, ops::Activation act) {
  OpDef& op = add_op(name, fb::OpOptions::AddOptions, {a, b}, out);
  op.act = act;
}

void ModelBuilder::lrn(const std::string& name, int in, int out, int32_t size, float alpha, float beta, float bias) {
  OpDef& op = add_op(name, fb::OpOptions::LRNOptions, {in}, out);
  op.lrn_size = size;
  op.alpha = alpha;
  op.beta = beta;
  op.bias = bias;
}

void ModelBuilder::op_without_options(const std::string& name, std::vector<int> ins, int out) {
  add_op(name, fb::OpOptions::NONE, std::move(ins), out);
}

void ModelBuilder::op_of_unknown_type(const std::string& name, std::vector<int> ins, int out, uint8_t type) {
  add_op(name, static_cast<fb::OpOptions>(type), std::move(ins), out);
}

std::vector<uint8_t> ModelBuilder::build(uint64_t data_start, std::vector<uint64_t>* offsets,
                                         const std::vector<int>& inputs, const std::vector<int>& outputs) const {
  flatbuffers::FlatBufferBuilder fbb;
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors;
  for (const TensorDef& t : tensors_) {
    const fb::QuantParams quant(t.quant_scale, t.zero_point);
    tensors.push_back(fb::CreateTensorDirect(fbb, t.name.c_str(), &t.shape, static_cast<fb::DType>(t.dtype), t.buffer,
                                             t.has_scales ? &t.scales : nullptr, t.has_quant ? &quant : nullptr));
  }
  std::vector<fb::Buffer> buffers;
  offsets->clear();
  uint64_t at = data_start;
  for (const BufferDef& b : buffers_) {
    const uint64_t bytes = b.data.size();
    offsets->push_back(at);
    buffers.emplace_back(at, b.bytes_override >= 0 ? static_cast<uint64_t>(b.bytes_override) : bytes);
    at += (bytes + 63) / 64 * 64;
  }
  std::vector<flatbuffers::Offset<fb::Operator>> ops;
  for (const OpDef& o : ops_) {
    flatbuffers::Offset<void> options;
    const fb::Size2D k = to_fb(o.kernel), s = to_fb(o.stride), d = to_fb(o.dilation);
    const fb::Pad2D p = to_fb(o.pad);
    switch (static_cast<fb::OpOptions>(o.kind)) {
      case fb::OpOptions::Conv2DOptions:
        options = fb::CreateConv2DOptions(fbb, &k, &s, &p, &d, o.groups, to_fb(o.act)).Union();
        break;
      case fb::OpOptions::MaxPool2DOptions:
        options = fb::CreateMaxPool2DOptions(fbb, &k, &s, &p, o.ceil_mode, to_fb(o.act)).Union();
        break;
      case fb::OpOptions::AvgPool2DOptions:
        options = fb::CreateAvgPool2DOptions(fbb, &k, &s, &p, o.ceil_mode, o.count_include_pad, to_fb(o.act)).Union();
        break;
      case fb::OpOptions::ConcatOptions: options = fb::CreateConcatOptions(fbb, o.axis).Union(); break;
      case fb::OpOptions::GlobalAvgPoolOptions: options = fb::CreateGlobalAvgPoolOptions(fbb).Union(); break;
      case fb::OpOptions::FullyConnectedOptions:
        options = fb::CreateFullyConnectedOptions(fbb, to_fb(o.act)).Union();
        break;
      case fb::OpOptions::SoftmaxOptions: options = fb::CreateSoftmaxOptions(fbb, o.beta).Union(); break;
      case fb::OpOptions::AddOptions: options = fb::CreateAddOptions(fbb, to_fb(o.act)).Union(); break;
      case fb::OpOptions::LRNOptions:
        options = fb::CreateLRNOptions(fbb, o.lrn_size, o.alpha, o.beta, o.bias).Union();
        break;
      case fb::OpOptions::NONE: break;
      default: options = flatbuffers::Offset<void>(fbb.EndTable(fbb.StartTable())); break;  // op_of_unknown_type
    }
    const std::vector<int32_t> ins(o.inputs.begin(), o.inputs.end());
    const std::vector<int32_t> outs = {o.out};
    ops.push_back(
        fb::CreateOperatorDirect(fbb, o.name.c_str(), &ins, &outs, static_cast<fb::OpOptions>(o.kind), options));
  }
  const std::vector<int32_t> in32(inputs.begin(), inputs.end()), out32(outputs.begin(), outputs.end());
  const std::vector<float> mean = {0.485f, 0.456f, 0.406f}, std_dev = {0.229f, 0.224f, 0.225f};
  const fb::Size2D input_size(8, 8);
  auto md = fb::CreateMetadataDirect(fbb, "test", &input_size, &mean, &std_dev,
                                     bgr_ ? fb::ChannelOrder::BGR : fb::ChannelOrder::RGB, nullptr, "model_builder");
  auto model = fb::CreateModelDirect(fbb, version_, &tensors, &ops, &in32, &out32, &buffers, md);
  fbb.FinishSizePrefixed(model, fb::ModelIdentifier());
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

std::vector<uint8_t> ModelBuilder::finish(std::vector<int> inputs, std::vector<int> outputs) const {
  std::vector<uint64_t> offsets;
  // Buffer is a fixed-size struct, so the FlatBuffer's size does not depend on the offsets in it.
  const size_t fb_bytes = build(0, &offsets, inputs, outputs).size();
  const uint64_t data_start = (fb_bytes + 63) / 64 * 64;
  std::vector<uint8_t> bytes = build(data_start, &offsets, inputs, outputs);
  uint64_t end = data_start;
  for (size_t i = 0; i < buffers_.size(); ++i) end = offsets[i] + buffers_[i].data.size();
  bytes.resize(end, 0);
  for (size_t i = 0; i < buffers_.size(); ++i)
    if (!buffers_[i].data.empty())
      std::memcpy(bytes.data() + offsets[i], buffers_[i].data.data(), buffers_[i].data.size());
  return bytes;
}

AlignedBytes::AlignedBytes(const std::vector<uint8_t>& bytes) : size_(bytes.size()) {
  data_ = static_cast<uint8_t*>(std::aligned_alloc(64, (bytes.size() + 63) / 64 * 64 + 64));
  if (!bytes.empty()) std::memcpy(data_, bytes.data(), bytes.size());
}

AlignedBytes::~AlignedBytes() { std::free(data_); }

Status load_and_prepare(const std::vector<uint8_t>& bytes) {
  AlignedBytes a(bytes);
  Result<incept::Model> m = incept::Model::from_bytes(a.data(), a.size());
  if (!m.ok()) return m.status();
  incept::Interpreter it(*m);
  return it.prepare();
}

}  // namespace incept::test
