// SPDX-License-Identifier: Apache-2.0
// incept-run M.incept --input X.npy --output Y.npy [--threads N] [--backend auto|xnnpack|eigen|ref]
// Runs a model once on an NCHW float32 .npy (as PyTorch holds data) and writes the output as .npy
// (NCHW for 4-D outputs, [N, classes] for logits).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

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

int fail(const char* what, const incept::Status& s) {
  std::fprintf(stderr, "incept-run: %s: %s (%s)\n", what, s.message(), incept::status_code_name(s.code()));
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_path, input_path, output_path;
  incept::InterpreterOptions options;
  bool quiet = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&](const char* flag) -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "incept-run: %s needs a value\n", flag);
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "-h" || a == "--help") {
      usage(stdout);
      return 0;
    } else if (a == "--input") {
      input_path = next("--input");
    } else if (a == "--output") {
      output_path = next("--output");
    } else if (a == "--threads") {
      char* end = nullptr;
      const char* v = next("--threads");
      const long n = std::strtol(v, &end, 10);
      if (*end != '\0' || n < 1 || n > 256) {
        std::fprintf(stderr, "incept-run: --threads must be an integer in 1..256, got '%s'\n", v);
        return 2;
      }
      options.threads = static_cast<int>(n);
    } else if (a == "--backend") {
      const incept::Status st = incept::parse_backend(next("--backend"), &options.backend);
      if (!st.is_ok()) {
        std::fprintf(stderr, "incept-run: %s\n", st.message());
        return 2;
      }
    } else if (a == "-q" || a == "--quiet") {
      quiet = true;
    } else if (!a.empty() && a[0] == '-') {
      std::fprintf(stderr, "incept-run: unknown option '%s'\n", a.c_str());
      usage(stderr);
      return 2;
    } else if (model_path.empty()) {
      model_path = a;
    } else {
      std::fprintf(stderr, "incept-run: unexpected argument '%s'\n", a.c_str());
      return 2;
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
