// SPDX-License-Identifier: Apache-2.0
// classify: label images with an incept model, using the preprocessing the converter recorded in it.
//
//   classify MODEL.incept IMAGE... [--top K]
//
// For each PNG/JPEG/BMP image: decode (stb_image), take the centre crop with the model input's aspect
// ratio, resize it to the input size (stb_image_resize), normalise each channel with the model's
// mean/std in its channel order (RGB or BGR), run, and print the top K (default 5) classes with their
// labels and softmax probabilities. A sketch for trusted images: build/release/bin/incept-classify is
// the hardened tool (hostile-file checks, --json, resize policies).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <string>
#include <vector>

#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_RESIZE_IMPLEMENTATION
#include <stb/stb_image.h>
#include <stb/stb_image_resize.h>

#include "incept/incept.h"

namespace {

// Fills the [1, H, W, 3] input from an image file; false (after a message) when it cannot.
bool load_input(const char* path, const incept::Model& model, const incept::TensorRef& in) {
  int w = 0, h = 0, n = 0;
  unsigned char* rgb = stbi_load(path, &w, &h, &n, 3);
  if (rgb == nullptr) {
    std::fprintf(stderr, "classify: cannot decode %s: %s\n", path, stbi_failure_reason());
    return false;
  }
  const int out_h = in.shape[1], out_w = in.shape[2];
  // The largest centred crop with the input's aspect ratio (shorter side resized, then centre crop).
  int cw = w, ch = h;
  if (int64_t{w} * out_h > int64_t{h} * out_w) {
    cw = std::max(1, static_cast<int>(std::lround(double(h) * out_w / out_h)));
  } else {
    ch = std::max(1, static_cast<int>(std::lround(double(w) * out_h / out_w)));
  }
  const unsigned char* crop = rgb + (size_t((h - ch) / 2) * w + (w - cw) / 2) * 3;
  std::vector<unsigned char> sized(size_t(out_h) * out_w * 3);
  // Box filter when shrinking (area average), triangle (bilinear) when enlarging.
  const stbir_filter fw = cw > out_w ? STBIR_FILTER_BOX : STBIR_FILTER_TRIANGLE;
  const stbir_filter fh = ch > out_h ? STBIR_FILTER_BOX : STBIR_FILTER_TRIANGLE;
  const int ok = stbir_resize(crop, cw, ch, w * 3, sized.data(), out_w, out_h, out_w * 3, STBIR_TYPE_UINT8, 3,
                              STBIR_ALPHA_CHANNEL_NONE, 0, STBIR_EDGE_CLAMP, STBIR_EDGE_CLAMP, fw, fh,
                              STBIR_COLORSPACE_LINEAR, nullptr);
  stbi_image_free(rgb);
  if (!ok) {
    std::fprintf(stderr, "classify: cannot resize %s\n", path);
    return false;
  }
  // x = (pixel / 255 - mean[c]) / std[c], channel c of the model's order.
  const bool bgr = model.channel_order() == incept::ChannelOrder::kBgr;
  for (size_t i = 0; i < size_t(out_h) * out_w; ++i) {
    for (int c = 0; c < 3; ++c) {
      const float v = sized[i * 3 + (bgr ? 2 - c : c)];
      in.data[i * 3 + c] = (v / 255.0f - model.mean()[c]) / model.std_dev()[c];
    }
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<const char*> images;
  const char* model_path = nullptr;
  int top = 5;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--top") == 0 && i + 1 < argc) {
      top = std::atoi(argv[++i]);
    } else if (model_path == nullptr) {
      model_path = argv[i];
    } else {
      images.push_back(argv[i]);
    }
  }
  if (model_path == nullptr || images.empty() || top < 1) {
    std::fprintf(stderr, "usage: classify MODEL.incept IMAGE... [--top K]\n");
    return 2;
  }

  incept::Result<incept::Model> model = incept::Model::from_file(model_path);
  if (!model.ok()) {
    std::fprintf(stderr, "classify: %s\n", model.status().message());
    return 1;
  }
  incept::Interpreter it(*model);
  if (incept::Status s = it.prepare(); !s.is_ok()) {
    std::fprintf(stderr, "classify: %s\n", s.message());
    return 1;
  }
  const incept::TensorRef in = it.input(0);
  if (in.shape.rank != 4 || in.shape[0] != 1 || in.shape[3] != 3) {
    std::fprintf(stderr, "classify: the model's input is not one RGB image ([1, H, W, 3])\n");
    return 1;
  }

  int failures = 0;
  for (const char* path : images) {
    if (!load_input(path, *model, in)) {
      ++failures;
      continue;
    }
    if (incept::Status s = it.invoke(); !s.is_ok()) {
      std::fprintf(stderr, "classify: %s\n", s.message());
      return 1;
    }
    const incept::TensorRef out = it.output(0);
    const int classes = static_cast<int>(out.bytes / sizeof(float));
    // Probabilities: the output itself when the model ends in a softmax (non-negative, sums to 1),
    // else the softmax of its logits, in double.
    std::vector<double> p(out.data, out.data + classes);
    double sum = std::accumulate(p.begin(), p.end(), 0.0);
    if (*std::min_element(p.begin(), p.end()) < 0 || std::fabs(sum - 1.0) > 1e-3) {
      const double max_logit = *std::max_element(p.begin(), p.end());
      sum = 0;
      for (double& v : p) sum += v = std::exp(v - max_logit);
    }
    std::vector<int> order(classes);
    std::iota(order.begin(), order.end(), 0);
    const int k = std::min(top, classes);
    std::partial_sort(order.begin(), order.begin() + k, order.end(),
                      [&](int a, int b) { return out.data[a] > out.data[b]; });
    std::printf("%s\n", path);
    for (int j = 0; j < k; ++j) {
      const int c = order[j];
      const char* label = model->label(c);
      std::printf("  %5.1f%%  %-20s (class %d)\n", 100.0 * p[c] / sum, label[0] != '\0' ? label : "-", c);
    }
  }
  return failures == 0 ? 0 : 1;
}
