# SPDX-License-Identifier: Apache-2.0
"""incept vs ONNX Runtime on the same nets, same weights, same input, same machine, one session.

Driven by bench/peers/run.sh (which installs onnxruntime-node first); see bench/peers/README.md.
Phases: 1 models (seeded torchvision checkpoint -> .incept and BN-folded opset-13 .onnx),
2 check (both runtimes run x.npy once per net x threads; outputs compared; run counts calibrated),
3 rounds (per round, per net x threads: incept-bench then ort_bench.mjs, the order flipped every
round), 4 report (table on stdout, results.json, chart.svg).
"""

import argparse
import datetime
import importlib.util
import json
import math
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time

from machine_load import QuietWaiter, background_cores, cpu_sample  # noqa: E402  (same folder)
from peers_report import BUSY_CORES, cpu_model, summarise, table  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PY = "/usr/bin/python3"          # Debian's Python, with torch / torchvision / onnx
NODE = os.environ.get("NODE", "node")
INPUT_SIZE = {"googlenet": 224, "inception_v3": 299, "inception_v4": 299, "inception_resnet_v2": 299}
STEP_TIMEOUT_S = 900


class Failure(Exception):
    """One clear line for the user; run.sh prints it and exits 1."""


def log(msg: str) -> None:
    print(msg, flush=True)


def csv(kind, cast=str):
    def parse(s: str):
        try:
            items = [cast(x.strip()) for x in s.split(",") if x.strip()]
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a comma-separated list of {kind}: '{s}'") from None
        if not items:
            raise argparse.ArgumentTypeError(f"empty list of {kind}")
        return items
    return parse


def parse_args(argv):
    p = argparse.ArgumentParser(prog="bench/peers/run.sh", description=__doc__.split("\n\n")[0])
    p.add_argument("--nets", type=csv("nets"), default=list(INPUT_SIZE),
                   help="comma-separated: googlenet, inception_v3, inception_v4, inception_resnet_v2 (default: all four)")
    p.add_argument("--threads", type=csv("thread counts", int), default=[1, 2], help="default 1,2")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds (default 3)")
    p.add_argument("--out", default="build/peers", help="output folder (default build/peers)")
    p.add_argument("--runs", type=int, help="timed runs per measurement (default: calibrated, see --target-s)")
    p.add_argument("--warmup", type=int, help="untimed runs after the first (default: runs/10, at least 2)")
    p.add_argument("--target-s", type=float, default=10.0,
                   help="calibration: timed runs per measurement take about this long for the slowest "
                        "runtime x thread count in the check phase (default 10; runs clamped to 5..300)")
    p.add_argument("--runtimes", type=csv("runtimes"), default=["incept", "ort"],
                   help="incept,ort (default); 'ort' alone measures ONNX Runtime only")
    p.add_argument("--incept-bench", metavar="PATH", default=os.environ.get("INCEPT_BENCH", "build/release/bin/incept-bench"),
                   help="default $INCEPT_BENCH or build/release/bin/incept-bench")
    p.add_argument("--incept-run", metavar="PATH", default=os.environ.get("INCEPT_RUN", "build/release/bin/incept-run"),
                   help="for the output check; default $INCEPT_RUN or build/release/bin/incept-run")
    p.add_argument("--incept-flags", default="", metavar="FLAGS",
                   help="extra interpreter flags for incept-bench and incept-run, e.g. '--no-winograd' "
                        "(default: none; Winograd on)")
    p.add_argument("--remake", action="store_true", help="re-make checkpoints, ONNX exports and inputs")
    p.add_argument("--wait-quiet", type=float, default=60.0, metavar="S",
                   help="before each measurement wait up to 10 s for other processes to leave the CPUs idle; at "
                        "most S seconds of waiting in all (default 60; 0: never wait)")
    a = p.parse_args(argv)
    for n in a.nets:
        if n not in INPUT_SIZE:
            p.error(f"unknown net '{n}'; choose from {', '.join(INPUT_SIZE)}")
    for r in a.runtimes:
        if r not in ("incept", "ort"):
            p.error(f"unknown runtime '{r}'; choose from incept, ort")
    if any(t < 1 for t in a.threads):
        p.error("--threads must be >= 1")
    if a.rounds < 1 or (a.runs is not None and a.runs < 1) or (a.warmup is not None and a.warmup < 0):
        p.error("--rounds and --runs must be >= 1, --warmup >= 0")
    a.threads = sorted(set(a.threads))
    a.incept_flag_list = shlex.split(a.incept_flags)
    return a


