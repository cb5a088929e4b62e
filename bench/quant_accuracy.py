# SPDX-License-Identifier: Apache-2.0
"""Accuracy of post-training int8 quantisation (incept-convert --quantize int8), measured with the int8
reference executor (converter/incept_convert/quant/reference.py) before any int8 kernel exists.

    /usr/bin/python3 bench/quant_accuracy.py [--calibrators minmax,percentile,entropy] [--threads 1]
        [--small-calib 100] [--small-test 1200] [--nets googlenet,inception_v3,inception_v4,inception_resnet_v2]
        [--net-calib 8] [--net-test 8] [--runtime build/release/bin]

Bundled model (models/inception_small/model.pth): calibrated on the first --small-calib images of the
synthetic dataset's training split, tested on the first --small-test of its held-out split (seed 0, 96x96,
12 classes, as evaluate.py renders them). Prints fp32 top-1 (the float graph after the passes, float32
weights), int8 top-1 and the prediction agreement, per calibrator.
Large nets (seeded checkpoints: make_checkpoint.build(arch, seed) with the test suite's seeds, perturbed
BatchNorm statistics): calibrated on --net-calib N(0, 1) inputs (seed 101), tested on --net-test others
(seed 202): int8 vs fp32 logits, the mean cosine similarity, the worst max |diff| / max |logit| and top-1
agreement, per calibrator, with the median lead of fp32's top-1 over its second logit (in units of max
|logit|): where it is below the int8 error, top-1 agreement says little. Calibration statistics are
collected once per net; each calibrator then assigns its own ranges. --nets '' skips the large nets,
--small-test 0 the bundled model.
With --runtime BIN_DIR the int8 logits come from the runtime instead (each calibrator's file written as
incept-convert writes it, run by BIN_DIR/incept-run on the test inputs): its kernels write the reference's
bytes, and it runs the full-size nets on 100 inputs in seconds where the Python reference takes minutes.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "converter"))
sys.path.insert(0, str(REPO / "training"))

SEEDS = {"googlenet": 11, "inception_v3": 12, "inception_v4": 16, "inception_resnet_v2": 17}


def graph_of(arch: str, checkpoint: str):
    from incept_convert import cli
    args = cli.build_parser().parse_args(["--arch", arch, "--checkpoint", checkpoint, "-o", "unused.incept"])
    cli._check_args(args)
    return cli.convert(args)


def batched(fn, x, batch=50):
    return np.concatenate([fn(x[i:i + batch]) for i in range(0, len(x), batch)])


def runtime_logits(g, test, bin_dir):
    """g's logits on `test` (NCHW) from bin_dir/incept-run on the file incept-convert would write."""
    from incept_convert import writer
    with tempfile.TemporaryDirectory() as d:
        model, x, y = (str(Path(d) / n) for n in ("model.incept", "x.npy", "y.npy"))
        writer.write_atomic(model, writer.serialize(g))
        np.save(x, test)
        subprocess.run([str(Path(bin_dir) / "incept-run"), model, "--input", x, "--output", y, "-q"], check=True,
                       env=dict(os.environ))
        return np.load(y).reshape(len(test), -1)


def quantised_runs(g, cal, test, calibrators, bin_dir=None):
    """fp32 logits, then {calibrator: int8 logits} on `test` (from the runtime where bin_dir is given)."""
    from incept_convert import storage
    from incept_convert.quant import floatrun, observe, reference, scheme
    fp32 = batched(lambda b: floatrun.Runner(g).run(b)[0], test)
    storage.narrow_weights(g, "int8")
    stats = observe.collect(g, cal, progress=False)
    out = {}
    for c in calibrators:
        t = time.time()
        scheme.assign(g, stats, c)
        if bin_dir is not None:
            out[c] = runtime_logits(g, test, bin_dir)
        else:
            ref = reference.Reference(g)
            out[c] = batched(lambda b: ref.run(b)[0], test)
        print(f"  {c}: int8 {'runtime' if bin_dir else 'reference'} over {len(test)} inputs in "
              f"{time.time() - t:.0f} s", file=sys.stderr)
    return fp32, out


