# SPDX-License-Identifier: Apache-2.0
# Dependencies of an Android build (toolchains/android-arm64-v8a.cmake, examples/android); cmake/Dependencies.cmake
# includes this file instead of its own lookups when the NDK's toolchain has set ANDROID. Linux builds never
# read it. Every lookup takes, in this order:
#   1. what the caller set: FLATC_EXECUTABLE, FlatBuffers_DIR, Eigen3_DIR, PTHREADPOOL_INCLUDE_DIR/_LIBRARY,
#      XNNPACK_INCLUDE_DIR/_LIBRARY (examples/android/app/CMakeLists.txt sets them);
#   2. INCEPT_ANDROID_DEPS: a folder with one prefix per ABI, <deps>/<abi>/{include,lib,share} and
#      <deps>/host/bin/flatc, as examples/android/build-deps.sh builds it (everything built with the NDK);
#   3. otherwise: the header-only parts (FlatBuffers, Eigen, doctest) and flatc from the build machine's
#      Debian packages (each header folder linked into <build>/host-headers, so that host /usr/include,
#      glibc's headers, never reaches the NDK compiler), and pthreadpool and XNNPACK built from source with
#      FetchContent (INCEPT_ANDROID_FETCH, default ON; needs github.com at configure time) at pinned
#      commits: XNNPACK ae108ef4 (2022-02-16, the snapshot Debian 12 ships, so the API incept is tested
#      against) and pthreadpool 545ebe9f (2020-12-06, the one that XNNPACK snapshot pins); their own
#      dependencies (cpuinfo, clog, FXdiv, FP16, psimd) come from their CMake at the commits those pin.
# Without XNNPACK (INCEPT_ANDROID_FETCH=OFF and none prebuilt) the Eigen backend is the fast path, as on any
# target without XNNPACK; pthreadpool is required (every backend's thread pool).
#
# UNTESTED with the NDK: none can be obtained where incept is developed (see the toolchain file). Checked
# there: an aarch64 Linux cross build with ANDROID set by hand goes through the prefix path, the Eigen-only
# path and, with FETCHCONTENT_SOURCE_DIR_INCEPT_{PTHREADPOOL,XNNPACK} pointing at local stand-ins, the
# FetchContent wiring and install(EXPORT); the downloads themselves never ran.

set(INCEPT_ANDROID_DEPS "" CACHE PATH "incept (Android): one dependency prefix per ABI (examples/android/build-deps.sh)")
option(INCEPT_ANDROID_FETCH "incept (Android): build pthreadpool and XNNPACK from source (FetchContent) when not prebuilt" ON)
set(_incept_prefix "")
if(INCEPT_ANDROID_DEPS)
  set(_incept_prefix ${INCEPT_ANDROID_DEPS}/${ANDROID_ABI})
  if(NOT IS_DIRECTORY ${_incept_prefix})
    message(FATAL_ERROR "incept (Android): INCEPT_ANDROID_DEPS has no ${ANDROID_ABI} folder: ${_incept_prefix}")
  endif()
  if(EXISTS ${INCEPT_ANDROID_DEPS}/host/bin/flatc)
    set(FLATC_EXECUTABLE ${INCEPT_ANDROID_DEPS}/host/bin/flatc CACHE FILEPATH "")
  endif()
  if(NOT FlatBuffers_DIR AND EXISTS ${_incept_prefix}/lib/cmake/flatbuffers)
    set(FlatBuffers_DIR ${_incept_prefix}/lib/cmake/flatbuffers)
  endif()
  if(NOT Eigen3_DIR AND EXISTS ${_incept_prefix}/share/eigen3/cmake)
    set(Eigen3_DIR ${_incept_prefix}/share/eigen3/cmake)
  endif()
endif()
find_program(FLATC_EXECUTABLE flatc REQUIRED)   # a program for the build machine (the NDK never roots programs)

