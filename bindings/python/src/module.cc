// SPDX-License-Identifier: Apache-2.0
// Module incept._incept: incept.Error, the version, the backends, then the Interpreter class (interpreter.cc)
// and load_image (image.cc).
#include <pybind11/pybind11.h>

#include "binding.h"
#include "incept/c_api.h"

namespace incept::python {
namespace {

// incept.Error, created once at import; a borrowed handle (the module keeps it alive).
PyObject* g_error = nullptr;

}  // namespace
}  // namespace incept::python

namespace py = pybind11;
using incept::python::g_error;

PYBIND11_MODULE(_incept, m) {
  m.doc() = "The incept runtime's Python binding (import incept; this is its native half).";
  static py::exception<incept::python::StatusError> error(m, "Error", PyExc_RuntimeError);
  error.attr("__doc__") =
      "An error from the incept runtime: a model file it refuses, a plan over a cap, a bad option value.\n\n"
      "str(e) is the runtime's message (what, where, the value found and the rule); e.code names the\n"
      "status: 'invalid model', 'unsupported', 'arena too small', 'invalid argument', 'internal error', 'i/o error'.";
  g_error = error.ptr();
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const incept::python::StatusError& e) {
      py::object exc = py::reinterpret_borrow<py::object>(g_error)(e.message);
      exc.attr("code") = incept::status_code_name(e.code);
      PyErr_SetObject(g_error, exc.ptr());
    }
  });
  m.attr("__version__") = incept_version();
  m.def(
      "available_backends",
      [] {
        py::list out;
        for (incept::Backend b : {incept::Backend::kAuto, incept::Backend::kNative, incept::Backend::kXnnpack,
                                  incept::Backend::kEigen, incept::Backend::kRef})
          if (b == incept::Backend::kAuto || incept::backend_available(b)) out.append(incept::backend_name(b));
        return out;
      },
      "The kernel families built into this library and usable on this CPU: 'auto' first, then the families.");
  incept::python::bind_interpreter(m);
  incept::python::bind_image(m);
}
