// SPDX-License-Identifier: Apache-2.0
// The C++ side of java_jni_test: what the Java binding's results are compared with.
//
//   jni_reference run MODEL BACKEND THREADS OUT.bin   # run MODEL on the test input (below) with the C++
//                                                     # API; write every output, in order, as raw float32,
//                                                     # and print the model's metadata (strings as hex)
//   jni_reference labelled OUT.incept                 # write a small model with two inputs, two outputs,
//                                                     # BGR/mean/std metadata and labels, some not UTF-8
//
// The test input: element i of input k is ((i * 7919 + 13 + 101 * k) mod 2001 - 1000) / 1000, in
// float32; Checks.java (testValue) computes the same values (exact: an integer over 1000, one rounding).
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "incept/incept.h"
#include "incept/schema/model_generated.h"

namespace {

using incept::Status;

std::string hex(const char* s) {
  std::string out;
  char b[3];
  for (const unsigned char* p = reinterpret_cast<const unsigned char*>(s); *p != 0; ++p) {
    std::snprintf(b, sizeof(b), "%02x", *p);
    out += b;
  }
  return out.empty() ? "-" : out;
}

std::string dims(const incept::Shape& s) {
  std::string out;
  for (int d = 0; d < s.rank; ++d) out += (d ? "," : "") + std::to_string(s.dims[d]);
  return out;
}

uint32_t bits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, sizeof(u));
  return u;
}

float test_value(int64_t i, int k) { return static_cast<float>((i * 7919 + 13 + 101 * k) % 2001 - 1000) / 1000.0f; }

int fail(const char* what, const Status& s) {
  std::fprintf(stderr, "jni_reference: %s: %s: %s\n", what, incept::status_code_name(s.code()), s.message());
  return 1;
}

int run(const char* path, const char* backend, int threads, const char* out_path) {
  incept::Result<incept::Model> model = incept::Model::from_file(path);
  if (!model.ok()) return fail(path, model.status());
  const incept::Model& m = *model;
  incept::InterpreterOptions o;
  if (Status s = incept::parse_backend(backend, &o.backend); !s.is_ok()) return fail("backend", s);
  o.threads = threads;
  incept::Interpreter it(m, o);
  if (Status s = it.prepare(); !s.is_ok()) return fail("prepare", s);
  for (int k = 0; k < it.num_inputs(); ++k) {
    const incept::TensorRef t = it.input(k);
    for (size_t i = 0; i < t.bytes / sizeof(float); ++i) t.data[i] = test_value(static_cast<int64_t>(i), k);
  }
  if (Status s = it.invoke(); !s.is_ok()) return fail("invoke", s);
  std::FILE* f = std::fopen(out_path, "wb");
  if (f == nullptr) {
    std::perror(out_path);
    return 1;
  }
  for (int k = 0; k < it.num_outputs(); ++k) std::fwrite(it.output(k).data, 1, it.output(k).bytes, f);
  if (std::fclose(f) != 0) return 1;

  std::printf("inputs %d\n", m.num_inputs());
  for (int i = 0; i < m.num_inputs(); ++i)
    std::printf("input %d %s %s\n", i, hex(m.input_name(i)).c_str(), dims(m.input_shape(i)).c_str());
  std::printf("outputs %d\n", m.num_outputs());
  for (int i = 0; i < m.num_outputs(); ++i)
    std::printf("output %d %s %s\n", i, hex(m.output_name(i)).c_str(), dims(m.output_shape(i)).c_str());
  std::printf("architecture %s\nproducer %s\n", hex(m.architecture()).c_str(), hex(m.producer()).c_str());
  std::printf("size %d %d\norder %d\n", m.input_height(), m.input_width(), static_cast<int>(m.channel_order()));
  std::printf("mean %08" PRIx32 " %08" PRIx32 " %08" PRIx32 "\n", bits(m.mean()[0]), bits(m.mean()[1]),
              bits(m.mean()[2]));
  std::printf("std %08" PRIx32 " %08" PRIx32 " %08" PRIx32 "\n", bits(m.std_dev()[0]), bits(m.std_dev()[1]),
              bits(m.std_dev()[2]));
  std::printf("labels %d\n", m.num_labels());
  for (int i = 0; i < m.num_labels(); ++i) std::printf("label %d %s\n", i, hex(m.label(i)).c_str());
  std::printf("weights_bytes %zu\nops %d\ntensors %d\n", m.weights_bytes(), m.num_ops(), m.num_tensors());
  return 0;
}

