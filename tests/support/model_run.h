// SPDX-License-Identifier: Apache-2.0
// A prepared interpreter run on one input and held to a dense reference output, as the whole-model tests
// do on every backend: ref runs the same kernels as the dense computation (bit-exact), the fast kernels
// sum in another order (within 1e-5 of the largest reference value).
//
//   Interpreter it(model, InterpreterOptions{backend, threads});
//   REQUIRE(it.prepare().is_ok());
//   CHECK(test::run_and_diff(it, x, want) <= test::model_tolerance(backend, want));
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstring>

#include "incept/incept.h"
#include "support/test_util.h"

namespace incept::test {

// Copies x into the first input, invokes, and returns the largest |output - want| (the output must have
// want's size).
inline float run_and_diff(Interpreter& it, const Tensor& x, const Tensor& want) {
  std::memcpy(it.input(0).data, x.data.data(), x.data.size() * sizeof(float));
  REQUIRE(it.invoke().is_ok());
  const TensorRef out = it.output(0);
  REQUIRE(out.bytes == want.data.size() * sizeof(float));
  float worst = 0.0f;
  for (size_t i = 0; i < want.data.size(); ++i) worst = std::max(worst, std::fabs(out.data[i] - want.data[i]));
  return worst;
}

inline float model_tolerance(Backend backend, const Tensor& want) {
  float max_ref = 0.0f;
  for (float v : want.data) max_ref = std::max(max_ref, std::fabs(v));
  return backend == Backend::kRef ? 0.0f : 1e-5f * max_ref;
}

}  // namespace incept::test
