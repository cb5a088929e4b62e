// SPDX-License-Identifier: Apache-2.0
// Flag helpers shared by incept-bench and incept-inspect, in incept-run's style: a usage error is
// one line "<tool>: ..." on stderr and exit code 2; a failure is one line and exit code 1.
#pragma once

#include <cstdio>
#include <cstdlib>

#include "incept/incept.h"

namespace incept::bench {

// Parses a decimal integer in [lo, hi]; false on anything else (empty, junk, out of range).
inline bool parse_int(const char* s, long lo, long hi, int* out) {
  char* end = nullptr;
  const long v = std::strtol(s, &end, 10);
  if (end == s || *end != '\0' || v < lo || v > hi) return false;
  *out = static_cast<int>(v);
  return true;
}

// Prints "<tool>: <what>: <message> (<code name>)" and returns 1, the exit code for failures.
inline int fail(const char* tool, const char* what, const Status& s) {
  std::fprintf(stderr, "%s: %s: %s (%s)\n", tool, what, s.message(), status_code_name(s.code()));
  return 1;
}

}  // namespace incept::bench
