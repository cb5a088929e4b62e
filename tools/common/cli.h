// SPDX-License-Identifier: Apache-2.0
// Command-line handling shared by incept-run, incept-bench and incept-inspect: a usage error is one
// line "<tool>: ..." on stderr and exit code 2; a failure is one line and exit code 1.
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

// Prints "<tool>: <what>: <message> (<code name>)" and returns 1, the exit code for failures.
int fail(const char* tool, const char* what, const Status& s);

}  // namespace incept::tools
