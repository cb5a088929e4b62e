#!/usr/bin/env bash
# Fuzzes incept's input surfaces (libFuzzer, clang, ASan + UBSan), each target for SECONDS:
#   model   a model file: loader + planner + kernels on every backend (tests/fuzz/model_fuzzer.cc)
#   npy     a .npy file: the tools' reader and its layout against a model input, then set_input
#   image   a PNG / JPEG / BMP / PPM file: incept-classify's decoder, resize and preprocessing
#   c_api   a byte stream read as a sequence of C API calls that misuse it within its contract
# Usage: scripts/fuzz.sh [SECONDS=60] [--target T[,T...]|all] [--seeds] [--coverage] [-- extra libFuzzer flags]
#   --target    which targets (default model); `all` runs every one, one after another, SECONDS each
#   --seeds     rewrite the committed seeds in tests/fuzz/corpus/<target> first (after a format change)
#   --coverage  then replay each target's corpus through a source-coverage build and print line/branch
#               coverage of the code it reaches (llvm-cov; report in build/fuzz-coverage/coverage-<target>.txt)
# Each target's working corpus grows in build/fuzz-corpus/<target> (kept between runs, started from
# tests/fuzz/corpus/<target> and tests/fuzz/regressions/<target>). A crash, leak, UB or timeout stops that
# target's run, is copied to tests/fuzz/regressions/<target>/ (the doctest "fuzz corpus" cases replay those
# folders in every build: fix the bug, commit the file), the other targets still run, and the script exits 1.
# Every target run appends one line to tests/fuzz/runs.log (date, target, seconds run, executions, libFuzzer's
# cov/ft from its final status line, corpus size, findings): tests/fuzz/README.md sums them. FUZZ_RUNS_LOG=FILE
# logs elsewhere (scripts/test.sh: build/fuzz/test-runs.log, so a test run leaves the tracked log alone).
set -euo pipefail
cd "$(dirname "$0")/.."

ALL_TARGETS=(model npy image c_api)
SECONDS_TO_RUN=60
TARGETS=model
WRITE_SEEDS=0
COVERAGE=0
EXTRA=()
usage() {
  echo "usage: scripts/fuzz.sh [SECONDS] [--target model|npy|image|c_api|all (comma-separated)] [--seeds]" \
       "[--coverage] [-- libFuzzer flags]" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --seeds) WRITE_SEEDS=1 ;;
    --coverage) COVERAGE=1 ;;
    --target) [ $# -ge 2 ] || usage; TARGETS=$2; shift ;;
    --target=*) TARGETS=${1#--target=} ;;
    --) shift; EXTRA=("$@"); break ;;
    ''|*[!0-9]*) usage ;;
    *) SECONDS_TO_RUN=$1 ;;
  esac
  shift
done
[ "$TARGETS" = all ] && TARGETS=$(IFS=,; echo "${ALL_TARGETS[*]}")
IFS=, read -r -a RUN <<<"$TARGETS"
for t in "${RUN[@]}"; do
  case " ${ALL_TARGETS[*]} " in *" $t "*) ;; *) echo "fuzz: unknown target '$t'" >&2; usage ;; esac
done

# Per target: the libFuzzer flags that shape its inputs (dictionary, largest input) and the source files
# whose coverage --coverage reports.
target_flags() {
  case "$1" in
    model) echo "-dict=tests/fuzz/model.dict -max_len=262144" ;;  # room for seeds with real channel counts
    npy) echo "-dict=tests/fuzz/npy.dict -max_len=16384" ;;
    image) echo "-dict=tests/fuzz/image.dict -max_len=65536" ;;
    c_api) echo "-max_len=2048" ;;
  esac
}
coverage_files() {
  case "$1" in
    model) echo 'loader/|planner/|interpreter/' ;;
    npy) echo 'common/npy|common/layout|set_input' ;;
    image) echo 'common/image' ;;
    c_api) echo 'c_api/|interpreter/' ;;
  esac
}

scripts/deps.sh
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "${JOBS:-$(nproc)}" >/dev/null

BIN=build/fuzz/bin
if [ "$WRITE_SEEDS" = 1 ]; then
  "$BIN/incept_fuzz_seeds" tests/fuzz/corpus/model
  tmp=$(mktemp -d)
  /usr/bin/python3 -c "import sys, pathlib; sys.path.insert(0, 'tests/tools'); import tinynet; tinynet.build_tiny(pathlib.Path('$tmp'))"
  cp "$tmp/tiny.incept" tests/fuzz/corpus/model/converted_tinynet.incept
  rm -rf "$tmp"
  /usr/bin/python3 tests/fuzz/write_file_seeds.py tests/fuzz/corpus
