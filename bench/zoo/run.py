# SPDX-License-Identifier: Apache-2.0
"""The whole family in one table: for every zoo net, a seeded checkpoint (1000 classes, perturbed BatchNorm
statistics; incept_convert.make_checkpoint) is converted from .pth, run by incept-run against PyTorch's logits
on a seeded input, and measured by incept-bench --json (plan and latency).

    /usr/bin/python3 bench/zoo/run.py [--nets a,b] [--threads 1] [--runs 5] [--out build/bench-zoo]

Columns: params (from the converter), GFLOP per image, arena and its lower bound (max live bytes over the
steps; ratio 1.000 = no plan can use less), max |diff| / max |logit| against PyTorch, top-5
identical, median latency. Writes results.json and table.md into --out.
"""

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "converter"))
PY = "/usr/bin/python3"


def sh(*args) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env={"PYTHONPATH": str(REPO / "converter"), "PATH": "/usr/bin:/bin"})
    if proc.returncode != 0:
        sys.exit(f"bench/zoo: {' '.join(map(str, args[:3]))} failed:\n{proc.stderr.strip()}")
    return proc


def main() -> int:
    from incept_convert import zoo
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--nets", default=",".join(zoo.SPECS), help="comma-separated zoo names (default: all)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--bin", default=str(REPO / "build/release/bin"))
    p.add_argument("--out", default=str(REPO / "build/bench-zoo"))
    a = p.parse_args()
    out, bin_dir = Path(a.out), Path(a.bin)
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for seed, net in enumerate(a.nets.split(","), start=100):
        d = out / net
        d.mkdir(exist_ok=True)
        print(f"bench/zoo: {net} ...", file=sys.stderr, flush=True)
        sh(PY, "-m", "incept_convert.make_checkpoint", "--arch", net, "--seed", seed, "-o", d / "model.pth",
           "--input", d / "x.npy", "--reference", d / "ref.npy")
        conv = sh(REPO / "converter/incept-convert", "--arch", net, "--checkpoint", d / "model.pth",
                  "-o", d / "m.incept")
        params = float(re.search(r"([0-9.]+)M params", conv.stdout).group(1))
        sh(bin_dir / "incept-run", d / "m.incept", "--input", d / "x.npy", "--output", d / "y.npy", "-q")
        y, ref = np.load(d / "y.npy").astype(np.float64), np.load(d / "ref.npy").astype(np.float64)
        rel = float(np.abs(y - ref).max() / np.abs(ref).max())
        top5 = bool((np.argsort(-y[0])[:5] == np.argsort(-ref[0])[:5]).all())
        bench = json.loads(sh(bin_dir / "incept-bench", d / "m.incept", "--json", "--threads", a.threads,
                              "--runs", a.runs).stdout)
        rows.append({"net": net, "input": zoo.SPECS[net].input_size, "params_m": params, "gflop": bench["gflop"],
                     "arena_bytes": bench["arena_bytes"], "lower_bound_bytes": bench["arena_lower_bound_bytes"],
                     "arena_ratio": bench["arena_ratio"], "max_rel_diff": rel, "top5_identical": top5,
                     "median_ms": bench["median_ms"], "threads": a.threads})
    (out / "results.json").write_text(json.dumps(rows, indent=1))
    lines = ["| net | input | params (M) | GFLOP | arena (MiB) | lower bound (MiB) | ratio | max diff / max logit "
             "| top-5 | median ms |", "|---" * 10 + "|"]
    for r in rows:
        lines.append(f"| {r['net']} | {r['input']} | {r['params_m']:.2f} | {r['gflop']:.2f} | "
                     f"{r['arena_bytes'] / 2**20:.2f} | {r['lower_bound_bytes'] / 2**20:.2f} | "
                     f"{r['arena_ratio']:.3f} | {r['max_rel_diff']:.1e} | "
                     f"{'same' if r['top5_identical'] else 'DIFFER'} | {r['median_ms']:.1f} |")
    (out / "table.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0 if all(r["max_rel_diff"] <= 1e-4 and r["top5_identical"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
