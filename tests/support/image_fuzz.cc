// SPDX-License-Identifier: Apache-2.0
#include "support/image_fuzz.h"

#include <cmath>
#include <string>
#include <vector>

#include "common/image.h"

namespace incept::test {

FuzzReport fuzz_one_image(const uint8_t* data, size_t size) {
  FuzzReport r;
  if (size < 3) return r;
  static const tools::Preprocess kSets[4] = {{{0.0f, 0.0f, 0.0f}, {1.0f, 1.0f, 1.0f}, ChannelOrder::kRgb},
                                             {{0.485f, 0.456f, 0.406f}, {0.229f, 0.224f, 0.225f}, ChannelOrder::kRgb},
                                             {{0.5f, 0.5f, 0.5f}, {0.5f, 0.5f, 0.5f}, ChannelOrder::kRgb},
                                             {{1.0f, 0.0f, 0.5f}, {1e-3f, 1e-3f, 1e-3f}, ChannelOrder::kRgb}};
  tools::Preprocess p = kSets[(data[0] >> 2) & 3];
  p.order = (data[0] & 2) != 0 ? ChannelOrder::kBgr : ChannelOrder::kRgb;
  const tools::ResizePolicy policy = (data[0] & 1) != 0 ? tools::ResizePolicy::kStretch : tools::ResizePolicy::kCrop;
  const int h = 1 + data[1] % 64, w = 1 + data[2] % 64;

  tools::Image img;
  if (!r.note("decode_image",
              tools::decode_image(std::vector<uint8_t>(data + 3, data + size), "fuzz-image", &img, kFuzzMaxPixels)))
    return r;
  r.expect(img.width > 0 && img.height > 0 && int64_t{img.width} * img.height <= kFuzzMaxPixels,
           "decode_image: a size within the cap");
  r.expect(img.rgb.size() == size_t(img.width) * img.height * 3, "decode_image: 3 bytes a pixel");
  r.expect(img.file_channels >= 1 && img.file_channels <= 4, "decode_image: 1 to 4 channels in the file");

  std::vector<float> input(size_t(h) * w * 3, NAN);
  TensorRef t;
  t.name = "image";
  t.shape = Shape{1, h, w, 3};
  t.data = input.data();
  t.bytes = input.size() * sizeof(float);
  // Every step from here must work: the image decoded and the input has the form an image input has.
  r.expect(r.note("image_to_tensor", tools::image_to_tensor(img, p, policy, t)),
           "image_to_tensor takes a decoded image");
  bool finite = true;
  for (float v : input) finite = finite && std::isfinite(v);
  r.expect(finite, "image_to_tensor writes every input value, each finite");
  return r;
}

}  // namespace incept::test