fi

# The corpus kept before targets had folders of their own was the model's.
if [ -d build/fuzz/corpus ] && [ ! -e build/fuzz-corpus/model ]; then
  mkdir -p build/fuzz-corpus
  mv build/fuzz/corpus build/fuzz-corpus/model
fi

RUNS_LOG=${FUZZ_RUNS_LOG:-tests/fuzz/runs.log}
mkdir -p "$(dirname "$RUNS_LOG")"
found=0
for t in "${RUN[@]}"; do
  WORK=build/fuzz-corpus/$t
  ARTIFACTS=build/fuzz/artifacts/$t
  LOG=build/fuzz/last-run-$t.log
  mkdir -p "$WORK" "$ARTIFACTS" "tests/fuzz/regressions/$t"
  rm -f "$ARTIFACTS"/*
  echo "fuzz $t: ${SECONDS_TO_RUN}s, corpus $WORK (+ tests/fuzz/corpus/$t, tests/fuzz/regressions/$t), log $LOG"
  started=$(date +%s)
  set +e
  # shellcheck disable=SC2046  # target_flags is a list of flags
  ASAN_OPTIONS=halt_on_error=1:detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  "$BIN/incept_${t}_fuzzer" -max_total_time="$SECONDS_TO_RUN" $(target_flags "$t") \
    -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$ARTIFACTS/" "${EXTRA[@]}" \
    "$WORK" "tests/fuzz/corpus/$t" "tests/fuzz/regressions/$t" >"$LOG" 2>&1
  rc=$?
  set -e
  took=$(($(date +%s) - started))  # what ran: a finding ends a run early

  # Summary from libFuzzer's own lines: the last status line and the final stats.
  last=$(grep -E '^#[0-9]+' "$LOG" | tail -1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$LOG")
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corpus=$(find "$WORK" -type f | wc -l)
  findings=0
  for f in "$ARTIFACTS"/crash-* "$ARTIFACTS"/leak-* "$ARTIFACTS"/timeout-* "$ARTIFACTS"/oom-*; do
    [ -f "$f" ] || continue
    findings=$((findings + 1))
    cp "$f" "tests/fuzz/regressions/$t/"
    echo "fuzz $t: FOUND $(basename "$f") -> tests/fuzz/regressions/$t/" \
         "(replay: $BIN/incept_${t}_fuzzer tests/fuzz/regressions/$t/$(basename "$f"))" >&2
  done
  [ $rc -ne 0 ] && [ $findings = 0 ] && findings=1  # a failure libFuzzer kept no input for still counts
  printf '%s target=%s seconds=%s execs=%s cov=%s ft=%s corpus=%s findings=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    "$t" "$took" "${execs:-?}" "${cov:-?}" "${ft:-?}" "$corpus" "$findings" >>"$RUNS_LOG"
  echo "fuzz $t: ${execs:-?} executions; last status: ${last:-none}"
  echo "fuzz $t: working corpus $corpus files"
  if [ $rc -ne 0 ]; then
    tail -40 "$LOG"
    echo "fuzz $t: failed (libFuzzer exit $rc), see $LOG" >&2
    found=1
  else
    echo "fuzz $t: no crash, leak, UB or timeout"
  fi
done
[ $found = 0 ] || exit 1

if [ "$COVERAGE" = 1 ]; then
  cmake --preset fuzz-coverage >/dev/null
  cmake --build --preset fuzz-coverage -j "${JOBS:-$(nproc)}" >/dev/null
  COV=build/fuzz-coverage
  for t in "${RUN[@]}"; do
    rm -f "$COV"/*.profraw
    LLVM_PROFILE_FILE="$COV/replay-%p.profraw" "$COV/bin/incept_${t}_fuzzer" -runs=0 \
      "build/fuzz-corpus/$t" "tests/fuzz/corpus/$t" "tests/fuzz/regressions/$t" >"$COV/replay-$t.log" 2>&1
    llvm-profdata-14 merge -sparse "$COV"/*.profraw -o "$COV/replay.profdata"
    llvm-cov-14 report "$COV/bin/incept_${t}_fuzzer" -instr-profile="$COV/replay.profdata" \
      -ignore-filename-regex='(^/usr/|/tests/|/build/)' >"$COV/coverage-$t.txt"
    echo "fuzz $t: source coverage of the corpus replay ($COV/coverage-$t.txt):"
    grep -E "^(Filename|TOTAL)|$(coverage_files "$t")" "$COV/coverage-$t.txt" | awk '{print "  " $0}'
  done
fi
