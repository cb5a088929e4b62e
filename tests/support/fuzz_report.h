// SPDX-License-Identifier: Apache-2.0
// What one input did to a file or call-sequence fuzz target (tests/support/{npy,image,c_api}_fuzz.h): the
// steps that worked, every refusal with its message, and two counts the fuzzer and the corpus replay tests
// treat as failures: a refusal that is not a one-line message (empty, or several lines), and a broken
// promise (a step that must work after the ones before it did, or a result that contradicts its input).
#pragma once

#include <string>
#include <vector>

#include "incept/status.h"

namespace incept::test {

struct FuzzReport {
  int done = 0;                       // steps that worked
  std::vector<std::string> refusals;  // "<step>: <message>"
  int unexplained = 0;                // refusals without a one-line message
  std::vector<std::string> broken;    // promises the code broke, each named

  // Records a refused step; true when `s` is ok.
  bool note(const char* step, const Status& s) {
    if (s.is_ok()) {
      ++done;
      return true;
    }
    refuse(step, s.message());
    return false;
  }
  void refuse(const char* step, const std::string& message) {
    refusals.push_back(std::string(step) + ": " + message);
    unexplained += message.empty() || message.find('\n') != std::string::npos ? 1 : 0;
  }
  void expect(bool ok, const std::string& what) {
    if (!ok) broken.push_back(what);
  }
  bool clean() const { return unexplained == 0 && broken.empty(); }
};

}  // namespace incept::test
