// SPDX-License-Identifier: Apache-2.0
// Strings from a model file never reach a message raw (incept/text.h): escape_bytes on every kind of byte
// sequence, Status truncation at a character boundary, and the loader's messages for files whose
// identifier, tensor names and op names hold control bytes and invalid UTF-8. The tools' output for such a
// file is tests/tools/test_hostile_strings.py.
#include <doctest/doctest.h>

#include <cstring>
#include <string>
#include <vector>

#include "incept/incept.h"
#include "support/model_builder.h"

namespace incept {
namespace {

using test::AlignedBytes;
using test::ModelBuilder;

// True when s is printable: no C0 control, DEL or C1 control byte sequence, and valid UTF-8 throughout.
bool printable(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    if (b < 0x20 || b == 0x7f) return false;
    if (b < 0x80) {
      ++i;
      continue;
    }
    const size_t len = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc2 ? 2 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    if (b == 0xc2 && static_cast<unsigned char>(s[i + 1]) < 0xa0) return false;  // C1
    i += len;
  }
  return true;
}

TEST_CASE("escape_bytes: printable text stays, everything else becomes \\xNN") {
  CHECK(escape_bytes("Mixed_5b/branch1x1 (x3)") == "Mixed_5b/branch1x1 (x3)");
  CHECK(escape_bytes("a\\b") == "a\\\\b");                   // a backslash doubled: reads back unambiguously
  CHECK(escape_bytes("\x1b[31mred") == "\\x1b[31mred");      // terminal escape
  CHECK(escape_bytes(std::string("a\0b", 3)) == "a\\x00b");  // NUL inside the bytes
  CHECK(escape_bytes("tab\there\nnew\x7f") == "tab\\x09here\\x0anew\\x7f");
  CHECK(escape_bytes("caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80") ==
        "caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80");                 // é 中 😀
  CHECK(escape_bytes("\xc2\x85") == "\\xc2\\x85");                    // C1 control NEL
  CHECK(escape_bytes("\xc2\xa0") == "\xc2\xa0");                      // no-break space is printable
  CHECK(escape_bytes("\xe2\x80\xae") == "\\xe2\\x80\\xae");           // right-to-left override
  CHECK(escape_bytes("\xe2\x81\xa6") == "\\xe2\\x81\\xa6");           // left-to-right isolate
  CHECK(escape_bytes("\xe2\x80\xa8") == "\\xe2\\x80\\xa8");           // line separator
  CHECK(escape_bytes("\xc0\xaf") == "\\xc0\\xaf");                    // overlong '/'
  CHECK(escape_bytes("\xe0\x80\xaf") == "\\xe0\\x80\\xaf");           // overlong, three bytes
  CHECK(escape_bytes("\xed\xa0\x80") == "\\xed\\xa0\\x80");           // a surrogate
  CHECK(escape_bytes("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // past U+10FFFF
  CHECK(escape_bytes("\xe4\xb8") == "\\xe4\\xb8");                    // truncated sequence
  CHECK(escape_bytes("\xe4(x") == "\\xe4(x");                         // a lead byte without continuation
  CHECK(escape_bytes("\xc9NCP") == "\\xc9NCP");
  CHECK(escape_bytes("\xff\xfe") == "\\xff\\xfe");
  // Every single byte and every pair of bytes comes out printable.
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; ++b) {
      const char pair[2] = {static_cast<char>(a), static_cast<char>(b)};
      const std::string e = escape_bytes(std::string_view(pair, 2));
      if (!printable(e)) FAIL_CHECK("escape_bytes of " << a << ", " << b << " is not printable");
    }
  }
}

TEST_CASE("Status: a truncated message never ends inside a UTF-8 sequence") {
  const std::string long_text(400, 'a');
  for (int pad = 0; pad < 4; ++pad) {
    const std::string text =
        std::string(static_cast<size_t>(Status::kMaxMessage - 4 + pad), 'x') + "\xe4\xb8\xad\xe4\xb8\xad";
    const Status s = Status::error(StatusCode::kInvalidModel, "%s", text.c_str());
    CAPTURE(pad);
    CHECK(printable(s.message()));
    CHECK(std::strlen(s.message()) >= static_cast<size_t>(Status::kMaxMessage) - 4);
  }
  CHECK(std::strlen(Status::error(StatusCode::kInternal, "%s", long_text.c_str()).message()) ==
        static_cast<size_t>(Status::kMaxMessage) - 1);
}

Status load(const std::vector<uint8_t>& bytes) { return test::load_and_prepare(bytes); }

TEST_CASE("loader: file strings in messages are escaped (identifier, tensor names, op names)") {
  const std::string hostile = "\x1b]0;owned\x07\xff\xe2\x80\xae";  // a terminal title, invalid UTF-8, RTL override
  const std::string want = "\\x1b]0;owned\\x07\\xff\\xe2\\x80\\xae";
  auto model = [&](bool bad_dim, bool bad_op) {
    ModelBuilder b;
    const int x = b.tensor("x", {1, 4, 4, 2});
    const int w = b.constant("w", {3, 1, 1, 2}, std::vector<float>(6, 0.5f));
    const int y = b.tensor(bad_dim ? "y" : hostile, {1, 4, 4, 3});
    if (bad_dim) b.tensor(hostile, {1, 0, 4, 3});
    b.conv2d(bad_op ? hostile : "conv", x, w, -2, y, {1, 1}, bad_op ? ops::Size2D{0, 1} : ops::Size2D{1, 1}, {});
    return b.finish({x}, {y});
  };
  SUBCASE("identifier") {
    std::vector<uint8_t> bytes = model(false, false);
    std::memcpy(bytes.data() + 8, "\xc9NCP", 4);
    const Status s = load(bytes);
    CHECK(s.code() == StatusCode::kInvalidModel);
    CHECK(std::string(s.message()).find("file identifier is '\\xc9NCP'") != std::string::npos);
    CHECK(printable(s.message()));
  }
  SUBCASE("a tensor name") {
    const Status s = load(model(true, false));
    CHECK(s.code() == StatusCode::kInvalidModel);
    CHECK(std::string(s.message()).find("'" + want + "': dim 1 is 0") != std::string::npos);
    CHECK(printable(s.message()));
  }
  SUBCASE("an op name (the node label)") {
    const Status s = load(model(false, true));
    CHECK(s.code() == StatusCode::kInvalidModel);
    CHECK(std::string(s.message()).find("'" + want + "' (Conv2D)") != std::string::npos);
    CHECK(printable(s.message()));
  }
  SUBCASE("the API still returns the name as stored") {
    std::vector<uint8_t> bytes = model(false, false);
    AlignedBytes a(bytes);
    Result<Model> m = Model::from_bytes(a.data(), a.size());
    REQUIRE(m.ok());
    CHECK(std::string(m->output_name(0)) == hostile);
  }
}

TEST_CASE("loader: a long escaped op name is cut at a character boundary in the label") {
  std::string name;
  for (int i = 0; i < 60; ++i) name += "\xe4\xb8\xad\x01";  // 中 and a control byte, 60 times
  ModelBuilder b;
  const int x = b.tensor("x", {1, 4, 4, 2});
  const int w = b.constant("w", {3, 1, 1, 2}, std::vector<float>(6, 0.5f));
  const int y = b.tensor("y", {1, 4, 4, 3});
  b.conv2d(name, x, w, -2, y, {1, 1}, {0, 1}, {});
  const Status s = load(b.finish({x}, {y}));
  CHECK(s.code() == StatusCode::kInvalidModel);
  CHECK(printable(s.message()));
  CHECK(std::string(s.message()).find("...' (Conv2D)") != std::string::npos);
}

}  // namespace
}  // namespace incept
