#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, convert a seeded Inception-v3
# checkpoint (torchvision layout, random weights with non-trivial BatchNorm statistics) into an
# incept model, run it on an input, check the result against PyTorch, and benchmark it.
# Usage: scripts/demo.sh [WORKDIR]    (default: build/demo)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${1:-build/demo}
JOBS=${JOBS:-$(nproc)}

scripts/deps.sh
[ -f build/release/build.ninja ] || cmake --preset release >/dev/null
cmake --build --preset release -j "$JOBS" >/dev/null
mkdir -p "$WORK"

echo "== 1. a checkpoint: torchvision inception_v3, seed 0 (plus an input and PyTorch's logits for it)"
PYTHONPATH=converter /usr/bin/python3 -m incept_convert.make_checkpoint --arch inception_v3 --seed 0 -o "$WORK/inception_v3.pth" \
  --input "$WORK/input.npy" --reference "$WORK/reference.npy"

echo "== 2. convert"
converter/incept-convert --arch inception_v3 --checkpoint "$WORK/inception_v3.pth" -o "$WORK/inception_v3.incept"

echo "== 3. run"
build/release/bin/incept-run "$WORK/inception_v3.incept" --input "$WORK/input.npy" --output "$WORK/output.npy"

echo "== 4. compare with PyTorch"
if ! /usr/bin/python3 - "$WORK/output.npy" "$WORK/reference.npy" <<'PY'
import sys
import numpy as np
out, ref = np.load(sys.argv[1]), np.load(sys.argv[2])
diff = float(np.abs(out - ref).max()) / float(np.abs(ref).max())
top_out, top_ref = np.argsort(-out[0])[:5], np.argsort(-ref[0])[:5]
print(f"incept top-5:  {top_out.tolist()}")
print(f"PyTorch top-5: {top_ref.tolist()}")
print(f"max |diff| / max |logit| = {diff:.2e}  (budget 1e-4)")
sys.exit(0 if diff <= 1e-4 and (top_out == top_ref).all() else 1)
PY
then
  echo "demo: incept's output differs from PyTorch's" >&2
  exit 1
fi

echo "== 5. benchmark (1 thread, then 2)"
build/release/bin/incept-bench "$WORK/inception_v3.incept" --threads 1 --runs 10
build/release/bin/incept-bench "$WORK/inception_v3.incept" --threads 2 --runs 10
