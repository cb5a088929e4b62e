// SPDX-License-Identifier: Apache-2.0
// incept.Interpreter: a model loaded, planned and prepared at construction; run / invoke / profile with the
// GIL released, NumPy views of the arena's inputs and outputs, the metadata and the memory plan as attributes.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "binding.h"

namespace incept::python {
namespace {

std::string type_name(py::handle o) { return py::str(py::type::handle_of(o).attr("__name__")); }

std::vector<py::ssize_t> dims_of(const Shape& s) { return std::vector<py::ssize_t>(s.dims, s.dims + s.rank); }

std::string dims_of(const py::array& a) {
  std::string s = "[";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) s += (i ? ", " : "") + std::to_string(a.shape(i));
  return s + "]";
}

bool has_shape(const py::array& a, const Shape& s) {
  if (a.ndim() != s.rank) return false;
  for (int i = 0; i < s.rank; ++i)
    if (a.shape(i) != s[i]) return false;
  return true;
}

const char* layout_name(Layout l) { return l == Layout::kNhwc ? "NHWC" : "NCHW"; }

// A NumPy view of a tensor in the arena; the array's base keeps the Session (and so the arena) alive.
py::array view(const std::shared_ptr<Session>& s, const TensorRef& t, bool writeable) {
  const std::vector<py::ssize_t> shape = dims_of(t.shape);
  std::vector<py::ssize_t> strides(shape.size());
  py::ssize_t stride = sizeof(float);
  for (size_t i = shape.size(); i-- > 0;) {
    strides[i] = stride;
    stride *= shape[i];
  }
  py::capsule owner(new std::shared_ptr<Session>(s), [](void* p) { delete static_cast<std::shared_ptr<Session>*>(p); });
  py::array a(py::dtype::of<float>(), shape, strides, t.data, owner);
  if (!writeable) py::detail::array_proxy(a.ptr())->flags &= ~py::detail::npy_api::NPY_ARRAY_WRITEABLE_;
  return a;
}

class PyInterpreter {
 public:
  PyInterpreter(const py::object& model, int threads, const std::string& backend, bool winograd,
                long long max_arena_bytes) {
    InterpreterOptions o;
    if (backend.find('\0') != std::string::npos) throw py::value_error("backend name contains a NUL character");
    const Status b = parse_backend(backend.c_str(), &o.backend);
    if (!b.is_ok()) throw py::value_error(b.message());
    if (max_arena_bytes < 0)
      throw py::value_error("max_arena_bytes must be >= 0 (0: no cap), got " + std::to_string(max_arena_bytes));
    o.threads = threads;
    o.winograd = winograd;
    o.max_arena_bytes = static_cast<size_t>(max_arena_bytes);

    auto s = std::make_shared<Session>();
    std::string path;
    if (PyObject_CheckBuffer(model.ptr())) {  // the file's contents: bytes, bytearray, memoryview, ...
      Py_buffer buf;
      if (PyObject_GetBuffer(model.ptr(), &buf, PyBUF_C_CONTIGUOUS) != 0) throw py::error_already_set();
      s->bytes = std::make_unique<AlignedBytes>(static_cast<size_t>(buf.len));
      std::memcpy(s->bytes->data, buf.buf, s->bytes->size);
      PyBuffer_Release(&buf);
    } else {  // a path: str or os.PathLike (TypeError from os.fsencode for anything else)
      path = py::bytes(py::module_::import("os").attr("fsencode")(model));
      if (path.find('\0') != std::string::npos) throw py::value_error("model path contains a NUL character");
    }
    {
      py::gil_scoped_release nogil;
      Result<Model> m = s->bytes ? Model::from_bytes(s->bytes->data, s->bytes->size) : Model::from_file(path.c_str());
      if (!m.ok()) throw_status(m.status());
      s->model = std::make_unique<Model>(std::move(*m));
      s->interpreter = std::make_unique<Interpreter>(*s->model, o);
      check(s->interpreter->prepare());
    }
    s_ = std::move(s);
    options_ = o;
  }

