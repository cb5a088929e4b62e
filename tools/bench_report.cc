// SPDX-License-Identifier: Apache-2.0
// Formatting for incept-bench: the human summary, the --profile tables and the --json object.
#include "bench_report.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>

#include "common/display_text.h"
#include "common/json.h"

namespace incept::bench {
namespace {

double safe_div(double a, double b) { return b > 0.0 ? a / b : 0.0; }

// Keeps the end of a long name (the distinctive part: "...branch3x3dbl_3.conv").
// Enough digits for milliseconds and GFLOP.
std::string json_number(double v) { return tools::json_number(v, 6); }
using tools::json_string;

std::string json_shape(const Shape& s) {
  std::string out = "[";
  for (int i = 0; i < s.rank; ++i) out += (i ? ", " : "") + std::to_string(s.dims[i]);
  return out + "]";
}

struct KindSummary {
  int count = 0;
  double ms = 0.0, flops = 0.0;
};

void print_profile(std::FILE* f, const BenchResult& r) {
  std::vector<const OpProfile*> sorted;
  double total = 0.0;
  size_t name_w = 4;
  for (const OpProfile& op : r.ops) {
    sorted.push_back(&op);
    total += op.median_ms;
    name_w = std::max(name_w, tools::shown(op.info.name).size());
  }
  name_w = std::min<size_t>(name_w, 40);
  std::stable_sort(sorted.begin(), sorted.end(),
                   [](const OpProfile* a, const OpProfile* b) { return a->median_ms > b->median_ms; });
  std::fprintf(f, "\nper op (median of %d runs, slowest first; share of the sum of op medians, %.3f ms)\n", r.runs,
               total);
  std::fprintf(f, "  %4s  %-*s  %-14s %-30s %-18s %9s %7s %7s %9s\n", "#", static_cast<int>(name_w), "name", "kind",
               "kernel", "output", "ms", "share", "cum", "GFLOP/s");
  double cum = 0.0;
  for (const OpProfile* op : sorted) {
    cum += op->median_ms;
    std::fprintf(f, "  %4d  %-*s  %-14s %-30s %-18s %9.3f %6.1f%% %6.1f%% %9.1f\n", op->index, static_cast<int>(name_w),
                 tools::fit_left(tools::shown(op->info.name), name_w).c_str(), op->info.kind,
                 tools::kernel_label(op->info.kernel, op->info.converted_tensors).c_str(),
                 format_shape(op->info.output_shape).c_str(), op->median_ms, 100.0 * safe_div(op->median_ms, total),
                 100.0 * safe_div(cum, total), safe_div(op->info.flops * 1e-9, op->median_ms * 1e-3));
  }
  std::map<std::string, KindSummary> kinds;
  for (const OpProfile& op : r.ops) {
    KindSummary& k = kinds[op.info.kernel];
    ++k.count;
    k.ms += op.median_ms;
    k.flops += op.info.flops;
  }
  std::vector<std::pair<std::string, KindSummary>> rows(kinds.begin(), kinds.end());
  std::stable_sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.second.ms > b.second.ms; });
  std::fprintf(f, "\nper kernel\n  %-30s %5s %9s %7s %9s %9s\n", "kernel", "ops", "ms", "share", "GFLOP", "GFLOP/s");
  for (const auto& [name, k] : rows) {
    std::fprintf(f, "  %-30s %5d %9.3f %6.1f%% %9.3f %9.1f\n", name.c_str(), k.count, k.ms,
                 100.0 * safe_div(k.ms, total), k.flops * 1e-9, safe_div(k.flops * 1e-9, k.ms * 1e-3));
  }
}

}  // namespace

TimeStats time_stats(std::vector<double> ms) {
  TimeStats t;
  if (ms.empty()) return t;
  std::sort(ms.begin(), ms.end());
  const size_t n = ms.size();
  t.min = ms.front();
  t.median = n % 2 ? ms[n / 2] : 0.5 * (ms[n / 2 - 1] + ms[n / 2]);
  const size_t rank = static_cast<size_t>(std::ceil(0.9 * static_cast<double>(n)));  // nearest rank, 1-based
  t.p90 = ms[std::min(n, std::max<size_t>(rank, 1)) - 1];
  return t;
}

