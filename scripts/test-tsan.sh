#!/usr/bin/env bash
# Opt-in: builds the `tsan` preset (ThreadSanitizer, halt on error) and runs the whole C++ suite under
# it, the concurrency cases (four interpreters sharing one Model, each with 1 or 2 pool threads) first.
# Not part of scripts/test.sh: a TSan build of the suite takes ~5 minutes on two cores.
# Usage: scripts/test-tsan.sh [ctest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}

scripts/deps.sh
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$JOBS"
ctest --preset tsan -R "concurrency|determinism"
ctest --preset tsan -j "$JOBS" "$@"
