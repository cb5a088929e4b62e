# SPDX-License-Identifier: Apache-2.0
# Cross build for 32-bit ARM Linux (armv7-a, hard-float, NEON) with Debian's arm-linux-gnueabihf GCC,
# against Debian's armhf libraries (XNNPACK, pthreadpool, cpuinfo, FlatBuffers) extracted by
# scripts/fetch-arm64-deps.sh --arch armhf; executables run under qemu-arm user-mode emulation.
# A build check, not part of scripts/test.sh (aarch64 is the tested ARM target).
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

list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES INCEPT_ARMV7_DEPS INCEPT_ARMV7_QEMU_CPU)
foreach(_v INCEPT_ARMV7_DEPS INCEPT_ARMV7_QEMU_CPU)
  if(NOT DEFINED ${_v} AND DEFINED ENV{${_v}})
    set(${_v} "$ENV{${_v}}")
  endif()
endforeach()

set(CMAKE_C_COMPILER ${_incept_triple}-gcc)
set(CMAKE_CXX_COMPILER ${_incept_triple}-g++)
# NEON for Eigen's vectorised GEMM (Debian's armhf baseline is VFPv3-D16 without NEON); XNNPACK picks
# its own kernels at run time.
set(CMAKE_C_FLAGS_INIT "-march=armv7-a -mfpu=neon -mfloat-abi=hard")
set(CMAKE_CXX_FLAGS_INIT "-march=armv7-a -mfpu=neon -mfloat-abi=hard")
set(CMAKE_LIBRARY_ARCHITECTURE ${_incept_triple})

if(NOT INCEPT_ARMV7_DEPS)
  get_filename_component(INCEPT_ARMV7_DEPS "${CMAKE_CURRENT_LIST_DIR}/../build/armhf-deps" ABSOLUTE)
endif()
set(INCEPT_ARMV7_DEPS "${INCEPT_ARMV7_DEPS}" CACHE PATH "incept: extracted armhf .debs (scripts/fetch-arm64-deps.sh --arch armhf)")
if(NOT EXISTS "${INCEPT_ARMV7_DEPS}/usr/include/pthreadpool.h")
  message(FATAL_ERROR "incept: no armhf libraries in ${INCEPT_ARMV7_DEPS}: run scripts/fetch-arm64-deps.sh "
                      "--arch armhf (or set INCEPT_ARMV7_DEPS)")
endif()

set(CMAKE_FIND_ROOT_PATH /usr/${_incept_triple} "${INCEPT_ARMV7_DEPS}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

set(_incept_libdir "${INCEPT_ARMV7_DEPS}/usr/lib/${_incept_triple}")
string(APPEND CMAKE_EXE_LINKER_FLAGS_INIT " -Wl,-rpath-link,${_incept_libdir}")
string(APPEND CMAKE_SHARED_LINKER_FLAGS_INIT " -Wl,-rpath-link,${_incept_libdir}")

# qemu-arm: -L the cross glibc as the guest's root, LD_LIBRARY_PATH that glibc first, then the .debs.
set(INCEPT_ARMV7_QEMU_CPU "${INCEPT_ARMV7_QEMU_CPU}" CACHE STRING "incept: qemu-arm -cpu model (empty: qemu's default)")
find_program(INCEPT_QEMU_ARM qemu-arm REQUIRED)
set(CMAKE_CROSSCOMPILING_EMULATOR "${INCEPT_QEMU_ARM}")
if(INCEPT_ARMV7_QEMU_CPU)
  list(APPEND CMAKE_CROSSCOMPILING_EMULATOR -cpu ${INCEPT_ARMV7_QEMU_CPU})
endif()
list(APPEND CMAKE_CROSSCOMPILING_EMULATOR -L /usr/${_incept_triple}
     -E "LD_LIBRARY_PATH=/usr/${_incept_triple}/lib:${_incept_libdir}")
