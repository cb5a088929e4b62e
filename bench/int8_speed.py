# SPDX-License-Identifier: Apache-2.0
"""int8 against float32 on the same net: alternating incept-bench runs, per ISA cap and thread count.

    /usr/bin/python3 bench/int8_speed.py inception_v3=/tmp/v3.incept,/tmp/v3_int8.incept [NET=F32,INT8 ...]
        [--isas avx512vnni,avx2] [--threads 1,2] [--rounds 3] [--runs 10] [--bench build/release/bin/incept-bench]

Each round runs, for every net, `INCEPT_ISA=<isa> incept-bench <file> --threads <t> --runs <runs> --json` on the
float32 file, then on the int8 one (fresh processes, alternating, so drift on a shared machine hits both
alike); a figure is the median over the rounds of incept-bench's own median. Prints a Markdown table with the
ratio, the arena against float32's and against the int8 lower bound, and packed weights against float32's.
The README's int8 table is this script's output (float32 files from `incept-convert --arch <net>
--checkpoint <make_checkpoint --seed 0>`, int8 ones with `--quantize int8 --calibration <inputs.npy>`).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def bench(exe: str, path: str, isa: str, threads: int, runs: int) -> dict:
    env = dict(os.environ, INCEPT_ISA=isa)
    r = subprocess.run([exe, path, "--threads", str(threads), "--runs", str(runs), "--json"], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, check=False)
    if r.returncode != 0:
        sys.exit(f"int8_speed: {exe} {path} failed: {r.stderr.strip()}")
    return json.loads(r.stdout)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("nets", nargs="+", help="NAME=FLOAT32_FILE,INT8_FILE")
    p.add_argument("--isas", default="avx512vnni,avx2", help="INCEPT_ISA caps, comma-separated")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--runs", type=int, default=10)
    p.add_argument("--bench", default=str(REPO / "build/release/bin/incept-bench"))
    a = p.parse_args()
    nets = []
    for spec in a.nets:
        name, _, files = spec.partition("=")
        f32, _, q8 = files.partition(",")
        if not (name and f32 and q8):
            sys.exit(f"int8_speed: '{spec}' is not NAME=FLOAT32_FILE,INT8_FILE")
        nets.append((name, f32, q8))
    results = {}
    for isa in a.isas.split(","):
        for t in (int(x) for x in a.threads.split(",")):
            for r in range(a.rounds):
                for name, f32, q8 in nets:
                    for prec, path in (("float32", f32), ("int8", q8)):
                        results.setdefault((isa, t, name, prec), []).append(bench(a.bench, path, isa, t, a.runs))
                print(f"  {isa}, {t} thread(s): round {r + 1} of {a.rounds}", file=sys.stderr)
    print("| ISA cap | threads | net | float32 ms | int8 ms | int8 / float32 | arena int8 / float32 "
          "| int8 arena / lower bound | packed int8 / float32 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for isa in a.isas.split(","):
        for t in (int(x) for x in a.threads.split(",")):
            for name, _, _ in nets:
                f, q = results[(isa, t, name, "float32")], results[(isa, t, name, "int8")]
                fm, qm = statistics.median(x["median_ms"] for x in f), statistics.median(x["median_ms"] for x in q)
                print(f"| {isa} | {t} | {name} | {fm:.2f} | {qm:.2f} | {qm / fm:.3f} "
                      f"| {q[0]['arena_bytes'] / f[0]['arena_bytes']:.3f} "
                      f"| {q[0]['arena_bytes'] / q[0]['arena_lower_bound_bytes']:.3f} "
                      f"| {q[0]['packed_weights_bytes'] / f[0]['packed_weights_bytes']:.3f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
