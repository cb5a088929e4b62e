// SPDX-License-Identifier: Apache-2.0
// What this CPU can run and how big its caches are, read once from cpuinfo (libcpuinfo), and the ISA
// cap that forces a lower kernel family so tests can run every path the CPU has.
//
//   if (isa_usable(Isa::kAvx512f)) ...            // the CPU has it, the OS saves it, and the cap allows it
//   size_t l2 = cpu_caches().l2;                  // bytes of one core's L2 (a default where unknown)
//
// The cap comes from the environment variable INCEPT_ISA (read once: "scalar", "avx2", "avx512",
// "avx512vnni", "amx" on x86-64; "scalar", "neon", "neondot" on ARM) or set_isa_cap() (tests). A cap above what the CPU
// has changes nothing; an unknown name changes nothing and is reported once on stderr with the names it takes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace incept::ops {

// Instruction sets our micro-kernels are built for. Within one architecture the order is the order of
// preference (a higher one is tried first); kScalar is plain C++ for the baseline ISA of the build.
// kAvx512Vnni is AVX-512 F, BW, VL and VNNI (VPDPBUSD: int8 dot products); kAmx is that plus AMX-TILE and
// AMX-INT8 (TDPBUSD: a 16 x 16 x 64 int8 tile product) with the OS's leave to use the tile registers (Linux:
// the process asks once, arch_prctl ARCH_REQ_XCOMP_PERM, when the CPU is first read; a refusal, e.g. a thread's
// alternate signal stack too small for the tiles' state, leaves AMX unused); kNeonDot is aarch64 NEON with the
// ARMv8.2 dot product (SDOT).
enum class Isa : uint8_t {
  kScalar = 0,
  kAvx2Fma = 1,
  kAvx512f = 2,
  kNeon = 3,
  kAvx512Vnni = 4,
  kNeonDot = 5,
  kAmx = 6
};
constexpr int kNumIsas = 7;

// "scalar", "avx2_fma", "avx512f", "avx512vnni", "amx", "neon", "neondot": the suffix in kernel names.
const char* isa_name(Isa isa);
// Parses a cap as INCEPT_ISA takes it ("scalar", "avx2", "avx2_fma", "avx512", "avx512f", "avx512vnni", "amx",
// "neon", "neondot");
// false when the name is unknown or is for another architecture than this build's.
bool parse_isa(const char* name, Isa* out);

// The CPU (and the OS, for wide registers) supports `isa`, whatever the cap.
bool cpu_has(Isa isa);
// The best ISA this CPU has (what the cap is unless lowered).
Isa cpu_best_isa();
// The highest ISA the kernels may use: the best the CPU has, lowered by INCEPT_ISA or set_isa_cap().
Isa isa_cap();
// Sets the cap for this process (tests; not thread-safe against concurrent prepare()).
void set_isa_cap(Isa cap);
// The CPU has `isa` and it is at or below the cap.
bool isa_usable(Isa isa);
// `isa` is at or below `limit` in this architecture's order (scalar < avx2_fma < avx512f < avx512vnni < amx;
// scalar < neon < neondot).
bool isa_at_most(Isa isa, Isa limit);

struct CpuCaches {
  size_t l1d = 32 * 1024;  // per core
  size_t l2 = 512 * 1024;  // per core (a shared L2 is divided by the cores sharing it)
};
const CpuCaches& cpu_caches();

}  // namespace incept::ops
