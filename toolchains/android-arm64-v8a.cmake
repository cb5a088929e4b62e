# SPDX-License-Identifier: Apache-2.0
# Android arm64-v8a: a thin wrapper around the NDK's own toolchain file,
# $ANDROID_NDK/build/cmake/android.toolchain.cmake, with incept's defaults.
#
# UNTESTED: no Android NDK can be obtained on the machine incept is developed and tested on (Debian has
# no NDK package; Google's download host and GitHub are unreachable from it). This file follows the NDK's
# CMake guide (developer.android.com/ndk/guides/cmake: ANDROID_ABI, ANDROID_PLATFORM, ANDROID_STL, which
# must be set before the NDK's file is read) and has been reviewed, never run. The aarch64 code itself
# is tested: the same C++ suite runs under qemu for aarch64 Linux (scripts/test-arm64.sh).
#
#   export ANDROID_NDK=/path/to/android-ndk-r26d     (or ANDROID_NDK_ROOT / ANDROID_NDK_HOME; r23 or newer)
#   cmake -S . -B build/android -G Ninja -DCMAKE_TOOLCHAIN_FILE=toolchains/android-arm64-v8a.cmake
#   cmake --build build/android                       # libincept.a, incept-run, examples/embed_c
#   adb push build/android/bin/incept-run my.incept x.npy /data/local/tmp/
#   adb shell 'cd /data/local/tmp && ./incept-run my.incept --input x.npy --output y.npy'
#
# Dependencies (cmake/AndroidDependencies.cmake): everything built with the NDK by
# examples/android/build-deps.sh (-DINCEPT_ANDROID_DEPS=examples/android/android-deps), or else, on a Debian
# build machine, the header-only parts from its packages and pthreadpool + XNNPACK built from source at
# pinned commits with FetchContent (INCEPT_ANDROID_FETCH, default ON: needs github.com at configure time);
# without XNNPACK (INCEPT_ANDROID_FETCH=OFF, none built) the Eigen backend is the fast path. Tests and
# benchmarks are off by default: Google Benchmark is not built for Android, and the tests need a device
# (CMAKE_CROSSCOMPILING_EMULATOR: a script around adb push + adb shell).

if(NOT ANDROID_NDK)
  foreach(_v ANDROID_NDK ANDROID_NDK_ROOT ANDROID_NDK_HOME)
    if(DEFINED ENV{${_v}} AND EXISTS "$ENV{${_v}}/build/cmake/android.toolchain.cmake")
      set(ANDROID_NDK "$ENV{${_v}}")
      break()
    endif()
  endforeach()
endif()
if(NOT ANDROID_NDK OR NOT EXISTS "${ANDROID_NDK}/build/cmake/android.toolchain.cmake")
  message(FATAL_ERROR "incept: set ANDROID_NDK (CMake variable or environment; also ANDROID_NDK_ROOT, "
                      "ANDROID_NDK_HOME) to an Android NDK r23 or newer")
endif()
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES ANDROID_NDK)

set(ANDROID_ABI arm64-v8a CACHE STRING "Android ABI")
set(ANDROID_PLATFORM android-24 CACHE STRING "minimum Android API level (android-24: Android 7.0)")
set(ANDROID_STL c++_static CACHE STRING "C++ runtime: c++_static (one self-contained .so or executable) or c++_shared")

set(INCEPT_BUILD_TESTS OFF CACHE BOOL "incept: build tests (Android: needs CMAKE_CROSSCOMPILING_EMULATOR)")
set(INCEPT_BUILD_BENCHMARKS OFF CACHE BOOL "incept: build the benchmarks (needs Google Benchmark built for Android)")

include("${ANDROID_NDK}/build/cmake/android.toolchain.cmake")
