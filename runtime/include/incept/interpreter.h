// SPDX-License-Identifier: Apache-2.0
// Runs a Model. All memory is decided in prepare(); invoke() allocates nothing and checks nothing.
//
//   alignas(64) static uint8_t arena[8 << 20];
//   incept::Interpreter it(*model);
//   size_t need = 0;
//   INCEPT_RETURN_IF_ERROR(it.arena_bytes_required(&need));   // shapes + memory plan
//   INCEPT_RETURN_IF_ERROR(it.prepare(arena, sizeof(arena)));  // or it.prepare() to allocate once
//   fill(it.input(0));  INCEPT_RETURN_IF_ERROR(it.invoke());  read(it.output(0));
//
// Tensors are NHWC float32 (outputs of a global pool / fully connected layer are [N, C]).
// Graph inputs and outputs keep their own memory for the whole run, so an input written once may be
// invoked on repeatedly. An Interpreter is not thread-safe; several may share one Model.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "incept/model.h"
#include "incept/shape.h"
#include "incept/status.h"

namespace incept {

enum class Backend : uint8_t { kRef = 0 };

struct InterpreterOptions {
  Backend backend = Backend::kRef;
  int threads = 1;
};

// A graph input or output: dense NHWC (or [N, C]) float32 memory inside the arena.
struct TensorRef {
  const char* name = "";
  Shape shape;
  float* data = nullptr;
  size_t bytes = 0;
};

// Memory plan summary (valid after arena_bytes_required() or prepare()).
struct PlanStats {
  size_t arena_bytes = 0;         // what prepare() needs (the plan's extent, 64-byte aligned offsets)
  size_t lower_bound_bytes = 0;   // max over steps of the bytes live at once: no plan can do better
  size_t copy_concat_bytes = 0;   // the same planner's result if concat copied its inputs instead of viewing them
  int num_views = 0;              // tensors living inside a concat output
  int num_copied_concat_inputs = 0;
};

class Interpreter {
 public:
  explicit Interpreter(const Model& model, const InterpreterOptions& options = {});
  ~Interpreter();
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  // Shape inference (checked against the shapes stored in the file) and the memory plan; writes the
  // arena size prepare() needs. Idempotent; prepare() calls it too.
  [[nodiscard]] Status arena_bytes_required(size_t* bytes);
  // Binds the caller's arena (any alignment; it is aligned up to 64 inside, so pass need + 63 bytes
  // for an unaligned buffer). The arena must outlive the interpreter.
  [[nodiscard]] Status prepare(void* arena, size_t arena_size);
  // Allocates the arena once (64-byte aligned) and binds it.
  [[nodiscard]] Status prepare();
  // Runs every op in order. Requires a successful prepare(); otherwise returns kInvalidArgument.
  [[nodiscard]] Status invoke();

  int num_inputs() const;
  int num_outputs() const;
  TensorRef input(int i) const;    // after prepare()
  TensorRef output(int i) const;   // after prepare()
  const PlanStats& plan_stats() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace incept
