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
  log="$BUILD/ctest-$cpu.log"
  rc=0
  ctest --test-dir "$BUILD" -j "$JOBS" --timeout 900 --output-on-failure ${SKIP:+-E "$SKIP"} | tee "$log" || rc=$?
  total=$(sed -n 's/.*tests failed out of \([0-9]*\).*/\1/p' "$log" | tail -1)
  bad=$(sed -n 's/.* \([0-9]*\) tests failed out of.*/\1/p' "$log" | tail -1)
  skipped=$(ctest --test-dir "$BUILD" -N ${SKIP:+-R "$SKIP"} | sed -n 's/^Total Tests: //p')
  [ -n "$SKIP" ] || skipped=0
  summary+=("armv7 -cpu $cpu: $(( ${total:-0} - ${bad:-0} ))/${total:-0} passed, ${skipped:-0} skipped under emulation")
  if [ "$rc" -ne 0 ] || [ -z "$total" ] || [ "${bad:-1}" -ne 0 ]; then failed=1; fi
done

step "armv7 summary"
printf '%s\n' "${summary[@]}"
exit "$failed"
