// SPDX-License-Identifier: Apache-2.0
#include "common/image.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>

#include <stb/stb_image.h>  // compiled once, in common/stb_impl.cc
#include <stb/stb_image_resize.h>

namespace incept::tools {
namespace {

constexpr size_t kMaxFileBytes = size_t{512} << 20;

// The whole file, or kIoError naming the path and the system's reason.
Status read_file(const std::string& path, std::vector<uint8_t>* out) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr)
    return Status::error(StatusCode::kIoError, "cannot open image file %s: %s", path.c_str(), std::strerror(errno));
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> closer(f, &std::fclose);
  out->clear();
  uint8_t chunk[1 << 16];
  for (;;) {
    const size_t n = std::fread(chunk, 1, sizeof(chunk), f);
    if (n > 0 && out->size() + n > kMaxFileBytes)
      return Status::error(StatusCode::kInvalidArgument, "image file %s is larger than %zu MiB", path.c_str(),
                           kMaxFileBytes >> 20);
    out->insert(out->end(), chunk, chunk + n);
    if (n < sizeof(chunk)) break;
  }
  if (std::ferror(f))
    return Status::error(StatusCode::kIoError, "cannot read image file %s: %s", path.c_str(), std::strerror(errno));
  if (out->empty()) return Status::error(StatusCode::kInvalidArgument, "image file %s is empty", path.c_str());
  return Status::ok();
}

