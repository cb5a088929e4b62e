// SPDX-License-Identifier: Apache-2.0
// Command-line handling shared by the tools. Every error is one line "<tool>: ..." on stderr. Exit codes,
// as the converter's: 2 for bad input (a flag, a model file that fails to load or prepare, an input file,
// an output path that cannot be written), 1 for an internal failure (inference, a kernel, memory).
//
//   tools::Args args("incept-bench", argc, argv);
//   while (args.next()) {
//     if (args.interpreter_flag(&options)) continue;          // --threads N, --backend B
//     if (args.is("--runs")) runs = args.int_value(1, 1000000);
//     else if (args.positional()) model = args.arg();
//     else args.reject();                                      // unknown option / extra argument
//   }
#pragma once

#include <string>

#include "incept/incept.h"

namespace incept::tools {

class Args {
 public:
  Args(const char* tool, int argc, char** argv) : tool_(tool), argc_(argc), argv_(argv) {}

  bool next();  // moves to the next argument; false at the end
  const std::string& arg() const { return arg_; }
  bool is(const char* flag) const { return arg_ == flag; }
  bool positional() const { return arg_.empty() || arg_[0] != '-'; }
  const char* value();              // the current flag's value (exit 2 when missing)
  int int_value(long lo, long hi);  // ... as an integer in [lo, hi] (exit 2 otherwise)
  // Takes --threads N (1..256), --backend auto|native|xnnpack|eigen|ref and --no-winograd into `o`; false
  // for other flags.
  bool interpreter_flag(InterpreterOptions* o);
  // "unknown option" for a flag, "unexpected argument" otherwise; exits with 2.
  [[noreturn]] void reject() const;
  [[noreturn]] void usage_error(const char* message) const;  // "<tool>: <message>", exit 2

 private:
  const char* tool_;
  int argc_;
  char** argv_;
  int i_ = 0;
  std::string arg_;
};

// 1 for kInternal and kArenaTooSmall (the tool or the library failed), 2 for every other error (the input).
int exit_code(const Status& s);
// Prints "<tool>: <what>: <message> (<code name>)" and returns exit_code(s).
int fail(const char* tool, const char* what, const Status& s);
// Whether a file can be written at `path` before any work is done: not a folder, in a folder that exists
// and may be written; the reason otherwise (kIoError; `flag` names the option in the message).
[[nodiscard]] Status check_writable(const char* flag, const std::string& path);

}  // namespace incept::tools
