// SPDX-License-Identifier: Apache-2.0
#include "common/cpu.h"

#if INCEPT_WITH_CPUINFO
#include <cpuinfo.h>
#endif

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <string>

namespace incept::ops {
namespace {

int level(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return 0;
    case Isa::kAvx2Fma: return 1;
    case Isa::kAvx512f: return 2;
    case Isa::kAvx512Vnni: return 3;
    case Isa::kNeon: return 1;
    case Isa::kNeonDot: return 2;
  }
  return 0;
}

bool native_arch(Isa isa) {
#if defined(__x86_64__) || defined(__i386__)
  return isa == Isa::kScalar || isa == Isa::kAvx2Fma || isa == Isa::kAvx512f || isa == Isa::kAvx512Vnni;
#elif defined(__aarch64__)
  return isa == Isa::kScalar || isa == Isa::kNeon || isa == Isa::kNeonDot;
#elif defined(__arm__)
  return isa == Isa::kScalar || isa == Isa::kNeon;
#else
  return isa == Isa::kScalar;
#endif
}

struct IsaName {
  const char* name;
  Isa isa;
};
constexpr IsaName kIsaNames[] = {{"scalar", Isa::kScalar},    {"avx2", Isa::kAvx2Fma},
                                 {"avx2_fma", Isa::kAvx2Fma}, {"avx512", Isa::kAvx512f},
                                 {"avx512f", Isa::kAvx512f},  {"avx512vnni", Isa::kAvx512Vnni},
                                 {"neon", Isa::kNeon},        {"neondot", Isa::kNeonDot}};

// An INCEPT_ISA this build does not know changes nothing; it is said once, on stderr, with the names it takes.
void warn_unknown_isa(const char* value) {
  std::string names;
  for (const IsaName& n : kIsaNames)
    if (native_arch(n.isa)) names += (names.empty() ? "" : ", ") + std::string(n.name);
  std::fprintf(stderr, "incept: warning: INCEPT_ISA='%s' is not an ISA name of this build, ignored; use one of: %s\n",
               value, names.c_str());
}

struct CpuState {
  bool has[kNumIsas] = {true};
  Isa best = Isa::kScalar;
  Isa cap = Isa::kScalar;
  CpuCaches caches;
};

// Without cpuinfo (a build that did not find it) x86 asks the compiler's builtins, which check the OS's
// register saving too, and the caches keep their typical sizes.
CpuState detect() {
  CpuState s;
#if INCEPT_WITH_CPUINFO
  const bool ok = cpuinfo_initialize();
#else
  const bool ok = false;
#endif
#if defined(__x86_64__) || defined(__i386__)
#if INCEPT_WITH_CPUINFO
  const bool avx2 = ok && cpuinfo_has_x86_avx2() && cpuinfo_has_x86_fma3();
  const bool avx512 = ok && cpuinfo_has_x86_avx512f();
  const bool vnni = ok && cpuinfo_has_x86_avx512bw() && cpuinfo_has_x86_avx512vl() && cpuinfo_has_x86_avx512vnni();
#else
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  const bool avx512 = __builtin_cpu_supports("avx512f");
  const bool vnni =
      __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
#endif
  s.has[static_cast<int>(Isa::kAvx2Fma)] = avx2;
  s.has[static_cast<int>(Isa::kAvx512f)] = avx2 && avx512;
  s.has[static_cast<int>(Isa::kAvx512Vnni)] = avx2 && avx512 && vnni;
#elif defined(__aarch64__)
  s.has[static_cast<int>(Isa::kNeon)] = true;  // Advanced SIMD with FMA is part of AArch64
#if INCEPT_WITH_CPUINFO
  s.has[static_cast<int>(Isa::kNeonDot)] = ok && cpuinfo_has_arm_neon_dot();
#elif defined(__ARM_FEATURE_DOTPROD)
  s.has[static_cast<int>(Isa::kNeonDot)] = true;
#endif
#elif defined(__arm__)
  // Optional on ARMv7-A (Cortex-A9 without it exists; Android's armeabi-v7a requires it). Without
  // cpuinfo, what the baseline was compiled for.
#if INCEPT_WITH_CPUINFO
  s.has[static_cast<int>(Isa::kNeon)] = ok && cpuinfo_has_arm_neon();
#elif defined(__ARM_NEON)
  s.has[static_cast<int>(Isa::kNeon)] = true;
#endif
#endif
  for (Isa isa : {Isa::kAvx2Fma, Isa::kAvx512f, Isa::kAvx512Vnni, Isa::kNeon, Isa::kNeonDot})
    if (s.has[static_cast<int>(isa)] && level(isa) > level(s.best)) s.best = isa;
  s.cap = s.best;
  if (const char* env = std::getenv("INCEPT_ISA"); env != nullptr && env[0] != '\0') {
    Isa want;
    if (!parse_isa(env, &want))
      warn_unknown_isa(env);
    else if (level(want) < level(s.best))
      s.cap = want;
  }
#if INCEPT_WITH_CPUINFO
  if (ok) {
    if (const cpuinfo_cache* l1 = cpuinfo_get_l1d_cache(0); l1 != nullptr && l1->size != 0) s.caches.l1d = l1->size;
    if (const cpuinfo_cache* l2 = cpuinfo_get_l2_cache(0); l2 != nullptr && l2->size != 0) {
      const uint32_t sharing = l2->processor_count > 0 ? l2->processor_count : 1;
      s.caches.l2 = l2->size / sharing;  // cores sharing one L2 (ARM clusters) each get a part
    }
  }
#else
  (void)ok;
#endif
  return s;
}

CpuState& state() {
  static CpuState s = detect();
  return s;
}

}  // namespace

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::kScalar: return "scalar";
    case Isa::kAvx2Fma: return "avx2_fma";
    case Isa::kAvx512f: return "avx512f";
    case Isa::kAvx512Vnni: return "avx512vnni";
    case Isa::kNeon: return "neon";
    case Isa::kNeonDot: return "neondot";
  }
  return "?";
}

bool parse_isa(const char* name, Isa* out) {
  for (const IsaName& n : kIsaNames) {
    if (std::strcmp(name, n.name) == 0 && native_arch(n.isa)) {
      *out = n.isa;
      return true;
    }
  }
  return false;
}

bool cpu_has(Isa isa) { return state().has[static_cast<int>(isa)]; }
Isa cpu_best_isa() { return state().best; }
Isa isa_cap() { return state().cap; }
void set_isa_cap(Isa cap) { state().cap = native_arch(cap) && level(cap) < level(state().best) ? cap : state().best; }
bool isa_at_most(Isa isa, Isa limit) { return native_arch(isa) && level(isa) <= level(limit); }
bool isa_usable(Isa isa) { return cpu_has(isa) && isa_at_most(isa, state().cap); }
const CpuCaches& cpu_caches() { return state().caches; }

}  // namespace incept::ops
