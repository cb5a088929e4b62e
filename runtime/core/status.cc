// SPDX-License-Identifier: Apache-2.0
#include "incept/status.h"

#include <cstdarg>
#include <cstdio>

namespace incept {

const char* status_code_name(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "ok";
    case StatusCode::kInvalidModel: return "invalid model";
    case StatusCode::kUnsupported: return "unsupported";
    case StatusCode::kArenaTooSmall: return "arena too small";
    case StatusCode::kInvalidArgument: return "invalid argument";
    case StatusCode::kInternal: return "internal error";
    case StatusCode::kIoError: return "i/o error";
  }
  return "unknown";
}

Status Status::error(StatusCode code, const char* fmt, ...) {
  Status s;
  s.code_ = code == StatusCode::kOk ? StatusCode::kInternal : code;
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(s.message_, sizeof(s.message_), fmt, args);
  va_end(args);
  return s;
}

}  // namespace incept
