// SPDX-License-Identifier: Apache-2.0
// The C API (incept/c_api.h) over the C++ one. Every entry point is noexcept: allocations are guarded
// (std::bad_alloc -> INCEPT_STATUS_INTERNAL) and every failure leaves its message in a thread-local buffer.
#include "incept/c_api.h"

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <new>
#include <utility>

#include "incept/interpreter.h"
#include "incept/model.h"
#include "incept/status.h"

#ifndef INCEPT_VERSION_STRING
#define INCEPT_VERSION_STRING "unknown"
#endif

struct incept_model {
  explicit incept_model(incept::Model&& m) : model(std::move(m)) {}
  incept::Model model;
};

struct incept_interpreter {
  incept_interpreter(const incept::Model& m, const incept::InterpreterOptions& o) : it(m, o) {}
  incept::Interpreter it;
};

namespace {

static_assert(INCEPT_STATUS_IO_ERROR == static_cast<int>(incept::StatusCode::kIoError),
              "incept_status mirrors StatusCode");
static_assert(INCEPT_STATUS_INTERNAL == static_cast<int>(incept::StatusCode::kInternal),
              "incept_status mirrors StatusCode");
static_assert(INCEPT_STATUS_ARENA_TOO_SMALL == static_cast<int>(incept::StatusCode::kArenaTooSmall), "mirror");
static_assert(INCEPT_BACKEND_XNNPACK == static_cast<int>(incept::Backend::kXnnpack), "incept_backend mirrors Backend");
static_assert(INCEPT_BACKEND_NATIVE == static_cast<int>(incept::Backend::kNative), "incept_backend mirrors Backend");
static_assert(INCEPT_BACKEND_EIGEN == static_cast<int>(incept::Backend::kEigen), "incept_backend mirrors Backend");
static_assert(INCEPT_LAYOUT_NCHW == static_cast<int>(incept::Layout::kNchw), "incept_layout mirrors Layout");

// A C enum argument or field as the int a C caller stored: C lets it hold any int, and loading a value outside
// the enum's range through the enum type is undefined in C++ (UBSan's enum check), so it is never loaded as one.
template <typename Enum>
int enum_value(const Enum& e) noexcept {
  static_assert(sizeof(Enum) == sizeof(int), "C enums are ints");
  int v = 0;
  std::memcpy(&v, &e, sizeof(v));
  return v;
}

thread_local char g_last_error[incept::Status::kMaxMessage] = {0};

[[gnu::format(printf, 2, 3)]] incept_status fail(incept_status code, const char* fmt, ...) noexcept {
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(g_last_error, sizeof(g_last_error), fmt, ap);
  va_end(ap);
  return code;
}

incept_status from_status(const incept::Status& s) noexcept {
  if (s.is_ok()) return INCEPT_STATUS_OK;
  return fail(static_cast<incept_status>(s.code()), "%s", s.message());
}

incept_status out_of_memory(const char* what) noexcept {
  return fail(INCEPT_STATUS_INTERNAL, "%s: out of memory", what);
}

incept::LoadOptions to_cpp(const incept_load_options* o) {
  incept::LoadOptions r;
  if (o != nullptr) {
    r.max_tensors = o->max_tensors;
    r.max_ops = o->max_ops;
    r.max_weights_bytes = o->max_weights_bytes;
  }
  return r;
}

// Entry point `fn` on interpreter `it`: a NULL handle is refused by name, and `call` (returning an
// incept::Status) runs with std::bad_alloc turned into INCEPT_STATUS_INTERNAL.
template <typename F>
incept_status run_guarded(const char* fn, const incept_interpreter* it, F&& call) noexcept {
  if (it == nullptr) return fail(INCEPT_STATUS_INVALID_ARGUMENT, "%s: interpreter handle is NULL", fn);
  try {
    return from_status(call());
  } catch (const std::bad_alloc&) {
    return out_of_memory(fn);
  }
}

incept_status finish_load(incept::Result<incept::Model>&& m, const char* what, incept_model** out) noexcept {
  if (!m.ok()) return from_status(m.status());
  try {
    *out = new incept_model(std::move(*m));
  } catch (const std::bad_alloc&) {
    return out_of_memory(what);
  }
  return INCEPT_STATUS_OK;
}

void to_c(const incept::TensorRef& r, incept_tensor* out) noexcept {
  out->name = r.name;
  out->rank = r.shape.rank;
  for (int d = 0; d < 4; ++d) out->dims[d] = r.shape.dims[d];
  out->data = r.data;
  out->bytes = r.bytes;
}

enum class Side { kInput, kOutput };
const char* side_name(Side s) { return s == Side::kInput ? "input" : "output"; }

incept_status tensor_at(const incept_interpreter* it, Side side, int index, incept_tensor* out,
                        const char* fn) noexcept {
  if (it == nullptr) return fail(INCEPT_STATUS_INVALID_ARGUMENT, "%s: interpreter handle is NULL", fn);
  if (out == nullptr) return fail(INCEPT_STATUS_INVALID_ARGUMENT, "%s: out tensor is NULL", fn);
  const int n = side == Side::kInput ? it->it.num_inputs() : it->it.num_outputs();
  if (index < 0 || index >= n)
    return fail(INCEPT_STATUS_INVALID_ARGUMENT, "%s: %s index %d is out of range: the model has %d %ss", fn,
                side_name(side), index, n, side_name(side));
  to_c(side == Side::kInput ? it->it.input(index) : it->it.output(index), out);
  return INCEPT_STATUS_OK;
}

incept_status tensor_named(const incept_interpreter* it, Side side, const char* name, incept_tensor* out,
                           const char* fn) noexcept {
  if (it == nullptr) return fail(INCEPT_STATUS_INVALID_ARGUMENT, "%s: interpreter handle is NULL", fn);
  if (out == nullptr) return fail(INCEPT_STATUS_INVALID_ARGUMENT, "%s: out tensor is NULL", fn);
  if (name == nullptr) return fail(INCEPT_STATUS_INVALID_ARGUMENT, "%s: %s name is NULL", fn, side_name(side));
  const int n = side == Side::kInput ? it->it.num_inputs() : it->it.num_outputs();
  for (int i = 0; i < n; ++i) {
    const incept::TensorRef r = side == Side::kInput ? it->it.input(i) : it->it.output(i);
    if (std::strcmp(r.name, name) == 0) {
      to_c(r, out);
      return INCEPT_STATUS_OK;
    }
  }
  return fail(INCEPT_STATUS_INVALID_ARGUMENT, "%s: the model has no %s named '%s' (it has %d %ss)", fn, side_name(side),
              name, n, side_name(side));
}

}  // namespace

