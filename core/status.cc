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
  const int n = std::vsnprintf(s.message_, sizeof(s.message_), fmt, args);
  va_end(args);
  if (n >= static_cast<int>(sizeof(s.message_))) {
    // Truncated: never end inside a UTF-8 sequence (messages hold escaped file strings, which keep valid
    // UTF-8 as it is), so a message is always as valid as what was formatted into it.
    size_t end = sizeof(s.message_) - 1;
    size_t lead = end;
    while (lead > 0 && (static_cast<unsigned char>(s.message_[lead - 1]) & 0xc0) == 0x80) --lead;
    if (lead > 0) {
      const unsigned char b = static_cast<unsigned char>(s.message_[lead - 1]);
      const size_t want = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
      if (want > end - (lead - 1)) s.message_[lead - 1] = '\0';
    }
  }
  return s;
}

}  // namespace incept
