#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Fuzzes one converter surface with atheris for SECONDS (default 600), at the lowest priority:
#   tests/fuzz/converter/run_atheris.sh {safetensors|onnx|keras|pth} [SECONDS]
# Makes the ignored venv build/fuzz-venv on first use (/usr/bin/python3 -m venv --system-site-packages, then
# requirements.txt: atheris pinned), keeps the corpus in build/fuzz-corpus/converter-TARGET (started from
# seeds/ and the committed regressions), copies each finding into tests/fuzz/regressions/converter-<format>/
# (fix it, then commit it: the deterministic pytest pass replays it), restarts after a finding until the time
# is spent, and appends a line (target, seconds, execs, findings) to build/fuzz-converter.log.
# Never part of scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/../../.."
if [ $# -lt 1 ]; then
  echo "usage: $0 safetensors|onnx|keras|pth [SECONDS]" >&2
  exit 2
fi
target=$1
seconds=${2:-600}
case "$target" in
  safetensors) formats="safetensors" ;;
  onnx) formats="onnx" ;;
  keras) formats="keras_h5 keras_zip" ;;
  pth) formats="pth" ;;
  *) echo "unknown target '$target'" >&2; exit 2 ;;
esac

venv=build/fuzz-venv
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import atheris" 2>/dev/null; then
  /usr/bin/python3 -m venv --system-site-packages "$venv"
  "$venv/bin/pip" install -q -r tests/fuzz/converter/requirements.txt
fi

corpus=build/fuzz-corpus/converter-$target
artifacts=build/fuzz-artifacts/converter-$target
mkdir -p "$corpus" "$artifacts"
for f in $formats; do
  cp -n tests/fuzz/converter/seeds/"$f"/* "$corpus"/ 2>/dev/null || true
  cp -n tests/fuzz/regressions/converter-"$f"/* "$corpus"/ 2>/dev/null || true
done

end=$(( $(date +%s) + seconds ))
execs=0
findings=0
log=$(mktemp)
while [ "$(date +%s)" -lt "$end" ]; do
  left=$(( end - $(date +%s) ))
  before=$(ls "$artifacts" | grep -c '^\(crash\|timeout\|oom\|leak\)-' || true)
  nice -n 19 "$venv/bin/python" tests/fuzz/converter/fuzz_readers.py "$target" -max_total_time="$left" \
    -timeout=120 -rss_limit_mb=3072 -max_len=65536 -print_final_stats=1 -artifact_prefix="$artifacts/" \
    "$corpus" >"$log" 2>&1 || true
  run=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [ -z "$run" ]; then   # stopped by a finding: the last status line has the count
    run=$(grep -o '^#[0-9]*' "$log" | tail -1 | tr -d '#')
  fi
  execs=$(( execs + ${run:-0} ))
  found=$(ls -tr "$artifacts" | grep '^\(crash\|timeout\|oom\|leak\)-' | tail -n +$(( before + 1 )) || true)
  for a in $found; do   # slow-unit-* files are libFuzzer's notes, not findings
    findings=$(( findings + 1 ))
    case "$target" in
      keras) if [ "$(head -c 2 "$artifacts/$a" | tr -d '\0')" = "PK" ]; then fmt=keras_zip; ext=keras; else
               fmt=keras_h5; ext=h5; fi ;;
      safetensors) fmt=safetensors; ext=safetensors ;;
      *) fmt=$target; ext=$target ;;
    esac
    mkdir -p "tests/fuzz/regressions/converter-$fmt"
    cp "$artifacts/$a" "tests/fuzz/regressions/converter-$fmt/$a.$ext"
    echo "finding: tests/fuzz/regressions/converter-$fmt/$a.$ext"
    grep -m1 -A3 "converter rule\|ERROR: libFuzzer\|==ERROR\|Uncaught Python exception" "$log" | head -8 || true
  done
  if [ -z "$found" ]; then
    break   # time spent without a finding
  fi
done
rm -f "$log"
line="converter-$target seconds=$seconds execs=$execs findings=$findings"
echo "$line"
echo "$(date -u +%F) $line" >>build/fuzz-converter.log
