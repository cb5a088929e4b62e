# SPDX-License-Identifier: Apache-2.0
"""What narrow weight storage costs: file size and output change of float16 and int8 weights against the
float32 file, on the four large nets (seeded checkpoints) and 100 seeded inputs.

    /usr/bin/python3 bench/weights_cost.py [--nets googlenet,inception_v3,inception_v4,inception_resnet_v2]
        [--inputs 100] [--models build/peers/models] [--out build/weights-cost] [--incept-run PATH]
    /usr/bin/python3 bench/weights_cost.py --speed [--rounds 3] [--runs 20] [--threads 1] [--nets ...]

Per net: the checkpoint NET.pth in --models (made with make_checkpoint --seed 0 when missing, as
bench/peers/run.sh makes it), converted four ways: fp32, fp16, int8, and int8 with the first conv and the
classifier kept float32 (int8-ends: the variant the converter does not make, measured to decide whether it
should). Each file runs the same N(0, 1) inputs (seed 1) through incept-run; against the fp32 file's
logits: max |diff| / max |logit| per input (the worst and the median over inputs), top-1 agreement and
identical top-5 sets. Prints a Markdown table and writes OUT/results.json. The nets' weights are seeded,
not trained: the logits of trained nets are more peaked, so agreement there is usually higher.

--speed instead times the fp32, fp16 and int8 files already in --out with incept-bench (--json), in
alternating order within each round: load + prepare, the steady-state median and the peak RSS (VmHWM,
which prepare sets: widening and packing happen there), as medians over rounds and ratios to fp32.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "converter"))

from incept_convert import cli, storage, writer  # noqa: E402

SIZES = {"googlenet": 224, "inception_v3": 299, "inception_v4": 299, "inception_resnet_v2": 299}
VARIANTS = ("fp32", "fp16", "int8", "int8-ends")


def log(msg: str) -> None:
    print(msg, flush=True)


def checkpoint(models: Path, net: str) -> Path:
    pth = models / f"{net}.pth"
    if not pth.exists():
        models.mkdir(parents=True, exist_ok=True)
        log(f"  making {pth} (seeded checkpoint)")
        subprocess.run(["/usr/bin/python3", "-m", "incept_convert.make_checkpoint", "--arch", net, "--seed", "0",
                        "-o", str(pth)], check=True, cwd=REPO, env={"PYTHONPATH": str(REPO / "converter")})
    return pth


def convert(net: str, pth: Path, variant: str, out: Path) -> int:
    """Writes the variant's file; returns its size in bytes."""
    args = cli.build_parser().parse_args(["--arch", net, "--checkpoint", str(pth), "-o", str(out)])
    cli._check_args(args)
    g = cli.convert(args)
    if variant == "int8-ends":
        weights = storage.weight_tensors(g)
        storage.narrow_weights(g, "int8", keep_fp32=(weights[0].name, weights[-1].name))
    else:
        storage.narrow_weights(g, variant)
    data = writer.serialize(g)
    writer.write_atomic(str(out), data)
    return len(data)


def run(incept_run: str, model: Path, x_path: Path, y_path: Path) -> np.ndarray:
    subprocess.run([incept_run, str(model), "--input", str(x_path), "--output", str(y_path), "--threads", "2", "-q"],
                   check=True)
    return np.load(y_path)


def compare(y: np.ndarray, ref: np.ndarray) -> dict:
    y, ref = y.reshape(len(ref), -1).astype(np.float64), ref.reshape(len(ref), -1).astype(np.float64)
    rel = np.abs(y - ref).max(axis=1) / np.abs(ref).max(axis=1)
    top5 = [set(np.argsort(-a)[:5]) == set(np.argsort(-b)[:5]) for a, b in zip(y, ref)]
    return {"rel_max": float(rel.max()), "rel_median": float(np.median(rel)),
            "top1": float((y.argmax(1) == ref.argmax(1)).mean()), "top5": float(np.mean(top5))}