// image [1,4,4,3] + extra [1,4,4,3] -> sum (relu) -> gap [1,3] -> fc -> logits [1,4] -> softmax -> probs.
// Outputs: probs, logits. Weights after the FlatBuffer at 64-byte aligned offsets, as the converter writes.
std::vector<uint8_t> labelled_model(uint64_t data_start, const std::vector<std::vector<float>>& data) {
  namespace fb = incept::fb;
  flatbuffers::FlatBufferBuilder fbb;
  auto tensor = [&](const char* name, std::vector<int32_t> shape, int32_t buffer = -1) {
    return fb::CreateTensorDirect(fbb, name, &shape, fb::DType::FLOAT32, buffer);
  };
  std::vector<flatbuffers::Offset<fb::Tensor>> tensors = {
      tensor("image", {1, 4, 4, 3}), tensor("extra_\xc3\xa9", {1, 4, 4, 3}),
      tensor("sum", {1, 4, 4, 3}),   tensor("gap", {1, 3}),
      tensor("fc_w", {4, 3}, 0),     tensor("fc_b", {4}, 1),
      tensor("logits", {1, 4}),      tensor("probs", {1, 4})};
  std::vector<fb::Buffer> buffers;
  uint64_t at = data_start;
  for (const std::vector<float>& d : data) {
    buffers.emplace_back(at, d.size() * sizeof(float));
    at += (d.size() * sizeof(float) + 63) / 64 * 64;
  }
  auto op = [&](const char* name, std::vector<int32_t> ins, int32_t out, fb::OpOptions kind,
                flatbuffers::Offset<void> o) {
    const std::vector<int32_t> outs = {out};
    return fb::CreateOperatorDirect(fbb, name, &ins, &outs, kind, o);
  };
  std::vector<flatbuffers::Offset<fb::Operator>> ops = {
      op("add", {0, 1}, 2, fb::OpOptions::AddOptions, fb::CreateAddOptions(fbb, fb::Activation::RELU).Union()),
      op("gap", {2}, 3, fb::OpOptions::GlobalAvgPoolOptions, fb::CreateGlobalAvgPoolOptions(fbb).Union()),
      op("fc", {3, 4, 5}, 6, fb::OpOptions::FullyConnectedOptions, fb::CreateFullyConnectedOptions(fbb).Union()),
      op("softmax", {6}, 7, fb::OpOptions::SoftmaxOptions, fb::CreateSoftmaxOptions(fbb, 1.0f).Union())};
  const std::vector<int32_t> inputs = {0, 1}, outputs = {7, 6};
  const std::vector<float> mean = {0.5f, 0.25f, 0.125f}, std_dev = {0.5f, 0.75f, 2.0f};
  const fb::Size2D input_size(4, 4);
  std::vector<flatbuffers::Offset<flatbuffers::String>> labels = {
      fbb.CreateString("tabby cat"), fbb.CreateString("caf\xc3\xa9 cr\xc3\xa8me"),
      fbb.CreateString("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xf0\x9f\x90\xb1"),  // a BMP script and an emoji
      fbb.CreateString("bad \xff\xfe \xc0\x80 \xed\xa0\x80 \xe6\x97 \xf4\x90\x80\x80 end")};  // none of it UTF-8
  auto md = fb::CreateMetadata(fbb, fbb.CreateString("jni_test"), &input_size, fbb.CreateVector(mean),
                               fbb.CreateVector(std_dev), fb::ChannelOrder::BGR, fbb.CreateVector(labels),
                               fbb.CreateString("jni_reference"));
  auto model = fb::CreateModelDirect(fbb, incept::kFormatVersion, &tensors, &ops, &inputs, &outputs, &buffers, md);
  fbb.FinishSizePrefixed(model, fb::ModelIdentifier());
  return std::vector<uint8_t>(fbb.GetBufferPointer(), fbb.GetBufferPointer() + fbb.GetSize());
}

int labelled(const char* out_path) {
  const std::vector<std::vector<float>> data = {
      {0.5f, -1.0f, 0.25f, 1.5f, 0.75f, -0.5f, -2.0f, 0.125f, 1.0f, 0.0f, 0.5f, -0.25f},  // fc_w [4, 3]
      {0.1f, -0.2f, 0.3f, 0.05f}};                                                        // fc_b [4]
  const uint64_t data_start = (labelled_model(0, data).size() + 63) / 64 * 64;            // Buffer is fixed-size
  std::vector<uint8_t> bytes = labelled_model(data_start, data);
  bytes.resize(data_start, 0);
  for (const std::vector<float>& d : data) {
    const size_t at = bytes.size();
    bytes.resize(at + (d.size() * sizeof(float) + 63) / 64 * 64, 0);
    std::memcpy(bytes.data() + at, d.data(), d.size() * sizeof(float));
  }
  std::FILE* f = std::fopen(out_path, "wb");
  if (f == nullptr || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() || std::fclose(f) != 0) {
    std::perror(out_path);
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 6 && std::strcmp(argv[1], "run") == 0) return run(argv[2], argv[3], std::atoi(argv[4]), argv[5]);
  if (argc == 3 && std::strcmp(argv[1], "labelled") == 0) return labelled(argv[2]);
  std::fprintf(stderr, "usage: jni_reference run MODEL BACKEND THREADS OUT.bin | jni_reference labelled OUT.incept\n");
  return 2;
}
