// SPDX-License-Identifier: Apache-2.0
// The Interpreter's attributes built from the public C++ API: tensors, ops, the kernels' ISA, the memory plan.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <iterator>
#include <string>

#include "binding.h"

namespace incept::python {

namespace {

// ISA suffixes of kernel names (ops/common/cpu.h), narrowest first within an architecture.
constexpr const char* kIsaSuffixes[] = {"scalar", "neon", "neondot", "avx2_fma", "avx512f", "avx512vnni", "amx"};

}  // namespace

py::list tensor_details(const Interpreter& i, bool inputs) {
  py::list out;
  for (int k = 0; k < (inputs ? i.num_inputs() : i.num_outputs()); ++k) {
    const TensorRef t = inputs ? i.input(k) : i.output(k);
    py::dict d;
    d["index"] = k;
    d["name"] = text(t.name);
    d["shape"] = shape_tuple(t.shape);
    d["dtype"] = py::dtype::of<float>();
    d["address"] = reinterpret_cast<uintptr_t>(t.data);
    d["bytes"] = t.bytes;
    out.append(d);
  }
  return out;
}

py::list op_details(const Interpreter& i) {
  py::list out;
  for (int op = 0; op < i.num_ops(); ++op) {
    const OpInfo info = i.op_info(op);
    py::dict d;
    d["index"] = op;
    d["name"] = text(info.name);
    d["kind"] = info.kind;
    d["backend"] = info.backend;
    d["kernel"] = info.kernel;
    d["output_shape"] = shape_tuple(info.output_shape);
    d["gflop"] = info.flops * 1e-9;
    out.append(d);
  }
  return out;
}

py::object kernel_isa(const Interpreter& i) {
  int best = -1;
  for (int op = 0; op < i.num_ops(); ++op) {
    const std::string k = i.op_info(op).kernel;
    for (int s = 0; s < static_cast<int>(std::size(kIsaSuffixes)); ++s) {
      const std::string suffix = std::string("_") + kIsaSuffixes[s];
      if (k.size() > suffix.size() && k.compare(k.size() - suffix.size(), suffix.size(), suffix) == 0)
        best = std::max(best, s);
    }
  }
  return best < 0 ? py::object(py::none()) : py::object(py::str(kIsaSuffixes[best]));
}

py::dict plan_stats_dict(const PlanStats& p) {
  py::dict d;
  d["arena_bytes"] = p.arena_bytes;
  d["scratch_bytes"] = p.scratch_bytes;
  d["lower_bound_bytes"] = p.lower_bound_bytes;
  d["copy_concat_bytes"] = p.copy_concat_bytes;
  d["num_views"] = p.num_views;
  d["num_in_place"] = p.num_in_place;
  d["num_copied_concat_inputs"] = p.num_copied_concat_inputs;
  d["packed_weights_bytes"] = p.packed_weights_bytes;
  d["file_weights_bytes"] = p.file_weights_bytes;
  d["gflop"] = p.gflop;
  d["num_fused_adds"] = p.num_fused_adds;
  return d;
}

py::list tensor_names(const Interpreter& i, bool inputs) {
  py::list out;
  for (int k = 0; k < (inputs ? i.num_inputs() : i.num_outputs()); ++k)
    out.append(text((inputs ? i.input(k) : i.output(k)).name));
  return out;
}

py::list tensor_shapes(const Interpreter& i, bool inputs) {
  py::list out;
  for (int k = 0; k < (inputs ? i.num_inputs() : i.num_outputs()); ++k)
    out.append(shape_tuple((inputs ? i.input(k) : i.output(k)).shape));
  return out;
}

py::list tensor_dtypes(const Interpreter& i, bool inputs) {
  py::list out;
  for (int k = 0; k < (inputs ? i.num_inputs() : i.num_outputs()); ++k) out.append(py::dtype::of<float>());
  return out;
}

py::tuple triple(const float* v) { return py::make_tuple(v[0], v[1], v[2]); }

}  // namespace incept::python
