# SPDX-License-Identifier: Apache-2.0
# What toolchains/aarch64-linux-gnu.cmake and toolchains/armv7.cmake share: a Debian cross compiler
# (sysroot /usr/<triple>, set as _incept_triple by the including file), target libraries extracted from
# Debian's .debs by scripts/fetch-arm64-deps.sh, and qemu-user running the tests. Macros: they set the
# toolchain's variables in the including file's scope.

# Each variable named: read from the environment of the first configure when not set, and forwarded to
# try_compile projects (which read the toolchain file again).
macro(incept_cross_variables)
  list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES ${ARGN})
  foreach(_v ${ARGN})
    if(NOT DEFINED ${_v} AND DEFINED ENV{${_v}})
      set(${_v} "$ENV{${_v}}")
    endif()
  endforeach()
endmacro()

# incept_cross_deps(<variable> <Debian arch> <fetch command>): the extracted libraries (a folder holding
# usr/; default <repo>/build/<arch>-deps), checked. find_* then searches only them and the cross libc,
# and the linker finds their indirect dependencies (libXNNPACK.so.0 needs libcpuinfo and libpthreadpool).
# Sets _incept_libdir, their library folder.
macro(incept_cross_deps deps_var arch fetch)
  if(NOT ${deps_var})
    get_filename_component(${deps_var} "${CMAKE_CURRENT_LIST_DIR}/../build/${arch}-deps" ABSOLUTE)
  endif()
  set(${deps_var} "${${deps_var}}" CACHE PATH "incept: extracted ${arch} .debs (${fetch})")
  if(NOT EXISTS "${${deps_var}}/usr/include/pthreadpool.h")
    message(FATAL_ERROR "incept: no ${arch} libraries in ${${deps_var}}: run ${fetch} (or set ${deps_var})")
  endif()

  # Target files only from the cross libc/libstdc++ and the extracted .debs; programs (flatc) from the host.
  set(CMAKE_FIND_ROOT_PATH /usr/${_incept_triple} "${${deps_var}}")
  set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
  set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
  set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
  set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

  set(_incept_libdir "${${deps_var}}/usr/lib/${_incept_triple}")
  string(APPEND CMAKE_EXE_LINKER_FLAGS_INIT " -Wl,-rpath-link,${_incept_libdir}")
  string(APPEND CMAKE_SHARED_LINKER_FLAGS_INIT " -Wl,-rpath-link,${_incept_libdir}")
endmacro()

# incept_cross_emulator(<qemu program> <cpu model, "" for qemu's default> <guest root>): the emulator for
# ctest, doctest_discover_tests and try_run. -L sets the guest's "/" for the ELF interpreter and every
# absolute path that exists under it; LD_LIBRARY_PATH puts the cross glibc first, then the .debs.
macro(incept_cross_emulator qemu cpu root)
  set(CMAKE_CROSSCOMPILING_EMULATOR "${qemu}")
  if(NOT "${cpu}" STREQUAL "")
    list(APPEND CMAKE_CROSSCOMPILING_EMULATOR -cpu ${cpu})
  endif()
  list(APPEND CMAKE_CROSSCOMPILING_EMULATOR -L ${root}
       -E "LD_LIBRARY_PATH=/usr/${_incept_triple}/lib:${_incept_libdir}")
endmacro()
