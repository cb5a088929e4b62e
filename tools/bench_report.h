// SPDX-License-Identifier: Apache-2.0
// incept-bench's measurements and the two ways it prints them: an aligned human summary (plus the
// per-op and per-kind tables with --profile) and one JSON object (--json).
#pragma once

#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

#include "incept/incept.h"

namespace incept::bench {

struct TimeStats {
  double median = 0.0, p90 = 0.0, min = 0.0;  // milliseconds
};
// Median (mean of the middle two for an even count), p90 (nearest rank) and min of `ms`.
TimeStats time_stats(std::vector<double> ms);

struct OpProfile {
  int index = 0;
  OpInfo info;
  double median_ms = 0.0;
};

struct BenchResult {
  std::string model_path, architecture;
  std::string backend;  // as requested ("auto", ...)
  int threads = 1, runs = 0, warmup = 0;
  bool winograd = true;  // InterpreterOptions::winograd (--no-winograd: false)
  double load_ms = 0.0, prepare_ms = 0.0, first_ms = 0.0;
  TimeStats steady;
  PlanStats plan;
  size_t weights_bytes = 0;  // Model::weights_bytes(): what the file holds
  size_t ru_maxrss_bytes = 0, vm_hwm_bytes = 0;
  size_t vm_rss_bytes = 0;     // resident at the end, after the timed runs
  int host_cpus = 0;           // std::thread::hardware_concurrency()
  double load_average = -1.0;  // 1-minute load average at the start (/proc/loadavg), -1 if unknown
  double peak_gflops_per_core = 0.0;
  const char* peak_isa = "";
  double peak_int8_gops_per_core = 0.0;  // measured when some op runs an 8-bit kernel (peak_flops.h), else 0
  const char* peak_int8_isa = "";
  std::vector<OpProfile> ops;  // every op, in execution order (backends always; times with --profile)
  bool profiled = false;

  size_t peak_rss_bytes() const { return vm_hwm_bytes != 0 ? vm_hwm_bytes : ru_maxrss_bytes; }
  double gflops() const { return steady.median > 0.0 ? plan.gflop / (steady.median * 1e-3) : 0.0; }
  double percent_of_peak() const {
    const double peak = peak_gflops_per_core * threads;
    return peak > 0.0 ? 100.0 * gflops() / peak : 0.0;
  }
  // Convs whose kernel is a Winograd one: they do fewer multiplications than the direct-convolution FLOPs
  // that gflop counts, so percent_of_peak can pass 100 when there are some.
  int winograd_convs() const;
  double arena_ratio() const {
    return plan.lower_bound_bytes ? double(plan.arena_bytes) / double(plan.lower_bound_bytes) : 0.0;
  }
};

void print_human(std::FILE* f, const BenchResult& r);
void print_json(std::FILE* f, const BenchResult& r);

// "12.34 MiB" / "512 B" style, for human output.
std::string format_bytes(size_t bytes);
// "[1, 35, 35, 192]".
std::string format_shape(const Shape& s);

}  // namespace incept::bench
