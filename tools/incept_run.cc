// SPDX-License-Identifier: Apache-2.0
// incept-run M.incept --input X.npy --output Y.npy [--layout nchw|nhwc] [--threads N] [--backend B]
// Runs a model on a float32 .npy, NCHW (as PyTorch holds data) or NHWC, told apart by its shape (--layout
// where a shape fits both), and writes the output as .npy (4-D outputs in the input's layout, [N, classes]
// for logits). An input whose batch is a multiple k of the model's runs k times, slice by slice, and the
// outputs are stacked (a held-out set through a batch-1 model).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "common/cli.h"
#include "common/display_text.h"
#include "common/layout.h"
#include "common/npy.h"
#include "incept/incept.h"

namespace {

void usage(std::FILE* f) {
  std::fprintf(
      f,
      "usage: incept-run MODEL.incept --input X.npy --output Y.npy [--layout L] [--threads N] [--backend B]\n"
      "                  [--no-winograd] [-q]\n"
      "  Runs MODEL on X (float32, NCHW as PyTorch holds it, e.g. [1, 3, 299, 299], or NHWC, [1, 299, 299, 3],\n"
      "  told apart by the shape) and writes its first output to Y (a 4-D one in X's layout). A batch of k\n"
      "  times the model's (e.g. [1000, 3, 299, 299]) runs k times; the outputs are stacked.\n"
      "  --layout L    nchw or nhwc: how to read X where its shape fits both (channels = height = width)\n"
      "  --threads N   threads, 1..256 (default 1: no worker threads)\n"
      "  --backend B   auto (default: the fastest kernel per op), native, xnnpack, eigen or ref\n"
      "  --no-winograd every conv direct (default: Winograd where it is faster; more weight bytes)\n"
      "  -q            no summary on stderr\n"
      "  Exit status: 0 ok; 2 bad input (flag, model file, input .npy, output path); 1 an internal failure.\n");
}

int fail(const char* what, const incept::Status& s) { return incept::tools::fail("incept-run", what, s); }

// Slice `index` of `count` equal slices along dim 0 (copied).
incept::tools::NpyArray batch_slice(const incept::tools::NpyArray& a, int64_t index, int64_t count) {
  incept::tools::NpyArray out;
  out.shape = a.shape;
  out.shape[0] /= count;
  const size_t n = a.data.size() / static_cast<size_t>(count);
  out.data.assign(a.data.begin() + static_cast<ptrdiff_t>(n * index),
                  a.data.begin() + static_cast<ptrdiff_t>(n * (index + 1)));
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_path, input_path, output_path;
  incept::InterpreterOptions options;
  incept::tools::NpyLayout want_layout = incept::tools::NpyLayout::kAuto;
  bool quiet = false;
  incept::tools::Args args("incept-run", argc, argv);
  while (args.next()) {
    if (args.interpreter_flag(&options)) continue;
    if (args.is("-h") || args.is("--help")) {
      usage(stdout);
      return 0;
    } else if (args.is("--input")) {
      input_path = args.value();
    } else if (args.is("--output")) {
      output_path = args.value();
    } else if (args.is("--layout")) {
      const incept::Status st = incept::tools::parse_npy_layout(args.value(), &want_layout);
      if (!st.is_ok()) args.usage_error(st.message());
    } else if (args.is("-q") || args.is("--quiet")) {
      quiet = true;
    } else if (args.positional() && model_path.empty()) {
      model_path = args.arg();
    } else {
      args.reject();
    }
  }
  if (model_path.empty() || input_path.empty() || output_path.empty()) {
    std::fprintf(stderr, "incept-run: %s\n",
                 model_path.empty()   ? "no model given (the .incept file to run)"
                 : input_path.empty() ? "--input X.npy is missing (the input to run the model on)"
                                      : "--output Y.npy is missing (where to write the model's output)");
    usage(stderr);
    return 2;
  }
  if (const incept::Status w = incept::tools::check_writable("--output", output_path); !w.is_ok())
    return fail("cannot write the output", w);

  using clock = std::chrono::steady_clock;
  const auto t0 = clock::now();
  incept::Result<incept::Model> model = incept::Model::from_file(model_path.c_str());
  if (!model.ok()) return fail("cannot load model", model.status());
  incept::Interpreter it(*model, options);
  incept::Status s = it.prepare();
  if (!s.is_ok()) return fail("cannot prepare model", s);
  const auto t1 = clock::now();

  incept::tools::NpyArray input;
  s = incept::tools::read_npy(input_path, &input);
  if (!s.is_ok()) return fail("cannot read input", s);
  const int64_t model_batch = it.input(0).shape[0];
  const int64_t runs = !input.shape.empty() && input.shape[0] > model_batch && input.shape[0] % model_batch == 0
                           ? input.shape[0] / model_batch
                           : 1;
  incept::Layout layout = incept::Layout::kNhwc;
  s = incept::tools::npy_layout_of(runs == 1 ? input : batch_slice(input, 0, runs), it.input(0), want_layout, &layout);
  if (!s.is_ok()) return fail("bad input", s);
  incept::tools::NpyArray out;
  const auto t2 = clock::now();
  for (int64_t r = 0; r < runs; ++r) {
    const incept::tools::NpyArray x = runs == 1 ? input : batch_slice(input, r, runs);
    s = it.set_input(0, x.data.data(), x.data.size(), layout);
    if (!s.is_ok()) return fail("bad input", s);
    s = it.invoke();
    if (!s.is_ok()) return fail("inference failed", s);
    incept::tools::NpyArray part = incept::tools::tensor_to_array(it.output(0), layout);
    if (r == 0) out.shape = part.shape;
    out.data.insert(out.data.end(), part.data.begin(), part.data.end());
  }
  const auto t3 = clock::now();
  out.shape[0] *= runs;
  s = incept::tools::write_npy(output_path, out.shape, out.data.data());
  if (!s.is_ok()) return fail("cannot write output", s);
  if (!quiet) {
    auto ms = [](clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
    const incept::PlanStats& ps = it.plan_stats();
    std::fprintf(stderr, "incept-run: input %s read as %s%s\n", input_path.c_str(),
                 incept::tools::npy_layout_text(layout),
                 it.input(0).shape.rank == 4 && out.shape.size() == 4
                     ? (layout == incept::Layout::kNchw ? "; output written NCHW" : "; output written NHWC")
                     : "");
    std::fprintf(stderr,
                 "incept-run: %s (%s): load+prepare %.1f ms, inference %.1f ms%s\n"
                 "incept-run: arena %zu bytes, lower bound %zu (ratio %.3f), a copy-concat plan would need %zu; "
                 "weights %zu bytes\n",
                 model_path.c_str(), incept::tools::shown(model->architecture()).c_str(), ms(t1 - t0),
                 ms(t3 - t2) / double(runs), runs > 1 ? (" per run, " + std::to_string(runs) + " runs").c_str() : "",
                 ps.arena_bytes, ps.lower_bound_bytes,
                 ps.lower_bound_bytes ? double(ps.arena_bytes) / double(ps.lower_bound_bytes) : 0.0,
                 ps.copy_concat_bytes, model->weights_bytes());
  }
  return 0;
}
