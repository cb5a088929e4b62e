// SPDX-License-Identifier: Apache-2.0
#include "common/cpu.h"

#if INCEPT_WITH_CPUINFO
#include <cpuinfo.h>
#endif

#if (defined(__x86_64__) || defined(__i386__)) && defined(__linux__)
#include <cpuid.h>
#include <sys/syscall.h>
#include <unistd.h>
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
    case Isa::kAmx: return 4;
    case Isa::kNeon: return 1;
    case Isa::kNeonDot: return 2;
  }
  return 0;
}

bool native_arch(Isa isa) {
#if defined(__x86_64__) || defined(__i386__)
  return isa == Isa::kScalar || isa == Isa::kAvx2Fma || isa == Isa::kAvx512f || isa == Isa::kAvx512Vnni ||
         isa == Isa::kAmx;
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
constexpr IsaName kIsaNames[] = {
    {"scalar", Isa::kScalar},  {"avx2", Isa::kAvx2Fma},    {"avx2_fma", Isa::kAvx2Fma},
    {"avx512", Isa::kAvx512f}, {"avx512f", Isa::kAvx512f}, {"avx512vnni", Isa::kAvx512Vnni},
    {"amx", Isa::kAmx},        {"neon", Isa::kNeon},       {"neondot", Isa::kNeonDot}};

// An INCEPT_ISA this build does not know changes nothing; it is said once, on stderr, with the names it takes.
void warn_unknown_isa(const char* value) {
  std::string names;
  for (const IsaName& n : kIsaNames)
    if (native_arch(n.isa)) names += (names.empty() ? "" : ", ") + std::string(n.name);
  std::fprintf(stderr, "incept: warning: INCEPT_ISA='%s' is not an ISA name of this build, ignored; use one of: %s\n",
               value, names.c_str());
}

// AMX-TILE and AMX-INT8 (CPUID leaf 7: EDX bits 24, 25), the tile state enabled by the OS (XCR0 bits 17, 18),
// and Linux's leave for this process to use it (the tile data is off until asked for: ARCH_REQ_XCOMP_PERM for
// XFEATURE_XTILEDATA; it fails where a thread's alternate signal stack cannot hold the larger state). Elsewhere
// false: no other OS is known to this build to enable the tiles.
#if defined(__x86_64__) || defined(__i386__)
bool amx_int8_usable() {
#if defined(__linux__)
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (__get_cpuid_count(7, 0, &a, &b, &c, &d) == 0 || ((d >> 24) & 1u) == 0 || ((d >> 25) & 1u) == 0) return false;
  if (__get_cpuid(1, &a, &b, &c, &d) == 0 || ((c >> 27) & 1u) == 0) return false;  // OSXSAVE: xgetbv may run
  unsigned xcr0_lo = 0, xcr0_hi = 0;
  __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
  if ((xcr0_lo & (3u << 17)) != (3u << 17)) return false;
  constexpr long kArchReqXcompPerm = 0x1023, kXfeatureXtiledata = 18;
  return syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
#else
  return false;
#endif
}
#endif

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
  s.has[static_cast<int>(Isa::kAmx)] = avx2 && avx512 && vnni && amx_int8_usable();  // its epilogue is AVX-512
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
  for (Isa isa : {Isa::kAvx2Fma, Isa::kAvx512f, Isa::kAvx512Vnni, Isa::kAmx, Isa::kNeon, Isa::kNeonDot})
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
    case Isa::kAmx: return "amx";
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
