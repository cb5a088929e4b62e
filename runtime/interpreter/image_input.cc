// SPDX-License-Identifier: Apache-2.0
// Interpreter::set_input_image: a camera frame (uint8 HWC) as a graph input. The model's preprocessing maps
// each byte of channel c to x = (byte / 255 - mean[c]) / std[c] (the metadata's formula, in float32, as
// incept-classify computes it), so a frame needs at most 3 x 256 distinct values: computed once per call
// into a table (float32 for a float input, written at once; the input's 8-bit value for a quantised one,
// applied when invoke() starts: one pass from the pixels to the 8-bit input, no float32 in between).
#include "interpreter/interpreter_impl.h"

namespace incept {

void run_pending_image(PendingImage& image, TensorView<float> dst) {
  const TensorView<uint8_t> out = ops::view_as<uint8_t>(dst);  // bytes behind a float view (8-bit tensors)
  for (int32_t y = 0; y < image.height; ++y) {
    const uint8_t* row = image.pixels + static_cast<size_t>(y) * image.row_bytes;
    for (int32_t x = 0; x < image.width; ++x) {
      const uint8_t* px = row + static_cast<size_t>(x) * image.channels;
      uint8_t* q = out.pixel(0, y, x);
      q[0] = image.lut[0][px[image.source[0]]];
      q[1] = image.lut[1][px[image.source[1]]];
      q[2] = image.lut[2][px[image.source[2]]];
    }
  }
  image.pixels = nullptr;  // once: the next invoke reads the float32 input again
}

Status Interpreter::set_input_image(int i, const uint8_t* pixels, int32_t height, int32_t width, int32_t channels,
                                    size_t row_bytes) {
  Impl& m = *impl_;
  INCEPT_CHECK(m.prepared, kInvalidArgument, "set_input_image() called before a successful prepare()");
  INCEPT_CHECK(i >= 0 && i < num_inputs(), kInvalidArgument, "input index %d out of range (the model has %d)", i,
               num_inputs());
  INCEPT_CHECK(pixels != nullptr, kInvalidArgument, "set_input_image: pixels is null");
  INCEPT_CHECK(channels == 3 || channels == 4, kInvalidArgument,
               "set_input_image: %d channels (3: RGB, 4: RGBA or RGBX)", channels);
  const int t = m.model->inputs[static_cast<size_t>(i)];
  const detail::TensorInfo& info = m.model->tensors[static_cast<size_t>(t)];
  const Shape& s = info.shape;
  char buf[64];
  INCEPT_CHECK(s.rank == 4 && s[0] == 1 && s[3] == 3, kInvalidArgument,
               "input %d has shape %s; an image needs [1, height, width, 3]", i, shape_to_string(s, buf, sizeof(buf)));
  INCEPT_CHECK(height == s[1] && width == s[2], kInvalidArgument,
               "a %dx%d image for input %d of shape %s: scale it to %dx%d (width x height) first", width, height, i,
               shape_to_string(s, buf, sizeof(buf)), s[2], s[1]);
  const size_t min_row = static_cast<size_t>(width) * static_cast<size_t>(channels);
  if (row_bytes == 0) row_bytes = min_row;
  INCEPT_CHECK(row_bytes >= min_row, kInvalidArgument, "set_input_image: rows of %zu bytes cannot hold %d pixels of %d",
               row_bytes, width, channels);

  const detail::ModelData& d = *m.model;
  const bool bgr = d.channel_order == ChannelOrder::kBgr;
  float value[3][256];  // x for each channel of the model's order and byte
  for (int c = 0; c < 3; ++c)
    for (int v = 0; v < 256; ++v) value[c][v] = (static_cast<float>(v) / 255.0f - d.mean[c]) / d.std_dev[c];

  if (!info.is_8bit_activation()) {  // float32: written now, into what input(i) shows
    float* out = input(i).data;
    for (int32_t y = 0; y < height; ++y) {
      const uint8_t* row = pixels + static_cast<size_t>(y) * row_bytes;
      for (int32_t x = 0; x < width; ++x, out += 3) {
        const uint8_t* px = row + static_cast<size_t>(x) * channels;
        for (int c = 0; c < 3; ++c) out[c] = value[c][px[bgr ? 2 - c : c]];
      }
    }
    return Status::ok();
  }
  // 8-bit: the quantised value of each (channel, byte), the entry convert's rule (quantize_value), applied by
  // the next invoke().
  PendingImage& image = m.images[static_cast<size_t>(i)];
  const ops::Quant q{info.quant.scale, info.quant.zero_point};
  const float inv = 1.0f / q.scale;
  const bool is_signed = info.storage != detail::Storage::kUInt8;
  for (int c = 0; c < 3; ++c) {
    image.source[c] = bgr ? 2 - c : c;
    for (int v = 0; v < 256; ++v) {
      image.lut[c][v] = is_signed ? static_cast<uint8_t>(ops::quantize_value<int8_t>(value[c][v], inv, q.zero_point))
                                  : ops::quantize_value<uint8_t>(value[c][v], inv, q.zero_point);
    }
  }
  image.pixels = pixels;
  image.height = height;
  image.width = width;
  image.channels = channels;
  image.row_bytes = row_bytes;
  return Status::ok();
}

}  // namespace incept