std::string format_bytes(size_t bytes) {
  char buf[32];
  if (bytes < 1024) {
    std::snprintf(buf, sizeof(buf), "%zu B", bytes);
  } else if (bytes < (size_t{1} << 20)) {
    std::snprintf(buf, sizeof(buf), "%.1f KiB", bytes / 1024.0);
  } else {
    std::snprintf(buf, sizeof(buf), "%.2f MiB", bytes / 1048576.0);
  }
  return buf;
}

std::string format_shape(const Shape& s) {
  char buf[64];
  return shape_to_string(s, buf, sizeof(buf));
}

int BenchResult::winograd_convs() const {
  int n = 0;
  for (const OpProfile& op : ops) n += std::strstr(op.info.kernel, "winograd") != nullptr;
  return n;
}

void print_human(std::FILE* f, const BenchResult& r) {
  std::fprintf(f, "incept-bench %s (%s): backend %s, %d thread%s, Winograd %s, %d runs after %d warm-up\n",
               r.model_path.c_str(), r.architecture.empty() ? "?" : tools::shown(r.architecture.c_str()).c_str(),
               r.backend.c_str(), r.threads, r.threads == 1 ? "" : "s", r.winograd ? "on" : "off", r.runs, r.warmup);
  if (r.load_average >= 0.0) {
    const bool busy = r.host_cpus > 0 && r.load_average > 0.75 * r.host_cpus;
    std::fprintf(f, "  host         %9d CPUs, load average %.2f%s\n", r.host_cpus, r.load_average,
                 busy ? " (busy: other work shares the cores, timings are noisy)" : "");
  }
  std::fprintf(f, "  load         %9.2f ms\n", r.load_ms);
  std::fprintf(f, "  prepare      %9.2f ms\n", r.prepare_ms);
  std::fprintf(f, "  first run    %9.2f ms\n", r.first_ms);
  std::fprintf(f, "  steady       %9.2f ms median   %.2f ms p90   %.2f ms min\n", r.steady.median, r.steady.p90,
               r.steady.min);
  std::fprintf(f,
               "  compute      %9.3f GFLOP     %.1f GFLOP/s at the median = %.1f%% of peak (%d x %.1f GFLOP/s, %s)\n",
               r.plan.gflop, r.gflops(), r.percent_of_peak(), r.threads, r.peak_gflops_per_core, r.peak_isa);
  if (const int w = r.winograd_convs(); w > 0)
    std::fprintf(f,
                 "               GFLOP as direct convolution would do them; %d conv%s run%s Winograd, which does "
                 "fewer multiplications, so the share can pass 100%%\n",
                 w, w == 1 ? "" : "s", w == 1 ? "s" : "");
  if (r.peak_int8_gops_per_core > 0.0)
    std::fprintf(f,
                 "  int8 peak    %9.1f GOP/s a core (%s): what the 8-bit kernels' GFLOP/s (--profile) read against\n",
                 r.peak_int8_gops_per_core, r.peak_int8_isa);
  std::fprintf(f, "  arena        %12s   lower bound %s (ratio %.3f), scratch %s; a copy-concat plan needs %s\n",
               format_bytes(r.plan.arena_bytes).c_str(), format_bytes(r.plan.lower_bound_bytes).c_str(),
               r.arena_ratio(), format_bytes(r.plan.scratch_bytes).c_str(),
               format_bytes(r.plan.copy_concat_bytes).c_str());
  std::fprintf(f, "  weights      %12s   in the file; %s packed by kernels, %s read in place\n",
               format_bytes(r.weights_bytes).c_str(), format_bytes(r.plan.packed_weights_bytes).c_str(),
               format_bytes(r.plan.file_weights_bytes).c_str());
  std::fprintf(f, "  peak RSS     %12s   (VmHWM; ru_maxrss %s); %s resident after the runs (VmRSS)\n",
               format_bytes(r.vm_hwm_bytes).c_str(), format_bytes(r.ru_maxrss_bytes).c_str(),
               format_bytes(r.vm_rss_bytes).c_str());
  std::map<std::string, int> backends;
  for (const OpProfile& op : r.ops) ++backends[op.info.backend];
  std::fprintf(f, "  ops          %9zu   ", r.ops.size());
  const char* sep = "";
  for (const auto& [name, count] : backends) {
    std::fprintf(f, "%s%s %d", sep, name.c_str(), count);
    sep = ", ";
  }
  std::fprintf(f, "\n");
  if (r.profiled) print_profile(f, r);
}

