// SPDX-License-Identifier: Apache-2.0
// What the parts of the Python binding share, defined in support.cc (module.cc: the module and incept.Error;
// interpreter.cc and attributes.cc: the Interpreter class; image.cc: load_image). Everything here sits on the
// public C++ API (incept/incept.h) and pybind11.
//
// Ownership: a Python Interpreter holds a std::shared_ptr<Session>; every NumPy view of an input or output
// holds another one (a capsule as the array's base). close() drops the interpreter's; the model, the
// interpreter and the arena are freed when the last holder lets go, so a view never reads freed memory.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "incept/incept.h"

namespace incept::python {

namespace py = pybind11;

// A failing Status from the runtime; raised in Python as incept.Error (code and message kept).
struct StatusError {
  StatusCode code;
  std::string message;
};
[[noreturn]] void throw_status(const Status& s);
inline void check(const Status& s) {
  if (!s.is_ok()) throw_status(s);
}

// The model file's bytes when it came from memory: 64-byte aligned, as kernels like their weights.
struct AlignedBytes {
  explicit AlignedBytes(size_t n);
  ~AlignedBytes();
  AlignedBytes(const AlignedBytes&) = delete;
  AlignedBytes& operator=(const AlignedBytes&) = delete;
  uint8_t* data = nullptr;
  size_t size = 0;
};

// One loaded and prepared model. Destroyed in reverse order: interpreter, model, then the bytes.
struct Session {
  std::unique_ptr<AlignedBytes> bytes;  // null for a model mapped from a file
  std::unique_ptr<Model> model;
  std::unique_ptr<Interpreter> interpreter;
  std::atomic<bool> busy{false};  // an Interpreter is not thread-safe: a second concurrent caller is refused
};

// Marks a Session busy for one call; raises incept.Error when another thread is inside it.
class BusyGuard {
 public:
  explicit BusyGuard(Session& s);
  ~BusyGuard() { s_.busy.store(false, std::memory_order_release); }
  BusyGuard(const BusyGuard&) = delete;
  BusyGuard& operator=(const BusyGuard&) = delete;

 private:
  Session& s_;
};

// A file string (any bytes) as str: UTF-8 with invalid bytes replaced by U+FFFD.
py::str text(const char* s);
// (d0, d1, ...)
py::tuple shape_tuple(const Shape& s);
// "[1, 96, 96, 3]"
std::string shape_string(const Shape& s);

enum class Layout : uint8_t { kNhwc, kNchw };
Layout parse_layout(const std::string& name);  // ValueError naming the choices otherwise
// The shape a rank-4 NHWC tensor has in `layout` (other ranks are the same in both).
Shape in_layout(const Shape& nhwc, Layout layout);

// Copies between a dense NHWC tensor and `strides` (bytes, as NumPy gives them) in `layout`; no GIL needed.
void copy_in(const float* src, const py::ssize_t* strides, Layout layout, const TensorRef& dst);
void copy_out(const TensorRef& src, Layout layout, float* dst);

// The Interpreter's attributes (attributes.cc).
py::list tensor_details(const Interpreter& i, bool inputs);  // index, name, shape, dtype, address, bytes
py::list tensor_names(const Interpreter& i, bool inputs);
py::list tensor_shapes(const Interpreter& i, bool inputs);
py::list tensor_dtypes(const Interpreter& i, bool inputs);
py::list op_details(const Interpreter& i);    // index, name, kind, backend, kernel, output_shape, gflop
py::object kernel_isa(const Interpreter& i);  // the widest ISA suffix among the kernels, or None
py::dict plan_stats_dict(const PlanStats& p);
py::tuple triple(const float* v);

void bind_interpreter(py::module_& m);
// The image helper (tools/common/image.h), or a stub that says the module was built without it.
void bind_image(py::module_& m);
// The live Session behind a Python Interpreter (ValueError when it is closed), for the image helper.
std::shared_ptr<Session> session_of(py::handle interpreter);

}  // namespace incept::python
