#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# incept vs ONNX Runtime, TFLite (LiteRT), ncnn, MNN and OpenVINO on the same nets, same weights, same input,
# same machine, in one session.
# Usage: bench/peers/run.sh [--nets googlenet,inception_v3,inception_v4,inception_resnet_v2] [--threads 1,2]
#                           [--rounds N] [--out DIR] [--runs N] [--warmup N] [--target-s S]
#                           [--runtimes incept,ort,tflite,ncnn,mnn,openvino] [--incept-flags FLAGS] [--remake]
#                           [--precision fp32|int8|fp32,int8] [--no-bundled]
# Makes build/peers-venv (Debian's python3 -m venv --system-site-packages) and installs the pinned peers of
# bench/peers/requirements.txt from PyPI into it if missing (with int8 and TFLite asked for, also
# build/peers-tf-venv from requirements-tflite.txt: TensorFlow's converter), then runs bench/peers/peers.py: models and
# conversions, output check, alternating rounds, tables, results.json and chart.svg under --out (default
# build/peers). See bench/peers/README.md. Nothing else in the project uses that venv.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."
PEERS=bench/peers
PY=/usr/bin/python3
VENV=${PEERS_VENV:-build/peers-venv}
TF_VENV=${PEERS_TF_VENV:-build/peers-tf-venv}

die() { echo "bench/peers: $*" >&2; exit 1; }

runtimes=""
precision="fp32"
prev=""
for a in "$@"; do
  case "$a" in
    -h|--help) exec "$PY" "$PEERS/peers.py" --help ;;
    --runtimes=*) runtimes=${a#--runtimes=} ;;
    --precision=*) precision=${a#--precision=} ;;
  esac
  [ "$prev" = "--runtimes" ] && runtimes=$a
  [ "$prev" = "--precision" ] && precision=$a
  prev=$a
done

[ -x "$PY" ] || die "$PY not found: run scripts/deps.sh (Debian's python3-torch, -torchvision, -onnx)"

# missing VENV REQ: prints 'name==version (have X)' for every pin of REQ that VENV lacks; nothing when all are there.
missing() {
  "$1/bin/python" - "$2" <<'PYEOF'
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

# venv STEP VENV REQ: makes VENV if need be and installs REQ's pins that it lacks.
venv() {
  local step=$1 venv=$2 req=$3 need
  echo "== $step: the pins of $req in $venv"
  if [ ! -x "$venv/bin/python" ]; then
    echo "  making $venv: $PY -m venv --system-site-packages (Debian's torch and onnx stay visible)"
    "$PY" -m venv --system-site-packages "$venv" || die "could not make $venv (Debian's python3-venv is needed)"
  fi
  need=$(missing "$venv" "$req") || die "$venv/bin/python cannot check the pins (remove $venv and rerun)"
  if [ -z "$need" ]; then
    echo "  all present: $(grep -Eo '^[A-Za-z][A-Za-z0-9_.-]*==[^ ]+' "$req" | head -6 | tr '\n' ' ')"
  else
    echo "  installing from PyPI into $venv:"
    echo "$need" | sed 's/^/    /'
    "$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q -r "$req" \
      >"$venv/pip-install.log" 2>&1 \
      || die "pip install -r $req failed: $(grep -m1 -E 'ERROR|error' "$venv/pip-install.log" || tail -n1 "$venv/pip-install.log") (log: $venv/pip-install.log)"
    need=$(missing "$venv" "$req")
    [ -z "$need" ] || die "still missing after pip install: $need"
    echo "  installed"
  fi
}

if [ "$runtimes" = "incept" ]; then
  echo "== 0/4 peer runtimes: none asked for (--runtimes incept)"
else
  venv "0/4 peer runtimes" "$VENV" "$PEERS/requirements.txt"
  case ",$precision," in *,int8,*)
    case ",${runtimes:-tflite}," in *,tflite,*)
      venv "0/4 TensorFlow's int8 converter (TFLite)" "$TF_VENV" "$PEERS/requirements-tflite.txt" ;;
    esac ;;
  esac
fi

PEERS_VENV=$VENV PEERS_TF_VENV=$TF_VENV exec "$PY" "$PEERS/peers.py" "$@"