// "PNG", "JPEG", "BMP", "PPM" (binary P6, or P5 grey) by the file's first bytes, or nullptr.
const char* sniff_format(const std::vector<uint8_t>& b) {
  static const uint8_t kPng[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  if (b.size() >= 8 && std::memcmp(b.data(), kPng, 8) == 0) return "PNG";
  if (b.size() >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff) return "JPEG";
  if (b.size() >= 2 && b[0] == 'B' && b[1] == 'M') return "BMP";
  if (b.size() >= 3 && b[0] == 'P' && (b[1] == '5' || b[1] == '6') && std::isspace(b[2])) return "PPM";
  return nullptr;
}

// The first bytes as printable text for an error message: 'GIF89a..' or hex.
std::string first_bytes(const std::vector<uint8_t>& b) {
  std::string s;
  char hex[8];
  for (size_t i = 0; i < b.size() && i < 8; ++i) {
    if (b[i] >= 0x20 && b[i] < 0x7f && b[i] != '\'' && b[i] != '\\') {
      s += static_cast<char>(b[i]);
    } else {
      std::snprintf(hex, sizeof(hex), "\\x%02x", b[i]);
      s += hex;
    }
  }
  return s;
}

// Debian's stb_image (git 2022-09) writes past its 257-entry Huffman size table when a JPEG DHT table
// declares more than 256 codes (fixed upstream later with a "bad size list" check). stb reads a DHT
// wherever its marker appears outside the payload of a length-prefixed segment, including between
// the scans of a progressive file, so every such DHT is checked here before stb sees the file: walk
// the segments as stb does (a segment consumes its declared length; entropy-coded data runs to the
// next 0xFF followed by a non-zero, non-restart byte) and refuse any table with more than 256 codes.
// The same stb decodes a scan with whatever a Huffman table it names holds when no DHT segment defined that
// table before the scan: its tables live in memory it never clears, so the lookup reads garbage and indexes
// its value table out of bounds (UBSan: index -25). The walk also notes each table a DHT defines and refuses
// a scan that uses one not yet defined: a DC table for a baseline scan or the first pass of a progressive DC
// scan, an AC table for a baseline scan or a progressive AC scan (stb's own rules for which it decodes).
// Returns what is wrong, or nullptr.
const char* jpeg_tables_problem(const std::vector<uint8_t>& b) {
  const size_t n = b.size();
  auto at = [&](size_t i) -> unsigned { return i < n ? b[i] : 0u; };  // stb reads 0 past the end
  bool defined[2][4] = {};                                            // [DC, AC][table id]
  int progressive = -1;                                               // from the first SOF, as stb takes it
  size_t p = 2;                                                       // after SOI
  while (p < n) {
    if (b[p] != 0xff) {
      ++p;  // entropy-coded data or junk between segments: stb scans for the next 0xFF too
      continue;
    }
    while (p < n && b[p] == 0xff) ++p;
    if (p >= n) break;
    const unsigned marker = b[p++];
    if (marker == 0x00 || marker == 0x01 || (marker >= 0xd0 && marker <= 0xd8)) continue;  // stuffing, RSTn, SOI
    if (marker == 0xd9) break;                                                             // EOI
    const size_t len = (at(p) << 8) | at(p + 1);
    if (marker == 0xc4) {
      long left = long(len) - 2;
      size_t q = p + 2;
      while (left > 0 && q < n) {
        unsigned codes = 0;
        for (size_t i = 1; i <= 16; ++i) codes += at(q + i);
        if (codes > 256) return "a Huffman table declares more than 256 codes";
        const unsigned kind = at(q) >> 4, id = at(q) & 15;
        if (kind <= 1 && id <= 3) defined[kind][id] = true;  // stb refuses other ids itself
        q += 17 + codes;
        left -= 17 + long(codes);
      }
    }
    if ((marker == 0xc0 || marker == 0xc1 || marker == 0xc2) && progressive < 0) progressive = marker == 0xc2;
    if (marker == 0xda) {  // SOS: Ns, then (component id, DC table << 4 | AC table) each, then Ss, Se, Ah << 4 | Al
      const unsigned ns = at(p + 2);
      const unsigned ss = at(p + 3 + 2 * ns), ah = at(p + 5 + 2 * ns) >> 4;
      const bool dc = progressive != 1 || (ss == 0 && ah == 0), ac = progressive != 1 || ss > 0;
      for (unsigned i = 0; i < ns; ++i) {
        const unsigned td = at(p + 4 + 2 * i) >> 4, ta = at(p + 4 + 2 * i) & 15;
        if ((dc && td <= 3 && !defined[0][td]) || (ac && ta <= 3 && !defined[1][ta]))
          return "a scan uses a Huffman table that no DHT segment defined before it";
      }
    }
    p += len;
  }
  return nullptr;
}

// stb_image hands memcpy a null pointer (for zero bytes: harmless in practice, but undefined and fatal
// under UBSan) when a PNG's first IDAT chunk is empty, which the format allows. Empty IDAT chunks carry
// nothing, so they are dropped before decoding.
void drop_empty_png_idat(std::vector<uint8_t>* b) {
  size_t p = 8;  // after the signature; each chunk: length (4, big-endian), type (4), data, CRC (4)
  while (p + 12 <= b->size()) {
    const uint8_t* c = b->data() + p;
    const uint32_t len = uint32_t{c[0]} << 24 | uint32_t{c[1]} << 16 | uint32_t{c[2]} << 8 | c[3];
    if (len == 0 && std::memcmp(c + 4, "IDAT", 4) == 0) {
      b->erase(b->begin() + static_cast<std::ptrdiff_t>(p), b->begin() + static_cast<std::ptrdiff_t>(p + 12));
      continue;
    }
    if (len > b->size() - p - 12) break;
    p += 12 + size_t{len};
  }
}

// stb_image grows its buffer for a PNG's IDAT chunks to the length a chunk declares before reading the chunk
// (doubling from 4 KiB), so one chunk header claiming 2 GiB in a 200-byte file allocates 2 GiB. Every chunk up
// to IEND (where stb stops) must therefore lie inside the file; a file whose chunk runs past its end is
// truncated or corrupt, and stb would refuse it after reading anyway.
bool png_chunks_fit(const std::vector<uint8_t>& b) {
  size_t p = 8;  // after the signature; each chunk: length (4, big-endian), type (4), data, CRC (4)
  while (p + 8 <= b.size()) {
    const uint8_t* c = b.data() + p;
    const uint32_t len = uint32_t{c[0]} << 24 | uint32_t{c[1]} << 16 | uint32_t{c[2]} << 8 | c[3];
    if (std::memcmp(c + 4, "IEND", 4) == 0) return true;
    if (len > b.size() - p - 8) return false;
    p += 12 + size_t{len};
  }
  return true;
}

// Debian's stb_image (git 2022-09) reads binary PPM/PGM with three defects fixed upstream later: a maxval
// over 255 makes 16-bit samples that its 8-bit channel conversion then overruns (heap overflow), a header
// number of more than 9 digits overflows an int, and a file shorter than its pixels is decoded anyway from
// uninitialised memory. So the header is read here first, byte for byte as stb reads it (one byte of
// lookahead, whitespace and '#' comments between the numbers, digits up to the end of the file, the pixels
// right after the byte that ends maxval), and anything but 8-bit samples that are all there is refused.
Status check_pnm(const std::vector<uint8_t>& b, const std::string& path) {
  size_t pos = 2;  // after "P5" / "P6"
  auto get8 = [&]() -> char { return pos < b.size() ? static_cast<char>(b[pos++]) : '\0'; };
  auto at_eof = [&] { return pos >= b.size(); };
  auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r'; };
  char c = get8();
  auto skip_whitespace = [&] {
    for (;;) {
      while (!at_eof() && is_space(c)) c = get8();
      if (at_eof() || c != '#') break;
      while (!at_eof() && c != '\n' && c != '\r') c = get8();
    }
  };
  constexpr int64_t kLargest = 65535;  // stb's dimension limit and largest maxval; beyond: refused
  auto number = [&]() -> int64_t {
    int64_t v = 0;
    while (!at_eof() && c >= '0' && c <= '9') {
      v = v > kLargest ? v : v * 10 + (c - '0');
      c = get8();
    }
    return v;
  };
  skip_whitespace();
  const int64_t w = number();
  skip_whitespace();
  const int64_t h = number();
  skip_whitespace();
  const int64_t maxval = number();
  INCEPT_CHECK(w <= kLargest && h <= kLargest && maxval <= kLargest, kInvalidArgument,
               "cannot decode PPM file %s: its width, height or maxval is over 65535", path.c_str());
  INCEPT_CHECK(maxval >= 1 && maxval <= 255, kInvalidArgument,
               "cannot decode PPM file %s: maxval %lld; only 8-bit samples (maxval 1 to 255) are supported",
               path.c_str(), static_cast<long long>(maxval));
  const uint64_t need = uint64_t(w) * uint64_t(h) * (b[1] == '6' ? 3u : 1u);
  INCEPT_CHECK(b.size() - pos >= need, kInvalidArgument,
               "cannot decode PPM file %s: it holds %zu bytes of pixels, a %lldx%lld image needs %llu (truncated)",
               path.c_str(), b.size() - pos, static_cast<long long>(w), static_cast<long long>(h),
               static_cast<unsigned long long>(need));
  return Status::ok();
}

}  // namespace

