// SPDX-License-Identifier: Apache-2.0
// Concat: the shape rule only (the planner makes inputs views of the output; there is no kernel).
#include <doctest/doctest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "concat/concat.h"
#include "support/test_util.h"

namespace incept {
namespace {

using ops::ConcatParams;

Status concat(const std::vector<Shape>& in, Shape* out, int axis = 3) {
  ConcatParams p;
  p.axis = axis;
  return ops::concat_infer_shape(p, in.data(), static_cast<int>(in.size()), out);
}

Shape concat_ok(const std::vector<Shape>& in, int axis = 3) {
  Shape out;
  const Status s = concat(in, &out, axis);
  CHECK_MESSAGE(s.code() == StatusCode::kOk, std::string(s.message()));
  return out;
}

TEST_CASE("concat: Inception modules") {
  // GoogLeNet inception3a and inception5b.
  CHECK(concat_ok({{1, 28, 28, 64}, {1, 28, 28, 128}, {1, 28, 28, 32}, {1, 28, 28, 32}}) == Shape{1, 28, 28, 256});
  CHECK(concat_ok({{1, 7, 7, 384}, {1, 7, 7, 384}, {1, 7, 7, 128}, {1, 7, 7, 128}}) == Shape{1, 7, 7, 1024});
  // Inception-v3 Mixed_5b, and Mixed_7b with its nested 1x3 / 3x1 split concats.
  CHECK(concat_ok({{1, 35, 35, 64}, {1, 35, 35, 64}, {1, 35, 35, 96}, {1, 35, 35, 32}}) == Shape{1, 35, 35, 256});
  const Shape split = concat_ok({{1, 8, 8, 384}, {1, 8, 8, 384}}, -1);
  CHECK(split == Shape{1, 8, 8, 768});
  CHECK(concat_ok({{1, 8, 8, 320}, split, split, {1, 8, 8, 192}}) == Shape{1, 8, 8, 2048});
  // Rank 2 ([N, C]) and a single input.
  CHECK(concat_ok({{2, 10}, {2, 5}}, 1) == Shape{2, 15});
  CHECK(concat_ok({{2, 10}, {2, 5}}, -1) == Shape{2, 15});
  CHECK(concat_ok({{1, 4, 4, 7}}) == Shape{1, 4, 4, 7});
}

TEST_CASE("concat: mismatches and unsupported axes are rejected with a message naming the problem") {
  Shape out;
  CHECK_FAILED_WITH(concat({{1, 28, 28, 64}, {1, 28, 27, 32}}, &out), kInvalidModel,
                    "Concat: input 1 [1, 28, 27, 32] differs from input 0 [1, 28, 28, 64] in dim 2");
  CHECK_FAILED_WITH(concat({{1, 28, 28, 64}, {1, 28, 28, 8}, {2, 28, 28, 8}}, &out), kInvalidModel,
                    "input 2 [2, 28, 28, 8] differs from input 0 [1, 28, 28, 64] in dim 0");
  CHECK_FAILED_WITH(concat({{1, 28, 28, 64}, {1, 28, 28, 8}}, &out, 1), kInvalidModel,
                    "only the channel axis (the last, 3 or -1 for rank 4) is supported, got axis 1");
  CHECK_FAILED_WITH(concat({{1, 28, 28, 64}, {1, 28, 28, 8}}, &out, -2), kInvalidModel, "got axis -2");
  CHECK_FAILED_WITH(concat({{1, 28, 28, 64}, {1, 28, 28, 8}}, &out, 4), kInvalidModel, "got axis 4");
  CHECK_FAILED_WITH(concat({{1, 28, 28, 64}, {1, 28, 28, 8}}, &out, -5), kInvalidModel, "got axis -5");
  CHECK_FAILED_WITH(concat({{2, 10}, {2, 5}}, &out, 0), kInvalidModel, "got axis 0");
  CHECK_FAILED_WITH(concat({{1, 28, 28, 64}, {1, 28 * 28 * 64}}, &out), kInvalidModel,
                    "input 1 has rank 2 but input 0 has rank 4");
  CHECK_FAILED_WITH(concat({{28, 28, 64}, {28, 28, 64}}, &out, 2), kInvalidModel,
                    "inputs must have rank 2 ([N, C]) or 4 (NHWC), input 0 has rank 3");
  CHECK_FAILED_WITH(concat({{1, 28, 28, 64}, {1, 28, 28, 0}}, &out), kInvalidModel,
                    "Concat: input 1 dims must all be >= 1, got [1, 28, 28, 0] (dim 3 is 0)");
  CHECK_FAILED_WITH(concat({{1, 28, 28, 64}, {1, 28, -28, 4}}, &out), kInvalidModel, "dim 2 is -28");
  CHECK_FAILED_WITH(concat({}, &out), kInvalidModel, "needs at least 1 input, got 0");
  CHECK_FAILED_WITH(ops::concat_infer_shape(ConcatParams{}, nullptr, 2, &out), kInvalidModel,
                    "the 2 input shapes are missing");
  CHECK_FAILED_WITH(concat({{1, 1, 1, INT32_MAX}, {1, 1, 1, 1}}, &out), kInvalidModel,
                    "2147483648 channels in total, more than 2^31 - 1");
}

}  // namespace
}  // namespace incept