  const std::shared_ptr<Session>& live() const {
    if (!s_) throw py::value_error("the interpreter is closed");
    return s_;
  }
  Interpreter& it() const { return *live()->interpreter; }
  const Model& model() const { return *live()->model; }
  void close() { s_.reset(); }
  bool closed() const { return !s_; }
  const InterpreterOptions& options() const { return options_; }

  py::list views(bool inputs) const {
    const std::shared_ptr<Session>& s = live();
    py::list out;
    const Interpreter& i = *s->interpreter;
    for (int k = 0; k < (inputs ? i.num_inputs() : i.num_outputs()); ++k)
      out.append(view(s, inputs ? i.input(k) : i.output(k), inputs));
    return out;
  }
  py::array single_view(bool input) const {
    const std::shared_ptr<Session>& s = live();
    const Interpreter& i = *s->interpreter;
    if ((input ? i.num_inputs() : i.num_outputs()) != 1)
      throw py::value_error(std::string("this model has ") + std::to_string(input ? i.num_inputs() : i.num_outputs()) +
                            (input ? " inputs: use interp.inputs[i]" : " outputs: use interp.outputs[i]"));
    return view(s, input ? i.input(0) : i.output(0), input);
  }

  // x as a float32 array of the input's shape in `layout`; TypeError / ValueError naming what was expected.
  static py::array checked_input(const char* fn, py::handle x, const TensorRef& in, Layout layout) {
    const Shape want = in_layout(in.shape, layout);
    const std::string expected = std::string("a float32 numpy.ndarray of shape ") + shape_string(want) + " (" +
                                 layout_name(layout) + ") for input '" + std::string(py::str(text(in.name))) + "'";
    if (!py::isinstance<py::array>(x))
      throw py::type_error(std::string(fn) + " expects " + expected + ", got " + type_name(x));
    py::array a = py::reinterpret_borrow<py::array>(x);
    if (!py::array_t<float>::check_(a))
      throw py::type_error(std::string(fn) + " expects " + expected + ", got a " + std::string(py::str(a.dtype())) +
                           " array" + " (convert with x.astype(numpy.float32))");
    if (!has_shape(a, want)) {
      std::string hint;
      if (in.shape.rank == 4 &&
          has_shape(a, in_layout(in.shape, layout == Layout::kNhwc ? Layout::kNchw : Layout::kNhwc)))
        hint = layout == Layout::kNhwc ? ": that is the NCHW shape, pass layout='nchw'"
                                       : ": that is the NHWC shape, pass layout='nhwc'";
      throw py::value_error(std::string(fn) + " expects " + expected + ", got shape " + dims_of(a) + hint);
    }
    return a;
  }

  py::object run(py::handle x, const std::string& layout_arg, const py::object& out) {
    const std::shared_ptr<Session> s = live();  // a copy: close() from another thread cannot free it under us
    Interpreter& i = *s->interpreter;
    if (!pending_image_.is_none())
      throw py::value_error("run(): an image from set_input_image() is waiting for invoke(); call invoke()");
    if (i.num_inputs() != 1 || i.num_outputs() != 1)
      throw py::value_error("run() takes a model with one input and one output, this one has " +
                            std::to_string(i.num_inputs()) + " and " + std::to_string(i.num_outputs()) +
                            ": write into interp.inputs[k], call invoke(), read interp.outputs[k]");
    const Layout layout = parse_layout(layout_arg);
    const TensorRef in = i.input(0), o = i.output(0);
    const py::array a = checked_input("run()", x, in, layout);
    const Shape out_shape = in_layout(o.shape, layout);
    py::array result;
    if (out.is_none()) {
      result = py::array_t<float>(dims_of(out_shape));
    } else {
      const std::string expected =
          std::string("out= must be a writeable, C-contiguous float32 numpy.ndarray of shape ") +
          shape_string(out_shape) + " (" + layout_name(layout) + ")";
      if (!py::isinstance<py::array>(out)) throw py::type_error(expected + ", got " + type_name(out));
      result = py::reinterpret_borrow<py::array>(out);
      if (!py::array_t<float>::check_(result))
        throw py::type_error(expected + ", got a " + std::string(py::str(result.dtype())) + " array");
      if (!has_shape(result, out_shape)) throw py::value_error(expected + ", got shape " + dims_of(result));
      if (!(result.flags() & py::array::c_style)) throw py::value_error(expected + ", got a non-contiguous array");
      if (!result.writeable()) throw py::value_error(expected + ", got a read-only array");
    }
    float* dst = static_cast<float*>(result.mutable_data());
    const float* src = static_cast<const float*>(a.data());
    const py::ssize_t* strides = a.strides();
    {
      BusyGuard busy(*s);
      py::gil_scoped_release nogil;
      if (src != in.data) copy_in(src, strides, layout, in);
      check(i.invoke());
      copy_out(o, layout, dst);
    }
    return std::move(result);
  }

