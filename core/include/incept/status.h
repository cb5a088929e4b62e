// SPDX-License-Identifier: Apache-2.0
// Status and Result: how every fallible call in incept reports failure. No exceptions, no heap:
// the message is stored inline (truncated at kMaxMessage - 1 bytes).
//
//   incept::Status s = it.prepare();
//   if (!s.is_ok()) { fprintf(stderr, "%s: %s\n", incept::status_code_name(s.code()), s.message()); }
#pragma once

#include <cstdint>
#include <new>
#include <utility>

namespace incept {

enum class StatusCode : uint8_t {
  kOk,
  kInvalidModel,
  kUnsupported,
  kArenaTooSmall,
  kInvalidArgument,
  kInternal,
  kIoError
};

// "ok", "invalid model", ... for messages and logs.
const char* status_code_name(StatusCode code);

class [[nodiscard]] Status {
 public:
  static constexpr int kMaxMessage = 320;

  Status() = default;
  static Status ok() { return Status(); }
  // printf-style message: what, where, the value found and the rule it breaks.
  [[gnu::format(printf, 2, 3)]] static Status error(StatusCode code, const char* fmt, ...);

  bool is_ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const char* message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  char message_[kMaxMessage] = {0};
};

// A value or the Status that explains its absence.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T&& value) : has_value_(true) { new (&storage_) T(std::move(value)); }  // NOLINT: implicit by design
  Result(Status status) : status_(status) {                                      // NOLINT
    if (status_.is_ok())
      status_ = Status::error(StatusCode::kInternal, "Result built from an ok Status without a value");
  }
  Result(Result&& o) noexcept : status_(o.status_), has_value_(o.has_value_) {
    if (has_value_) new (&storage_) T(std::move(*o.ptr()));
  }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;
  Result& operator=(Result&&) = delete;
  ~Result() {
    if (has_value_) ptr()->~T();
  }

  bool ok() const { return has_value_; }
  const Status& status() const { return status_; }
  T& value() { return *ptr(); }
  const T& value() const { return *ptr(); }
  T& operator*() { return *ptr(); }
  const T& operator*() const { return *ptr(); }
  T* operator->() { return ptr(); }
  const T* operator->() const { return ptr(); }

 private:
  T* ptr() { return std::launder(reinterpret_cast<T*>(&storage_)); }
  const T* ptr() const { return std::launder(reinterpret_cast<const T*>(&storage_)); }

  Status status_;
  bool has_value_ = false;
  alignas(T) unsigned char storage_[sizeof(T)];
};

}  // namespace incept

#define INCEPT_CHECK(cond, code, ...)                                                     \
  do {                                                                                    \
    if (!(cond)) return ::incept::Status::error(::incept::StatusCode::code, __VA_ARGS__); \
  } while (0)

#define INCEPT_RETURN_IF_ERROR(expr)          \
  do {                                        \
    ::incept::Status incept_s_ = (expr);      \
    if (!incept_s_.is_ok()) return incept_s_; \
  } while (0)
