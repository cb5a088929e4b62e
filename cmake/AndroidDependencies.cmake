# SPDX-License-Identifier: Apache-2.0
# Dependencies of an Android build (toolchains/android-arm64-v8a.cmake); cmake/Dependencies.cmake includes
# this file instead of its own lookups when the NDK's toolchain has set ANDROID. Linux builds never read it.
# UNTESTED with the NDK: none can be obtained where incept is developed (see the toolchain file). What was
# checked: an aarch64 Linux cross build with ANDROID set by hand takes the prebuilt path, the Eigen-only
# path and, with FETCHCONTENT_SOURCE_DIR_INCEPT_{PTHREADPOOL,XNNPACK} pointing at local stand-ins, the
# FetchContent wiring and install(EXPORT); the downloads themselves never ran.
#
# - Header-only parts come from the build machine's Debian packages: FlatBuffers (its headers match the
#   host flatc that generates model_generated.h), Eigen and doctest. Each header folder is linked into
#   <build>/host-headers, so host /usr/include (glibc's headers) never reaches the NDK compiler.
# - pthreadpool (required: the thread pool of every backend) and XNNPACK (optional) are C libraries that
#   must be built with the NDK (Debian's arm64 .so files are glibc binaries):
#     1. prebuilt: INCEPT_ANDROID_PREFIX=<dir> with include/{pthreadpool,xnnpack}.h and lib/lib{pthreadpool,
#        XNNPACK,cpuinfo,clog}.a (built with the same NDK and ABI);
#     2. otherwise, with INCEPT_ANDROID_FETCH=ON (the default), from source with FetchContent at pinned
#        commits (network access to github.com at configure time): XNNPACK ae108ef4 (2022-02-16, the
#        snapshot Debian 12 packages, so the API is the one incept is tested against) and pthreadpool
#        545ebe9f (2020-12-06, the one that XNNPACK snapshot pins); their own dependencies (cpuinfo, clog,
#        FXdiv, FP16, psimd) are downloaded by their CMake at the versions those commits pin;
#     3. with INCEPT_ANDROID_FETCH=OFF and no prebuilt XNNPACK: the Eigen backend (INCEPT_WITH_XNNPACK off,
#        as on any target without XNNPACK); a missing pthreadpool is an error.

set(INCEPT_ANDROID_PREFIX "" CACHE PATH "incept (Android): prefix of pthreadpool/XNNPACK built with the NDK")
option(INCEPT_ANDROID_FETCH "incept (Android): build pthreadpool and XNNPACK from source (FetchContent) when not prebuilt" ON)

# ---- header-only, from the host ----
find_program(FLATC_EXECUTABLE flatc REQUIRED)   # flatbuffers-compiler
set(_incept_host_headers ${CMAKE_BINARY_DIR}/host-headers)
file(MAKE_DIRECTORY ${_incept_host_headers})
function(incept_host_headers dir probe)   # links <host include>/<dir> into host-headers/<dir>
  find_path(INCEPT_HOST_${dir}_ROOT ${probe} PATHS /usr/include/eigen3 /usr/include NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH)
  if(NOT INCEPT_HOST_${dir}_ROOT)
    message(FATAL_ERROR "incept (Android): host headers ${probe} not found (Debian: scripts/deps.sh)")
  endif()
  file(CREATE_LINK ${INCEPT_HOST_${dir}_ROOT}/${dir} ${_incept_host_headers}/${dir} SYMBOLIC)
endfunction()
incept_host_headers(flatbuffers flatbuffers/flatbuffers.h)
incept_host_headers(Eigen Eigen/Core)
if(INCEPT_BUILD_TESTS)
  incept_host_headers(doctest doctest/doctest.h)
endif()
add_library(flatbuffers::flatbuffers INTERFACE IMPORTED)
set_target_properties(flatbuffers::flatbuffers PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${_incept_host_headers})
add_library(Eigen3::Eigen INTERFACE IMPORTED)
set_target_properties(Eigen3::Eigen PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${_incept_host_headers})
if(INCEPT_BUILD_TESTS)
  if(NOT CMAKE_CROSSCOMPILING_EMULATOR)
    message(FATAL_ERROR "incept (Android): the tests list and run their cases through CMAKE_CROSSCOMPILING_EMULATOR "
                        "(e.g. a script around `adb push` + `adb shell`); set it, or INCEPT_BUILD_TESTS=OFF")
  endif()
  add_library(doctest::doctest INTERFACE IMPORTED)
  set_target_properties(doctest::doctest PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${_incept_host_headers})
  find_path(INCEPT_HOST_DOCTEST_MODULE doctest.cmake PATHS /usr/lib/cmake/doctest NO_DEFAULT_PATH NO_CMAKE_FIND_ROOT_PATH
            REQUIRED)
  list(APPEND CMAKE_MODULE_PATH ${INCEPT_HOST_DOCTEST_MODULE})   # include(doctest): doctest_discover_tests
