# SPDX-License-Identifier: Apache-2.0
# Every dependency comes from Debian packages (scripts/deps.sh installs them). Cross builds for Linux
# (toolchains/aarch64-linux-gnu.cmake, armv7.cmake) find the target architecture's copies through their
# toolchain file's CMAKE_FIND_ROOT_PATH (Debian's arm64/armhf .debs, scripts/fetch-arm64-deps.sh); flatc
# always runs on the build machine. Android builds (the NDK sets ANDROID) have their own lookups.
if(ANDROID)
  include(${CMAKE_CURRENT_LIST_DIR}/AndroidDependencies.cmake)
  return()
endif()
find_package(FlatBuffers CONFIG REQUIRED)   # libflatbuffers-dev: flatbuffers::flatbuffers
find_program(FLATC_EXECUTABLE flatc REQUIRED)   # flatbuffers-compiler (host tool, also when cross-compiling)
find_package(Eigen3 3.3 REQUIRED NO_MODULE)   # libeigen3-dev
if(INCEPT_BUILD_TESTS)
  find_package(doctest REQUIRED)   # doctest-dev
endif()

# XNNPACK and pthreadpool ship no CMake config in Debian: plain library + header lookup, as the
# imported targets incept::pthreadpool and incept::xnnpack (cmake/inceptConfig.cmake.in makes the same
# two for users of an installed static libincept).
# pthreadpool (libpthreadpool-dev) is the one thread pool of every backend, so it is required.
find_path(PTHREADPOOL_INCLUDE_DIR pthreadpool.h REQUIRED)
find_library(PTHREADPOOL_LIBRARY pthreadpool REQUIRED)
add_library(incept::pthreadpool UNKNOWN IMPORTED)
set_target_properties(incept::pthreadpool PROPERTIES IMPORTED_LOCATION ${PTHREADPOOL_LIBRARY}
                      INTERFACE_INCLUDE_DIRECTORIES ${PTHREADPOOL_INCLUDE_DIR})
# cpuinfo (libcpuinfo-dev): CPU features and cache sizes for the micro-kernel dispatch (ops/common/cpu.cc).
# Without it the dispatch asks the compiler's CPU builtins (x86) and assumes typical cache sizes.
find_path(CPUINFO_INCLUDE_DIR cpuinfo.h)
find_library(CPUINFO_LIBRARY cpuinfo)
if(CPUINFO_INCLUDE_DIR AND CPUINFO_LIBRARY)
  add_library(incept::cpuinfo UNKNOWN IMPORTED)
  set_target_properties(incept::cpuinfo PROPERTIES IMPORTED_LOCATION ${CPUINFO_LIBRARY}
                        INTERFACE_INCLUDE_DIRECTORIES ${CPUINFO_INCLUDE_DIR})
else()
  message(WARNING "incept: cpuinfo not found (libcpuinfo-dev); kernel dispatch falls back to compiler builtins")
endif()
if(INCEPT_WITH_XNNPACK)
  find_path(XNNPACK_INCLUDE_DIR xnnpack.h)
  find_library(XNNPACK_LIBRARY XNNPACK)
  if(XNNPACK_INCLUDE_DIR AND XNNPACK_LIBRARY)
    add_library(incept::xnnpack UNKNOWN IMPORTED)
    set_target_properties(incept::xnnpack PROPERTIES IMPORTED_LOCATION ${XNNPACK_LIBRARY}
                          INTERFACE_INCLUDE_DIRECTORIES ${XNNPACK_INCLUDE_DIR})
    target_link_libraries(incept::xnnpack INTERFACE incept::pthreadpool)
  else()
    message(WARNING "incept: XNNPACK not found; building without the XNNPACK backend")
    set(INCEPT_WITH_XNNPACK OFF)
  endif()
endif()