def run(cmd, what: str, timeout=STEP_TIMEOUT_S) -> subprocess.CompletedProcess:
    try:
        cp = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure(f"{what}: timed out after {timeout} s ({' '.join(cmd)})") from None
    if cp.returncode != 0:
        tail = (cp.stderr.strip() or cp.stdout.strip()).splitlines()[-1:] or ["(no output)"]
        raise Failure(f"{what} failed (exit {cp.returncode}): {tail[0]}")
    return cp


def last_json(text: str, what: str) -> dict:
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    for line in reversed(text.strip().splitlines()):
        if line.lstrip().startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                break
    raise Failure(f"{what}: no JSON object on stdout")


def newest_mtime(paths) -> float:
    m = 0.0
    for base in paths:
        for dirpath, _, files in os.walk(os.path.join(ROOT, base)):
            for f in files:
                if f.endswith((".py", ".fbs")):
                    m = max(m, os.path.getmtime(os.path.join(dirpath, f)))
    return m


def binary_stamp(path: str):
    """Identifies a build of a binary, to notice a rebuild by someone else in the middle of a run."""
    try:
        st = os.stat(os.path.join(ROOT, path))
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


# ---------------------------------------------------------------------------------------------- phases

def preflight(a) -> None:
    if "incept" in a.runtimes:
        for path, name in ((a.incept_bench, "incept-bench"), (a.incept_run, "incept-run")):
            if not os.access(os.path.join(ROOT, path), os.X_OK):
                raise Failure(f"{path} not found: build it first with `cmake --build --preset release` "
                              f"(or measure ONNX Runtime alone with --runtimes ort)")
    for mod in ("numpy", "torch", "torchvision", "onnx"):
        if importlib.util.find_spec(mod) is None:
            raise Failure(f"{PY} lacks {mod}: run scripts/deps.sh (Debian's python3-torch, -torchvision, -onnx)")
    if shutil.which(NODE) is None:
        raise Failure("node not found on PATH (Node 20 is needed for onnxruntime-node)")


def make_models(a, out: str) -> dict:
    models = {}
    conv_mtime = newest_mtime(["converter/incept_convert", "schema"])
    for net in a.nets:
        d = os.path.join(out, "models")
        os.makedirs(d, exist_ok=True)
        m = {k: os.path.join(d, f"{net}.{k}") for k in ("pth", "onnx", "incept")}
        m["x"], m["ref"] = os.path.join(d, f"{net}.x.npy"), os.path.join(d, f"{net}.torch.npy")
        if a.remake or not all(os.path.exists(m[k]) for k in ("pth", "onnx", "x", "ref")):
            log(f"  {net}: seeded checkpoint, BN-folded ONNX (opset 13), input and PyTorch logits")
            t = time.monotonic()
            cmd = [PY, "-m", "incept_convert.make_checkpoint", "--arch", net, "--seed", "0", "-o", m["pth"],
                   "--onnx-folded", m["onnx"], "--input", m["x"], "--reference", m["ref"]]
            env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "converter"))
            try:
                cp = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=STEP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                raise Failure(f"make_checkpoint {net}: timed out") from None
            if cp.returncode != 0:
                raise Failure(f"make_checkpoint {net} failed: {(cp.stderr.strip().splitlines() or ['?'])[-1]}")
            log(f"    done in {time.monotonic() - t:.1f} s")
        else:
            log(f"  {net}: checkpoint, ONNX and input already in {d} (--remake to redo)")
        if "incept" in a.runtimes:
            inc = m["incept"]
            if a.remake or not os.path.exists(inc) or os.path.getmtime(inc) < max(os.path.getmtime(m["pth"]), conv_mtime):
                log(f"  {net}: converting the checkpoint to {inc}")
                run([os.path.join(ROOT, "converter", "incept-convert"), "--arch", net, "--checkpoint", m["pth"],
                     "-o", inc, "-q"], f"incept-convert {net}")
            else:
                log(f"  {net}: {inc} is newer than the checkpoint and the converter")
        models[net] = m
    return models