def speed(a) -> int:
    out, bench = Path(a.out), str(Path(a.incept_run).with_name("incept-bench"))
    rows = {}
    for net in a.nets.split(","):
        got = {v: [] for v in ("fp32", "fp16", "int8")}
        for r in range(a.rounds):
            order = list(got) if r % 2 == 0 else list(reversed(got))
            for v in order:
                proc = subprocess.run([bench, str(out / f"{net}.{v}.incept"), "--json", "--runs", str(a.runs),
                                       "--threads", str(a.threads)], check=True, stdout=subprocess.PIPE, text=True)
                got[v].append(json.loads(proc.stdout))
        med = lambda v, k: float(np.median([j[k] for j in got[v]]))   # noqa: E731
        rows[net] = {v: {"load_prepare_ms": float(np.median([j["load_ms"] + j["prepare_ms"] for j in got[v]])),
                         "median_ms": med(v, "median_ms"), "peak_rss_mib": med(v, "peak_rss_bytes") / 2**20,
                         "weights_mib": med(v, "weights_bytes") / 2**20} for v in got}
        log(f"== {net}: {rows[net]}")
    (out / "speed.json").write_text(json.dumps(rows, indent=1))
    log(f"\n| net | weights | file weights MiB | load+prepare ms | median ms ({a.threads} thread(s)) | x fp32 | "
        "peak RSS MiB | x fp32 |")
    log("|---|---|---|---|---|---|---|---|")
    for net, row in rows.items():
        for v, r in row.items():
            log(f"| {net} | {v} | {r['weights_mib']:.1f} | {r['load_prepare_ms']:.0f} | {r['median_ms']:.2f} | "
                f"{r['median_ms'] / row['fp32']['median_ms']:.3f} | {r['peak_rss_mib']:.1f} | "
                f"{r['peak_rss_mib'] / row['fp32']['peak_rss_mib']:.3f} |")
    return 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--nets", default=",".join(SIZES))
    p.add_argument("--inputs", type=int, default=100)
    p.add_argument("--models", default=str(REPO / "build/peers/models"))
    p.add_argument("--out", default=str(REPO / "build/weights-cost"))
    p.add_argument("--incept-run", default=str(REPO / "build/release/bin/incept-run"))
    p.add_argument("--speed", action="store_true", help="time the files made before (see above)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--threads", type=int, default=1)
    a = p.parse_args(argv)
    if a.speed:
        return speed(a)
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    results = {}
    for net in a.nets.split(","):
        log(f"== {net}")
        pth = checkpoint(Path(a.models), net)
        s = SIZES[net]
        x = np.random.default_rng(1).standard_normal((a.inputs, 3, s, s)).astype(np.float32)
        with tempfile.TemporaryDirectory() as d:
            x_path = Path(d) / "x.npy"
            np.save(x_path, x)
            row, ref = {}, None
            for variant in VARIANTS:
                model = out / f"{net}.{variant}.incept"
                size = convert(net, pth, variant, model)
                y = run(a.incept_run, model, x_path, Path(d) / "y.npy")
                if ref is None:
                    ref = y
                row[variant] = {"bytes": size, **compare(y, ref)}
                log(f"  {variant:9s} {size / 2**20:8.1f} MiB  {row[variant]}")
            results[net] = row
    (out / "results.json").write_text(json.dumps(results, indent=1))
    log("\n| net | weights | file MiB | x fp32 | max abs diff / max logit (worst, median) | top-1 same | top-5 same |")
    log("|---|---|---|---|---|---|---|")
    for net, row in results.items():
        for variant, r in row.items():
            log(f"| {net} | {variant} | {r['bytes'] / 2**20:.1f} | {r['bytes'] / row['fp32']['bytes']:.3f} | "
                f"{r['rel_max']:.2e}, {r['rel_median']:.2e} | {r['top1']:.0%} | {r['top5']:.0%} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
