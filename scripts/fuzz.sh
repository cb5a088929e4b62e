#!/usr/bin/env bash
# Fuzzes the model loader + planner + kernels (libFuzzer, clang, ASan + UBSan) for SECONDS.
# Usage: scripts/fuzz.sh [SECONDS=60] [--seeds] [--coverage] [-- extra libFuzzer flags]
#   --seeds     rewrite the committed seed models in tests/fuzz/corpus first (after a format change)
#   --coverage  then replay the whole corpus through a source-coverage build and print line/branch
#               coverage of runtime/ and ops/ (llvm-cov; report in build/fuzz-coverage/coverage.txt)
# The working corpus grows in build/fuzz/corpus (kept between runs, started from tests/fuzz/corpus and
# tests/fuzz/regressions). A crash stops the run, is copied to tests/fuzz/regressions/ (the doctest
# "fuzz corpus" case replays that folder in every build: fix the bug, commit the file) and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."

SECONDS_TO_RUN=60
WRITE_SEEDS=0
COVERAGE=0
EXTRA=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) WRITE_SEEDS=1 ;;
    --coverage) COVERAGE=1 ;;
    --) shift; EXTRA=("$@"); break ;;
    ''|*[!0-9]*) echo "usage: scripts/fuzz.sh [SECONDS] [--seeds] [--coverage] [-- libFuzzer flags]" >&2; exit 2 ;;
    *) SECONDS_TO_RUN=$1 ;;
  esac
  shift
done

scripts/deps.sh
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "${JOBS:-$(nproc)}" >/dev/null

BIN=build/fuzz/bin
if [ "$WRITE_SEEDS" = 1 ]; then
  "$BIN/incept_fuzz_seeds" tests/fuzz/corpus
  tmp=$(mktemp -d)
  /usr/bin/python3 -c "import sys, pathlib; sys.path.insert(0, 'tests/tools'); import tinynet; tinynet.build_tiny(pathlib.Path('$tmp'))"
  cp "$tmp/tiny.incept" tests/fuzz/corpus/converted_tinynet.incept
  rm -rf "$tmp"
fi

WORK=build/fuzz/corpus
ARTIFACTS=build/fuzz/artifacts
mkdir -p "$WORK" "$ARTIFACTS" tests/fuzz/regressions
LOG=build/fuzz/last-run.log
echo "fuzz: ${SECONDS_TO_RUN}s, corpus $WORK (+ tests/fuzz/corpus, tests/fuzz/regressions), log $LOG"
set +e
ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
"$BIN/incept_model_fuzzer" -max_total_time="$SECONDS_TO_RUN" -dict=tests/fuzz/model.dict -max_len=262144 \
  -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$ARTIFACTS/" "${EXTRA[@]}" \
  "$WORK" tests/fuzz/corpus tests/fuzz/regressions >"$LOG" 2>&1
rc=$?
set -e

# Summary from libFuzzer's own lines: the last status line and the final stats.
last=$(grep -E '^#[0-9]+' "$LOG" | tail -1 || true)
execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOG")
echo "fuzz: ${execs:-?} executions; last status: ${last:-none}"
echo "fuzz: working corpus $(find "$WORK" -type f | wc -l) files"
if [ $rc -ne 0 ]; then
  tail -40 "$LOG"
  for f in "$ARTIFACTS"/*; do
    [ -f "$f" ] || continue
    cp "$f" tests/fuzz/regressions/
    echo "fuzz: FOUND $(basename "$f") -> tests/fuzz/regressions/ (replay: $BIN/incept_model_fuzzer tests/fuzz/regressions/$(basename "$f"))" >&2
  done
  echo "fuzz: failed (libFuzzer exit $rc), see $LOG" >&2
  exit 1
fi
echo "fuzz: no crash, leak, UB or timeout"

if [ "$COVERAGE" = 1 ]; then
  cmake --preset fuzz-coverage >/dev/null
  cmake --build --preset fuzz-coverage -j "${JOBS:-$(nproc)}" >/dev/null
  COV=build/fuzz-coverage
  rm -f "$COV"/*.profraw
  LLVM_PROFILE_FILE="$COV/replay-%p.profraw" "$COV/bin/incept_model_fuzzer" -runs=0 \
    "$WORK" tests/fuzz/corpus tests/fuzz/regressions >"$COV/replay.log" 2>&1
  llvm-profdata-14 merge -sparse "$COV"/*.profraw -o "$COV/replay.profdata"
  llvm-cov-14 report "$COV/bin/incept_model_fuzzer" -instr-profile="$COV/replay.profdata" \
    -ignore-filename-regex='(^/usr/|/tests/|/build/)' >"$COV/coverage.txt"
  echo "fuzz: source coverage of the corpus replay ($COV/coverage.txt):"
  grep -E '^(Filename|TOTAL)|loader/|planner/|interpreter/' "$COV/coverage.txt" | awk '{print "  " $0}'
fi
