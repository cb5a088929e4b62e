// SPDX-License-Identifier: Apache-2.0
// incept-bench M.incept [--threads N] [--backend B] [--no-winograd] [--runs N] [--warmup N] [--input X.npy] [--profile]
// [--json] Times a model the way a user meets it: load (Model::from_file), prepare, the first (cold) inference, then
// `runs` timed inferences after `warmup` untimed ones; reports the steady-state median / p90 / min, the memory plan
// against its lower bound, weights, peak RSS and the achieved GFLOP/s against this core's measured fp32 peak
// (peak_flops.h).
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_report.h"
#include "common/cli.h"
#include "common/layout.h"
#include "common/npy.h"
#include "incept/incept.h"
#include "peak_flops.h"

namespace {

using incept::bench::BenchResult;
constexpr const char* kTool = "incept-bench";

void usage(std::FILE* f) {
  std::fprintf(f,
               "usage: incept-bench MODEL.incept [--threads N] [--backend B] [--no-winograd] [--runs N] [--warmup N] "
               "[--profile] [--input X.npy] [--layout L] [--json]\n"
               "  Times load, prepare, the first inference and `runs` steady-state inferences of MODEL.\n"
               "  --threads N   threads, 1..256 (default 1)\n"
               "  --backend B   auto (default: the fastest kernel per op), native, xnnpack, eigen or ref\n"
               "  --no-winograd every conv direct (default: Winograd where it is faster; more weight bytes)\n"
               "  --runs N      timed inferences, 1..1000000 (default 30)\n"
               "  --warmup N    untimed inferences before them, 0..1000000 (default 3)\n"
               "  --input X     run on X (float32 .npy, NCHW or NHWC by its shape, as for incept-run) instead of\n"
               "                seeded random values\n"
               "  --layout L    nchw or nhwc: how to read X where its shape fits both (channels = height = width)\n"
               "  --profile     time every op; print per-op and per-kind tables (JSON: \"ops\")\n"
               "  --json        print one JSON object on stdout instead of the human summary\n"
               "  Exit status: 0 ok; 2 bad input (flag, model file, input .npy); 1 an internal failure.\n");
}

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// A "Vm...:" line of /proc/self/status (VmHWM: peak resident set, VmRSS: resident now), in bytes;
// 0 where there is no procfs.
size_t proc_status_bytes(const char* key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const size_t n = std::strlen(key);
  while (std::getline(f, line)) {
    if (line.compare(0, n, key) == 0) return static_cast<size_t>(std::strtoull(line.c_str() + n, nullptr, 10)) * 1024;
  }
  return 0;
}

// The 1-minute load average, or -1 where /proc/loadavg is missing.
double load_average() {
  std::ifstream f("/proc/loadavg");
  double v = -1.0;
  return (f >> v) ? v : -1.0;
}

size_t ru_maxrss_bytes() {
  struct rusage ru {};
  if (getrusage(RUSAGE_SELF, &ru) != 0) return 0;
#if defined(__APPLE__)
  return static_cast<size_t>(ru.ru_maxrss);  // bytes on macOS
#else
  return static_cast<size_t>(ru.ru_maxrss) * 1024;  // kilobytes on Linux
#endif
}

// Inputs get fixed pseudo-random values in [-1, 1] (speed does not depend on them, but zeros or
// denormals could flatter or hurt some kernels).
void fill_inputs(const incept::Interpreter& it) {
  std::mt19937 rng(0x1c3);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (int i = 0; i < it.num_inputs(); ++i) {
    const incept::TensorRef in = it.input(i);
    for (size_t k = 0; k < in.bytes / sizeof(float); ++k) in.data[k] = dist(rng);
  }
}

// Progress on stderr, only for a person watching (stderr is a terminal).
void progress(bool show, const char* phase, int done, int total) {
  if (!show) return;
  std::fprintf(stderr, "\r%s: %s %d/%d   ", kTool, phase, done, total);
  if (done == total) std::fprintf(stderr, "\r%*s\r", 48, "");
  std::fflush(stderr);
}

}  // namespace

