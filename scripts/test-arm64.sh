#!/usr/bin/env bash
# Cross-builds the C++ test suite for aarch64 (toolchains/aarch64-linux-gnu.cmake, Debian's cross GCC
# and arm64 XNNPACK/pthreadpool/cpuinfo) and runs it under qemu-aarch64 user-mode emulation, once per
# CPU model: qemu's default "max" (ARMv8.x/9 with fp16, dot product, SVE...) and a Cortex-A53 (plain
# ARMv8.0-A NEON; the guest's /proc/cpuinfo names that core, so XNNPACK takes its A53 kernels). One
# build tree serves both: changing the CPU only re-links the tests. Prints passed/total per CPU.
#
# Usage: scripts/test-arm64.sh            (scripts/test.sh runs it; ARM64=0 scripts/test.sh skips it)
#   ARM64_CPUS="max cortex-a53"   the qemu -cpu models to run (any of `qemu-aarch64 -cpu help`)
#   ARM64_SKIP=REGEX              ctest names not run under emulation (default below; "" runs all)
#   ARM64_CLANG=0                 skip the compile check with clang --target=aarch64-linux-gnu, the
#                                 compiler the NDK uses (build/arm64-clang: everything, tools and
#                                 benchmarks too; built, not run)
#   JOBS=N                        build and ctest parallelism (default: nproc)
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
CPUS=${ARM64_CPUS:-max cortex-a53}
BUILD=build/arm64
# Skipped under emulation, by name: timing printouts, whose figures mean nothing under an emulator
# (they check nothing). Every parity test of every backend runs.
SKIP=${ARM64_SKIP-GFLOP/s}

. scripts/emulated-ctest.sh

step() { printf '\n== %s\n' "$*"; }

scripts/deps.sh                 # host packages: cross g++, qemu-user, ...
scripts/fetch-arm64-deps.sh     # target libraries, extracted into build/arm64-deps (once)

configure() {   # configure DIR CPU [extra cmake args...]
  local dir=$1 cpu=$2
  shift 2
  cmake -S . -B "$dir" -G Ninja -DCMAKE_TOOLCHAIN_FILE=toolchains/aarch64-linux-gnu.cmake \
        -DCMAKE_BUILD_TYPE=Release -DINCEPT_BUILD_TOOLS=OFF -DINCEPT_BUILD_BENCHMARKS=OFF \
        -DINCEPT_ARM64_QEMU_CPU="$cpu" "$@" >/dev/null
}

summary=()
failed=0
for cpu in $CPUS; do
  step "aarch64 build (cross GCC), tests under qemu-aarch64 -cpu $cpu"
  configure "$BUILD" "$cpu"
  cmake --build "$BUILD" -j "$JOBS"
  emulated_ctest arm64 "$cpu"
done

if [ "${ARM64_CLANG:-1}" != 0 ]; then
  step "aarch64 build with clang, tools and benchmarks included (compile check)"
  configure build/arm64-clang max -DINCEPT_ARM64_CLANG=ON -DINCEPT_BUILD_TOOLS=ON -DINCEPT_BUILD_BENCHMARKS=ON
  cmake --build build/arm64-clang -j "$JOBS"
  summary+=("arm64 clang: built")
fi

step "aarch64 summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
