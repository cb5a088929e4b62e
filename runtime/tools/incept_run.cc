// SPDX-License-Identifier: Apache-2.0
// incept-run M.incept --input X.npy --output Y.npy [--threads N] [--backend auto|xnnpack|eigen|ref]
// Runs a model once on an NCHW float32 .npy (as PyTorch holds data) and writes the output as .npy
// (NCHW for 4-D outputs, [N, classes] for logits).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "common/cli.h"
#include "common/layout.h"
#include "common/npy.h"
#include "incept/incept.h"

namespace {

void usage(std::FILE* f) {
  std::fprintf(f,
               "usage: incept-run MODEL.incept --input X.npy --output Y.npy [--threads N] [--backend B] [-q]\n"
               "  Runs MODEL once on X (float32 NCHW, e.g. [1, 3, 299, 299]) and writes its first output to Y.\n"
               "  --threads N   threads, 1..256 (default 1: no worker threads)\n"
               "  --backend B   auto (default: the fastest kernel per op), xnnpack, eigen or ref\n"
               "  -q            no summary on stderr\n");
}

int fail(const char* what, const incept::Status& s) { return incept::tools::fail("incept-run", what, s); }

}  // namespace

int main(int argc, char** argv) {
  std::string model_path, input_path, output_path;
  incept::InterpreterOptions options;
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
    } else if (args.is("-q") || args.is("--quiet")) {
      quiet = true;
    } else if (args.positional() && model_path.empty()) {
      model_path = args.arg();
    } else {
      args.reject();
    }
  }
  if (model_path.empty() || input_path.empty() || output_path.empty()) {
    usage(stderr);
    return 2;
  }

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
  s = incept::tools::nchw_to_tensor(input, it.input(0));
  if (!s.is_ok()) return fail("bad input", s);

  const auto t2 = clock::now();
  s = it.invoke();
  if (!s.is_ok()) return fail("inference failed", s);
  const auto t3 = clock::now();

  const incept::tools::NpyArray out = incept::tools::tensor_to_nchw(it.output(0));
  s = incept::tools::write_npy(output_path, out.shape, out.data.data());
  if (!s.is_ok()) return fail("cannot write output", s);
  if (!quiet) {
    auto ms = [](clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); };
    const incept::PlanStats& ps = it.plan_stats();
    std::fprintf(stderr,
                 "incept-run: %s (%s): load+prepare %.1f ms, inference %.1f ms\n"
                 "incept-run: arena %zu bytes, lower bound %zu (ratio %.3f), a copy-concat plan would need %zu; "
                 "weights %zu bytes\n",
                 model_path.c_str(), model->architecture(), ms(t1 - t0), ms(t3 - t2), ps.arena_bytes,
                 ps.lower_bound_bytes, ps.lower_bound_bytes ? double(ps.arena_bytes) / double(ps.lower_bound_bytes) : 0.0,
                 ps.copy_concat_bytes, model->weights_bytes());
  }
  return 0;
}