endif()

# ---- pthreadpool and XNNPACK: prebuilt, fetched, or (XNNPACK only) left out ----
# Imported targets that wrap whichever was found: their names are what libincept's export records.
add_library(incept::pthreadpool INTERFACE IMPORTED)
if(INCEPT_ANDROID_PREFIX)
  find_path(PTHREADPOOL_INCLUDE_DIR pthreadpool.h HINTS ${INCEPT_ANDROID_PREFIX}/include NO_CMAKE_FIND_ROOT_PATH)
  find_library(PTHREADPOOL_LIBRARY pthreadpool HINTS ${INCEPT_ANDROID_PREFIX}/lib NO_CMAKE_FIND_ROOT_PATH)
  find_path(XNNPACK_INCLUDE_DIR xnnpack.h HINTS ${INCEPT_ANDROID_PREFIX}/include NO_CMAKE_FIND_ROOT_PATH)
  find_library(XNNPACK_LIBRARY XNNPACK HINTS ${INCEPT_ANDROID_PREFIX}/lib NO_CMAKE_FIND_ROOT_PATH)
  find_library(CPUINFO_LIBRARY cpuinfo HINTS ${INCEPT_ANDROID_PREFIX}/lib NO_CMAKE_FIND_ROOT_PATH)
  find_library(CLOG_LIBRARY clog HINTS ${INCEPT_ANDROID_PREFIX}/lib NO_CMAKE_FIND_ROOT_PATH)
endif()

set(_incept_fetch_pthreadpool OFF)
set(_incept_fetch_xnnpack OFF)
if(PTHREADPOOL_INCLUDE_DIR AND PTHREADPOOL_LIBRARY)
  set_target_properties(incept::pthreadpool PROPERTIES INTERFACE_LINK_LIBRARIES ${PTHREADPOOL_LIBRARY}
                        INTERFACE_INCLUDE_DIRECTORIES ${PTHREADPOOL_INCLUDE_DIR})
elseif(INCEPT_ANDROID_FETCH)
  set(_incept_fetch_pthreadpool ON)
else()
  message(FATAL_ERROR "incept (Android): pthreadpool not found in INCEPT_ANDROID_PREFIX='${INCEPT_ANDROID_PREFIX}'; "
                      "build it with the NDK and point INCEPT_ANDROID_PREFIX at it, or set INCEPT_ANDROID_FETCH=ON")
endif()
if(INCEPT_WITH_XNNPACK)
  if(XNNPACK_INCLUDE_DIR AND XNNPACK_LIBRARY)
    add_library(incept::xnnpack INTERFACE IMPORTED)
    # A static libXNNPACK.a needs cpuinfo and clog after it (a shared one carries them).
    set(_incept_xnn_libs ${XNNPACK_LIBRARY})
    foreach(_lib CPUINFO_LIBRARY CLOG_LIBRARY)
      if(${_lib})
        list(APPEND _incept_xnn_libs ${${_lib}})
      endif()
    endforeach()
    set_target_properties(incept::xnnpack PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${XNNPACK_INCLUDE_DIR}
                          INTERFACE_LINK_LIBRARIES "${_incept_xnn_libs};incept::pthreadpool")
  elseif(INCEPT_ANDROID_FETCH)
    set(_incept_fetch_xnnpack ON)
  else()
    message(WARNING "incept (Android): no prebuilt XNNPACK and INCEPT_ANDROID_FETCH=OFF: building with the "
                    "Eigen and reference backends only")
    set(INCEPT_WITH_XNNPACK OFF)
  endif()
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
  FetchContent_Declare(incept_pthreadpool
    URL https://github.com/Maratyszcza/pthreadpool/archive/545ebe9f225aec6dca49109516fac02e973a3de2.zip
    URL_HASH SHA256=8461f6540ae9f777ce20d1c0d1d249e5e61c438744fb390c0c6f91940aa69ea3)
  FetchContent_MakeAvailable(incept_pthreadpool)   # target: pthreadpool
  set_target_properties(incept::pthreadpool PROPERTIES INTERFACE_LINK_LIBRARIES pthreadpool)
  if(_incept_fetch_xnnpack)
    # XNNPACK adds its own pthreadpool only when there is no `pthreadpool` target: it uses the one above.
    set(PTHREADPOOL_SOURCE_DIR ${incept_pthreadpool_SOURCE_DIR} CACHE STRING "")
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
