// SPDX-License-Identifier: Apache-2.0
// What the binding's parts share (binding.h): Status to incept.Error, aligned model bytes, the busy guard, text
// and shapes for Python, and the layout copies the Interpreter uses.
#include <pybind11/pybind11.h>

#include <cstdlib>
#include <cstring>
#include <new>

#include "binding.h"

namespace incept::python {

namespace {

void copy_4d(const char* src, const py::ssize_t src_strides[4], char* dst, const py::ssize_t dst_strides[4],
             const int64_t dims[4]) {
  for (int64_t a = 0; a < dims[0]; ++a)
    for (int64_t b = 0; b < dims[1]; ++b)
      for (int64_t c = 0; c < dims[2]; ++c) {
        const char* s = src + a * src_strides[0] + b * src_strides[1] + c * src_strides[2];
        char* d = dst + a * dst_strides[0] + b * dst_strides[1] + c * dst_strides[2];
        for (int64_t e = 0; e < dims[3]; ++e)
          std::memcpy(d + e * dst_strides[3], s + e * src_strides[3], sizeof(float));
      }
}

// The tensor's dims padded to four with leading 1s, and its dense NHWC strides in bytes.
void dense_dims(const Shape& s, int64_t dims[4], py::ssize_t strides[4]) {
  const int pad = 4 - s.rank;
  for (int i = 0; i < 4; ++i) dims[i] = i < pad ? 1 : s[i - pad];
  py::ssize_t stride = sizeof(float);
  for (int i = 3; i >= 0; --i) {
    strides[i] = stride;
    stride *= static_cast<py::ssize_t>(dims[i]);
  }
}

}  // namespace

void throw_status(const Status& s) { throw StatusError{s.code(), s.message()}; }

AlignedBytes::AlignedBytes(size_t n) : size(n) {
  data = static_cast<uint8_t*>(std::aligned_alloc(64, (n + 63) / 64 * 64 + 64));
  if (data == nullptr) throw std::bad_alloc();
}
AlignedBytes::~AlignedBytes() { std::free(data); }

BusyGuard::BusyGuard(Session& s) : s_(s) {
  if (s_.busy.exchange(true, std::memory_order_acquire))
    throw StatusError{StatusCode::kInvalidArgument,
                      "the interpreter is running in another thread; an Interpreter serves one thread at a time "
                      "(create one per thread: they may share nothing else)"};
}

py::str text(const char* s) {
  PyObject* o = PyUnicode_DecodeUTF8(s, static_cast<py::ssize_t>(std::strlen(s)), "replace");
  if (o == nullptr) throw py::error_already_set();
  return py::reinterpret_steal<py::str>(o);
}

py::tuple shape_tuple(const Shape& s) {
  py::tuple t(s.rank);
  for (int i = 0; i < s.rank; ++i) t[i] = s[i];
  return t;
}

std::string shape_string(const Shape& s) {
  char buf[64];
  return shape_to_string(s, buf, sizeof(buf));
}

Layout parse_layout(const std::string& name) {
  if (name == "nhwc") return Layout::kNhwc;
  if (name == "nchw") return Layout::kNchw;
  throw py::value_error("layout must be 'nhwc' (the runtime's own order) or 'nchw' (PyTorch's), got '" + name + "'");
}

Shape in_layout(const Shape& nhwc, Layout layout) {
  if (layout == Layout::kNhwc || nhwc.rank != 4) return nhwc;
  return Shape{nhwc[0], nhwc[3], nhwc[1], nhwc[2]};
}

void copy_in(const float* src, const py::ssize_t* strides, Layout layout, const TensorRef& dst) {
  int64_t dims[4];
  py::ssize_t dense[4], from[4];
  dense_dims(dst.shape, dims, dense);
  const int pad = 4 - dst.shape.rank;
  for (int i = 0; i < 4; ++i) from[i] = i < pad ? 0 : strides[i - pad];
  if (layout == Layout::kNchw && dst.shape.rank == 4) {  // NHWC position (n, h, w, c) reads x[n, c, h, w]
    from[1] = strides[2];
    from[2] = strides[3];
    from[3] = strides[1];
  }
  if (std::memcmp(from + pad, dense + pad, sizeof(py::ssize_t) * (4 - pad)) == 0) {
    std::memcpy(dst.data, src, dst.bytes);
    return;
  }
  copy_4d(reinterpret_cast<const char*>(src), from, reinterpret_cast<char*>(dst.data), dense, dims);
}

void copy_out(const TensorRef& src, Layout layout, float* dst) {
  if (layout == Layout::kNhwc || src.shape.rank != 4) {
    std::memcpy(dst, src.data, src.bytes);
    return;
  }
  int64_t dims[4];
  py::ssize_t dense[4];
  dense_dims(src.shape, dims, dense);
  const py::ssize_t f = sizeof(float), h = dims[1], w = dims[2], c = dims[3];
  const py::ssize_t to[4] = {c * h * w * f, w * f, f, h * w * f};  // NHWC position (n, y, x, ch) -> y[n, ch, y, x]
  copy_4d(reinterpret_cast<const char*>(src.data), dense, reinterpret_cast<char*>(dst), to, dims);
}

}  // namespace incept::python
