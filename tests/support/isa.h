// SPDX-License-Identifier: Apache-2.0
// The ISA cap in tests. IsaCapGuard sets the cap for a scope and puts the previous one back however the
// scope ends (a failed REQUIRE throws), so one test's cap never leaks into the next; and whether this CPU
// has an ISA our own (native) kernels are built for, for the tests that need them.
//
//   {
//     test::IsaCapGuard cap(ops::Isa::kAvx2Fma);   // AVX-512 kernels hidden from here ...
//     ...
//   }                                              // ... to here
#pragma once

#include "common/cpu.h"

namespace incept::test {

class IsaCapGuard {
 public:
  explicit IsaCapGuard(ops::Isa cap) : saved_(ops::isa_cap()) { ops::set_isa_cap(cap); }
  ~IsaCapGuard() { ops::set_isa_cap(saved_); }
  IsaCapGuard(const IsaCapGuard&) = delete;
  IsaCapGuard& operator=(const IsaCapGuard&) = delete;
  ops::Isa saved() const { return saved_; }

 private:
  ops::Isa saved_;
};

// This CPU has an ISA our micro-kernels are built for: AVX2+FMA or AVX-512F on x86-64, NEON on ARM (always
// there on aarch64). Stated here, apart from the registry, so that a registry that wrongly offers no native
// kernel fails the tests that need one instead of skipping them.
inline bool cpu_runs_native_kernels() {
#if defined(__x86_64__) || defined(_M_X64)
  return ops::cpu_has(ops::Isa::kAvx2Fma) || ops::cpu_has(ops::Isa::kAvx512f);
#elif defined(__aarch64__) || defined(__arm__)
  return ops::cpu_has(ops::Isa::kNeon);
#else
  return false;
#endif
}

}  // namespace incept::test