extern "C" {

const char* incept_version(void) { return INCEPT_VERSION_STRING; }

const char* incept_status_name(incept_status code) {
  const int v = enum_value(code);
  if (v < 0 || v > INCEPT_STATUS_IO_ERROR) return "unknown";
  return incept::status_code_name(static_cast<incept::StatusCode>(v));
}

const char* incept_last_error(void) { return g_last_error; }

incept_load_options incept_load_options_default(void) {
  const incept::LoadOptions d;
  incept_load_options o;
  o.max_tensors = d.max_tensors;
  o.max_ops = d.max_ops;
  o.max_weights_bytes = d.max_weights_bytes;
  return o;
}

incept_interpreter_options incept_interpreter_options_default(void) {
  const incept::InterpreterOptions d;
  incept_interpreter_options o;
  o.backend = static_cast<incept_backend>(d.backend);
  o.threads = d.threads;
  o.max_arena_bytes = d.max_arena_bytes;
  o.winograd = d.winograd ? 1 : 0;
  return o;
}

incept_status incept_model_load_file(const char* path, const incept_load_options* options, incept_model** out) {
  if (out == nullptr) return fail(INCEPT_STATUS_INVALID_ARGUMENT, "incept_model_load_file: out is NULL");
  *out = nullptr;
  if (path == nullptr) return fail(INCEPT_STATUS_INVALID_ARGUMENT, "incept_model_load_file: path is NULL");
  try {
    return finish_load(incept::Model::from_file(path, to_cpp(options)), "incept_model_load_file", out);
  } catch (const std::bad_alloc&) {
    return out_of_memory("incept_model_load_file");
  }
}

incept_status incept_model_load_bytes(const void* data, size_t size, const incept_load_options* options,
                                      incept_model** out) {
  if (out == nullptr) return fail(INCEPT_STATUS_INVALID_ARGUMENT, "incept_model_load_bytes: out is NULL");
  *out = nullptr;
  try {
    return finish_load(incept::Model::from_bytes(data, size, to_cpp(options)), "incept_model_load_bytes", out);
  } catch (const std::bad_alloc&) {
    return out_of_memory("incept_model_load_bytes");
  }
}

void incept_model_free(incept_model* model) { delete model; }

incept_status incept_interpreter_create(const incept_model* model, const incept_interpreter_options* options,
                                        incept_interpreter** out) {
  if (out == nullptr) return fail(INCEPT_STATUS_INVALID_ARGUMENT, "incept_interpreter_create: out is NULL");
  *out = nullptr;
  if (model == nullptr) return fail(INCEPT_STATUS_INVALID_ARGUMENT, "incept_interpreter_create: model handle is NULL");
  incept::InterpreterOptions o;
  if (options != nullptr) {
    const int backend = enum_value(options->backend);
    if (backend < INCEPT_BACKEND_AUTO || backend > INCEPT_BACKEND_NATIVE)
      return fail(INCEPT_STATUS_INVALID_ARGUMENT,
                  "incept_interpreter_create: backend %d is not one of auto (0), ref (1), eigen (2), xnnpack (3), "
                  "native (4)",
                  backend);
    if (options->threads < 1)
      return fail(INCEPT_STATUS_INVALID_ARGUMENT, "incept_interpreter_create: threads must be >= 1, got %d",
                  options->threads);
    o.backend = static_cast<incept::Backend>(backend);
    o.threads = options->threads;
    if (options->winograd != 0 && options->winograd != 1)
      return fail(INCEPT_STATUS_INVALID_ARGUMENT, "incept_interpreter_create: winograd must be 0 or 1, got %d",
                  options->winograd);
    o.max_arena_bytes = options->max_arena_bytes;
    o.winograd = options->winograd != 0;
  }
  try {
    *out = new incept_interpreter(model->model, o);
  } catch (const std::bad_alloc&) {
    return out_of_memory("incept_interpreter_create");
  }
  return INCEPT_STATUS_OK;
}

void incept_interpreter_free(incept_interpreter* it) { delete it; }

incept_status incept_interpreter_arena_bytes(incept_interpreter* it, size_t* out) {
  const char* fn = "incept_interpreter_arena_bytes";
  if (it != nullptr && out == nullptr) return fail(INCEPT_STATUS_INVALID_ARGUMENT, "%s: out is NULL", fn);
  return run_guarded(fn, it, [&] { return it->it.arena_bytes_required(out); });
}

incept_status incept_interpreter_prepare(incept_interpreter* it) {
  return run_guarded("incept_interpreter_prepare", it, [&] { return it->it.prepare(); });
}

incept_status incept_interpreter_prepare_with_arena(incept_interpreter* it, void* arena, size_t size) {
  return run_guarded("incept_interpreter_prepare_with_arena", it, [&] { return it->it.prepare(arena, size); });
}

incept_status incept_interpreter_invoke(incept_interpreter* it) {
  return run_guarded("incept_interpreter_invoke", it, [&] { return it->it.invoke(); });
}

int incept_interpreter_num_inputs(const incept_interpreter* it) { return it == nullptr ? 0 : it->it.num_inputs(); }
int incept_interpreter_num_outputs(const incept_interpreter* it) { return it == nullptr ? 0 : it->it.num_outputs(); }

incept_status incept_interpreter_input(const incept_interpreter* it, int index, incept_tensor* out) {
  return tensor_at(it, Side::kInput, index, out, "incept_interpreter_input");
}
incept_status incept_interpreter_output(const incept_interpreter* it, int index, incept_tensor* out) {
  return tensor_at(it, Side::kOutput, index, out, "incept_interpreter_output");
}
incept_status incept_interpreter_set_input(incept_interpreter* it, int index, const float* data, size_t count,
                                           incept_layout layout) {
  const int value = enum_value(layout);
  if (it != nullptr && value != INCEPT_LAYOUT_NHWC && value != INCEPT_LAYOUT_NCHW)
    return fail(INCEPT_STATUS_INVALID_ARGUMENT,
                "incept_interpreter_set_input: layout %d is neither INCEPT_LAYOUT_NHWC (0) nor INCEPT_LAYOUT_NCHW (1)",
                value);
  const incept::Layout cpp = value == INCEPT_LAYOUT_NCHW ? incept::Layout::kNchw : incept::Layout::kNhwc;
  return run_guarded("incept_interpreter_set_input", it, [&] { return it->it.set_input(index, data, count, cpp); });
}
incept_status incept_interpreter_set_input_image(incept_interpreter* it, int index, const uint8_t* pixels,
                                                 int32_t height, int32_t width, int32_t channels, size_t row_bytes) {
  return run_guarded("incept_interpreter_set_input_image", it,
                     [&] { return it->it.set_input_image(index, pixels, height, width, channels, row_bytes); });
}

incept_status incept_interpreter_input_by_name(const incept_interpreter* it, const char* name, incept_tensor* out) {
  return tensor_named(it, Side::kInput, name, out, "incept_interpreter_input_by_name");
}
incept_status incept_interpreter_output_by_name(const incept_interpreter* it, const char* name, incept_tensor* out) {
  return tensor_named(it, Side::kOutput, name, out, "incept_interpreter_output_by_name");
}

}  // extern "C"
