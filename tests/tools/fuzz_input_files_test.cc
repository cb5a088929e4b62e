// SPDX-License-Identifier: Apache-2.0
// Replays the npy and image fuzz targets' committed inputs (tests/fuzz/corpus/<target>,
// tests/fuzz/regressions/<target>) through their bodies (tests/support/{npy,image}_fuzz.h) in every build
// that has the tools: each must be handled without a crash, leak or UB (the sanitizer build judges those),
// every refusal a one-line message, no broken promise; and the well-formed seeds must go all the way.
#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "common/image.h"
#include "support/fuzz_files.h"
#include "support/image_fuzz.h"
#include "support/npy_fuzz.h"

namespace incept {
namespace {

using Body = test::FuzzReport (*)(const uint8_t*, size_t);

test::FuzzReport replay(Body body, const std::filesystem::path& p) {
  const std::vector<uint8_t> bytes = test::fuzz_file_bytes(p);
  const test::FuzzReport r = body(bytes.data(), bytes.size());
  MESSAGE(test::describe(p.filename().string(), r.done, r.refusals, r.broken));
  CHECK(r.unexplained == 0);
  CHECK(r.broken.empty());
  return r;
}

TEST_CASE("fuzz corpus: every npy seed is read as incept-run reads it, the well-formed ones into the input") {
  const std::vector<std::filesystem::path> seeds = test::fuzz_files("tests/fuzz/corpus/npy");
  REQUIRE(seeds.size() >= 10);
  const std::set<std::string> well_formed = {"tiny_nchw_auto.npy", "tiny_nhwc_asked.npy", "quant_nchw_v2.npy",
                                             "quant_nhwc_v3.npy",  "square_nchw.npy",     "flat.npy"};
  int accepted = 0;
  for (const std::filesystem::path& p : seeds) {
    CAPTURE(p.filename().string());
    const test::FuzzReport r = replay(&test::fuzz_one_npy, p);
    if (well_formed.count(p.filename().string()) != 0) {
      CHECK(r.refusals.empty());
      accepted += r.refusals.empty() ? 1 : 0;
    } else {
      CHECK(!r.refusals.empty());  // the others are there to be refused, each for its own reason
    }
  }
  CHECK(accepted == static_cast<int>(well_formed.size()));
}

TEST_CASE("fuzz corpus: every image seed decodes and becomes a finite model input") {
  const std::vector<std::filesystem::path> seeds = test::fuzz_files("tests/fuzz/corpus/image");
  REQUIRE(seeds.size() >= 10);
  for (const std::filesystem::path& p : seeds) {
    CAPTURE(p.filename().string());
    const test::FuzzReport r = replay(&test::fuzz_one_image, p);
    CHECK(r.refusals.empty());
    CHECK(r.done == 2);
  }
}

TEST_CASE("fuzz corpus: every npy or image input that once broke a tool is now refused by name, or read") {
  for (const std::filesystem::path& p : test::fuzz_files("tests/fuzz/regressions/npy")) {
    CAPTURE(p.filename().string());
    replay(&test::fuzz_one_npy, p);
  }
  for (const std::filesystem::path& p : test::fuzz_files("tests/fuzz/regressions/image")) {
    CAPTURE(p.filename().string());
    replay(&test::fuzz_one_image, p);
  }
}

TEST_CASE("a PNG whose image data inflates far past its size is refused, not inflated into gigabytes") {
  // 1x1 RGB: 4 bytes of image data needed, a zlib stream of 32 MiB of zeros in 32 KB (tests/fuzz/regressions).
  // stb alone grows its buffer as long as the stream goes on (up to 4 GiB); the build's copy stops at twice the
  // need plus 64 KiB.
  std::vector<uint8_t> bomb = test::fuzz_file_bytes(std::filesystem::path(INCEPT_SOURCE_DIR) /
                                                    "tests/fuzz/regressions/image/png-1x1-inflates-to-32mib");
  REQUIRE(bomb.size() > 3);
  bomb.erase(bomb.begin(), bomb.begin() + 3);  // the fuzz target's selector bytes
  tools::Image img;
  const Status s = tools::decode_image(bomb, "bomb.png", &img);
  REQUIRE(!s.is_ok());
  const std::string message = s.message();
  CHECK(message.find(
            "cannot decode PNG file bomb.png: its image data inflates to more than twice the size its header gives") !=
        std::string::npos);
  CHECK(message.find('\n') == std::string::npos);

  // What the bound must still let through: Adam7 interlacing (extra filter bytes) and trailing zeros after the
  // image data, each the same 9x6 pixels as the plain file.
  auto decode = [](const char* name) {
    std::vector<uint8_t> b =
        test::fuzz_file_bytes(std::filesystem::path(INCEPT_SOURCE_DIR) / "tests/fuzz/corpus/image" / name);
    b.erase(b.begin(), b.begin() + 3);
    tools::Image im;
    const Status st = tools::decode_image(b, name, &im);
    CHECK_MESSAGE(st.is_ok(), st.message());
    return im.rgb;
  };
  const std::vector<uint8_t> plain = decode("png_rgb");
  REQUIRE(plain.size() == size_t{9} * 6 * 3);
  CHECK(decode("png_interlaced") == plain);
  CHECK(decode("png_trailing_zeros") == plain);
}

}  // namespace
}  // namespace incept
