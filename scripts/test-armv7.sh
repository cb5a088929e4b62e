#!/usr/bin/env bash
# Cross-builds the C++ test suite for 32-bit ARM (toolchains/armv7.cmake: armv7-a, hard-float, NEON,
# Debian's arm-linux-gnueabihf GCC and armhf XNNPACK/pthreadpool/cpuinfo) and runs it under qemu-arm
# user-mode emulation, once per CPU model: qemu's default "max" and a Cortex-A7 (ARMv7-A with NEON
# and VFPv4, the little core of most 32-bit phones and boards). One build tree serves both: changing
# the CPU only re-links the tests. Prints passed/total per CPU.
#
# Usage: scripts/test-armv7.sh            (scripts/test.sh runs it; ARMV7=0 scripts/test.sh skips it)
#   ARMV7_CPUS="max cortex-a7"   the qemu -cpu models to run (any of `qemu-arm -cpu help`)
#   ARMV7_SKIP=REGEX             ctest names not run under emulation (default below; "" runs all)
#   JOBS=N                       build and ctest parallelism (default: nproc)
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}
CPUS=${ARMV7_CPUS:-max cortex-a7}
BUILD=build/armv7
# Skipped under emulation, by name: timing printouts, whose figures mean nothing under an emulator
# (they check nothing). Every parity test of every backend runs.
SKIP=${ARMV7_SKIP-GFLOP/s}

. scripts/emulated-ctest.sh

step() { printf '\n== %s\n' "$*"; }

scripts/deps.sh                             # host packages: cross g++, qemu-user, ...
scripts/fetch-arm64-deps.sh --arch armhf    # target libraries, extracted into build/armhf-deps (once)

summary=()
failed=0
for cpu in $CPUS; do
  step "armv7 build (cross GCC), tests under qemu-arm -cpu $cpu"
  cmake -S . -B "$BUILD" -G Ninja -DCMAKE_TOOLCHAIN_FILE=toolchains/armv7.cmake \
        -DCMAKE_BUILD_TYPE=Release -DINCEPT_BUILD_TOOLS=OFF -DINCEPT_BUILD_BENCHMARKS=OFF \
        -DINCEPT_ARMV7_QEMU_CPU="$cpu" >/dev/null
  cmake --build "$BUILD" -j "$JOBS"
  emulated_ctest armv7 "$cpu"
done

step "armv7 summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