def small(a, calibrators):
    from incept_convert import torch_import
    from incept_train import evaluate
    spec = torch_import.ARCHITECTURES["inception_small"]
    t = time.time()
    g = graph_of("inception_small", str(REPO / "models/inception_small/model.pth"))
    cal = training_images(a.small_calib, spec)
    x, y = evaluate.heldout(a.small_test, 0, spec.input_size, 12, spec.mean, spec.std)
    fp32, q = quantised_runs(g, cal, x, calibrators, a.runtime)
    pf = fp32.argmax(1)
    print(f"\ninception_small (bundled model), calibrated on {a.small_calib} training images, tested on "
          f"{a.small_test} held-out images ({time.time() - t:.0f} s)\n")
    print("| calibrator | fp32 top-1 | int8 top-1 | top-1 agreement | logits cosine (mean) | max abs diff / max logit "
          "(median, worst) |\n|---|---|---|---|---|---|")
    for c, logits in q.items():
        pq = logits.argmax(1)
        cos, rel = compare(logits, fp32)
        print(f"| {c} | {(pf == y).mean():.2%} | {(pq == y).mean():.2%} | {(pq == pf).mean():.2%} | {cos.mean():.4f} | "
              f"{np.median(rel):.3f}, {rel.max():.3f} |")


def compare(y, ref):
    """Per input: cosine similarity of y to ref, and max |y - ref| / max |ref|."""
    cos = (y * ref).sum(1) / (np.linalg.norm(y, axis=1) * np.linalg.norm(ref, axis=1))
    return cos, np.abs(y - ref).max(1) / np.abs(ref).max(1)


def training_images(count, spec):
    from incept_train import synthetic
    m, s = np.asarray(spec.mean, np.float32).reshape(3, 1, 1), np.asarray(spec.std, np.float32).reshape(3, 1, 1)
    xs = np.empty((count, 3, spec.input_size, spec.input_size), np.float32)
    for i in range(count):
        image, _ = synthetic.sample(0, "train", i, spec.input_size, 12)
        xs[i] = (image.transpose(2, 0, 1).astype(np.float32) / 255.0 - m) / s
    return xs


def large(a, calibrators):
    import torch
    from incept_convert import make_checkpoint, torch_import
    print("\n| net | calibrator | cosine (mean) | max abs diff / max logit (worst) | top-1 agreement "
          "| fp32 top-1 margin (median) |\n|---|---|---|---|---|---|")
    for arch in [n for n in a.nets.split(",") if n]:
        t = time.time()
        size = torch_import.ARCHITECTURES[arch].input_size
        with tempfile.TemporaryDirectory() as d:
            path = str(Path(d) / f"{arch}.pth")
            torch.save(make_checkpoint.build(arch, SEEDS[arch]).state_dict(), path)
            g = graph_of(arch, path)
        cal = np.random.default_rng(101).standard_normal((a.net_calib, 3, size, size)).astype(np.float32)
        test = np.random.default_rng(202).standard_normal((a.net_test, 3, size, size)).astype(np.float32)
        fp32, q = quantised_runs(g, cal, test, calibrators, a.runtime)
        top2 = np.sort(fp32, axis=1)[:, -2:]
        margin = (top2[:, 1] - top2[:, 0]) / np.abs(fp32).max(1)   # how far top-1 leads, in units of max |logit|
        for c, y in q.items():
            cos, rel = compare(y, fp32)
            agree = (y.argmax(1) == fp32.argmax(1)).mean()
            print(f"| {arch} | {c} | {cos.mean():.4f} | {rel.max():.3f} | {agree:.0%} | {np.median(margin):.3f} |",
                  flush=True)
        print(f"  {arch}: {time.time() - t:.0f} s", file=sys.stderr)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--calibrators", default="minmax,percentile,entropy")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--small-calib", type=int, default=100)
    p.add_argument("--small-test", type=int, default=1200)
    p.add_argument("--nets", default="googlenet,inception_v3,inception_v4,inception_resnet_v2")
    p.add_argument("--net-calib", type=int, default=8)
    p.add_argument("--net-test", type=int, default=8)
    p.add_argument("--runtime", metavar="BIN_DIR", default=None,
                   help="int8 logits from BIN_DIR/incept-run instead of the Python reference")
    a = p.parse_args(argv)
    import torch
    import warnings
    warnings.filterwarnings("ignore")
    torch.set_num_threads(a.threads)
    calibrators = a.calibrators.split(",")
    if a.small_test > 0:
        small(a, calibrators)
    if a.nets:
        large(a, calibrators)
    return 0


if __name__ == "__main__":
    sys.exit(main())
