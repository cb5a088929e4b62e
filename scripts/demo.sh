#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, then
#   1. convert the bundled default model (models/inception_small: trained by our recipe on the built-in
#      synthetic dataset) into an incept model,
#   2. classify the bundled sample images with incept-classify (each file is named after its class),
#   3. check the converted model's held-out accuracy equals PyTorch's on the same 1200 images, and
#      show it again for the model converted with float16 and with int8 weights (--weights),
#   4. benchmark it, then a full-size Inception-v3 (seeded torchvision checkpoint, checked against PyTorch).
# Usage: scripts/demo.sh [WORKDIR]    (default: build/demo)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${1:-build/demo}
JOBS=${JOBS:-$(nproc)}
BIN=build/release/bin
DEFAULT=models/inception_small
export PYTHONPATH=converter:training   # the converter and the training package (incept_train.evaluate)

scripts/deps.sh
[ -f build/release/build.ninja ] || cmake --preset release >/dev/null
cmake --build --preset release -j "$JOBS" >/dev/null
mkdir -p "$WORK"

acc=$(/usr/bin/python3 -c "import json; print(f\"{json.load(open('$DEFAULT/train.json'))['heldout_top1']['ema']:.2%}\")")
echo "== 1. convert the bundled default model ($DEFAULT/model.pth, held-out top-1 $acc when trained)"
converter/incept-convert --arch inception_small --checkpoint "$DEFAULT/model.pth" --labels "$DEFAULT/labels.txt" \
  -o "$WORK/inception_small.incept"

echo "== 2. classify the bundled sample images"
"$BIN/incept-classify" "$WORK/inception_small.incept" "$DEFAULT"/samples/*.png --top 1 --json -q >"$WORK/classify.jsonl"
if ! /usr/bin/python3 - "$WORK/classify.jsonl" <<'PY'
import json, pathlib, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
wrong = 0
for r in rows:
    want, top = pathlib.Path(r["image"]).stem, r["top"][0]
    ok = top["label"] == want
    wrong += not ok
    print(f"  {pathlib.Path(r['image']).name:18s} -> {top['label']:14s} p={top['probability']:.3f}  {'ok' if ok else 'WRONG'}")
print(f"  {len(rows) - wrong} of {len(rows)} sample images labelled correctly")
sys.exit(1 if wrong else 0)
PY
then
  echo "demo: a sample image was misclassified" >&2
  exit 1
fi

echo "== 3. held-out accuracy: the converted model (incept) vs the checkpoint (PyTorch), same 1200 images"
/usr/bin/python3 -m incept_train.evaluate --arch inception_small --checkpoint "$DEFAULT/model.pth" \
  --model "$WORK/inception_small.incept"

echo "== 3b. the same with narrow weights: --weights fp16 (half the file) and int8 (a quarter)"
for w in fp16 int8; do
  converter/incept-convert --arch inception_small --checkpoint "$DEFAULT/model.pth" --labels "$DEFAULT/labels.txt" \
    --weights "$w" -o "$WORK/inception_small.$w.incept"
  /usr/bin/python3 -m incept_train.evaluate --arch inception_small --checkpoint "$DEFAULT/model.pth" \
    --model "$WORK/inception_small.$w.incept" --max-drop 0.5
done

echo "== 3c. int8 compute: --quantize int8, calibrated on 100 training images; held-out accuracy and speed vs float32"
/usr/bin/python3 - "$WORK/calibration.npy" <<'PY'
import sys
import numpy as np
from incept_convert import torch_import
from incept_train import synthetic
spec = torch_import.ARCHITECTURES["inception_small"]
m = np.asarray(spec.mean, np.float32).reshape(3, 1, 1)
s = np.asarray(spec.std, np.float32).reshape(3, 1, 1)
xs = np.stack([(synthetic.sample(0, "train", i, spec.input_size, 12)[0].transpose(2, 0, 1).astype(np.float32) / 255.0
                - m) / s for i in range(100)])
np.save(sys.argv[1], xs)
PY
converter/incept-convert --arch inception_small --checkpoint "$DEFAULT/model.pth" --labels "$DEFAULT/labels.txt" \
  --quantize int8 --calibration "$WORK/calibration.npy" -o "$WORK/inception_small.q8.incept"
/usr/bin/python3 -m incept_train.evaluate --arch inception_small --checkpoint "$DEFAULT/model.pth" \
  --model "$WORK/inception_small.q8.incept" --max-drop 0.5
for round in 1 2 3; do   # alternating, one thread
  for f in inception_small inception_small.q8; do "$BIN/incept-bench" "$WORK/$f.incept" --threads 1 --runs 50 --json; done
done | /usr/bin/python3 -c '
import json, statistics, sys
runs = [json.loads(line) for line in sys.stdin]
ms = {}
for r in runs:
    ms.setdefault("int8" if r["model"].endswith(".q8.incept") else "float32", []).append(r["median_ms"])
f, q = statistics.median(ms["float32"]), statistics.median(ms["int8"])
print(f"  float32 {f:.3f} ms, int8 {q:.3f} ms (median of 3 runs of 50): int8 = {q / f:.2f} x float32")'

echo "== 4. benchmark the default model (1 thread)"
"$BIN/incept-bench" "$WORK/inception_small.incept" --threads 1 --runs 50

echo "== 5. a full-size Inception-v3: seeded torchvision checkpoint -> convert -> run -> compare with PyTorch -> benchmark"
/usr/bin/python3 -m incept_convert.make_checkpoint --arch inception_v3 --seed 0 -o "$WORK/inception_v3.pth" \
  --input "$WORK/input.npy" --reference "$WORK/reference.npy"
converter/incept-convert --arch inception_v3 --checkpoint "$WORK/inception_v3.pth" -o "$WORK/inception_v3.incept"
"$BIN/incept-run" "$WORK/inception_v3.incept" --input "$WORK/input.npy" --output "$WORK/output.npy"
if ! /usr/bin/python3 - "$WORK/output.npy" "$WORK/reference.npy" <<'PY'
import sys
import numpy as np
out, ref = np.load(sys.argv[1]), np.load(sys.argv[2])
diff = float(np.abs(out - ref).max()) / float(np.abs(ref).max())
top_out, top_ref = np.argsort(-out[0])[:5], np.argsort(-ref[0])[:5]
print(f"  incept top-5:  {top_out.tolist()}")
print(f"  PyTorch top-5: {top_ref.tolist()}")
print(f"  max |diff| / max |logit| = {diff:.2e}  (budget 1e-4)")
sys.exit(0 if diff <= 1e-4 and (top_out == top_ref).all() else 1)
PY
then
  echo "demo: incept's output differs from PyTorch's" >&2
  exit 1
fi
"$BIN/incept-bench" "$WORK/inception_v3.incept" --threads 1 --runs 10
"$BIN/incept-bench" "$WORK/inception_v3.incept" --threads 2 --runs 10
