// SPDX-License-Identifier: Apache-2.0
#include "support/fuzz_harness.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>

namespace incept::test {
namespace {

// A deterministic, non-constant input: every element distinct enough that a wrong index shows up
// as a different value, bounded so ref sums stay finite on sane weights.
void fill_input(const TensorRef& t) {
  const size_t n = t.bytes / sizeof(float);
  for (size_t i = 0; i < n; ++i) t.data[i] = std::sin(0.37f * static_cast<float>(i % 1024)) * 2.0f;
}

// Notes a refused step in `o`; true when s is ok.
bool note(FuzzOutcome* o, const char* step, const Status& s) {
  if (s.is_ok()) return true;
  o->refusals.push_back(std::string(step) + ": " + status_code_name(s.code()) + ": " + s.message());
  o->unexplained += s.message()[0] == '\0' ? 1 : 0;
  return false;
}

struct Configuration {
  Backend backend;
  bool winograd;
};
const Configuration kConfigurations[] = {{Backend::kRef, true},
                                         {Backend::kEigen, true},
                                         {Backend::kXnnpack, true},
                                         {Backend::kNative, true},
                                         {Backend::kNative, false}};

}  // namespace

FuzzOutcome fuzz_one_model(const uint8_t* data, size_t size, const FuzzLimits& limits) {
  FuzzOutcome outcome;
  // Model::from_bytes wants 8-byte aligned data (the file is mmap'ed in real use); fuzzer buffers
  // are not aligned. 64 gives kernels aligned weights, as a mapping would.
  struct Free {
    void operator()(void* p) const { std::free(p); }
  };
  const size_t padded = (size + 63) / 64 * 64;
  std::unique_ptr<uint8_t, Free> copy(static_cast<uint8_t*>(std::aligned_alloc(64, padded > 0 ? padded : 64)));
  if (size > 0) std::memcpy(copy.get(), data, size);

  Result<Model> model = Model::from_bytes(copy.get(), size, limits.load);
  if (!note(&outcome, "load", model.ok() ? Status::ok() : model.status())) return outcome;
  outcome.loaded = true;

  for (const Configuration& c : kConfigurations) {
    if (!backend_available(c.backend)) continue;
    InterpreterOptions options;
    options.backend = c.backend;
    options.winograd = c.winograd;
    options.max_arena_bytes = limits.max_arena_bytes;
    Interpreter it(*model, options);
    size_t need = 0;
    if (!note(&outcome, "arena_bytes_required", it.arena_bytes_required(&need))) continue;
    if (!note(&outcome, "prepare", it.prepare())) continue;
    ++outcome.prepared;
    if (it.plan_stats().gflop > limits.max_gflop) continue;
    for (int i = 0; i < it.num_inputs(); ++i) fill_input(it.input(i));
    if (!note(&outcome, "invoke", it.invoke())) continue;
    ++outcome.invoked;
    static const char kWinograd[] = "conv2d_f32_winograd_";
    for (int i = 0; i < it.num_ops(); ++i) {
      const std::string kernel = it.op_info(i).kernel;
      if (kernel.rfind(kWinograd, 0) == 0) outcome.winograd.insert(kernel.substr(sizeof(kWinograd) - 1, 8));
    }
  }
  return outcome;
}

int fuzz_configurations() {
  int n = 0;
  for (const Configuration& c : kConfigurations) n += backend_available(c.backend) ? 1 : 0;
  return n;
}

}  // namespace incept::test
