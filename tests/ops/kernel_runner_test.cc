// SPDX-License-Identifier: Apache-2.0
// The kernel tests' own machinery (tests/support): the heap counter sees an allocation, IsaCapGuard puts the
// cap back however its scope ends, and runnable_kernels() plus the kernels it reports skipped are all of each
// op's kernels, each skipped one under the ISA it needs.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "op_registry.h"
#include "support/heap_counter.h"
#include "support/isa.h"
#include "support/kernel_runner.h"

namespace incept {
namespace {

TEST_CASE("test support: the heap counter sees an allocation") {
  test::heap_count_begin();
  void* volatile p = std::malloc(24);
  std::free(p);
  const long n = test::heap_count_end();
  if (n < 0) {
    MESSAGE("heap counting is off in this build (sanitizer or non-glibc): no-heap checks are skipped");
  } else {
    CHECK(n == 1);
  }
}

TEST_CASE("test support: IsaCapGuard sets the cap for its scope and puts it back, also when a check throws") {
  const ops::Isa before = ops::isa_cap();
  {
    const test::IsaCapGuard cap(ops::Isa::kScalar);
    CHECK(ops::isa_cap() == ops::Isa::kScalar);
    CHECK(cap.saved() == before);
    {
      const test::IsaCapGuard inner(ops::cpu_best_isa());
      CHECK(ops::isa_cap() == ops::cpu_best_isa());
    }
    CHECK(ops::isa_cap() == ops::Isa::kScalar);
  }
  CHECK(ops::isa_cap() == before);
  try {
    const test::IsaCapGuard cap(ops::Isa::kScalar);
    throw std::runtime_error("a failed REQUIRE throws like this");
  } catch (const std::runtime_error&) {}
  CHECK(ops::isa_cap() == before);
}

TEST_CASE("test support: each op's kernels are the ones the tests run plus the ones they report skipped, by ISA") {
  const ops::OpKind kinds[] = {
#define INCEPT_OP(Name, snake) ops::OpKind::k##Name,
#include "op_list.inc"
#undef INCEPT_OP
  };
  for (ops::OpKind kind : kinds) {
    const ops::OpDef& def = ops::op_def(kind);
    const std::string op = def.name;
    CAPTURE(op);
    const std::vector<const ops::Kernel*> runnable = test::runnable_kernels(kind);
    const std::vector<std::string> lines = test::skipped_kernel_lines(kind);
    int skipped = 0;
    for (const std::string& line : lines) {
      CAPTURE(line);
      CHECK(line.rfind("skipped: ", 0) == 0);
      skipped += std::atoi(line.c_str() + 9);
    }
    CHECK(static_cast<int>(runnable.size()) + skipped == def.num_kernels);
    CHECK(std::find(runnable.begin(), runnable.end(), &test::ref_kernel(kind)) != runnable.end());
    // A kernel for an ISA this CPU lacks is named on the line of that ISA.
    for (int i = 0; i < def.num_kernels; ++i) {
      const ops::Kernel& k = *def.kernels[i];
      if (ops::cpu_has(k.isa)) continue;
      CAPTURE(k.name);
      const std::string need = std::string(" for ") + ops::isa_name(k.isa) + ", which this CPU lacks: ";
      CHECK(std::any_of(lines.begin(), lines.end(), [&](const std::string& line) {
        return line.find(need) != std::string::npos && line.find(k.name) != std::string::npos;
      }));
    }
  }
}

}  // namespace
}  // namespace incept
