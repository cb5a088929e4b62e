// SPDX-License-Identifier: Apache-2.0
#include "common/cli.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace incept::tools {

bool Args::next() {
  if (++i_ >= argc_) return false;
  arg_ = argv_[i_];
  return true;
}

const char* Args::value() {
  if (i_ + 1 >= argc_) {
    std::fprintf(stderr, "%s: %s needs a value\n", tool_, arg_.c_str());
    std::exit(2);
  }
  return argv_[++i_];
}

int Args::int_value(long lo, long hi) {
  const std::string flag = arg_;
  const char* v = value();
  char* end = nullptr;
  const long n = std::strtol(v, &end, 10);
  if (end == v || *end != '\0' || n < lo || n > hi) {
    std::fprintf(stderr, "%s: %s must be an integer in %ld..%ld, got '%s'\n", tool_, flag.c_str(), lo, hi, v);
    std::exit(2);
  }
  return static_cast<int>(n);
}

bool Args::interpreter_flag(InterpreterOptions* o) {
  if (is("--threads")) {
    o->threads = int_value(1, 256);
    return true;
  }
  if (is("--no-winograd")) {
    o->winograd = false;
    return true;
  }
  if (is("--backend")) {
    const Status st = parse_backend(value(), &o->backend);
    if (!st.is_ok()) usage_error(st.message());
    return true;
  }
  return false;
}

void Args::reject() const {
  std::fprintf(
      stderr,
      positional() ? "%s: unexpected argument '%s' (one model at a time)\n" : "%s: unknown option '%s' (see --help)\n",
      tool_, arg_.c_str());
  std::exit(2);
}

void Args::usage_error(const char* message) const {
  std::fprintf(stderr, "%s: %s\n", tool_, message);
  std::exit(2);
}

int exit_code(const Status& s) {
  return s.code() == StatusCode::kInternal || s.code() == StatusCode::kArenaTooSmall ? 1 : 2;
}

int fail(const char* tool, const char* what, const Status& s) {
  std::fprintf(stderr, "%s: %s: %s (%s)\n", tool, what, s.message(), status_code_name(s.code()));
  return exit_code(s);
}

Status check_writable(const char* flag, const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode))
    return Status::error(StatusCode::kIoError, "%s %s is a folder; give a file name in it", flag, path.c_str());
  const size_t slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return Status::error(StatusCode::kIoError, "%s %s: folder %s does not exist", flag, path.c_str(), dir.c_str());
  const bool exists = access(path.c_str(), F_OK) == 0;
  if (access(exists ? path.c_str() : dir.c_str(), W_OK) != 0)
    return Status::error(StatusCode::kIoError, "%s %s: cannot write %s %s (%s)", flag, path.c_str(),
                         exists ? "the file" : "in folder", exists ? path.c_str() : dir.c_str(), std::strerror(errno));
  return Status::ok();
}

}  // namespace incept::tools
