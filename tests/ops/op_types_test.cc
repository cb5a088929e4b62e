// SPDX-License-Identifier: Apache-2.0
// window_out_size and check_window: the sliding-window rules every 2-D op shares.
#include <doctest/doctest.h>

#include "common/op_types.h"
#include "support/test_util.h"

namespace incept {
namespace {

using ops::check_window;
using ops::Pad2D;
using ops::Size2D;
using ops::window_out_size;

TEST_CASE("window_out_size: floor rounding, Inception-v3 stem") {
  CHECK(window_out_size(299, 3, 2, 1, 0, 0, false) == 149);  // Conv2d_1a_3x3
  CHECK(window_out_size(149, 3, 1, 1, 0, 0, false) == 147);  // Conv2d_2a_3x3
  CHECK(window_out_size(147, 3, 1, 1, 1, 1, false) == 147);  // Conv2d_2b_3x3
  CHECK(window_out_size(147, 3, 2, 1, 0, 0, false) == 73);   // maxpool1
  CHECK(window_out_size(71, 3, 2, 1, 0, 0, false) == 35);    // maxpool2
  CHECK(window_out_size(35, 3, 2, 1, 0, 0, false) == 17);    // Mixed_6a
  CHECK(window_out_size(17, 3, 2, 1, 0, 0, false) == 8);     // Mixed_7a
  CHECK(window_out_size(17, 7, 1, 1, 3, 3, false) == 17);    // 1x7 / 7x1 with pad 3
  CHECK(window_out_size(224, 7, 2, 1, 3, 3, false) == 112);  // GoogLeNet conv1
}

TEST_CASE("window_out_size: ceil rounding, GoogLeNet max pools") {
  CHECK(window_out_size(112, 3, 2, 1, 0, 0, true) == 56);
  CHECK(window_out_size(112, 3, 2, 1, 0, 0, false) == 55);
  CHECK(window_out_size(56, 3, 2, 1, 0, 0, true) == 28);
  CHECK(window_out_size(28, 3, 2, 1, 0, 0, true) == 14);
  CHECK(window_out_size(14, 2, 2, 1, 0, 0, true) == 7);   // maxpool4
  CHECK(window_out_size(28, 3, 1, 1, 1, 1, true) == 28);  // branch4 pool 3x3 s1 p1
  CHECK(window_out_size(4, 3, 2, 1, 1, 1, true) == 3);    // last window reaches past the padding
}

TEST_CASE("window_out_size: ceil drops a last window that starts in the trailing padding") {
  // in 2, kernel 2, stride 3, pad (0, 1): ceil((3 - 2) / 3) + 1 = 2, but window 1 would start at 3,
  // past the padded input; PyTorch gives 1.
  CHECK(window_out_size(2, 2, 3, 1, 0, 1, true) == 1);
  CHECK(window_out_size(2, 2, 3, 1, 0, 1, false) == 1);
}

TEST_CASE("window_out_size: dilation") {
  CHECK(window_out_size(10, 3, 1, 2, 2, 2, false) == 10);  // span 5, "same"
  CHECK(window_out_size(10, 3, 1, 2, 0, 0, false) == 6);
  CHECK(window_out_size(4, 3, 1, 2, 0, 0, false) == -1);  // span 5 > 4
}

TEST_CASE("window_out_size: -1 when the window does not fit or an argument is out of range") {
  CHECK(window_out_size(2, 3, 1, 1, 0, 0, false) == -1);
  CHECK(window_out_size(2, 3, 1, 1, 0, 0, true) == -1);
  CHECK(window_out_size(2, 3, 1, 1, 1, 0, false) == 1);  // padding makes it fit
  CHECK(window_out_size(0, 1, 1, 1, 0, 0, false) == -1);
  CHECK(window_out_size(-5, 1, 1, 1, 0, 0, false) == -1);
  CHECK(window_out_size(8, 0, 1, 1, 0, 0, false) == -1);
  CHECK(window_out_size(8, 3, 0, 1, 0, 0, false) == -1);
  CHECK(window_out_size(8, 3, 1, 0, 0, 0, false) == -1);
  CHECK(window_out_size(8, 3, 1, 1, -1, 0, false) == -1);
  CHECK(window_out_size(8, 3, 1, 1, 0, -1, false) == -1);
  // Extreme values neither overflow nor wrap.
  CHECK(window_out_size(INT32_MAX, 1, 1, 1, 0, 0, false) == INT32_MAX);
  CHECK(window_out_size(INT32_MAX, 1, 1, 1, INT32_MAX, INT32_MAX, false) == -1);
  CHECK(window_out_size(3, INT32_MAX, 1, INT32_MAX, 0, 0, false) == -1);
}

TEST_CASE("check_window: accepts every torchvision GoogLeNet / Inception-v3 window") {
  const Size2D one{1, 1};
  CHECK(check_window("Conv2D", {7, 7}, {2, 2}, one, {3, 3, 3, 3}).code() == StatusCode::kOk);
  CHECK(check_window("Conv2D", {1, 7}, one, one, {0, 0, 3, 3}).code() == StatusCode::kOk);
  CHECK(check_window("Conv2D", {7, 1}, one, one, {3, 3, 0, 0}).code() == StatusCode::kOk);
  CHECK(check_window("Conv2D", {5, 5}, one, one, {2, 2, 2, 2}).code() == StatusCode::kOk);
  CHECK(check_window("MaxPool2D", {3, 3}, {2, 2}, one, {}).code() == StatusCode::kOk);
  CHECK(check_window("AvgPool2D", {3, 3}, one, one, {1, 1, 1, 1}).code() == StatusCode::kOk);
  CHECK(check_window("Conv2D", {3, 3}, one, {2, 2}, {4, 4, 4, 4}).code() == StatusCode::kOk);  // span 5
}

TEST_CASE("check_window: rejections name the op, the value and the rule") {
  const Size2D one{1, 1};
  CHECK_FAILED_WITH(check_window("MaxPool2D", {3, 3}, {0, 1}, one, {}), kInvalidModel,
                    "MaxPool2D: stride must be >= 1x1, got 0x1");
  CHECK_FAILED_WITH(check_window("Conv2D", {0, 3}, one, one, {}), kInvalidModel, "kernel must be >= 1x1, got 0x3");
  CHECK_FAILED_WITH(check_window("Conv2D", {3, 3}, one, {1, -2}, {}), kInvalidModel,
                    "dilation must be >= 1x1, got 1x-2");
  CHECK_FAILED_WITH(check_window("Conv2D", {3, 3}, one, one, {0, 0, -1, 0}), kInvalidModel,
                    "padding must be >= 0 on every side, got top 0, bottom 0, left -1, right 0");
  CHECK_FAILED_WITH(check_window("AvgPool2D", {3, 3}, one, one, {3, 0, 0, 0}), kInvalidModel,
                    "AvgPool2D: padding top 3 / bottom 0 must be smaller than the kernel's height span 3");
  CHECK_FAILED_WITH(check_window("Conv2D", {1, 7}, one, one, {0, 0, 3, 7}), kInvalidModel, "right 7 must be smaller");
}

TEST_CASE("check_positive_dims and check_activation") {
  CHECK(ops::check_positive_dims("Op", "input", Shape{1, 2, 3, 4}).code() == StatusCode::kOk);
  CHECK_FAILED_WITH(ops::check_positive_dims("Op", "input", Shape{1, 0, 3, 4}), kInvalidModel,
                    "got [1, 0, 3, 4] (dim 1 is 0)");
  CHECK_FAILED_WITH(ops::check_positive_dims("Op", "weights", Shape{}), kInvalidModel,
                    "weights must have rank 1 to 4, got rank 0");
  CHECK_FAILED_WITH(ops::check_positive_dims("Op", "input", Shape{1 << 20, 1 << 20, 2, 1}), kInvalidModel,
                    "more than 2^40 elements");
  CHECK_FAILED_WITH(ops::check_activation("Op", static_cast<ops::Activation>(7)), kInvalidModel,
                    "activation must be NONE (0) or RELU (1), got 7");
}

}  // namespace
}  // namespace incept