  void invoke() {
    const std::shared_ptr<Session> s = live();
    {
      BusyGuard busy(*s);
      py::gil_scoped_release nogil;
      check(s->interpreter->invoke());
    }
    pending_image_ = py::none();  // read by that invoke: the next one reads the float input
  }

  // A camera frame: uint8 [height, width, 3 or 4] (RGB, RGBA), rows at any stride, pixels contiguous.
  void set_input_image(py::handle pixels, int index) {
    const std::shared_ptr<Session> s = live();
    Interpreter& i = *s->interpreter;
    const char* expected = "set_input_image() takes a uint8 numpy.ndarray [height, width, 3 or 4] (RGB or RGBA)";
    if (!py::isinstance<py::array>(pixels)) throw py::type_error(std::string(expected) + ", got " + type_name(pixels));
    const py::array a = py::reinterpret_borrow<py::array>(pixels);
    if (!py::array_t<uint8_t>::check_(a))
      throw py::type_error(std::string(expected) + ", got a " + std::string(py::str(a.dtype())) + " array");
    if (a.ndim() != 3 || (a.shape(2) != 3 && a.shape(2) != 4))
      throw py::value_error(std::string(expected) + ", got shape " + dims_of(a));
    if (a.strides(2) != 1 || a.strides(1) != a.shape(2) || a.strides(0) < a.shape(1) * a.shape(2))
      throw py::value_error(std::string(expected) + " with its pixels contiguous (rows may be strided)");
    if (index < 0 || index >= i.num_inputs())
      throw py::index_error("input index " + std::to_string(index) + " out of range (the model has " +
                            std::to_string(i.num_inputs()) + ")");
    check(i.set_input_image(index, static_cast<const uint8_t*>(a.data()), static_cast<int32_t>(a.shape(0)),
                            static_cast<int32_t>(a.shape(1)), static_cast<int32_t>(a.shape(2)),
                            static_cast<size_t>(a.strides(0))));
    pending_image_ = a;  // an 8-bit input reads the pixels at the next invoke(): keep them alive until then
  }

