#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The measurements behind the Winograd rule (ops/conv2d/conv2d_winograd.cc, winograd_choice): every conv
of each model timed in the network, as it runs in use (weights streaming from memory, not cache-warm as
in incept_bench_ops), with Winograd wherever it can run (INCEPT_WINOGRAD=all: F(4x4,3x3) for 3x3 on maps
over 8; INCEPT_WINOGRAD=all-f2x2: F(2x2,3x3) for every 3x3) against every conv direct (--no-winograd), in
alternating rounds of `incept-bench --profile --json`; one more run per round records what the rule
picks. One row per distinct layer shape: layers, median ms direct and per Winograd tile (summed over the
layers), the speed-ups, the weight bytes each tile adds over direct, and the rule's choice.

    /usr/bin/python3 bench/winograd_rule.py build/peers/models/{googlenet,inception_v3}.incept \\
        [--threads 1] [--rounds 3] [--runs 15] [--bin build/release/bin]

Numbers come with the CPU they were measured on (printed first); see ops/README.md for the table the
current rule was built from.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

TAPS = {"k3x3": 9, "k1x7": 7, "k7x1": 7, "k1x3": 3, "k3x1": 3}
POINTS = {"f4x4k3x3": 36, "f2x2k3x3": 16, "f1x2k1x7": 8, "f2x1k7x1": 8, "f1x4k1x3": 6, "f4x1k3x1": 6}


def profile(bench: Path, model: str, threads: int, runs: int, mode: str) -> dict:
    env = dict(os.environ)
    flags = []
    if mode in ("all", "all-f2x2"):
        env["INCEPT_WINOGRAD"] = mode
    elif mode == "off":
        flags = ["--no-winograd"]
    else:
        env.pop("INCEPT_WINOGRAD", None)
    proc = subprocess.run([str(bench), model, "--threads", str(threads), "--runs", str(runs), "--profile", "--json",
                           *flags], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    if proc.returncode != 0:
        sys.exit(f"winograd_rule: incept-bench failed on {model}: {proc.stderr.strip()}")
    return json.loads(proc.stdout)


def variant_of(kernel: str) -> str:
    prefix = "conv2d_f32_winograd_"
    return kernel[len(prefix):].split("_")[0] if kernel.startswith(prefix) else ""


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("models", nargs="+", help=".incept files")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--runs", type=int, default=15, help="timed inferences per incept-bench run")
    p.add_argument("--bin", default=str(Path(__file__).resolve().parents[1] / "build" / "release" / "bin"))
    a = p.parse_args()
    bench = Path(a.bin) / "incept-bench"
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name")), "?")
    print(f"CPU: {cpu}; {a.threads} thread(s); medians over {a.rounds} rounds of {a.runs} runs\n")
    print("| net | variant | output | Cin -> Cout | layers | direct ms | Winograd ms (x direct, + MiB) | "
          "F(2x2) ms (x direct, + MiB) | rule |")
    print("|---|---|---|---|---|---|---|---|---|")
    for model in a.models:
        rounds = {"all": [], "all-f2x2": [], "off": [], "rule": []}
        for _ in range(a.rounds):
            for mode in rounds:
                rounds[mode].append(profile(bench, model, a.threads, a.runs, mode))
        ops_all = rounds["all"][0]["ops"]
        rows = {}
        for i, op in enumerate(ops_all):
            variant = variant_of(op["kernel"])
            if not variant:
                continue
            oh, ow, cout = op["output_shape"][1:]
            taps = TAPS[variant[-4:]]
            cin = round(op["gflop"] * 1e9 / (2.0 * oh * ow * cout * taps))
            key = (variant, f"{oh}x{ow}", f"{cin} -> {cout}")
            r = rows.setdefault(key, {"layers": 0, "on": 0.0, "off": 0.0, "small": 0.0, "extra": 0.0,
                                      "extra_small": 0.0, "rule": set()})
            ms = lambda mode: statistics.median(run["ops"][i]["median_ms"] for run in rounds[mode])  # noqa: E731
            r["layers"] += 1
            r["on"] += ms("all")
            r["off"] += ms("off")
            r["extra"] += cin * cout * (POINTS[variant] - taps) * 4 / 2**20
            if taps == 9:
                r["small"] += ms("all-f2x2")
                r["extra_small"] += cin * cout * (POINTS["f2x2k3x3"] - taps) * 4 / 2**20
            r["rule"].add(variant_of(rounds["rule"][0]["ops"][i]["kernel"]) or "direct")
        name = rounds["all"][0]["architecture"] or Path(model).stem
        for (variant, out, ch), r in rows.items():
            small = (f"{r['small']:.3f} ({r['off'] / r['small']:.2f}x, +{r['extra_small']:.1f})" if r["small"] > 0
                     else "-")
            print(f"| {name} | {variant} | {out} | {ch} | {r['layers']} | {r['off']:.3f} | "
                  f"{r['on']:.3f} ({r['off'] / r['on']:.2f}x, +{r['extra']:.1f}) | {small} | "
                  f"{', '.join(sorted(r['rule']))} |")
        total = {m: statistics.median(run["median_ms"] for run in rounds[m]) for m in rounds}
        print(f"| {name} | whole net | | | | {total['off']:.2f} | all {total['all']:.2f}, rule {total['rule']:.2f} "
              f"({total['off'] / total['rule']:.2f}x) | all {total['all-f2x2']:.2f} | |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
