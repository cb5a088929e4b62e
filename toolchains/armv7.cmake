# SPDX-License-Identifier: Apache-2.0
# Cross build for 32-bit ARM Linux (armv7-a, hard-float, NEON) with Debian's arm-linux-gnueabihf GCC,
# against Debian's armhf libraries (XNNPACK, pthreadpool, cpuinfo, FlatBuffers) extracted by
# scripts/fetch-arm64-deps.sh --arch armhf; executables run under qemu-arm user-mode emulation.
# Tested: scripts/test-armv7.sh builds the C++ suite with it and runs it under qemu-arm (scripts/test.sh
# runs that, on a Cortex-A7). Our NEON micro-kernels (ops/*/*_neon.cc, 6x8 GEMM tile) are built with
# -mfpu=neon per file and taken when cpuinfo reports NEON.
#
# Host packages: g++-arm-linux-gnueabihf qemu-user.
#   scripts/fetch-arm64-deps.sh --arch armhf                    # -> build/armhf-deps
#   cmake -S . -B build/armv7 -G Ninja -DCMAKE_TOOLCHAIN_FILE=toolchains/armv7.cmake \
#         -DINCEPT_BUILD_TOOLS=OFF -DINCEPT_BUILD_BENCHMARKS=OFF
#   cmake --build build/armv7 && ctest --test-dir build/armv7
# Variables: INCEPT_ARMV7_DEPS (the extracted .debs; default <repo>/build/armhf-deps),
#            INCEPT_ARMV7_QEMU_CPU (qemu-arm -cpu model; empty: qemu's default, max).

set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR armv7-a)
set(_incept_triple arm-linux-gnueabihf)

include("${CMAKE_CURRENT_LIST_DIR}/linux-cross.cmake")
incept_cross_variables(INCEPT_ARMV7_DEPS INCEPT_ARMV7_QEMU_CPU)

set(CMAKE_C_COMPILER ${_incept_triple}-gcc)
set(CMAKE_CXX_COMPILER ${_incept_triple}-g++)
# NEON for Eigen's vectorised GEMM (Debian's armhf baseline is VFPv3-D16 without NEON); XNNPACK picks
# its own kernels at run time, and so do ours (CMakeLists.txt adds -mfpu=neon to *_neon.cc anyway, for
# toolchains whose baseline lacks it).
set(CMAKE_C_FLAGS_INIT "-march=armv7-a -mfpu=neon -mfloat-abi=hard")
set(CMAKE_CXX_FLAGS_INIT "-march=armv7-a -mfpu=neon -mfloat-abi=hard")
set(CMAKE_LIBRARY_ARCHITECTURE ${_incept_triple})

incept_cross_deps(INCEPT_ARMV7_DEPS armhf "scripts/fetch-arm64-deps.sh --arch armhf")

# qemu-arm with the cross glibc as the guest's root.
set(INCEPT_ARMV7_QEMU_CPU "${INCEPT_ARMV7_QEMU_CPU}" CACHE STRING "incept: qemu-arm -cpu model (empty: qemu's default)")
find_program(INCEPT_QEMU_ARM qemu-arm REQUIRED)
incept_cross_emulator("${INCEPT_QEMU_ARM}" "${INCEPT_ARMV7_QEMU_CPU}" /usr/${_incept_triple})