def rel_diff(a, b) -> float:
    import numpy as np
    return float(np.abs(a.astype(np.float64) - b).max() / max(float(np.abs(b).max()), 1e-30))


def check_and_calibrate(a, models, out: str):
    import numpy as np
    check, est = {}, {}
    d = os.path.join(out, "outputs")
    os.makedirs(d, exist_ok=True)
    for net, m in models.items():
        ref = np.load(m["ref"])
        check[net] = {}
        for t in a.threads:
            c = {}
            outs = {}
            if "incept" in a.runtimes:
                y = os.path.join(d, f"{net}.t{t}.incept.npy")
                run([a.incept_run, m["incept"], "--input", m["x"], "--output", y, "--threads", str(t), "-q",
                     *a.incept_flag_list],
                    f"incept-run {net} --threads {t}")
                outs["incept"] = np.load(y)
                c["incept_ms"] = incept_bench(a, m, t, runs=3, warmup=1)["min_ms"]
            if "ort" in a.runtimes:
                y = os.path.join(d, f"{net}.t{t}.ort.npy")
                r = ort_bench(m, t, runs=3, warmup=1, output=y)
                c["ort_ms"] = r["min_ms"]
                c["ort_version"] = r["version"]
                outs["ort"] = np.load(y)
            for k, v in outs.items():
                if v.shape != ref.shape:
                    raise Failure(f"{net}: {k} output has shape {list(v.shape)}, PyTorch's is {list(ref.shape)}")
                c[f"{k}_vs_torch"] = rel_diff(v, ref)
                c[f"{k}_top1"] = int(np.argmax(v[0]))
            c["torch_top1"] = int(np.argmax(ref[0]))
            if len(outs) == 2:
                c["incept_vs_ort"] = rel_diff(outs["incept"], outs["ort"])
            check[net][t] = c
            parts = [f"{k} {c[k + '_ms']:.1f} ms" for k in ("incept", "ort") if k + "_ms" in c]   # fastest of 3: a busy box's spikes would shrink the run counts
            agree = (f"incept vs ORT {c['incept_vs_ort']:.1e}" if "incept_vs_ort" in c else
                     "; ".join(f"{k} vs PyTorch {c[k + '_vs_torch']:.1e}" for k in outs))
            log(f"  {net:13s} T={t}  {', '.join(parts)};  max|diff|/max|logit|: {agree}")
        # the slowest single run over runtimes and thread counts (normally 1 thread; on a busy box it can be 2)
        est[net] = max(c.get(k, 0.0) for c in check[net].values() for k in ("incept_ms", "ort_ms"))
    plan = {}
    for net in models:
        runs = a.runs if a.runs is not None else int(min(300, max(5, round(a.target_s * 1e3 / max(est[net], 0.1)))))
        warmup = a.warmup if a.warmup is not None else max(2, math.ceil(runs / 10))
        plan[net] = {"runs": runs, "warmup": warmup, "estimate_ms": est[net]}
        log(f"  {net}: {runs} timed runs after 1 first + {warmup} warm-up runs per measurement"
            + ("" if a.runs is not None else f" (slowest check: {est[net]:.1f} ms)"))
    return check, plan