  py::list profile(py::handle x, const std::string& layout_arg, int runs, int warmup) {
    const std::shared_ptr<Session> s = live();
    Interpreter& i = *s->interpreter;
    if (runs < 1 || warmup < 0)
      throw py::value_error("profile() needs runs >= 1 and warmup >= 0, got runs=" + std::to_string(runs) +
                            ", warmup=" + std::to_string(warmup));
    const Layout layout = parse_layout(layout_arg);
    // x, when given (held until the runs end); a default py::array would be an empty array, not an absent one.
    const bool have_x = !x.is_none();
    py::array a;
    const float* x_data = nullptr;  // x's data and strides, read with the GIL released
    const py::ssize_t* x_strides = nullptr;
    if (have_x) {
      if (i.num_inputs() != 1) throw py::value_error("profile(x) takes a model with one input; fill interp.inputs");
      a = checked_input("profile()", x, i.input(0), layout);
      x_data = static_cast<const float*>(a.data());
      x_strides = a.strides();
    }
    const int n = i.num_ops();
    std::vector<double> ms(static_cast<size_t>(runs) * n);
    {
      BusyGuard busy(*s);
      py::gil_scoped_release nogil;
      if (have_x && x_data != i.input(0).data) copy_in(x_data, x_strides, layout, i.input(0));
      for (int k = 0; k < warmup; ++k) check(i.invoke());
      for (int k = 0; k < runs; ++k) check(i.invoke_profiled(&ms[static_cast<size_t>(k) * n]));
    }
    std::vector<double> median(n);
    double sum = 0.0;
    for (int op = 0; op < n; ++op) {
      std::vector<double> v(runs);
      for (int k = 0; k < runs; ++k) v[k] = ms[static_cast<size_t>(k) * n + op];
      std::sort(v.begin(), v.end());
      median[op] = runs % 2 ? v[runs / 2] : 0.5 * (v[runs / 2 - 1] + v[runs / 2]);
      sum += median[op];
    }
    py::list out;
    double cumulative = 0.0;
    for (int op = 0; op < n; ++op) {
      const OpInfo info = i.op_info(op);
      const double share = sum > 0.0 ? median[op] / sum : 0.0;
      cumulative += share;
      py::dict d;
      d["index"] = op;
      d["name"] = text(info.name);
      d["kind"] = info.kind;
      d["backend"] = info.backend;
      d["kernel"] = info.kernel;
      d["output_shape"] = shape_tuple(info.output_shape);
      d["ms"] = median[op];
      d["share"] = share;
      d["cumulative"] = cumulative;
      d["gflop"] = info.flops * 1e-9;
      d["gflops"] = median[op] > 0.0 ? info.flops * 1e-6 / median[op] : 0.0;
      out.append(d);
    }
    return out;
  }

  std::string repr() const {
    if (!s_) return "<incept.Interpreter (closed)>";
    const Interpreter& i = *s_->interpreter;
    const std::string arch = py::str(text(s_->model->architecture()));
    return "<incept.Interpreter " + (arch.empty() ? std::string("?") : arch) + ", input " +
           shape_string(i.input(0).shape) + ", backend " + backend_name(options_.backend) + ", " +
           std::to_string(options_.threads) + (options_.threads == 1 ? " thread>" : " threads>");
  }

 private:
  std::shared_ptr<Session> s_;
  InterpreterOptions options_;
  py::object pending_image_ = py::none();  // set_input_image()'s pixels, until the invoke that reads them
};

}  // namespace

std::shared_ptr<Session> session_of(py::handle interpreter) {
  if (!py::isinstance<PyInterpreter>(interpreter))
    throw py::type_error("expected an incept.Interpreter, got " + type_name(interpreter));
  return interpreter.cast<const PyInterpreter&>().live();
}