# ---- header-only parts: a prefix's CMake package, else the build machine's headers ----
set(_incept_host_headers ${PROJECT_BINARY_DIR}/host-headers)
function(incept_host_headers dir probe)   # links <host include>/<dir> into <build>/host-headers/<dir>
  find_path(INCEPT_HOST_${dir}_ROOT ${probe} PATHS /usr/include/eigen3 /usr/include NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)
  if(NOT INCEPT_HOST_${dir}_ROOT)
    message(FATAL_ERROR "incept (Android): ${probe} not found: set INCEPT_ANDROID_DEPS (examples/android/build-deps.sh) "
                        "or, on Debian, install the headers (scripts/deps.sh)")
  endif()
  file(MAKE_DIRECTORY ${_incept_host_headers})
  file(CREATE_LINK ${INCEPT_HOST_${dir}_ROOT}/${dir} ${_incept_host_headers}/${dir} SYMBOLIC)
endfunction()
if(FlatBuffers_DIR)
  find_package(FlatBuffers CONFIG REQUIRED)
else()
  incept_host_headers(flatbuffers flatbuffers/flatbuffers.h)   # the version of the host flatc: headers only
  add_library(flatbuffers::flatbuffers INTERFACE IMPORTED)
  set_target_properties(flatbuffers::flatbuffers PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${_incept_host_headers})
endif()
if(Eigen3_DIR)
  find_package(Eigen3 3.3 REQUIRED NO_MODULE)
else()
  incept_host_headers(Eigen Eigen/Core)
  add_library(Eigen3::Eigen INTERFACE IMPORTED)
  set_target_properties(Eigen3::Eigen PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${_incept_host_headers})
endif()
if(INCEPT_BUILD_TESTS)
  if(NOT CMAKE_CROSSCOMPILING_EMULATOR)
    message(FATAL_ERROR "incept (Android): the tests list and run their cases through CMAKE_CROSSCOMPILING_EMULATOR "
                        "(e.g. a script around `adb push` + `adb shell`); set it, or INCEPT_BUILD_TESTS=OFF")
  endif()
  incept_host_headers(doctest doctest/doctest.h)
  add_library(doctest::doctest INTERFACE IMPORTED)
  set_target_properties(doctest::doctest PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${_incept_host_headers})
  find_path(INCEPT_HOST_DOCTEST_MODULE doctest.cmake PATHS /usr/lib/cmake/doctest NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH
            REQUIRED)
  list(APPEND CMAKE_MODULE_PATH ${INCEPT_HOST_DOCTEST_MODULE})   # include(doctest): doctest_discover_tests
endif()

# ---- pthreadpool and XNNPACK: set by the caller, prebuilt in the prefix, fetched, or (XNNPACK) left out ----
# The prefix is outside the NDK's sysroot, so it is searched alone (never the build machine's own paths).
if(_incept_prefix)
  set(_incept_where NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)
else()
  set(_incept_where "")   # the NDK sysroot and any CMAKE_FIND_ROOT_PATH the caller added
endif()
find_path(PTHREADPOOL_INCLUDE_DIR pthreadpool.h PATHS ${_incept_prefix}/include ${_incept_where})
find_library(PTHREADPOOL_LIBRARY pthreadpool PATHS ${_incept_prefix}/lib ${_incept_where})
if(INCEPT_WITH_XNNPACK)
  find_path(XNNPACK_INCLUDE_DIR xnnpack.h PATHS ${_incept_prefix}/include ${_incept_where})
  find_library(XNNPACK_LIBRARY XNNPACK PATHS ${_incept_prefix}/lib ${_incept_where})
  # A separate static cpuinfo/clog, when XNNPACK's archive does not carry them (build-deps.sh merges them).
  find_library(CPUINFO_LIBRARY cpuinfo PATHS ${_incept_prefix}/lib ${_incept_where})
  find_library(CLOG_LIBRARY clog PATHS ${_incept_prefix}/lib ${_incept_where})
endif()

# What to fetch: what is missing; XNNPACK and pthreadpool always as a pair (XNNPACK would otherwise
# download a second pthreadpool beside a prebuilt one).
set(_incept_fetch_pthreadpool OFF)
set(_incept_fetch_xnnpack OFF)
if(NOT (PTHREADPOOL_INCLUDE_DIR AND PTHREADPOOL_LIBRARY))
  if(NOT INCEPT_ANDROID_FETCH)
    message(FATAL_ERROR "incept (Android): no pthreadpool built for ${ANDROID_ABI}: set INCEPT_ANDROID_DEPS "
                        "(examples/android/build-deps.sh) or INCEPT_ANDROID_FETCH=ON")
  endif()
  set(_incept_fetch_pthreadpool ON)
