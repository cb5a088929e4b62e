// SPDX-License-Identifier: Apache-2.0
// The body of the model fuzzer, shared by the libFuzzer target (tests/fuzz/model_fuzzer.cc) and the
// corpus regression test (tests/runtime/fuzz_corpus_test.cc), so every input the fuzzer ever kept or
// crashed on is replayed by the plain and sanitizer test builds too.
//
// One input = one model file: load it from bytes (with caps), and for every backend built in (the
// native one with Winograd on and off), plan it, prepare it and invoke it once on a fixed input. Caps keep one input
// bounded in memory and time: a hostile file may be refused, never crash, hang, or allocate without limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "incept/interpreter.h"
#include "incept/model.h"

namespace incept::test {

struct FuzzLimits {
  LoadOptions load{/*max_tensors=*/4096, /*max_ops=*/2048, /*max_weights_bytes=*/uint64_t{64} << 20};
  size_t max_arena_bytes = size_t{64} << 20;
  double max_gflop = 0.05;  // plans over this are prepared but not invoked (bounded time per input)
};

// What happened to one input (for the regression test's report and for assertions).
struct FuzzOutcome {
  bool loaded = false;
  int prepared = 0;                // configurations (fuzz_configurations()) whose prepare() succeeded
  int invoked = 0;                 // configurations whose invoke() succeeded
  std::set<std::string> winograd;  // the Winograd variants that ran ("f4x4k3x3", ...)
  // Every refusal on the way, as "<step>: <status code>: <message>" (load, arena_bytes_required, prepare,
  // invoke), and how many of them came without a message.
  std::vector<std::string> refusals;
  int unexplained = 0;
};

// The configurations each input runs in: every backend built in, the native one twice (Winograd on, off).
int fuzz_configurations();

// Never throws; returns what happened. Crashes, leaks and undefined behaviour are the sanitizers' to find.
FuzzOutcome fuzz_one_model(const uint8_t* data, size_t size, const FuzzLimits& limits = FuzzLimits());

}  // namespace incept::test
