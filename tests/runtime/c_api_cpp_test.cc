// SPDX-License-Identifier: Apache-2.0
// The C API (incept/c_api.h) against the C++ API on the same model and input: identical bits, on every
// backend built in; the status enums mirror StatusCode. The C-only checks live in tests/c_api/c_api_test.c.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "incept/c_api.h"
#include "incept/incept.h"

namespace incept {
namespace {

const std::string kModel = std::string(INCEPT_SOURCE_DIR) + "/tests/fuzz/corpus/model/tiny_inception.incept";

void fill(float* data, size_t bytes) {
  for (size_t i = 0; i < bytes / sizeof(float); ++i)
    data[i] = static_cast<float>(static_cast<int>(i * 7919u % 201u) - 100) / 100.0f;
}

TEST_CASE("c_api: outputs match the C++ API bit for bit") {
  for (Backend b : {Backend::kAuto, Backend::kRef, Backend::kEigen, Backend::kXnnpack, Backend::kNative}) {
    if (b != Backend::kAuto && !backend_available(b)) continue;
    CAPTURE(backend_name(b));
    Result<Model> model = Model::from_file(kModel.c_str());
    REQUIRE(model.ok());
    InterpreterOptions o;
    o.backend = b;
    Interpreter cpp(*model, o);
    REQUIRE(cpp.prepare().is_ok());

    incept_model* cm = nullptr;
    incept_interpreter* ci = nullptr;
    REQUIRE(incept_model_load_file(kModel.c_str(), nullptr, &cm) == INCEPT_STATUS_OK);
    incept_interpreter_options co = incept_interpreter_options_default();
    co.backend = static_cast<incept_backend>(b);
    REQUIRE(incept_interpreter_create(cm, &co, &ci) == INCEPT_STATUS_OK);
    REQUIRE(incept_interpreter_prepare(ci) == INCEPT_STATUS_OK);

    REQUIRE(incept_interpreter_num_inputs(ci) == cpp.num_inputs());
    REQUIRE(incept_interpreter_num_outputs(ci) == cpp.num_outputs());
    for (int i = 0; i < cpp.num_inputs(); ++i) {
      incept_tensor t;
      REQUIRE(incept_interpreter_input(ci, i, &t) == INCEPT_STATUS_OK);
      const TensorRef r = cpp.input(i);
      REQUIRE(t.bytes == r.bytes);
      CHECK(std::strcmp(t.name, r.name) == 0);
      CHECK(t.rank == r.shape.rank);
      fill(t.data, t.bytes);
      fill(r.data, r.bytes);
    }
    REQUIRE(cpp.invoke().is_ok());
    REQUIRE(incept_interpreter_invoke(ci) == INCEPT_STATUS_OK);
    for (int i = 0; i < cpp.num_outputs(); ++i) {
      incept_tensor t;
      REQUIRE(incept_interpreter_output(ci, i, &t) == INCEPT_STATUS_OK);
      const TensorRef r = cpp.output(i);
      REQUIRE(t.bytes == r.bytes);
      for (int d = 0; d < r.shape.rank; ++d) CHECK(t.dims[d] == r.shape.dims[d]);
      CHECK(std::memcmp(t.data, r.data, r.bytes) == 0);
    }
    incept_interpreter_free(ci);
    incept_model_free(cm);
  }
}

TEST_CASE("c_api: status names and codes mirror the C++ ones") {
  for (int c = 0; c <= static_cast<int>(StatusCode::kIoError); ++c)
    CHECK(std::strcmp(incept_status_name(static_cast<incept_status>(c)),
                      status_code_name(static_cast<StatusCode>(c))) == 0);
  CHECK(std::strcmp(incept_status_name(static_cast<incept_status>(99)), "unknown") == 0);
  CHECK(std::strlen(incept_version()) > 0);
  incept_model* m = nullptr;
  CHECK(incept_model_load_file("/nonexistent.incept", nullptr, &m) == INCEPT_STATUS_IO_ERROR);
  const Result<Model> cpp = Model::from_file("/nonexistent.incept");
  CHECK(std::strcmp(incept_last_error(), cpp.status().message()) == 0);
}

}  // namespace
}  // namespace incept