def ort_bench(m, t, runs, warmup, output=None) -> dict:
    cmd = [NODE, os.path.join(HERE, "ort_bench.mjs"), m["onnx"], "--input", m["x"], "--threads", str(t),
           "--runs", str(runs), "--warmup", str(warmup)]
    if output:
        cmd += ["--output", output]
    return last_json(run(cmd, f"ort_bench {os.path.basename(m['onnx'])} --threads {t}").stdout, "ort_bench")


def node_baselines() -> dict:
    script = os.path.join(HERE, "ort_bench.mjs")
    bare = last_json(run([NODE, script, "--baseline", "bare"], "node baseline").stdout, "node baseline")
    withort = last_json(run([NODE, script, "--baseline", "ort"], "node+ORT baseline").stdout, "node+ORT baseline")
    return {"bare": bare["peak_rss_bytes"], "ort": withort["peak_rss_bytes"]}


def incept_bench(a, m, t, runs, warmup) -> dict:
    cmd = [a.incept_bench, m["incept"], "--threads", str(t), "--json", "--runs", str(runs), "--warmup", str(warmup),
           *a.incept_flag_list]
    if a.bench_takes_input:
        cmd += ["--input", m["x"]]
    r = last_json(run(cmd, f"incept-bench {os.path.basename(m['incept'])} --threads {t}").stdout, "incept-bench")
    missing = [k for k in ("median_ms", "load_ms", "prepare_ms", "peak_rss_bytes") if k not in r]
    if missing:
        raise Failure(f"incept-bench JSON lacks {', '.join(missing)}")
    return r


def rounds(a, models, plan):
    raw = {net: {t: {"incept": [], "ort": []} for t in a.threads} for net in models}
    base = []
    quiet = QuietWaiter(a.wait_quiet)
    for r in range(a.rounds):
        order = [x for x in (["incept", "ort"] if r % 2 == 0 else ["ort", "incept"]) if x in a.runtimes]
        log(f"== round {r + 1}/{a.rounds} (order: {' then '.join(order)})")
        if "ort" in a.runtimes:
            base.append(node_baselines())
        for net, m in models.items():
            p = plan[net]
            for t in a.threads:
                got = {}
                for rt in order:
                    before = quiet.wait() if a.wait_quiet > 0 else None
                    t0, c0 = time.monotonic(), cpu_sample()
                    if rt == "incept":
                        if binary_stamp(a.incept_bench) != a.incept_bench_stamp and not a.incept_bench_changed:
                            a.incept_bench_changed = f"round {r + 1}, before {net} T={t}"
                            log(f"  WARNING: {a.incept_bench} was rebuilt during this run ({a.incept_bench_changed});"
                                " incept's numbers before and after are not comparable")
                        res = incept_bench(a, m, t, p["runs"], p["warmup"])
                    else:
                        res = ort_bench(m, t, p["runs"], p["warmup"])
                    res["wall_s"] = time.monotonic() - t0
                    res["background_cores"] = background_cores(c0, cpu_sample(), res["wall_s"])
                    res["background_cores_before"] = before
                    raw[net][t][rt].append(res)
                    got[rt] = res
                line = "  ".join(f"{k} {v['median_ms']:8.2f} ms" for k, v in got.items())
                ratio = f"  incept/ORT {got['incept']['median_ms'] / got['ort']['median_ms']:.3f}" if len(got) == 2 else ""
                bg = max(v["background_cores"] for v in got.values())
                warn = f"  [busy box: other processes used {bg:.2f} CPUs meanwhile]" if bg > BUSY_CORES else ""
                log(f"  {net:13s} T={t}  {line}{ratio}{warn}")
    a.waited_quiet_s = round(quiet.waited_s, 1)
    if a.wait_quiet > 0:
        log(f"  waited {quiet.waited_s:.0f} s in all for a quiet box (budget --wait-quiet {a.wait_quiet:g})")
    return raw, base