void print_json(std::FILE* f, const BenchResult& r) {
  std::fprintf(f,
               "{\"model\": %s, \"architecture\": %s, \"backend\": %s, \"threads\": %d, \"winograd\": %s, "
               "\"runs\": %d, \"warmup\": %d",
               json_string(r.model_path.c_str()).c_str(), json_string(r.architecture.c_str()).c_str(),
               json_string(r.backend.c_str()).c_str(), r.threads, r.winograd ? "true" : "false", r.runs, r.warmup);
  std::fprintf(f, ", \"host_cpus\": %d, \"load_average\": %s", r.host_cpus,
               r.load_average >= 0.0 ? json_number(r.load_average).c_str() : "null");
  const std::pair<const char*, double> times[] = {{"load_ms", r.load_ms},
                                                  {"prepare_ms", r.prepare_ms},
                                                  {"first_ms", r.first_ms},
                                                  {"median_ms", r.steady.median},
                                                  {"p90_ms", r.steady.p90},
                                                  {"min_ms", r.steady.min},
                                                  {"gflop", r.plan.gflop},
                                                  {"gflops", r.gflops()},
                                                  {"peak_gflops_per_core", r.peak_gflops_per_core},
                                                  {"percent_of_peak", r.percent_of_peak()},
                                                  {"peak_int8_gops_per_core", r.peak_int8_gops_per_core},
                                                  {"arena_ratio", r.arena_ratio()}};
  for (const auto& [key, v] : times) std::fprintf(f, ", \"%s\": %s", key, json_number(v).c_str());
  const std::pair<const char*, size_t> sizes[] = {{"arena_bytes", r.plan.arena_bytes},
                                                  {"arena_lower_bound_bytes", r.plan.lower_bound_bytes},
                                                  {"scratch_bytes", r.plan.scratch_bytes},
                                                  {"copy_concat_bytes", r.plan.copy_concat_bytes},
                                                  {"weights_bytes", r.weights_bytes},
                                                  {"packed_weights_bytes", r.plan.packed_weights_bytes},
                                                  {"file_weights_bytes", r.plan.file_weights_bytes},
                                                  {"peak_rss_bytes", r.peak_rss_bytes()},
                                                  {"ru_maxrss_bytes", r.ru_maxrss_bytes},
                                                  {"vm_hwm_bytes", r.vm_hwm_bytes},
                                                  {"rss_end_bytes", r.vm_rss_bytes}};
  for (const auto& [key, v] : sizes) std::fprintf(f, ", \"%s\": %zu", key, v);
  std::fprintf(f,
               ", \"peak_isa\": %s, \"peak_int8_isa\": %s, \"num_ops\": %zu, \"winograd_convs\": %d, "
               "\"op_backends\": {",
               json_string(r.peak_isa).c_str(), json_string(r.peak_int8_isa).c_str(), r.ops.size(), r.winograd_convs());
  std::map<std::string, int> backends;
  for (const OpProfile& op : r.ops) ++backends[op.info.backend];
  const char* sep = "";
  for (const auto& [name, count] : backends) {
    std::fprintf(f, "%s%s: %d", sep, json_string(name.c_str()).c_str(), count);
    sep = ", ";
  }
  std::fprintf(f, "}");
  if (r.profiled) {
    std::fprintf(f, ", \"ops\": [");
    double total = 0.0;
    for (const OpProfile& op : r.ops) total += op.median_ms;
    for (size_t i = 0; i < r.ops.size(); ++i) {
      const OpProfile& op = r.ops[i];
      std::fprintf(
          f,
          "%s\n  {\"index\": %d, \"name\": %s, \"kind\": %s, \"backend\": %s, \"kernel\": %s, \"output_shape\": %s, "
          "\"median_ms\": %s, \"share\": %s, \"gflop\": %s, \"gflops\": %s}",
          i ? "," : "", op.index, json_string(op.info.name).c_str(), json_string(op.info.kind).c_str(),
          json_string(op.info.backend).c_str(), json_string(op.info.kernel).c_str(),
          json_shape(op.info.output_shape).c_str(), json_number(op.median_ms).c_str(),
          json_number(safe_div(op.median_ms, total)).c_str(), json_number(op.info.flops * 1e-9).c_str(),
          json_number(safe_div(op.info.flops * 1e-9, op.median_ms * 1e-3)).c_str());
    }
    std::fprintf(f, "]");
  }
  std::fprintf(f, "}\n");
}

}  // namespace incept::bench
