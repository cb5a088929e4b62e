# SPDX-License-Identifier: Apache-2.0
"""Real accuracy, the last step of bench/peers --precision int8: the bundled trained model (models/inception_small:
96 x 96, 12 classes, 99.25 % held-out top-1 in PyTorch) quantised by every runtime with its own tool from the same
100 training images (scripts/demo.sh's calibration set), and its top-1 on the 1,200 held-out images, per runtime,
beside PyTorch's and incept's float32. Seeded N(0, 1) inputs measure how far int8 logits drift; this measures
what a user sees: how many images change class.

Writes OUT/int8/bundled.json and bundled.md; the models go to OUT/models (bundled.*) and OUT/models/<runtime>/.
"""

import json
import os
import subprocess

import numpy as np

from peer_models import quantise_peer
from peers_common import BUNDLED, HERE, NAMES, PY, ROOT, Failure, log, run, venv_bin

CHECKPOINT = os.path.join(ROOT, "models", "inception_small", "model.pth")


def make_sets(a, d) -> dict:
    m = {k: os.path.join(d, f"{BUNDLED}.{k}") for k in ("onnx", "calib", "heldout", "labels", "torch")}
    for k in ("calib", "heldout", "labels", "torch"):
        m[k] += ".npy"
    newer = max(os.path.getmtime(CHECKPOINT), os.path.getmtime(os.path.join(HERE, "bundled_sets.py")))
    if a.remake or not all(os.path.exists(p) and os.path.getmtime(p) >= newer for p in m.values()):
        log(f"  {BUNDLED}: ONNX export of {os.path.relpath(CHECKPOINT, ROOT)}, 100 calibration and 1,200 held-out "
            "images, PyTorch's logits")
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(os.path.join(ROOT, x) for x in ("converter", "training")))
        cp = subprocess.run([PY, os.path.join(HERE, "bundled_sets.py"), "--checkpoint", CHECKPOINT, "--onnx", m["onnx"],
                             "--calibration", m["calib"], "--heldout", m["heldout"], "--labels", m["labels"],
                             "--reference", m["torch"]], cwd=ROOT, capture_output=True, text=True, env=env)
        if cp.returncode != 0:
            raise Failure(f"bundled_sets failed: {(cp.stderr.strip().splitlines() or ['?'])[-1]}")
    return m


def incept_models(a, m, d) -> dict:
    files = {"fp32": os.path.join(d, f"{BUNDLED}.incept"), "int8": os.path.join(d, f"{BUNDLED}.int8.incept")}
    for kind, path in files.items():
        if a.remake or not os.path.exists(path) or os.path.getmtime(path) < os.path.getmtime(m["calib"]):
            extra = ["--quantize", "int8", "--calibration", m["calib"]] if kind == "int8" else []
            run([os.path.join(ROOT, "converter", "incept-convert"), "--arch", "inception_small", "--checkpoint",
                 CHECKPOINT, *extra, "-o", path, "-q"], f"incept-convert {BUNDLED} {kind}")
    return files


def bundled_accuracy(a, out: str) -> dict:
    """{"images", "pytorch": top1, "rows": {label: {"top1", "differ", "tool"} or {"error"}}}; written to OUT/int8."""
    d = os.path.join(out, "models")
    m = make_sets(a, d)
    labels, ref = np.load(m["labels"]), np.load(m["torch"]).argmax(1)
    outputs = os.path.join(out, "int8", "outputs")
    os.makedirs(outputs, exist_ok=True)
    result = {"images": int(len(labels)), "pytorch": float((ref == labels).mean()), "rows": {}}

    def score(label, logits_path, tool):
        y = np.load(logits_path).reshape(len(labels), -1).argmax(1)
        result["rows"][label] = {"top1": float((y == labels).mean()), "differ": int((y != ref).sum()), "tool": tool}
        r = result["rows"][label]
        log(f"  {BUNDLED}: {label:16s} held-out top-1 {r['top1']:.2%}, {r['differ']} of {len(labels)} predictions "
            "differ from PyTorch's")

    for rt in a.runtimes:
        try:
            if rt == "incept":
                for kind, path in incept_models(a, m, d).items():
                    y = os.path.join(outputs, f"{BUNDLED}.incept.{kind}.npy")
                    run([a.incept_run, path, "--input", m["heldout"], "--output", y, "-q", *a.incept_flag_list],
                        f"incept-run {BUNDLED} {kind}")
                    score(f"incept {kind}", y, "incept-convert" + (" --quantize int8" if kind == "int8" else ""))
                continue
            c = quantise_peer(a, BUNDLED, m, rt, out)
            if "error" in c:
                raise Failure(c["error"])
            y = os.path.join(outputs, f"{BUNDLED}.{rt}.int8.npy")
            run([venv_bin("python"), os.path.join(HERE, "peer_bench.py"), "--runtime", rt, c["path"], "--each",
                 m["heldout"], "--output", y], f"{NAMES[rt]} {BUNDLED} held-out images")
            score(f"{NAMES[rt]} int8", y, c["tool"])
        except (Failure, OSError, ValueError) as e:
            label = f"{NAMES[rt]} int8" if rt != "incept" else "incept"
            result["rows"][label] = {"error": str(e)}
            log(f"  {BUNDLED}: {label}: FAILED: {e}")
    path = os.path.join(out, "int8", "bundled.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=1)
    with open(os.path.join(out, "int8", "bundled.md"), "w") as f:
        f.write(markdown(result) + "\n")
    return result


def markdown(result) -> str:
    n = result["images"]
    lines = [f"| runtime | held-out top-1 ({n} images) | predictions unlike PyTorch's |", "|---|---:|---:|",
             f"| PyTorch float32 | {result['pytorch']:.2%} | - |"]
    for label, r in result["rows"].items():
        if "error" in r:
            lines.append(f"| {label} | - ({r['error'][:80]}) | - |")
        else:
            lines.append(f"| {label} | {r['top1']:.2%} | {r['differ']} |")
    return "\n".join(lines)
