#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# incept vs ONNX Runtime, TFLite (LiteRT), ncnn, MNN and OpenVINO on the same nets, same weights, same input,
# same machine, in one session.
# Usage: bench/peers/run.sh [--nets googlenet,inception_v3,inception_v4,inception_resnet_v2] [--threads 1,2]
#                           [--rounds N] [--out DIR] [--runs N] [--warmup N] [--target-s S]
#                           [--runtimes incept,ort,tflite,ncnn,mnn,openvino] [--incept-flags FLAGS] [--remake]
# Makes build/peers-venv (Debian's python3 -m venv --system-site-packages) and installs the pinned peers of
# bench/peers/requirements.txt from PyPI into it if missing, then runs bench/peers/peers.py: models and
# conversions, output check, alternating rounds, tables, results.json and chart.svg under --out (default
# build/peers). See bench/peers/README.md. Nothing else in the project uses that venv.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."
PEERS=bench/peers
PY=/usr/bin/python3
VENV=${PEERS_VENV:-build/peers-venv}
REQ=$PEERS/requirements.txt

die() { echo "bench/peers: $*" >&2; exit 1; }

runtimes=""
prev=""
for a in "$@"; do
  case "$a" in
    -h|--help) exec "$PY" "$PEERS/peers.py" --help ;;
    --runtimes=*) runtimes=${a#--runtimes=} ;;
  esac
  [ "$prev" = "--runtimes" ] && runtimes=$a
  prev=$a
done

[ -x "$PY" ] || die "$PY not found: run scripts/deps.sh (Debian's python3-torch, -torchvision, -onnx)"

# Prints 'name==version (have X)' for every pin of requirements.txt that the venv lacks; nothing when all are there.
missing() {
  "$VENV/bin/python" - "$REQ" <<'PYEOF'
import sys
from importlib.metadata import PackageNotFoundError, version
for line in open(sys.argv[1]):
    spec = line.split("#")[0].strip()
    if not spec:
        continue
    name, want = spec.split("==")
    try:
        have = version(name)
    except PackageNotFoundError:
        have = None
    if have != want:
        print(f"{spec} (have {have or 'none'})")
PYEOF
}

if [ "$runtimes" = "incept" ]; then
  echo "== 0/4 peer runtimes: none asked for (--runtimes incept)"
else
  echo "== 0/4 peer runtimes: the pins of $REQ in $VENV"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "  making $VENV: $PY -m venv --system-site-packages (Debian's torch and onnx stay visible)"
    "$PY" -m venv --system-site-packages "$VENV" || die "could not make $VENV (Debian's python3-venv is needed)"
  fi
  need=$(missing) || die "$VENV/bin/python cannot check the pins (remove $VENV and rerun)"
  if [ -z "$need" ]; then
    echo "  all present: $(grep -Eo '^[A-Za-z][A-Za-z0-9_.-]*==[^ ]+' "$REQ" | head -6 | tr '\n' ' ')"
  else
    echo "  installing from PyPI into $VENV:"
    echo "$need" | sed 's/^/    /'
    "$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -q -r "$REQ" \
      >"$VENV/pip-install.log" 2>&1 \
      || die "pip install -r $REQ failed: $(grep -m1 -E 'ERROR|error' "$VENV/pip-install.log" || tail -n1 "$VENV/pip-install.log") (log: $VENV/pip-install.log)"
    need=$(missing)
    [ -z "$need" ] || die "still missing after pip install: $need"
    echo "  installed"
  fi
fi

PEERS_VENV=$VENV exec "$PY" "$PEERS/peers.py" "$@"
