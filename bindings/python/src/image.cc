// SPDX-License-Identifier: Apache-2.0
// incept.load_image: an image file to the model's input, by the code incept-classify runs (tools/common/image.h:
// stb decoding, area / bilinear resize, the model's mean, std and channel order), so both give the same tensor.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>

#include "binding.h"
#ifdef INCEPT_PYTHON_WITH_IMAGE
#include "common/image.h"
#endif

namespace incept::python {

namespace {

constexpr const char* kDoc = R"doc(Reads an image (PNG, JPEG, BMP, PPM) as the model's input, as incept-classify does.

load_image(path, interp, resize="crop", layout="nhwc") -> float32 array of interp.input_shapes[0]
(or its NCHW form). resize="crop": shorter side to the input size, centre crop; "stretch": both sides.
The pixels are normalised with the model's recorded mean, std and channel order. A missing, unreadable
or corrupt file raises incept.Error naming the file.)doc";

}  // namespace

#ifdef INCEPT_PYTHON_WITH_IMAGE
void bind_image(py::module_& m) {
  m.def(
      "load_image",
      [](const py::object& path, py::handle interpreter, const std::string& resize, const std::string& layout_arg) {
        const std::shared_ptr<Session> s = session_of(interpreter);
        const Layout layout = parse_layout(layout_arg);
        tools::ResizePolicy policy;
        if (resize.find('\0') != std::string::npos || !tools::parse_resize_policy(resize.c_str(), &policy).is_ok())
          throw py::value_error("resize must be 'crop' or 'stretch', got '" + resize + "'");
        const std::string file = py::bytes(py::module_::import("os").attr("fsencode")(path));
        if (file.find('\0') != std::string::npos) throw py::value_error("image path contains a NUL character");
        const Interpreter& it = *s->interpreter;
        if (it.num_inputs() != 1) throw py::value_error("load_image() needs a model with one image input");
        const TensorRef in = it.input(0);
        py::array_t<float> nhwc(std::vector<py::ssize_t>(in.shape.dims, in.shape.dims + in.shape.rank));
        TensorRef t = in;
        t.data = nhwc.mutable_data();
        {
          py::gil_scoped_release nogil;
          tools::Image img;
          check(tools::load_image(file, &img));
          check(tools::image_to_tensor(img, tools::preprocess_from(*s->model), policy, t));
        }
        if (layout == Layout::kNhwc) return nhwc;
        const Shape nchw = in_layout(in.shape, layout);
        py::array_t<float> out(std::vector<py::ssize_t>(nchw.dims, nchw.dims + nchw.rank));
        copy_out(t, layout, out.mutable_data());
        return out;
      },
      py::arg("path"), py::arg("interp"), py::arg("resize") = "crop", py::arg("layout") = "nhwc", kDoc);
}
#else
void bind_image(py::module_& m) {
  m.def(
      "load_image",
      [](const py::object&, py::handle, const std::string&, const std::string&) -> py::array {
        throw StatusError{StatusCode::kUnsupported,
                          "this incept module was built without image decoding (Debian's libstb-dev was not found)"};
      },
      py::arg("path"), py::arg("interp"), py::arg("resize") = "crop", py::arg("layout") = "nhwc", kDoc);
}
#endif

}  // namespace incept::python