endif()
if(INCEPT_WITH_XNNPACK AND NOT (XNNPACK_INCLUDE_DIR AND XNNPACK_LIBRARY))
  if(INCEPT_ANDROID_FETCH)
    set(_incept_fetch_xnnpack ON)
    set(_incept_fetch_pthreadpool ON)
  else()
    message(WARNING "incept (Android): no XNNPACK built for ${ANDROID_ABI} and INCEPT_ANDROID_FETCH=OFF: "
                    "building with the Eigen and reference backends only")
    set(INCEPT_WITH_XNNPACK OFF)
  endif()
endif()

# Imported targets that wrap whichever is used: their names are what libincept's export records.
add_library(incept::pthreadpool INTERFACE IMPORTED)
if(NOT _incept_fetch_pthreadpool)
  set_target_properties(incept::pthreadpool PROPERTIES INTERFACE_LINK_LIBRARIES ${PTHREADPOOL_LIBRARY}
                        INTERFACE_INCLUDE_DIRECTORIES ${PTHREADPOOL_INCLUDE_DIR})
endif()
if(INCEPT_WITH_XNNPACK AND NOT _incept_fetch_xnnpack)
  set(_incept_xnn_libs ${XNNPACK_LIBRARY})
  foreach(_lib CPUINFO_LIBRARY CLOG_LIBRARY)
    if(${_lib})
      list(APPEND _incept_xnn_libs ${${_lib}})
    endif()
  endforeach()
  add_library(incept::xnnpack INTERFACE IMPORTED)
  set_target_properties(incept::xnnpack PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${XNNPACK_INCLUDE_DIR}
                        INTERFACE_LINK_LIBRARIES "${_incept_xnn_libs};incept::pthreadpool")
endif()

if(_incept_fetch_pthreadpool OR _incept_fetch_xnnpack)
  include(FetchContent)
  if(POLICY CMP0135)
    cmake_policy(SET CMP0135 NEW)   # extracted files get the extraction time (rebuilds on a new pin)
  endif()
  # Their own tests and benchmarks would download Google Test and Google Benchmark: off.
  set(PTHREADPOOL_LIBRARY_TYPE static CACHE STRING "")
  set(PTHREADPOOL_BUILD_TESTS OFF CACHE BOOL "")
  set(PTHREADPOOL_BUILD_BENCHMARKS OFF CACHE BOOL "")
  if(_incept_fetch_pthreadpool)
    FetchContent_Declare(incept_pthreadpool
      URL https://github.com/Maratyszcza/pthreadpool/archive/545ebe9f225aec6dca49109516fac02e973a3de2.zip
      URL_HASH SHA256=8461f6540ae9f777ce20d1c0d1d249e5e61c438744fb390c0c6f91940aa69ea3)
    FetchContent_MakeAvailable(incept_pthreadpool)   # target: pthreadpool
    set_target_properties(incept::pthreadpool PROPERTIES INTERFACE_LINK_LIBRARIES pthreadpool)
    # XNNPACK adds its own pthreadpool only when there is no `pthreadpool` target: it uses this one.
    set(PTHREADPOOL_SOURCE_DIR ${incept_pthreadpool_SOURCE_DIR} CACHE STRING "")
  endif()
  if(_incept_fetch_xnnpack)
    set(XNNPACK_LIBRARY_TYPE static CACHE STRING "")
    set(XNNPACK_BUILD_TESTS OFF CACHE BOOL "")
    set(XNNPACK_BUILD_BENCHMARKS OFF CACHE BOOL "")
    FetchContent_Declare(incept_xnnpack
      GIT_REPOSITORY https://github.com/google/XNNPACK.git
      GIT_TAG ae108ef49aa5623b896fc93d4298c49d1750d9ba)   # a full commit id: the pin is exact
    FetchContent_MakeAvailable(incept_xnnpack)   # targets: XNNPACK, cpuinfo, clog
    add_library(incept::xnnpack INTERFACE IMPORTED)
    set_target_properties(incept::xnnpack PROPERTIES INTERFACE_LINK_LIBRARIES "XNNPACK;incept::pthreadpool")
  endif()
endif()
