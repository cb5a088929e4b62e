// SPDX-License-Identifier: Apache-2.0
// Image files to network input: decode PNG / JPEG / BMP / PPM (Debian's stb headers), resize to the model's
// input size, normalise with the model's metadata. Used by incept-classify and incept.load_image (bindings/python).
//
//   tools::Image img;
//   Status s = tools::load_image("cat.jpg", &img);                 // 8-bit RGB, whatever the file held
//   tools::Preprocess p = tools::preprocess_from(model);            // mean, std, channel order
//   s = tools::image_to_tensor(img, p, tools::ResizePolicy::kCrop, it.input(0));   // NHWC float32
//
// Every failure is a Status whose message names the file and what is wrong with it (never a crash):
// missing or unreadable file (kIoError), not a PNG/JPEG/BMP/PPM or corrupt or truncated (kInvalidArgument),
// absurdly large (kInvalidArgument, before the pixels are allocated).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "incept/incept.h"

namespace incept::tools {

// 8-bit RGB, rows top to bottom, 3 bytes per pixel, no padding.
struct Image {
  int width = 0;
  int height = 0;
  std::vector<uint8_t> rgb;
  int file_channels = 0;    // what the file held: 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA
  bool file_16bit = false;  // a 16-bit PNG (reduced to 8 bits on load)
};

// The largest image accepted (width x height); larger files are refused before decoding.
inline constexpr int64_t kMaxImagePixels = int64_t{1} << 27;

// Decodes a PNG (8- or 16-bit, any colour type, interlaced or not), JPEG (baseline or progressive),
// BMP or binary PPM (P6; P5 grey) file. Grey becomes R = G = B; alpha is dropped (not blended); 16-bit
// samples keep their high byte. EXIF orientation is not applied.
[[nodiscard]] Status load_image(const std::string& path, Image* out);
// load_image over a file's bytes already in memory (`path` only names it in messages), accepting at most
// `max_pixels` (width x height, checked from the header before any pixel is allocated).
[[nodiscard]] Status decode_image(std::vector<uint8_t> bytes, const std::string& path, Image* out,
                                  int64_t max_pixels = kMaxImagePixels);

// How an image of another shape becomes the model's H x W:
//   kCrop    (default) scale so the image covers H x W keeping its aspect ratio (for a square input:
//            the shorter side becomes the input size), then take the centre H x W. The torchvision /
//            Inception evaluation convention, without the extra 0.875 border crop.
//   kStretch scale width and height independently to W and H (aspect ratio not kept).
// Both filter each axis on its own: shrinking averages the source area under each output pixel (as
// OpenCV's INTER_AREA), enlarging interpolates bilinearly; a crop is rounded to whole source pixels,
// and an image already H x W is copied exactly.
enum class ResizePolicy : uint8_t { kCrop, kStretch };
const char* resize_policy_name(ResizePolicy p);  // "crop", "stretch"
[[nodiscard]] Status parse_resize_policy(const char* name, ResizePolicy* out);

// Resizes `in` to width x height by `policy` (out may not alias in).
[[nodiscard]] Status resize_image(const Image& in, int width, int height, ResizePolicy policy, Image* out);

// Per tensor channel c (channels in `order`: for BGR, c = 0 is blue and mean[0] its mean):
//   x[c] = (pixel[c] / 255 - mean[c]) / std[c]
struct Preprocess {
  float mean[3] = {0.0f, 0.0f, 0.0f};
  float std_dev[3] = {1.0f, 1.0f, 1.0f};
  ChannelOrder order = ChannelOrder::kRgb;
};
Preprocess preprocess_from(const Model& model);

// Resizes `img` to the tensor's H x W and writes it normalised into `t` ([1, H, W, 3] float32, dense).
// kInvalidArgument when the tensor is not an image input of that form.
[[nodiscard]] Status image_to_tensor(const Image& img, const Preprocess& p, ResizePolicy policy, const TensorRef& t);

}  // namespace incept::tools