void bind_interpreter(py::module_& m) {
  using P = PyInterpreter;
  py::class_<P>(m, "Interpreter", R"doc(A model loaded, verified, planned and prepared: ready to run.

Interpreter(model, threads=1, backend="auto", winograd=True, max_arena_bytes=0)

model: a path (str or os.PathLike) to a .incept file, mapped read-only, or the file's bytes (bytes,
bytearray, memoryview: copied once into aligned memory). threads: worker threads, 1..1024 (1: the
calling thread only). backend: "auto", "native", "xnnpack", "eigen" or "ref". winograd: False runs every
conv direct (less packed-weight memory). max_arena_bytes: refuse a plan over this many bytes (0: no cap).
Every check happens here: a bad file, an option the runtime refuses or a plan over the cap raises
incept.Error with the runtime's message.

One Interpreter serves one thread at a time; run() and invoke() release the GIL, so interpreters in
different threads run in parallel. Use it as a context manager, or call close().)doc")
      .def(py::init<const py::object&, int, const std::string&, bool, long long>(), py::arg("model"),
           py::arg("threads") = 1, py::arg("backend") = "auto", py::arg("winograd") = true,
           py::arg("max_arena_bytes") = 0)
      .def("run", &P::run, py::arg("x"), py::arg("layout") = "nhwc", py::arg("out") = py::none(),
           R"doc(Runs the model on x and returns its output (a new array, or `out` filled).

x: float32 numpy.ndarray of the input's shape; layout="nhwc" (the runtime's order, e.g. [1, 96, 96, 3])
or "nchw" (PyTorch's, e.g. [1, 3, 96, 96]); never guessed. Any strides; copied into the arena once.
A rank-4 output comes back in the same layout. out: a writeable C-contiguous float32 array of the
output's shape to write into instead of allocating. The GIL is released while it runs.)doc")
      .def("invoke", &P::invoke,
           "Runs the model on what interp.input / interp.inputs hold now; read interp.output after. No copies.")
      .def("set_input_image", &P::set_input_image, py::arg("pixels"), py::arg("index") = 0,
           R"doc(A camera frame as input `index`: a uint8 array [height, width, 3] (RGB) or [height, width, 4]
(RGBA, the fourth byte ignored) of exactly the input's height and width, preprocessed as the model records
(x = (pixel / 255 - mean) / std in its channel order). A float32 input is written now (interp.input shows
it); an 8-bit input (a file from --quantize int8) is normalised and quantised in one pass by the next
invoke(), which reads the pixels in place of the float input, once. Same result as writing x and invoking.)doc")
      .def("profile", &P::profile, py::arg("x") = py::none(), py::arg("layout") = "nhwc", py::arg("runs") = 10,
           py::arg("warmup") = 1,
           R"doc(Times every op as `incept-bench --profile` does: `warmup` plain runs, then `runs` profiled ones.

x (optional) is copied in first, as for run(). Returns one dict per op in execution order: index, name,
kind, backend, kernel, output_shape, ms (median over the runs), share and cumulative (of the sum of the
op medians), gflop, gflops (gflop / ms).)doc")
      .def("close", &P::close,
           "Drops this object's hold on the native interpreter: freed now, or when the last view of its arena "
           "(interp.input, interp.output) is gone. Later calls raise ValueError; closing twice is fine.")
      .def(
          "__enter__", [](P& p) -> P& { return p; }, py::return_value_policy::reference)
      .def("__exit__", [](P& p, const py::args&) { p.close(); })
      .def("__repr__", &P::repr)
      .def_property_readonly("closed", &P::closed, "True after close().")
      .def_property_readonly(
          "input", [](const P& p) { return p.single_view(true); },
          "The input tensor as a writeable numpy view of the arena (NHWC float32): fill it, then invoke(). It "
          "keeps the native interpreter alive after close().")
      .def_property_readonly(
          "output", [](const P& p) { return p.single_view(false); },
          "The output tensor as a read-only numpy view of the arena, updated in place by every run.")
      .def_property_readonly(
          "inputs", [](const P& p) { return p.views(true); }, "Views of every input (as interp.input).")
      .def_property_readonly(
          "outputs", [](const P& p) { return p.views(false); }, "Views of every output (as interp.output).")
      .def_property_readonly(
          "input_details", [](const P& p) { return tensor_details(p.it(), true); },
          "Per input: index, name, shape, dtype, address (of its first element in the arena), bytes.")
      .def_property_readonly(
          "output_details", [](const P& p) { return tensor_details(p.it(), false); }, "Per output, as input_details.")
      .def_property_readonly(
          "input_names", [](const P& p) { return tensor_names(p.it(), true); }, "Graph input names.")
      .def_property_readonly(
          "output_names", [](const P& p) { return tensor_names(p.it(), false); }, "Graph output names.")
      .def_property_readonly(
          "input_shapes", [](const P& p) { return tensor_shapes(p.it(), true); }, "Input shapes, NHWC.")
      .def_property_readonly(
          "output_shapes", [](const P& p) { return tensor_shapes(p.it(), false); },
          "Output shapes ([N, classes] for logits).")
      .def_property_readonly(
          "input_dtypes", [](const P& p) { return tensor_dtypes(p.it(), true); }, "Input dtypes (float32).")
      .def_property_readonly(
          "output_dtypes", [](const P& p) { return tensor_dtypes(p.it(), false); }, "Output dtypes (float32).")
      .def_property_readonly(
          "architecture", [](const P& p) { return text(p.model().architecture()); },
          "The architecture the converter recorded ('' when absent).")
      .def_property_readonly(
          "producer", [](const P& p) { return text(p.model().producer()); }, "What wrote the file.")
      .def_property_readonly(
          "labels",
          [](const P& p) {
            py::list out;
            for (int k = 0; k < p.model().num_labels(); ++k) out.append(text(p.model().label(k)));
            return out;
          },
          "Class names in output order (empty when the file has none).")
      .def_property_readonly(
          "mean", [](const P& p) { return triple(p.model().mean()); },
          "Per-channel mean, in the model's channel order: x = (pixel / 255 - mean) / std.")
      .def_property_readonly(
          "std", [](const P& p) { return triple(p.model().std_dev()); }, "Per-channel std (see mean).")
      .def_property_readonly(
          "input_size", [](const P& p) { return py::make_tuple(p.model().input_height(), p.model().input_width()); },
          "(height, width) the preprocessing resizes images to.")
      .def_property_readonly(
          "channel_order", [](const P& p) { return p.model().channel_order() == ChannelOrder::kBgr ? "bgr" : "rgb"; },
          "'rgb' or 'bgr': the order of the input's channels.")
      .def_property_readonly(
          "weights_bytes", [](const P& p) { return p.model().weights_bytes(); }, "Weight bytes in the file.")
      .def_property_readonly(
          "arena_bytes", [](const P& p) { return p.it().plan_stats().arena_bytes; },
          "Bytes of the arena prepare() allocated (every activation lives there).")
      .def_property_readonly(
          "lower_bound_bytes", [](const P& p) { return p.it().plan_stats().lower_bound_bytes; },
          "Max over steps of the bytes live at once: no plan can use less.")
      .def_property_readonly(
          "scratch_bytes", [](const P& p) { return p.it().plan_stats().scratch_bytes; },
          "The largest kernel scratch one op uses (inside the arena).")
      .def_property_readonly(
          "packed_weights_bytes", [](const P& p) { return p.it().plan_stats().packed_weights_bytes; },
          "Weights repacked by kernels and held by this interpreter.")
      .def_property_readonly(
          "file_weights_bytes", [](const P& p) { return p.it().plan_stats().file_weights_bytes; },
          "Weights still read in place from the model file.")
      .def_property_readonly(
          "gflop", [](const P& p) { return p.it().plan_stats().gflop; }, "One run's multiply-adds x 2, in 1e9.")
      .def_property_readonly(
          "plan_stats", [](const P& p) { return plan_stats_dict(p.it().plan_stats()); },
          "Every figure of the memory plan (PlanStats) as a dict.")
      .def_property_readonly(
          "ops", [](const P& p) { return op_details(p.it()); },
          "One dict per op in execution order: index, name, kind, backend, kernel, output_shape, "
          "gflop.")
      .def_property_readonly(
          "isa", [](const P& p) { return kernel_isa(p.it()); },
          "The widest instruction set among the native kernels prepare() picked ('avx512f', "
          "'avx2_fma', 'neon', 'scalar': the suffix of their kernel names), or None where no "
          "native kernel runs (another backend; INCEPT_ISA=scalar hands the ops to XNNPACK).")
      .def_property_readonly(
          "backend", [](const P& p) { return backend_name(p.options().backend); }, "The backend asked for.")
      .def_property_readonly(
          "threads", [](const P& p) { return p.options().threads; }, "Worker threads.")
      .def_property_readonly(
          "winograd", [](const P& p) { return p.options().winograd; }, "Winograd convolutions allowed.");
}

}  // namespace incept::python