def main(argv=None) -> int:
    a = parse_args(argv)
    out = os.path.join(ROOT, a.out) if not os.path.isabs(a.out) else a.out
    os.makedirs(out, exist_ok=True)
    started = time.monotonic()
    try:
        preflight(a)
        a.bench_takes_input = False
        a.incept_bench_stamp = binary_stamp(a.incept_bench) if "incept" in a.runtimes else None
        a.incept_bench_changed = None
        if "incept" in a.runtimes:
            h = subprocess.run([a.incept_bench, "--help"], cwd=ROOT, capture_output=True, text=True, timeout=30)
            a.bench_takes_input = "--input" in (h.stdout + h.stderr)
        log(f"== 1/4 models ({', '.join(a.nets)}) in {out}/models")
        models = make_models(a, out)
        log("== 2/4 check: outputs on the same input compared; run counts calibrated (fastest of 3 runs)")
        check, plan = check_and_calibrate(a, models, out)
        log(f"== 3/4 measure: {a.rounds} rounds x {len(a.nets)} nets x threads {','.join(map(str, a.threads))}"
            f" x {' and '.join(a.runtimes)}")
        raw, base = rounds(a, models, plan)
    except Failure as e:
        print(f"bench/peers: {e}", file=sys.stderr, flush=True)
        return 1
    log("== 4/4 report")
    rows = summarise(a, models, plan, check, raw, base)
    text = table(rows, base)
    if a.incept_flags:
        text = f"incept flags: {a.incept_flags}\n" + text
    if a.incept_bench_changed:
        text += (f"\nWARNING: {a.incept_bench} was rebuilt during this run ({a.incept_bench_changed}): "
                 "rerun for comparable incept numbers.")
    ort_version = next((r["ort"]["version"] for r in rows if "ort" in r), None)
    backend = next((r["incept"].get("backend") for r in rows if "incept" in r), None)
    result = {
        "meta": {"date": datetime.datetime.now().isoformat(timespec="seconds"), "cpu": cpu_model(),
                 "cpus": os.cpu_count(), "kernel": platform.release(), "onnxruntime_node": ort_version,
                 "node": subprocess.run([NODE, "--version"], capture_output=True, text=True).stdout.strip(),
                 "incept_bench": a.incept_bench if "incept" in a.runtimes else None, "incept_backend": backend,
                 "incept_bench_input": a.bench_takes_input, "incept_flags": a.incept_flags, "nets": a.nets, "threads": a.threads,
                 "rounds": a.rounds, "runtimes": a.runtimes, "plan": plan, "target_s": a.target_s,
                 "incept_bench_built": (datetime.datetime.fromtimestamp(a.incept_bench_stamp[0] / 1e9).isoformat(timespec="seconds")
                                        if a.incept_bench_stamp else None),
                 "incept_bench_rebuilt_during_run": a.incept_bench_changed,
                 "wait_quiet_budget_s": a.wait_quiet, "waited_quiet_s": a.waited_quiet_s,
                 "wall_s": round(time.monotonic() - started, 1), "argv": sys.argv[1:]},
        "node_baseline_rss_bytes": base,
        "results": rows,
    }
    path = os.path.join(out, "results.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=1)
    with open(os.path.join(out, "table.txt"), "w") as f:
        f.write(text + "\n")
    log(f"ONNX Runtime {ort_version} (onnxruntime-node, CPU); incept backend {backend or '-'}"
        f"{' ' + a.incept_flags if a.incept_flags else ''}; "
        f"{a.rounds} rounds; {cpu_model()}, {os.cpu_count()} CPUs")
    log(text)
    svg = os.path.join(out, "chart.svg")
    cp = subprocess.run([PY, os.path.join(HERE, "chart.py"), path, "-o", svg], capture_output=True, text=True)
    if cp.returncode != 0:
        print(f"bench/peers: chart.py failed: {cp.stderr.strip()}", file=sys.stderr)
        return 1
    log(f"wrote {path}, {os.path.join(out, 'table.txt')} and {svg} ({time.monotonic() - started:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