Status load_image(const std::string& path, Image* out) {
  std::vector<uint8_t> bytes;
  INCEPT_RETURN_IF_ERROR(read_file(path, &bytes));
  return decode_image(std::move(bytes), path, out);
}

Status decode_image(std::vector<uint8_t> bytes, const std::string& path, Image* out, int64_t max_pixels) {
  if (bytes.empty()) return Status::error(StatusCode::kInvalidArgument, "image file %s is empty", path.c_str());
  const char* format = sniff_format(bytes);
  if (format == nullptr)
    return Status::error(StatusCode::kInvalidArgument, "%s is not a PNG, JPEG, BMP or PPM file (it starts with '%s')",
                         path.c_str(), first_bytes(bytes).c_str());
  if (std::strcmp(format, "PNG") == 0) {
    drop_empty_png_idat(&bytes);
    if (!png_chunks_fit(bytes))
      return Status::error(StatusCode::kInvalidArgument,
                           "cannot decode PNG file %s: a chunk runs past the end of the file (truncated or corrupt)",
                           path.c_str());
  }
  if (std::strcmp(format, "PPM") == 0) INCEPT_RETURN_IF_ERROR(check_pnm(bytes, path));
  if (std::strcmp(format, "JPEG") == 0) {
    if (const char* problem = jpeg_tables_problem(bytes))
      return Status::error(StatusCode::kInvalidArgument, "cannot decode JPEG file %s: %s (corrupt file)", path.c_str(),
                           problem);
  }
  if (bytes.size() > static_cast<size_t>(INT32_MAX))
    return Status::error(StatusCode::kInvalidArgument, "image file %s is too large", path.c_str());
  const int len = static_cast<int>(bytes.size());
  int w = 0, h = 0, channels = 0;
  auto decode_error = [&] {
    return Status::error(StatusCode::kInvalidArgument, "cannot decode %s file %s: %s; it may be damaged or truncated",
                         format, path.c_str(), stbi_failure_reason());
  };
  if (!stbi_info_from_memory(bytes.data(), len, &w, &h, &channels)) return decode_error();
  if (w <= 0 || h <= 0 || int64_t{w} * h > max_pixels)
    return Status::error(StatusCode::kInvalidArgument, "image %s is %dx%d pixels; at most %lld pixels are accepted",
                         path.c_str(), w, h, static_cast<long long>(max_pixels));
  out->file_16bit = stbi_is_16_bit_from_memory(bytes.data(), len) != 0;
  // Asking for 3 channels makes stb expand grey, drop alpha and reduce 16-bit samples to 8 bits.
  std::unique_ptr<stbi_uc, void (*)(void*)> pixels(stbi_load_from_memory(bytes.data(), len, &w, &h, &channels, 3),
                                                   &stbi_image_free);
  if (pixels == nullptr) return decode_error();
  out->width = w;
  out->height = h;
  out->file_channels = channels;
  out->rgb.assign(pixels.get(), pixels.get() + static_cast<size_t>(w) * h * 3);
  return Status::ok();
}

const char* resize_policy_name(ResizePolicy p) { return p == ResizePolicy::kCrop ? "crop" : "stretch"; }

Status parse_resize_policy(const char* name, ResizePolicy* out) {
  if (std::strcmp(name, "crop") == 0) {
    *out = ResizePolicy::kCrop;
  } else if (std::strcmp(name, "stretch") == 0) {
    *out = ResizePolicy::kStretch;
  } else {
    return Status::error(StatusCode::kInvalidArgument, "unknown resize policy '%s'; choose crop or stretch", name);
  }
  return Status::ok();
}

