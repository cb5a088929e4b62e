// SPDX-License-Identifier: Apache-2.0
#include "common/npy.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>

namespace incept::tools {
namespace {

constexpr char kMagic[] = "\x93NUMPY";
constexpr int64_t kMaxElements = int64_t{1} << 32;

// Finds `'key': value` in the header dict and returns the value text (up to the next top-level ',' or '}').
bool dict_value(const std::string& header, const std::string& key, std::string* value) {
  const size_t k = header.find("'" + key + "'");
  if (k == std::string::npos) return false;
  size_t i = header.find(':', k);
  if (i == std::string::npos) return false;
  ++i;
  int depth = 0;
  size_t j = i;
  for (; j < header.size(); ++j) {
    const char c = header[j];
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (depth == 0 && (c == ',' || c == '}')) break;
  }
  *value = header.substr(i, j - i + (header[j] == ')' ? 1 : 0));
  const size_t b = value->find_first_not_of(" "), e = value->find_last_not_of(" ");
  *value = b == std::string::npos ? "" : value->substr(b, e + 1 - b);
  return true;
}

// Header text as a message may show it: one line of printable ASCII (anything else as \xNN), at most 60
// characters of the file's (the header is file data, and the tools print errors on one line).
std::string shown(const std::string& text) {
  std::string out;
  char hex[8];
  for (size_t i = 0; i < text.size() && i < 60; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f) {
      out += static_cast<char>(c);
    } else {
      std::snprintf(hex, sizeof(hex), "\\x%02x", c);
      out += hex;
    }
  }
  return text.size() > 60 ? out + "..." : out;
}

// The shape tuple's text, "(d0, d1, ...)" (a trailing comma allowed, "()" for a scalar), as sizes; false
// for anything else (a sign, a fraction, a word, a missing parenthesis).
bool parse_shape(const std::string& text, std::vector<int64_t>* dims) {
  dims->clear();
  size_t i = 0;
  auto skip_spaces = [&] {
    while (i < text.size() && text[i] == ' ') ++i;
  };
  if (text.empty() || text[i++] != '(') return false;
  for (;;) {
    skip_spaces();
    if (i < text.size() && text[i] == ')') break;
    if (i >= text.size() || text[i] < '0' || text[i] > '9') return false;
    int64_t v = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i)
      v = v > kMaxElements ? v : v * 10 + (text[i] - '0');  // saturates above the cap: refused by the caller
    dims->push_back(v);
    skip_spaces();
    if (i < text.size() && text[i] == ',') {
      ++i;
      continue;
    }
    if (i < text.size() && text[i] == ')') break;
    return false;
  }
  return i + 1 == text.size();
}

}  // namespace

Status read_npy(const std::string& path, NpyArray* out) {
  std::ifstream f(path, std::ios::binary);
  INCEPT_CHECK(f.good(), kIoError, "cannot open '%s': %s", path.c_str(), std::strerror(errno));
  const std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  return parse_npy(bytes, path, out);
}

Status parse_npy(const std::string& bytes, const std::string& path, NpyArray* out) {
  INCEPT_CHECK(bytes.size() >= 10 && bytes.compare(0, 6, kMagic) == 0, kInvalidArgument,
               "'%s' is not a .npy file (bad magic)", path.c_str());
  const int major = static_cast<unsigned char>(bytes[6]);
  size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = static_cast<unsigned char>(bytes[8]) | static_cast<unsigned char>(bytes[9]) << 8;
    header_start = 10;
  } else {
    INCEPT_CHECK(bytes.size() >= 12 && (major == 2 || major == 3), kInvalidArgument,
                 "'%s': .npy format version %d is not supported", path.c_str(), major);
    for (int i = 0; i < 4; ++i) header_len |= static_cast<size_t>(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
    header_start = 12;
  }
  INCEPT_CHECK(header_len <= bytes.size() - header_start, kInvalidArgument, "'%s': .npy header is truncated",
               path.c_str());
  const std::string header = bytes.substr(header_start, header_len);
  std::string descr, order, shape;
  INCEPT_CHECK(dict_value(header, "descr", &descr) && dict_value(header, "fortran_order", &order) &&
                   dict_value(header, "shape", &shape),
               kInvalidArgument, "'%s': .npy header lacks descr/fortran_order/shape", path.c_str());
  INCEPT_CHECK(descr == "'<f4'" || descr == "\"<f4\"", kInvalidArgument,
               "'%s': dtype %s is not float32 (convert with x.astype(np.float32))", path.c_str(), shown(descr).c_str());
  INCEPT_CHECK(order.compare(0, 5, "False") == 0, kInvalidArgument,
               "'%s': Fortran-order arrays are not supported (use np.ascontiguousarray)", path.c_str());
  INCEPT_CHECK(parse_shape(shape, &out->shape), kInvalidArgument,
               "'%s': shape %s is not a tuple of sizes such as (1, 3, 299, 299)", path.c_str(), shown(shape).c_str());
  int64_t count = 1;
  for (const int64_t v : out->shape) {
    INCEPT_CHECK(v <= kMaxElements && (v == 0 || count <= kMaxElements / v), kInvalidArgument,
                 "'%s': shape %s is too large", path.c_str(), shown(shape).c_str());
    count *= v;
  }
  const size_t data_start = header_start + header_len;
  const size_t want = static_cast<size_t>(count) * sizeof(float);
  INCEPT_CHECK(bytes.size() - data_start == want, kInvalidArgument, "'%s': holds %zu data bytes, shape %s needs %zu",
               path.c_str(), bytes.size() - data_start, shown(shape).c_str(), want);
  out->data.resize(static_cast<size_t>(count));
  if (want != 0) std::memcpy(out->data.data(), bytes.data() + data_start, want);
  return Status::ok();
}

Status write_npy(const std::string& path, const std::vector<int64_t>& shape, const float* data) {
  std::string dims;
  int64_t count = 1;
  for (size_t i = 0; i < shape.size(); ++i) {
    dims += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
    count *= shape[i];
  }
  std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Pad with spaces so magic + version + length + header + '\n' is a multiple of 64.
  const size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  INCEPT_CHECK(f != nullptr, kIoError, "cannot create '%s': %s", tmp.c_str(), std::strerror(errno));
  const unsigned char prefix[10] = {0x93,
                                    'N',
                                    'U',
                                    'M',
                                    'P',
                                    'Y',
                                    1,
                                    0,
                                    static_cast<unsigned char>(header.size() & 0xff),
                                    static_cast<unsigned char>(header.size() >> 8)};
  bool ok = std::fwrite(prefix, 1, sizeof(prefix), f) == sizeof(prefix) &&
            std::fwrite(header.data(), 1, header.size(), f) == header.size() &&
            std::fwrite(data, sizeof(float), static_cast<size_t>(count), f) == static_cast<size_t>(count);
  ok = std::fclose(f) == 0 && ok;
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    return Status::error(StatusCode::kIoError, "cannot write '%s': %s", path.c_str(), std::strerror(errno));
  }
  return Status::ok();
}

}  // namespace incept::tools
