// SPDX-License-Identifier: Apache-2.0
// incept-classify M.incept IMG [IMG...] [--top K] [--resize crop|stretch] [--threads N] [--backend B] [--no-winograd]
// [--json] [-q] Classifies PNG / JPEG / BMP / PPM images: each is decoded to RGB, resized to the model's input size,
// normalised as the model's metadata says (mean, std, channel order), run, and its top-K classes
// printed with labels, probabilities and logits (--json: one JSON object per image, {"image", "error"} for
// one that fails). Exit 0; 2 for a bad flag, model file or image (the other images are still classified);
// 1 for an internal failure (running the model).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "common/cli.h"
#include "common/display_text.h"
#include "common/image.h"
#include "common/json.h"
#include "incept/incept.h"

namespace {

constexpr const char* kTool = "incept-classify";

void usage(std::FILE* f) {
  std::fprintf(
      f,
      "usage: incept-classify MODEL.incept IMAGE [IMAGE...] [--top K] [--resize crop|stretch]\n"
      "                       [--threads N] [--backend B] [--no-winograd] [--json] [-q]\n"
      "  Classifies PNG, JPEG, BMP or PPM images (grey and alpha are turned into RGB) with MODEL, using the\n"
      "  preprocessing stored in it: input size, x = (pixel / 255 - mean) / std, RGB or BGR.\n"
      "  --top K       classes to print per image, highest first: 1.. or 'all' (default 5)\n"
      "  --resize P    crop (default): scale the shorter side to the input size keeping the aspect\n"
      "                ratio, then cut out the centre; stretch: scale to the input size directly\n"
      "  --threads N   threads, 1..256 (default 1: no worker threads)\n"
      "  --backend B   auto (default: the fastest kernel per op), native, xnnpack, eigen or ref\n"
      "  --no-winograd every conv direct (default: Winograd where it is faster; more weight bytes)\n"
      "  --json        one JSON object per image on stdout instead of text ({\"image\", \"error\"} if it fails)\n"
      "  -q            no timing on stderr\n"
      "  Probabilities are the softmax of the output (the output itself when the model ends in Softmax).\n"
      "  Exit status: 0 ok; 2 bad flag, model file or image; 1 an internal failure (running the model).\n");
}

struct Ranked {
  int cls;
  double prob;
  float logit;
};

// Whether the op that writes the first graph output is a Softmax (its output is then probabilities).
bool ends_in_softmax(const incept::Interpreter& it) {
  const char* out_name = it.output(0).name;
  for (int i = it.num_ops() - 1; i >= 0; --i) {
    const incept::OpInfo op = it.op_info(i);
    if (op.output >= 0 && std::strcmp(it.tensor_placement(op.output).name, out_name) == 0)
      return std::strcmp(op.kind, "Softmax") == 0;
  }
  return it.num_ops() > 0 && std::strcmp(it.op_info(it.num_ops() - 1).kind, "Softmax") == 0;
}

// All classes, most probable first (ties: lower class index first).
std::vector<Ranked> rank_classes(const float* out, int n, bool is_softmax) {
  std::vector<Ranked> r(n);
  double max = -HUGE_VAL;
  for (int i = 0; i < n; ++i) max = std::max(max, double(out[i]));
  double sum = 0.0;
  for (int i = 0; i < n; ++i) {
    r[i] = {i, is_softmax ? double(out[i]) : std::exp(double(out[i]) - max), out[i]};
    sum += r[i].prob;
  }
  if (!is_softmax)
    for (Ranked& x : r) x.prob /= sum;
  std::stable_sort(r.begin(), r.end(), [](const Ranked& a, const Ranked& b) { return a.prob > b.prob; });
  return r;
}

// The label as the file holds it (callers escape it for printing: shown(), json_string()).
std::string label_of(const incept::Model& m, int cls) {
  if (cls < m.num_labels() && *m.label(cls)) return m.label(cls);
  return "class " + std::to_string(cls);
}

// Probabilities and logits with float precision.
std::string json_number(double v) { return incept::tools::json_number(v, 9); }
using incept::tools::json_string;
using incept::tools::shown;

void print_text(const std::string& path, const incept::Model& m, const std::vector<Ranked>& top, bool is_softmax) {
  std::printf("%s\n", path.c_str());
  for (size_t k = 0; k < top.size(); ++k) {
    if (is_softmax)
      std::printf("  %3zu  %.4f  %s\n", k + 1, top[k].prob, shown(label_of(m, top[k].cls).c_str()).c_str());
    else
      std::printf("  %3zu  %.4f  logit %9.4f  %s\n", k + 1, top[k].prob, top[k].logit,
                  shown(label_of(m, top[k].cls).c_str()).c_str());
  }
}

void print_json(const std::string& path, const incept::tools::Image& img, const char* resize, double ms,
                const incept::Model& m, const std::vector<Ranked>& top, bool is_softmax) {
  std::string s = "{\"image\": " + json_string(path) + ", \"width\": " + std::to_string(img.width) +
                  ", \"height\": " + std::to_string(img.height) + ", \"resize\": \"" + resize +
                  "\", \"inference_ms\": " + json_number(ms) + ", \"top\": [";
  for (size_t k = 0; k < top.size(); ++k) {
    s += (k ? ", " : "") + std::string("{\"rank\": ") + std::to_string(k + 1) +
         ", \"class\": " + std::to_string(top[k].cls) + ", \"label\": " + json_string(label_of(m, top[k].cls)) +
         ", \"probability\": " + json_number(top[k].prob) +
         ", \"logit\": " + (is_softmax ? std::string("null") : json_number(top[k].logit)) + "}";
  }
  std::printf("%s]}\n", s.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_path;
  std::vector<std::string> images;
  incept::InterpreterOptions options;
  incept::tools::ResizePolicy resize = incept::tools::ResizePolicy::kCrop;
  int top_k = 5;
  bool json = false, quiet = false;
  incept::tools::Args args(kTool, argc, argv);
  while (args.next()) {
    if (args.interpreter_flag(&options)) continue;
    if (args.is("-h") || args.is("--help")) {
      usage(stdout);
      return 0;
    } else if (args.is("--top")) {
      const char* v = args.value();
      char* end = nullptr;
      const long k = std::strtol(v, &end, 10);
      if (std::strcmp(v, "all") == 0) {
        top_k = 0;  // every class
      } else if (end == v || *end != '\0' || k < 1 || k > 1000000) {
        args.usage_error(("--top must be an integer in 1..1000000 or 'all', got '" + std::string(v) + "'").c_str());
      } else {
        top_k = static_cast<int>(k);
      }
    } else if (args.is("--resize")) {
      const incept::Status st = incept::tools::parse_resize_policy(args.value(), &resize);
      if (!st.is_ok()) args.usage_error(st.message());
    } else if (args.is("--json")) {
      json = true;
    } else if (args.is("-q") || args.is("--quiet")) {
      quiet = true;
    } else if (args.positional()) {
      if (model_path.empty())
        model_path = args.arg();
      else
        images.push_back(args.arg());
    } else {
      args.reject();
    }
  }
  if (model_path.empty() || images.empty()) {
    usage(stderr);
    return 2;
  }

  using clock = std::chrono::steady_clock;
  auto ms = [](clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
  const auto t0 = clock::now();
  incept::Result<incept::Model> model = incept::Model::from_file(model_path.c_str());
  if (!model.ok()) return incept::tools::fail(kTool, "cannot load model", model.status());
  incept::Interpreter it(*model, options);
  incept::Status s = it.prepare();
  if (!s.is_ok()) return incept::tools::fail(kTool, "cannot prepare model", s);
  const double load_ms = ms(clock::now() - t0);

  char in_buf[64], out_buf[64];
  const incept::TensorRef in = it.input(0), out = it.output(0);
  const int64_t classes = out.shape.rank >= 1 ? out.shape[out.shape.rank - 1] : 0;
  if (it.num_inputs() != 1 || in.shape.rank != 4 || in.shape[0] != 1 || in.shape[3] != 3 || classes < 1 ||
      out.shape.num_elements() != classes) {
    std::fprintf(stderr,
                 "%s: %s is not an image classifier: it needs one [1, H, W, 3] input and one [1, classes] "
                 "output, it has %d input(s), input 0 %s, output 0 %s\n",
                 kTool, model_path.c_str(), it.num_inputs(), incept::shape_to_string(in.shape, in_buf, sizeof(in_buf)),
                 incept::shape_to_string(out.shape, out_buf, sizeof(out_buf)));
    return 2;
  }
  const bool is_softmax = ends_in_softmax(it);
  const incept::tools::Preprocess pre = incept::tools::preprocess_from(*model);
  const size_t k = top_k == 0 ? size_t(classes) : std::min<size_t>(size_t(top_k), size_t(classes));

  int exit_code = 0, done = 0;
  double total_ms = 0.0;
  for (const std::string& path : images) {
    const auto t1 = clock::now();
    incept::tools::Image img;
    s = incept::tools::load_image(path, &img);
    if (s.is_ok()) s = incept::tools::image_to_tensor(img, pre, resize, in);
    if (!s.is_ok()) {
      std::fprintf(stderr, "%s: %s\n", kTool, s.message());
      if (json)
        std::printf("{\"image\": %s, \"error\": %s}\n", json_string(path).c_str(), json_string(s.message()).c_str());
      std::fflush(stdout);
      exit_code = 2;
      continue;
    }
    const auto t2 = clock::now();
    s = it.invoke();
    if (!s.is_ok()) return incept::tools::fail(kTool, "inference failed", s);
    const auto t3 = clock::now();
    std::vector<Ranked> ranked = rank_classes(out.data, int(classes), is_softmax);
    ranked.resize(k);
    if (json)
      print_json(path, img, incept::tools::resize_policy_name(resize), ms(t3 - t2), *model, ranked, is_softmax);
    else
      print_text(path, *model, ranked, is_softmax);
    std::fflush(stdout);
    if (!quiet)
      std::fprintf(stderr, "%s: %s: %dx%d%s, decode+resize %.1f ms, inference %.2f ms\n", kTool, path.c_str(),
                   img.width, img.height, img.file_16bit ? " 16-bit" : "", ms(t2 - t1), ms(t3 - t2));
    total_ms += ms(t3 - t2);
    ++done;
  }
  if (!quiet && done > 0)
    std::fprintf(stderr,
                 "%s: %s (%s): load+prepare %.1f ms; input %dx%d %s, %s resize; %d image(s), mean inference "
                 "%.2f ms\n",
                 kTool, model_path.c_str(), *model->architecture() ? shown(model->architecture()).c_str() : "?",
                 load_ms, in.shape[1], in.shape[2], pre.order == incept::ChannelOrder::kBgr ? "BGR" : "RGB",
                 incept::tools::resize_policy_name(resize), done, total_ms / done);
  return exit_code;
}
