#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# incept vs ONNX Runtime on the same nets, same weights, same input, same machine, in one session.
# Usage: bench/peers/run.sh [--nets googlenet,inception_v3,inception_v4,inception_resnet_v2] [--threads 1,2] [--rounds N] [--out DIR]
#                           [--runs N] [--warmup N] [--target-s S] [--runtimes incept,ort] [--remake]
# Installs onnxruntime-node (the version pinned in bench/peers/package.json) into bench/peers/node_modules
# if missing, then runs bench/peers/peers.py: models, output check, alternating rounds, table,
# results.json and chart.svg under --out (default build/peers). See bench/peers/README.md.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.."
PEERS=bench/peers
PY=/usr/bin/python3

die() { echo "bench/peers: $*" >&2; exit 1; }

for a in "$@"; do
  case "$a" in -h|--help) exec "$PY" "$PEERS/peers.py" --help ;; esac
done

command -v node >/dev/null || die "node not found on PATH (Node 20 + npm are needed for onnxruntime-node)"
command -v npm >/dev/null || die "npm not found on PATH (Node 20 + npm are needed for onnxruntime-node)"
[ -x "$PY" ] || die "$PY not found: run scripts/deps.sh (Debian's python3-torch, -torchvision, -onnx)"

PIN=$(node -p "require('./$PEERS/package.json').dependencies['onnxruntime-node']")
# Prints the installed version if the package is there at the pinned version and its native binding loads.
ort_ok() {
  (cd "$PEERS" && node -e "
    const v = require('onnxruntime-node/package.json').version;
    if (v !== process.argv[1]) process.exit(3);
    const o = require('onnxruntime-node');   // dlopens bin/napi-v*/linux/x64/onnxruntime_binding.node
    if (typeof o.InferenceSession?.create !== 'function') process.exit(4);
    console.log(v);" "$PIN" 2>/dev/null)
}

echo "== 0/4 ONNX Runtime (npm onnxruntime-node@$PIN, CPU)"
if v=$(ort_ok); then
  echo "  already installed in $PEERS/node_modules: onnxruntime-node $v, native binding loads"
else
  echo "  installing into $PEERS/node_modules (npm install --ignore-scripts: its install script would fetch CUDA bits)"
  npm install --prefix "$PEERS" --ignore-scripts --no-save --no-audit --no-fund --no-package-lock --loglevel=error \
    "onnxruntime-node@$PIN" >/dev/null 2>"$PEERS/node_modules.npm-error.log" \
    || die "npm install onnxruntime-node@$PIN failed: $(grep -m1 -i 'err' "$PEERS/node_modules.npm-error.log" || tail -n1 "$PEERS/node_modules.npm-error.log")"
  rm -f "$PEERS/node_modules.npm-error.log"
  v=$(ort_ok) || die "onnxruntime-node@$PIN installed but its native binding does not load: (cd $PEERS && node -e \"require('onnxruntime-node')\") shows why"
  echo "  installed onnxruntime-node $v; native binding loads"
fi

exec "$PY" "$PEERS/peers.py" "$@"
