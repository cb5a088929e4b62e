#!/usr/bin/env bash
# Installs what is missing, checks the layout (scripts/format.sh --check), builds, and runs every test:
# the C++ suite (release and ASan+UBSan builds, via ctest), the same suite cross-built for aarch64 and run
# under qemu (scripts/test-arm64.sh; ARM64=0 skips it) and for armv7 (scripts/test-armv7.sh, on a Cortex-A7
# only; ARMV7=0 skips it, ARMV7_CPUS="max cortex-a7" runs both models), bounded fuzzer runs (the model target
# for FUZZ_SECONDS, default 60, then the npy, image and C API targets for FUZZ_TARGET_SECONDS each, default 25;
# FUZZ_SECONDS=0 skips them all) and the converter/end-to-end suite (pytest, against PyTorch).
# Usage: scripts/test.sh [pytest args...]     e.g. scripts/test.sh -k googlenet
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}

scripts/deps.sh

step() { printf '\n== %s\n' "$*"; }

step "format and lint (scripts/format.sh --check)"
scripts/format.sh --check

for preset in release asan; do
  step "build ($preset)"
  cmake --preset "$preset" >/dev/null   # quick when configured; picks up preset changes
  cmake --build --preset "$preset" -j "$JOBS"
  step "C++ tests ($preset)"
  ctest --preset "$preset" -j "$JOBS"
done

if [ "${ARM64:-1}" != 0 ]; then
  step "aarch64 cross build, C++ tests under qemu-aarch64 (scripts/test-arm64.sh)"
  scripts/test-arm64.sh
fi

if [ "${ARMV7:-1}" != 0 ]; then
  step "armv7 cross build, C++ tests under qemu-arm (scripts/test-armv7.sh)"
  ARMV7_CPUS=${ARMV7_CPUS:-cortex-a7} scripts/test-armv7.sh
fi

if [ "${FUZZ_SECONDS:-60}" != 0 ]; then
  step "model fuzzer (${FUZZ_SECONDS:-60} s, clang + libFuzzer + ASan/UBSan)"
  FUZZ_RUNS_LOG=build/fuzz/test-runs.log scripts/fuzz.sh "${FUZZ_SECONDS:-60}"
  step "npy, image and C API fuzzers (${FUZZ_TARGET_SECONDS:-25} s each)"
  FUZZ_RUNS_LOG=build/fuzz/test-runs.log scripts/fuzz.sh "${FUZZ_TARGET_SECONDS:-25}" --target npy,image,c_api
fi

step "converter, tool and end-to-end tests (pytest)"
export INCEPT_BIN_DIR="$PWD/build/release/bin"
/usr/bin/python3 -m pytest tests -q -p no:cacheprovider "$@"