int main(int argc, char** argv) {
  std::string model_path, input_path;
  incept::InterpreterOptions options;
  int runs = 30, warmup = 3;
  incept::tools::NpyLayout want_layout = incept::tools::NpyLayout::kAuto;
  bool profile = false, json = false;
  incept::tools::Args args(kTool, argc, argv);
  while (args.next()) {
    if (args.interpreter_flag(&options)) continue;
    if (args.is("-h") || args.is("--help")) {
      usage(stdout);
      return 0;
    } else if (args.is("--runs")) {
      runs = args.int_value(1, 1000000);
    } else if (args.is("--warmup")) {
      warmup = args.int_value(0, 1000000);
    } else if (args.is("--input")) {
      input_path = args.value();
    } else if (args.is("--layout")) {
      const incept::Status st = incept::tools::parse_npy_layout(args.value(), &want_layout);
      if (!st.is_ok()) args.usage_error(st.message());
    } else if (args.is("--profile")) {
      profile = true;
    } else if (args.is("--json")) {
      json = true;
    } else if (args.positional() && model_path.empty()) {
      model_path = args.arg();
    } else {
      args.reject();
    }
  }
  if (model_path.empty()) {
    std::fprintf(stderr, "%s: no model given\n", kTool);
    usage(stderr);
    return 2;
  }
  if (!incept::backend_available(options.backend)) {
    std::fprintf(stderr, "%s: backend '%s' is not available in this build or on this CPU\n", kTool,
                 incept::backend_name(options.backend));
    return 2;
  }
  const bool show_progress = !json && isatty(STDERR_FILENO);

  BenchResult r;
  r.model_path = model_path;
  r.backend = incept::backend_name(options.backend);
  r.threads = options.threads;
  r.winograd = options.winograd;
  r.runs = runs;
  r.warmup = warmup;
  r.profiled = profile;
  r.host_cpus = static_cast<int>(std::thread::hardware_concurrency());
  r.load_average = load_average();
  {
    const incept::bench::PeakFlops peak = incept::bench::measure_peak_flops(0.2);
    r.peak_gflops_per_core = peak.gflops_per_core;
    r.peak_isa = peak.isa;
  }

  using clock = std::chrono::steady_clock;
  auto t0 = clock::now();
  incept::Result<incept::Model> model = incept::Model::from_file(model_path.c_str());
  if (!model.ok()) return incept::tools::fail(kTool, "cannot load model", model.status());
  r.load_ms = ms_since(t0);
  r.architecture = model->architecture();
  r.weights_bytes = model->weights_bytes();

  t0 = clock::now();
  incept::Interpreter it(*model, options);
  incept::Status s = it.prepare();
  if (!s.is_ok()) return incept::tools::fail(kTool, "cannot prepare model", s);
  r.prepare_ms = ms_since(t0);
  r.plan = it.plan_stats();
  if (input_path.empty()) {
    fill_inputs(it);
  } else {
    incept::tools::NpyArray x;
    s = incept::tools::read_npy(input_path, &x);
    if (!s.is_ok()) return incept::tools::fail(kTool, "cannot read input", s);
    incept::Layout layout = incept::Layout::kNhwc;
    s = incept::tools::npy_layout_of(x, it.input(0), want_layout, &layout);
    if (s.is_ok()) s = it.set_input(0, x.data.data(), x.data.size(), layout);
    if (!s.is_ok()) return incept::tools::fail(kTool, "bad input", s);
    std::fprintf(stderr, "%s: input %s read as %s\n", kTool, input_path.c_str(),
                 incept::tools::npy_layout_text(layout));
  }

  t0 = clock::now();
  s = it.invoke();
  if (!s.is_ok()) return incept::tools::fail(kTool, "inference failed", s);
  r.first_ms = ms_since(t0);

  for (int k = 0; k < warmup; ++k) {
    s = it.invoke();
    if (!s.is_ok()) return incept::tools::fail(kTool, "inference failed", s);
    progress(show_progress, "warm-up", k + 1, warmup);
  }
  const int num_ops = it.num_ops();
  std::vector<double> total_ms(runs), op_ms(profile ? static_cast<size_t>(runs) * num_ops : 0);
  for (int k = 0; k < runs; ++k) {
    t0 = clock::now();
    s = profile ? it.invoke_profiled(&op_ms[static_cast<size_t>(k) * num_ops]) : it.invoke();
    total_ms[k] = ms_since(t0);
    if (!s.is_ok()) return incept::tools::fail(kTool, "inference failed", s);
    progress(show_progress, "run", k + 1, runs);
  }
  r.steady = incept::bench::time_stats(total_ms);
  for (int i = 0; i < num_ops; ++i) {
    incept::bench::OpProfile op;
    op.index = i;
    op.info = it.op_info(i);
    if (profile) {
      std::vector<double> samples(runs);
      for (int k = 0; k < runs; ++k) samples[k] = op_ms[static_cast<size_t>(k) * num_ops + i];
      op.median_ms = incept::bench::time_stats(samples).median;
    }
    r.ops.push_back(op);
  }
  // The int8 peak too when the model computes in 8 bits (after the timed runs, so it does not heat them): of
  // the AVX2 instruction where the 8-bit kernels are AVX2's (INCEPT_ISA=avx2 on a CPU with VNNI), of AMX's
  // tile product where any is AMX's.
  bool q8 = false, amx = false, avx2 = false;
  for (const incept::bench::OpProfile& op : r.ops) {
    if (std::strstr(op.info.kernel, "_q8_gemm") == nullptr) continue;
    q8 = true;
    amx = amx || std::strstr(op.info.kernel, "_amx") != nullptr;
    avx2 = avx2 || std::strstr(op.info.kernel, "_avx2") != nullptr;
  }
  if (q8) {
    using incept::bench::PeakIsa;
    const incept::bench::PeakFlops peak = incept::bench::measure_peak_int8(0.2, amx    ? PeakIsa::kAmx
                                                                                : avx2 ? PeakIsa::kAvx2
                                                                                       : PeakIsa::kWidest);
    r.peak_int8_gops_per_core = peak.gflops_per_core;
    r.peak_int8_isa = peak.isa;
  }
  r.ru_maxrss_bytes = ru_maxrss_bytes();
  r.vm_hwm_bytes = proc_status_bytes("VmHWM:");
  r.vm_rss_bytes = proc_status_bytes("VmRSS:");

  if (json) {
    incept::bench::print_json(stdout, r);
  } else {
    incept::bench::print_human(stdout, r);
  }
  return 0;
}
