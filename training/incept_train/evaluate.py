# SPDX-License-Identifier: Apache-2.0
"""Held-out accuracy of a checkpoint in PyTorch and of its incept conversion, on the same images.

    python3 -m incept_train.evaluate --arch inception_small --checkpoint models/inception_small/model.pth \\
        --model build/demo/inception_small.incept [--incept-run build/release/bin/incept-run]

The held-out split of the built-in synthetic dataset (synthetic.py; seed, size, classes and count as the
default model was trained with) is rendered once; PyTorch runs the eval-mode zoo net on it, and incept runs the
converted file on the same float32 NCHW batch, image by image: through the Python module (`import incept`, from
$INCEPT_PYTHON_DIR, else the release build's build/release/python, else an installed one), which reads the
arrays where they are (1200 images: 0.7 x the time of writing them to an .npy for one incept-run), or through
incept-run where the module is not built or --incept-run names the tool. Both top-1 accuracies are printed with the
number of images where the two disagree; exit code 1 if the accuracies differ (or, with --max-drop P,
if incept's is more than P points below PyTorch's: for files with narrow weights), 2 on a usage error.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from incept_convert.errors import ConvertError

PROG = "python3 -m incept_train.evaluate"
REPO = Path(__file__).resolve().parents[2]


def heldout(count: int, seed: int, size: int, classes: int, mean, std):
    """(x [count, 3, size, size] float32 normalised, labels [count])."""
    from . import synthetic
    xs, ys = np.empty((count, 3, size, size), np.float32), np.empty(count, np.int64)
    m, s = np.asarray(mean, np.float32).reshape(3, 1, 1), np.asarray(std, np.float32).reshape(3, 1, 1)
    for i in range(count):
        image, label = synthetic.sample(seed, "val", i, size, classes)
        xs[i] = (image.transpose(2, 0, 1).astype(np.float32) / 255.0 - m) / s
        ys[i] = label
    return xs, ys


def torch_logits(arch: str, checkpoint: str, x: np.ndarray) -> np.ndarray:
    import torch
    from incept_convert import torch_import
    state = torch_import.load_state_dict(checkpoint)
    model = torch_import.build_model(arch, num_classes=torch_import.class_count(arch, state, checkpoint))
    model.load_state_dict(torch_import.check_state_dict(arch, state, model.state_dict(), checkpoint))
    model.eval()
    with torch.no_grad():
        return torch.cat([model(torch.from_numpy(x[i:i + 100])) for i in range(0, len(x), 100)]).numpy()


def incept_module():
    """The incept Python module, or None where it is not built."""
    where = Path(os.environ.get("INCEPT_PYTHON_DIR", REPO / "build" / "release" / "python"))
    if (where / "incept").is_dir() and str(where) not in sys.path:
        sys.path.insert(0, str(where))
    try:
        import incept
        return incept
    except ImportError:
        return None


def module_logits(incept, model: str, x: np.ndarray) -> np.ndarray:
    try:
        with incept.Interpreter(model) as it:
            out = np.empty((len(x), *it.output_shapes[0][1:]), np.float32)
            for i in range(len(x)):
                it.run(x[i:i + 1], layout="nchw", out=out[i:i + 1])
            return out
    except incept.Error as e:
        raise ConvertError(f"incept: {e}") from None


def incept_logits(incept_run: str, model: str, x: np.ndarray) -> np.ndarray:
    with tempfile.TemporaryDirectory() as d:
        np.save(Path(d) / "x.npy", x)
        proc = subprocess.run([incept_run, model, "--input", str(Path(d) / "x.npy"), "--output", str(Path(d) / "y.npy"),
                               "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            raise ConvertError(f"{incept_run} failed: {proc.stderr.strip()}")
        return np.load(Path(d) / "y.npy")


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    p.add_argument("--arch", required=True, help="zoo net of the checkpoint")
    p.add_argument("--checkpoint", required=True, metavar="X.pth")
    p.add_argument("--model", required=True, metavar="M.incept", help="its conversion")
    p.add_argument("--incept-run", metavar="PATH",
                   help="run the model with this incept-run (default: the Python module, else "
                        "build/release/bin/incept-run)")
    p.add_argument("--count", type=int, default=1200, help="held-out images (default 1200, as trained)")
    p.add_argument("--seed", type=int, default=0, help="dataset seed (default 0)")
    p.add_argument("--classes", type=int, default=12)
    p.add_argument("--max-drop", type=float, metavar="P",
                   help="accept incept's accuracy up to P percentage points below PyTorch's (a file converted "
                        "with --weights fp16 or int8); default: the two must be equal")
    a = p.parse_args(argv)
    from incept_convert import torch_import
    try:
        spec = torch_import.ARCHITECTURES.get(a.arch)
        if spec is None:
            raise ConvertError(f"unknown architecture '{a.arch}'")
        x, y = heldout(a.count, a.seed, spec.input_size, a.classes, spec.mean, spec.std)
        pt = torch_logits(a.arch, a.checkpoint, x).argmax(1)
        module = None if a.incept_run else incept_module()
        if module is not None:
            ic = module_logits(module, a.model, x).argmax(1)
        else:
            ic = incept_logits(a.incept_run or str(REPO / "build/release/bin/incept-run"), a.model, x).argmax(1)
    except ConvertError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    acc_pt, acc_ic = float((pt == y).mean()), float((ic == y).mean())
    print(f"held-out top-1 on {a.count} images: PyTorch {acc_pt:.2%} ({int((pt == y).sum())} right), "
          f"incept {acc_ic:.2%} ({int((ic == y).sum())} right); predictions differ on {int((pt != ic).sum())} images")
    if a.max_drop is not None:
        return 0 if (acc_pt - acc_ic) * 100 <= a.max_drop + 1e-9 else 1
    return 0 if acc_pt == acc_ic else 1


if __name__ == "__main__":
    sys.exit(main())