Status resize_image(const Image& in, int width, int height, ResizePolicy policy, Image* out) {
  INCEPT_CHECK(in.width > 0 && in.height > 0 && in.rgb.size() == size_t(in.width) * in.height * 3, kInvalidArgument,
               "resize: the source image is empty or inconsistent (%dx%d, %zu bytes)", in.width, in.height,
               in.rgb.size());
  INCEPT_CHECK(width > 0 && height > 0 && int64_t{width} * height <= kMaxImagePixels, kInvalidArgument,
               "resize: target size %dx%d is out of range", width, height);
  out->width = width;
  out->height = height;
  out->file_channels = in.file_channels;
  out->file_16bit = in.file_16bit;
  // The source rectangle: all of it, or the centred part with the target's aspect ratio (the image
  // scaled by max(W / w, H / h) covers the target), rounded to whole pixels.
  int x0 = 0, y0 = 0, cw = in.width, ch = in.height;
  if (policy == ResizePolicy::kCrop) {
    const double scale = std::fmax(double(width) / in.width, double(height) / in.height);
    cw = std::min(in.width, std::max(1, static_cast<int>(std::lround(width / scale))));
    ch = std::min(in.height, std::max(1, static_cast<int>(std::lround(height / scale))));
    x0 = (in.width - cw) / 2;
    y0 = (in.height - ch) / 2;
  }
  const uint8_t* src = in.rgb.data() + (size_t(y0) * in.width + x0) * 3;
  out->rgb.assign(size_t(width) * height * 3, 0);
  if (cw == width && ch == height) {  // a pure crop: copy the rows
    for (int y = 0; y < height; ++y)
      std::memcpy(&out->rgb[size_t(y) * width * 3], src + size_t(y) * in.width * 3, size_t(width) * 3);
    return Status::ok();
  }
  // Per axis: shrinking averages the source area each output pixel covers (box with fractional
  // coverage); enlarging interpolates bilinearly. (stb's triangle filter when shrinking by some
  // ratios, e.g. 31 -> 24, trips its coefficient asserts.)
  const stbir_filter fw = cw > width ? STBIR_FILTER_BOX : STBIR_FILTER_TRIANGLE;
  const stbir_filter fh = ch > height ? STBIR_FILTER_BOX : STBIR_FILTER_TRIANGLE;
  const int ok = stbir_resize(src, cw, ch, in.width * 3, out->rgb.data(), width, height, width * 3, STBIR_TYPE_UINT8, 3,
                              STBIR_ALPHA_CHANNEL_NONE, 0, STBIR_EDGE_CLAMP, STBIR_EDGE_CLAMP, fw, fh,
                              STBIR_COLORSPACE_LINEAR, nullptr);
  INCEPT_CHECK(ok, kInternal, "resize: stb_image_resize failed for %dx%d -> %dx%d", cw, ch, width, height);
  return Status::ok();
}

Preprocess preprocess_from(const Model& model) {
  Preprocess p;
  for (int c = 0; c < 3; ++c) {
    p.mean[c] = model.mean()[c];
    p.std_dev[c] = model.std_dev()[c];
  }
  p.order = model.channel_order();
  return p;
}

Status image_to_tensor(const Image& img, const Preprocess& p, ResizePolicy policy, const TensorRef& t) {
  char buf[64];
  INCEPT_CHECK(t.shape.rank == 4 && t.shape[0] == 1 && t.shape[1] > 0 && t.shape[2] > 0 && t.shape[3] == 3,
               kInvalidArgument, "input '%s' has shape %s; an image input must be [1, H, W, 3] (NHWC)", t.name,
               shape_to_string(t.shape, buf, sizeof(buf)));
  const int h = t.shape[1], w = t.shape[2];
  INCEPT_CHECK(t.data != nullptr && t.bytes >= size_t(h) * w * 3 * sizeof(float), kInvalidArgument,
               "input '%s' is not bound to memory (prepare() first)", t.name);
  Image sized;
  INCEPT_RETURN_IF_ERROR(resize_image(img, w, h, policy, &sized));
  const bool bgr = p.order == ChannelOrder::kBgr;
  const size_t pixels = size_t(h) * w;
  for (size_t i = 0; i < pixels; ++i) {
    const uint8_t* px = &sized.rgb[i * 3];
    float* dst = t.data + i * 3;
    for (int c = 0; c < 3; ++c) {
      const float v = static_cast<float>(px[bgr ? 2 - c : c]);
      dst[c] = (v / 255.0f - p.mean[c]) / p.std_dev[c];  // the metadata's formula, in float32
    }
  }
  return Status::ok();
}

}  // namespace incept::tools
