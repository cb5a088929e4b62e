// SPDX-License-Identifier: Apache-2.0
#include "support/npy_fuzz.h"

#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "common/layout.h"
#include "common/npy.h"
#include "incept/interpreter.h"
#include "incept/model.h"
#include "support/model_builder.h"
#include "support/seed_models.h"

namespace incept::test {
namespace {

using tools::NpyArray;
using tools::NpyLayout;

// A model kept prepared for the whole process: its bytes, the model over them, an interpreter.
struct Target {
  explicit Target(const std::vector<uint8_t>& b) : bytes(b), model(Model::from_bytes(bytes.data(), bytes.size())) {
    if (!model.ok()) return;
    InterpreterOptions o;
    o.backend = Backend::kRef;
    it = std::make_unique<Interpreter>(*model, o);
    if (!it->prepare().is_ok()) it.reset();
  }
  AlignedBytes bytes;
  Result<Model> model;
  std::unique_ptr<Interpreter> it;
};

// [1, 4, 4, 4]: a shape NCHW and NHWC alike, so kAuto must ask for --layout.
std::vector<uint8_t> square_input() {
  ModelBuilder b;
  const int x = b.tensor("x", {1, 4, 4, 4});
  const int y = b.tensor("y", {1, 4, 4, 2});
  b.conv2d("c", x, b.constant("c.w", {2, 1, 1, 4}, std::vector<float>(8, 0.5f)), -1, y, {1, 1}, {1, 1}, {});
  return b.finish({x}, {y});
}

// [1, 6]: an input that is not 4-D, read as it is.
std::vector<uint8_t> flat_input() {
  ModelBuilder b;
  const int x = b.tensor("x", {1, 6});
  const int y = b.tensor("y", {1, 2});
  b.fully_connected("fc", x, b.constant("fc.w", {2, 6}, std::vector<float>(12, 0.25f)), -1, y);
  return b.finish({x}, {y});
}

std::vector<std::unique_ptr<Target>>& targets() {
  static std::vector<std::unique_ptr<Target>> t = [] {
    std::vector<std::unique_ptr<Target>> v;
    for (const std::vector<uint8_t>& b :
         {seed_model("tiny_inception.incept"), seed_model("quantised_inception.incept"), square_input(), flat_input()})
      v.push_back(std::make_unique<Target>(b));
    return v;
  }();
  return t;
}

}  // namespace

FuzzReport fuzz_one_npy(const uint8_t* data, size_t size) {
  FuzzReport r;
  if (size == 0) return r;
  static const NpyLayout kWant[4] = {NpyLayout::kAuto, NpyLayout::kNchw, NpyLayout::kNhwc, NpyLayout::kAuto};
  const NpyLayout want = kWant[data[0] & 3];
  Target& t = *targets()[static_cast<size_t>(data[0] >> 2) % targets().size()];
  r.expect(t.it != nullptr, "the fuzz target's model prepares");
  if (t.it == nullptr) return r;

  NpyArray a;
  const std::string bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  if (!r.note("parse_npy", tools::parse_npy(bytes, "fuzz.npy", &a))) return r;
  size_t elements = 1;
  for (int64_t d : a.shape) elements *= static_cast<size_t>(d);
  r.expect(a.data.size() == elements, "parse_npy: the data holds the shape's element count");

  const TensorRef in = t.it->input(0);
  Layout layout = Layout::kNhwc;
  if (!r.note("npy_layout_of", tools::npy_layout_of(a, in, want, &layout))) return r;
  // From here on every step must work: the layout check accepted the array's shape for this input.
  r.expect(r.note("set_input", t.it->set_input(0, a.data.data(), a.data.size(), layout)),
           "set_input takes an array npy_layout_of accepted");
  const NpyArray back = tools::tensor_to_array(t.it->input(0), layout);
  r.expect(back.shape == a.shape, "tensor_to_array gives the array's shape back");
  r.expect(back.data.size() == a.data.size() &&
               std::memcmp(back.data.data(), a.data.data(), a.data.size() * sizeof(float)) == 0,
           "tensor_to_array gives the array's values back");
  return r;
}

}  // namespace incept::test
