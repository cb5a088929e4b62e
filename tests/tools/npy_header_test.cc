// SPDX-License-Identifier: Apache-2.0
// The .npy header as incept-run reads it (tools/common/npy.h): the shape is a tuple of sizes or refused, the
// dtype is exactly little-endian float32, and header text shown in a message stays on one printable line.
#include <doctest/doctest.h>

#include <string>

#include "common/npy.h"

namespace incept {
namespace {

// A version 1.0 file with `dict` as its header and `data_bytes` zero bytes of data.
std::string npy_file(const std::string& dict, size_t data_bytes) {
  std::string header = dict + "\n";
  std::string f = std::string("\x93NUMPY\x01\x00", 8);
  f += static_cast<char>(header.size() & 0xff);
  f += static_cast<char>(header.size() >> 8);
  return f + header + std::string(data_bytes, '\0');
}

Status parse(const std::string& shape, size_t data_bytes, tools::NpyArray* a, const std::string& descr = "'<f4'") {
  return tools::parse_npy(
      npy_file("{'descr': " + descr + ", 'fortran_order': False, 'shape': " + shape + ", }", data_bytes), "x.npy", a);
}

TEST_CASE("npy header: shapes are tuples of sizes, with or without a trailing comma or spaces") {
  tools::NpyArray a;
  CHECK(parse("(2, 3)", 24, &a).is_ok());
  CHECK(a.shape == std::vector<int64_t>{2, 3});
  CHECK(parse("(4,)", 16, &a).is_ok());
  CHECK(a.shape == std::vector<int64_t>{4});
  CHECK(parse("()", 4, &a).is_ok());
  CHECK(a.shape.empty());
  CHECK(parse("( 1 , 2 )", 8, &a).is_ok());
}

TEST_CASE("npy header: a sign, a fraction, a word or a missing parenthesis in the shape is refused by name") {
  tools::NpyArray a;
  for (const char* bad : {"(-1, 3)", "(1.5,)", "(1, True)", "(2, 3", "2, 3", "(2 3)", "((2,), 3)"}) {
    CAPTURE(bad);
    const Status s = parse(bad, 24, &a);
    CHECK(s.code() == StatusCode::kInvalidArgument);
    CHECK(std::string(s.message()).find("is not a tuple of sizes") != std::string::npos);
  }
}

TEST_CASE("npy header: only '<f4' is float32") {
  tools::NpyArray a;
  CHECK(parse("(1,)", 4, &a, "\"<f4\"").is_ok());
  for (const char* bad : {"'>f4'", "'<f4x'", "'<f8'", "'|u1'", "<f4"}) {
    CAPTURE(bad);
    CHECK(std::string(parse("(1,)", 4, &a, bad).message()).find("is not float32") != std::string::npos);
  }
}

TEST_CASE("npy header: file text in a message is one printable line") {
  tools::NpyArray a;
  const Status s = parse("(1,\n2)\x01", 8, &a);
  REQUIRE(!s.is_ok());
  const std::string m = s.message();
  CHECK(m.find('\n') == std::string::npos);
  CHECK(m.find("\\x0a") != std::string::npos);
  CHECK(m.find("\\x01") != std::string::npos);
  const Status wide = parse("(1,)", 4, &a, "'" + std::string(500, 'x') + "'");
  CHECK(std::string(wide.message()).find("...") != std::string::npos);
  CHECK(std::string(wide.message()).size() < 200);
}

}  // namespace
}  // namespace incept
