# SPDX-License-Identifier: Apache-2.0
# Cross build for 64-bit ARM Linux (aarch64, glibc) with Debian's cross GCC (default) or clang, against
# Debian's arm64 libraries extracted by scripts/fetch-arm64-deps.sh; executables (ctest, doctest
# discovery, try_run) run under qemu-aarch64 user-mode emulation. scripts/test-arm64.sh drives it.
#
# Host packages: g++-aarch64-linux-gnu qemu-user (clang for INCEPT_ARM64_CLANG), all in scripts/deps.sh.
#   scripts/fetch-arm64-deps.sh                                  # -> build/arm64-deps
#   cmake -S . -B build/arm64 -G Ninja -DCMAKE_TOOLCHAIN_FILE=toolchains/aarch64-linux-gnu.cmake \
#         -DINCEPT_BUILD_TOOLS=OFF -DINCEPT_BUILD_BENCHMARKS=OFF [-DINCEPT_ARM64_QEMU_CPU=cortex-a53]
#   cmake --build build/arm64 && ctest --test-dir build/arm64
# Variables (cache; also read from the environment of the first configure):
#   INCEPT_ARM64_CLANG=ON     compile with clang --target=aarch64-linux-gnu (same sysroot, libstdc++ and
#                             binutils as the GCC build), as the NDK does; default: aarch64-linux-gnu-g++.
#   INCEPT_ARM64_DEPS         the extracted .debs (holds usr/); default <repo>/build/arm64-deps.
#   INCEPT_ARM64_QEMU_CPU     qemu -cpu model: empty = qemu's default "max" (every ARMv8.x/9 extension
#                             it implements: fp16, dotprod, i8mm, SVE...), cortex-a53 = plain ARMv8.0-A
#                             NEON, as on the cheapest phones and boards. Changing it re-links the tests
#                             only (ctest and the doctest test list run through the emulator), so one
#                             build tree serves several CPUs: scripts/test-arm64.sh runs both.

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(_incept_triple aarch64-linux-gnu)

include("${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake")
incept_cross_variables(INCEPT_ARM64_CLANG INCEPT_ARM64_DEPS INCEPT_ARM64_QEMU_CPU)

if(INCEPT_ARM64_CLANG)
  set(CMAKE_C_COMPILER clang)
  set(CMAKE_CXX_COMPILER clang++)
  set(CMAKE_C_COMPILER_TARGET ${_incept_triple})
  set(CMAKE_CXX_COMPILER_TARGET ${_incept_triple})
  # By the triple, clang finds the cross GCC's crt files and libstdc++ (/usr/lib/gcc-cross) and its ld.
else()
  set(CMAKE_C_COMPILER ${_incept_triple}-gcc)
  set(CMAKE_CXX_COMPILER ${_incept_triple}-g++)
endif()
set(CMAKE_LIBRARY_ARCHITECTURE ${_incept_triple})   # find_* looks in <root>/usr/lib/aarch64-linux-gnu

incept_cross_deps(INCEPT_ARM64_DEPS arm64 scripts/fetch-arm64-deps.sh)

# Emulator: qemu-aarch64 -L ROOT (incept_cross_emulator).
# qemu-user 7.2 shows the guest the HOST's /proc/cpuinfo (x86 here) while AT_HWCAP follows -cpu. cpuinfo
# (under XNNPACK) takes the ISA (NEON, FMA, fp16, dot product) from AT_HWCAP, which is right, but the core
# (MIDR) from /proc/cpuinfo, where it finds none: "unknown" uarch, so XNNPACK picks its generic kernels.
# For a named core the root is therefore <deps>/qemu-root/<cpu>: lib -> the cross glibc, and a
# proc/cpuinfo naming that core, so cpuinfo and XNNPACK see what they see on the real core (on a
# Cortex-A53: its tuned assembly GEMMs). qemu's default "max" is no real core: host cpuinfo, generic kernels.
set(INCEPT_ARM64_QEMU_CPU "${INCEPT_ARM64_QEMU_CPU}" CACHE STRING "incept: qemu-aarch64 -cpu model (empty: qemu's default, max)")
find_program(INCEPT_QEMU_AARCH64 qemu-aarch64 REQUIRED)
set(_incept_qemu_root /usr/${_incept_triple})
set(_incept_midr_cortex-a35 "0x41 0x0 0xd04 2")   # implementer, variant, part, revision
set(_incept_midr_cortex-a53 "0x41 0x0 0xd03 4")
set(_incept_midr_cortex-a57 "0x41 0x1 0xd07 0")
set(_incept_midr_cortex-a72 "0x41 0x0 0xd08 3")
set(_incept_midr_cortex-a76 "0x41 0x4 0xd0b 1")
set(_incept_midr_neoverse-n1 "0x41 0x4 0xd0c 1")
if(INCEPT_ARM64_QEMU_CPU AND DEFINED _incept_midr_${INCEPT_ARM64_QEMU_CPU})
  string(REPLACE " " ";" _incept_midr "${_incept_midr_${INCEPT_ARM64_QEMU_CPU}}")
  list(GET _incept_midr 0 _impl)
  list(GET _incept_midr 1 _var)
  list(GET _incept_midr 2 _part)
  list(GET _incept_midr 3 _rev)
  cmake_host_system_information(RESULT _ncpu QUERY NUMBER_OF_LOGICAL_CORES)
  set(_cpuinfo "")
  math(EXPR _last "${_ncpu} - 1")
  foreach(_i RANGE ${_last})
    string(APPEND _cpuinfo "processor\t: ${_i}\nCPU implementer\t: ${_impl}\nCPU architecture: 8\n"
                           "CPU variant\t: ${_var}\nCPU part\t: ${_part}\nCPU revision\t: ${_rev}\n\n")
  endforeach()
  set(_incept_qemu_root "${INCEPT_ARM64_DEPS}/qemu-root/${INCEPT_ARM64_QEMU_CPU}")
  file(MAKE_DIRECTORY "${_incept_qemu_root}/proc")
  file(CREATE_LINK /usr/${_incept_triple}/lib "${_incept_qemu_root}/lib" SYMBOLIC)
  file(CONFIGURE OUTPUT "${_incept_qemu_root}/proc/cpuinfo" CONTENT "${_cpuinfo}")   # rewritten only on change
endif()
incept_cross_emulator("${INCEPT_QEMU_AARCH64}" "${INCEPT_ARM64_QEMU_CPU}" "${_incept_qemu_root}")
