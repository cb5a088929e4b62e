# SPDX-License-Identifier: Apache-2.0
"""incept vs ONNX Runtime, TFLite (LiteRT), ncnn, MNN and OpenVINO: the same nets, same weights, same
input, same machine, one session.

Driven by bench/peers/run.sh (which installs the peers into build/peers-venv first); see
bench/peers/README.md. Phases: 1 models (seeded checkpoint -> .incept and BN-folded ONNX -> each
peer's format, peer_models.py), 2 check (every runtime runs x.npy once per net x threads; its output is
compared with PyTorch's, and a runtime that disagrees is not timed; run counts calibrated), 3 rounds
(per round, per net x threads, every runtime in its own fresh process, the order rotated every round),
4 report (tables, results.json, chart.svg; peers_report.py, chart.py).
"""

import argparse
import datetime
import importlib.util
import json
import math
import os
import platform
import shlex
import subprocess
import sys
import time

from machine_load import QuietWaiter, background_cores, cpu_sample  # noqa: E402  (same folder)
import bundled
from peer_models import clean_scratch, convert_peers, convert_peers_int8, make_models
from peers_common import (HERE, INPUT_SIZE, NAMES, PEER_RUNTIMES, PY, ROOT, RUNTIMES, Failure, last_json, log, run,
                          venv_bin, venv_dir)
from peers_report import BUSY_CORES, cpu_model, gate, markdown, summarise, table

AGREE_LIMIT = 1e-3   # max|diff| / max|logit| vs PyTorch above which a runtime is not timed on that net
INT8_COSINE_FLOOR = 0.99   # int8: mean cosine vs PyTorch's logits below which a runtime is not timed (broken)
PRECISIONS = ["fp32", "int8"]


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
                   help="comma-separated: googlenet, inception_v3, inception_v4, inception_resnet_v2 "
                        "(default: all four)")
    p.add_argument("--threads", type=csv("thread counts", int), default=[1, 2], help="default 1,2")
    p.add_argument("--rounds", type=int, default=3, help="rounds, each runtime once per net x threads (default 3)")
    p.add_argument("--out", default="build/peers", help="output folder (default build/peers)")
    p.add_argument("--runs", type=int, help="timed runs per measurement (default: calibrated, see --target-s)")
    p.add_argument("--warmup", type=int, help="untimed runs after the first (default: runs/10, at least 2)")
    p.add_argument("--target-s", type=float, default=10.0,
                   help="calibration: timed runs per measurement take about this long for the slowest "
                        "runtime x thread count in the check phase (default 10; runs clamped to 5..300)")
    p.add_argument("--runtimes", type=csv("runtimes"), default=list(RUNTIMES),
                   help=f"any of {','.join(RUNTIMES)} (default: all); e.g. 'incept,ort' or 'tflite' alone")
    p.add_argument("--incept-bench", metavar="PATH",
                   default=os.environ.get("INCEPT_BENCH", "build/release/bin/incept-bench"),
                   help="default $INCEPT_BENCH or build/release/bin/incept-bench")
    p.add_argument("--incept-run", metavar="PATH", default=os.environ.get("INCEPT_RUN", "build/release/bin/incept-run"),
                   help="for the output check; default $INCEPT_RUN or build/release/bin/incept-run")
    p.add_argument("--incept-flags", default="", metavar="FLAGS",
                   help="extra interpreter flags for incept-bench and incept-run, e.g. '--no-winograd' "
                        "(default: none; Winograd on)")
    p.add_argument("--precision", type=csv("precisions"), default=["fp32"],
                   help="fp32, int8 or fp32,int8 (default fp32). int8: every runtime quantises the nets with its own "
                        "post-training tool from the same 100 calibration inputs; results under OUT/int8")
    p.add_argument("--remake", action="store_true", help="re-make checkpoints, ONNX exports, inputs and conversions")
    p.add_argument("--no-bundled", dest="bundled", action="store_false",
                   help="with int8: skip the real-accuracy step (the bundled model's held-out top-1 per runtime)")
    p.add_argument("--wait-quiet", type=float, default=60.0, metavar="S",
                   help="before each measurement wait up to 10 s for other processes to leave the CPUs idle; at "
                        "most S seconds of waiting in all (default 60; 0: never wait)")
    a = p.parse_args(argv)
    for n in a.nets:
        if n not in INPUT_SIZE:
            p.error(f"unknown net '{n}'; choose from {', '.join(INPUT_SIZE)}")
    for r in a.runtimes:
        if r not in RUNTIMES:
            p.error(f"unknown runtime '{r}'; choose from {', '.join(RUNTIMES)}")
    for q in a.precision:
        if q not in PRECISIONS:
            p.error(f"unknown precision '{q}'; choose from {', '.join(PRECISIONS)}")
    a.precisions = [q for q in PRECISIONS if q in a.precision]
    if any(t < 1 for t in a.threads):
        p.error("--threads must be >= 1")
    if a.rounds < 1 or (a.runs is not None and a.runs < 1) or (a.warmup is not None and a.warmup < 0):
        p.error("--rounds and --runs must be >= 1, --warmup >= 0")
    a.threads = sorted(set(a.threads))
    a.runtimes = [r for r in RUNTIMES if r in a.runtimes]
    a.incept_flag_list = shlex.split(a.incept_flags)
    return a


def binary_stamp(path: str):
    """Identifies a build of a binary, to notice a rebuild by someone else in the middle of a run."""
    try:
        st = os.stat(os.path.join(ROOT, path))
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def preflight(a) -> None:
    if "incept" in a.runtimes:
        for path, name in ((a.incept_bench, "incept-bench"), (a.incept_run, "incept-run")):
            if not os.access(os.path.join(ROOT, path), os.X_OK):
                raise Failure(f"{path} not found: build it first with `cmake --build --preset release` "
                              f"(or measure the peers alone, e.g. --runtimes ort,tflite)")
    for mod in ("numpy", "torch", "torchvision", "onnx"):
        if importlib.util.find_spec(mod) is None:
            raise Failure(f"{PY} lacks {mod}: run scripts/deps.sh (Debian's python3-torch, -torchvision, -onnx)")
    if any(r in PEER_RUNTIMES for r in a.runtimes) and not os.access(venv_bin("python"), os.X_OK):
        raise Failure(f"{venv_dir()} is missing: bench/peers/run.sh makes it (peers.py is not run directly)")


# ---------------------------------------------------------------------------------------- measuring

def incept_bench(a, m, t, runs, warmup) -> dict:
    cmd = [a.incept_bench, m["incept"], "--threads", str(t), "--json", "--runs", str(runs), "--warmup", str(warmup),
           *a.incept_flag_list]
    if a.bench_takes_input:
        cmd += ["--input", m["x"]]
    r = last_json(run(cmd, f"incept-bench {os.path.basename(m['incept'])} --threads {t}").stdout, "incept-bench")
    missing = [k for k in ("median_ms", "load_ms", "prepare_ms", "peak_rss_bytes") if k not in r]
    if missing:
        raise Failure(f"incept-bench JSON lacks {', '.join(missing)}")
    r["create_ms"] = r["load_ms"] + r["prepare_ms"]
    return r


def peer_bench(rt, model, x, t, runs, warmup, output=None) -> dict:
    cmd = [venv_bin("python"), os.path.join(HERE, "peer_bench.py"), "--runtime", rt, model, "--input", x,
           "--threads", str(t), "--runs", str(runs), "--warmup", str(warmup)]
    if output:
        cmd += ["--output", output]
    what = f"{NAMES[rt]} on {os.path.basename(model)} --threads {t}"
    return last_json(run(cmd, what).stdout, what)


def measure(a, rt, net, models, conv, t, runs, warmup, output=None) -> dict:
    if rt == "incept":
        if output:
            run([a.incept_run, models[net]["incept"], "--input", models[net]["x"], "--output", output, "--threads",
                 str(t), "-q", *a.incept_flag_list], f"incept-run {net} --threads {t}")
        return incept_bench(a, models[net], t, runs, warmup)
    return peer_bench(rt, conv[net][rt]["path"], models[net]["x"], t, runs, warmup, output)


def baselines(a) -> dict:
    """Peak RSS of python + numpy ('bare') and of python + numpy + each peer's import, no model."""
    out = {}
    for rt in ["bare"] + [r for r in a.runtimes if r in PEER_RUNTIMES]:
        cmd = [venv_bin("python"), os.path.join(HERE, "peer_bench.py"), "--baseline"]
        cmd += [] if rt == "bare" else ["--runtime", rt]
        out[rt] = last_json(run(cmd, f"{rt} baseline").stdout, f"{rt} baseline")["peak_rss_bytes"]
    return out


def run_plan(a, est) -> dict:
    """Timed and warm-up runs per net: --runs / --warmup, or as many as take about --target-s for the slowest
    check (est[net], ms)."""
    plan = {}
    for net, ms in est.items():
        runs = a.runs if a.runs is not None else int(min(300, max(5, round(a.target_s * 1e3 / max(ms, 0.1)))))
        warmup = a.warmup if a.warmup is not None else max(2, math.ceil(runs / 10))
        plan[net] = {"runs": runs, "warmup": warmup, "estimate_ms": ms}
        log(f"  {net}: {runs} timed runs after 1 first + {warmup} warm-up runs per measurement"
            + ("" if a.runs is not None else f" (slowest check: {ms:.1f} ms)"))
    return plan


def check_and_calibrate(a, models, conv, out: str):
    """Every runtime once per net x threads on x.npy, its output against PyTorch's. A runtime that fails or
    disagrees gets its reason in skipped[net][rt] and is not timed on that net."""
    import numpy as np
    check, skipped, est = {}, {}, {}
    d = os.path.join(out, "outputs")
    os.makedirs(d, exist_ok=True)
    for net, m in models.items():
        ref = np.load(m["ref"])
        check[net], skipped[net] = {t: {} for t in a.threads}, {}
        for rt in a.runtimes:
            if "error" in conv[net][rt]:
                skipped[net][rt] = conv[net][rt]["error"]
        for t in a.threads:
            parts = []
            for rt in a.runtimes:
                if rt in skipped[net]:
                    continue
                y = os.path.join(d, f"{net}.t{t}.{rt}.npy")
                try:
                    r = measure(a, rt, net, models, conv, t, runs=3, warmup=1, output=y)
                    v = np.load(y).reshape(ref.shape)
                except (Failure, OSError, ValueError) as e:
                    skipped[net][rt] = f"check at T={t} failed: {e}"
                    log(f"  {net:13s} T={t}  {rt}: FAILED, not timed: {e}")
                    continue
                c = gate(v, ref, AGREE_LIMIT)
                c["ms"], c["version"] = r["min_ms"], r.get("version")
                check[net][t][rt] = c
                if not c["ok"]:
                    skipped[net][rt] = f"output differs from PyTorch at T={t}: {c['why']}"
                    log(f"  {net:13s} T={t}  {rt}: {c['why']}: not timed")
                parts.append(f"{rt} {c['ms']:.1f} ms {c['vs_torch']:.0e}{'' if c['top5_same'] else ' top5 DIFF'}")
            log(f"  {net:13s} T={t}  " + ", ".join(parts))
        # the slowest single run over runtimes and thread counts (normally 1 thread; on a busy box it can be 2)
        est[net] = max([c["ms"] for ct in check[net].values() for rt, c in ct.items() if rt not in skipped[net]],
                       default=0.0)
    return check, skipped, run_plan(a, est)


def int8_errors(a, models, conv, out: str):
    """Every runtime's int8 logits on the 100 test inputs against PyTorch's float32 ones: {net: {rt: {...}}} with
    the mean (and lowest) cosine similarity, the worst max |diff| / max |logit| and the top-1 agreement."""
    import numpy as np
    d = os.path.join(out, "outputs")
    os.makedirs(d, exist_ok=True)
    errors = {}
    for net, m in models.items():
        ref = np.load(m["test_ref"]).astype(np.float64)
        errors[net] = {}
        for rt in a.runtimes:
            if "error" in conv[net][rt]:
                continue
            y = os.path.join(d, f"{net}.test.{rt}.npy")
            try:
                if rt == "incept":
                    run([a.incept_run, m["incept"], "--input", m["test"], "--output", y, "-q", *a.incept_flag_list],
                        f"incept-run {net} int8 on the test inputs")
                else:
                    run([venv_bin("python"), os.path.join(HERE, "peer_bench.py"), "--runtime", rt,
                         conv[net][rt]["path"], "--each", m["test"], "--output", y], f"{NAMES[rt]} {net} test inputs")
                v = np.load(y).astype(np.float64).reshape(ref.shape)
            except (Failure, OSError, ValueError) as e:
                errors[net][rt] = {"error": str(e)}
                log(f"  {net:13s} {rt}: test inputs FAILED: {e}")
                continue
            cos = (v * ref).sum(1) / np.maximum(np.linalg.norm(v, axis=1) * np.linalg.norm(ref, axis=1), 1e-30)
            rel = np.abs(v - ref).max(1) / np.maximum(np.abs(ref).max(1), 1e-30)
            errors[net][rt] = {"cosine": float(cos.mean()), "cosine_min": float(cos.min()),
                               "vs_torch": float(rel.max()), "top1_agree": float((v.argmax(1) == ref.argmax(1)).mean()),
                               "inputs": len(ref)}
            e = errors[net][rt]
            log(f"  {net:13s} {rt:8s} cosine {e['cosine']:.5f} (min {e['cosine_min']:.5f}), max|diff|/max|logit| "
                f"{e['vs_torch']:.3f}, top-1 agreement {e['top1_agree']:.0%}")
    return errors


def check_int8(a, models, conv, out: str):
    """The int8 pass's check: the error on the test inputs (a runtime below INT8_COSINE_FLOOR is not timed), then
    run counts calibrated as for float32 (fastest of 3 runs on x.npy)."""
    errors = int8_errors(a, models, conv, out)
    check, skipped, est = {}, {}, {}
    for net in models:
        check[net], skipped[net] = {t: {} for t in a.threads}, {}
        for rt in a.runtimes:
            e = errors[net].get(rt)
            if "error" in conv[net][rt]:
                skipped[net][rt] = conv[net][rt]["error"]
            elif e is None or "error" in e:
                skipped[net][rt] = f"test inputs failed: {(e or {}).get('error', '?')}"
            elif e["cosine"] < INT8_COSINE_FLOOR:
                skipped[net][rt] = f"mean cosine {e['cosine']:.4f} against PyTorch < {INT8_COSINE_FLOOR}"
        for t in a.threads:
            for rt in a.runtimes:
                if rt in skipped[net]:
                    continue
                try:
                    r = measure(a, rt, net, models, conv, t, runs=3, warmup=1)
                except Failure as e:
                    skipped[net][rt] = f"check at T={t} failed: {e}"
                    continue
                check[net][t][rt] = dict(errors[net][rt], ms=r["min_ms"], version=r.get("version"), top5_same=None,
                                         ok=True)
        est[net] = max([c["ms"] for ct in check[net].values() for rt, c in ct.items() if rt not in skipped[net]],
                       default=0.0)
    return check, skipped, run_plan(a, est)


def rounds(a, models, conv, skipped, plan):
    raw = {net: {t: {rt: [] for rt in a.runtimes} for t in a.threads} for net in models}
    base = []
    quiet = QuietWaiter(a.wait_quiet)
    for r in range(a.rounds):
        order = a.runtimes[r % len(a.runtimes):] + a.runtimes[:r % len(a.runtimes)]
        log(f"== round {r + 1}/{a.rounds} (order: {', '.join(order)})")
        if any(rt in PEER_RUNTIMES for rt in a.runtimes):
            base.append(baselines(a))
        for net in models:
            p = plan[net]
            for t in a.threads:
                got = {}
                for rt in order:
                    if rt in skipped[net]:
                        continue
                    before = quiet.wait() if a.wait_quiet > 0 else None
                    t0, c0 = time.monotonic(), cpu_sample()
                    if (rt == "incept" and binary_stamp(a.incept_bench) != a.incept_bench_stamp
                            and not a.incept_bench_changed):
                        a.incept_bench_changed = f"round {r + 1}, before {net} T={t}"
                        log(f"  WARNING: {a.incept_bench} was rebuilt during this run ({a.incept_bench_changed});"
                            " incept's numbers before and after are not comparable")
                    try:
                        res = measure(a, rt, net, models, conv, t, p["runs"], p["warmup"])
                    except Failure as e:   # passed the check, failed now: the row keeps the other rounds
                        log(f"  {net:13s} T={t}  {rt}: FAILED in round {r + 1}: {e}")
                        continue
                    res["wall_s"] = time.monotonic() - t0
                    res["background_cores"] = background_cores(c0, cpu_sample(), res["wall_s"])
                    res["background_cores_before"] = before
                    raw[net][t][rt].append(res)
                    got[rt] = res
                line = "  ".join(f"{k} {got[k]['median_ms']:.2f}" for k in RUNTIMES if k in got)
                bg = max((v["background_cores"] for v in got.values()), default=0.0)
                warn = f"  [busy box: other processes used {bg:.2f} CPUs meanwhile]" if bg > BUSY_CORES else ""
                log(f"  {net:13s} T={t}  ms: {line}{warn}")
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
        log(f"== 1/4 models ({', '.join(a.nets)}) in {out}/models, for {', '.join(a.runtimes)}"
            f" ({', '.join(a.precisions)})")
        clean_scratch(out)
        models = make_models(a, out)
        passes = []
        for precision in a.precisions:
            if precision == "fp32":
                passes.append((precision, models, convert_peers(a, models, out), out))
            else:
                int8_models = {net: dict(m, incept=m["incept8"]) for net, m in models.items()}
                passes.append((precision, int8_models, convert_peers_int8(a, int8_models, out),
                               os.path.join(out, "int8")))
        for precision, pass_models, conv, pass_out in passes:
            os.makedirs(pass_out, exist_ok=True)
            if precision == "fp32":
                log(f"== 2/4 check: every runtime's output on the same input vs PyTorch's (not timed above "
                    f"{AGREE_LIMIT:g} or with another top-5); run counts calibrated (fastest of 3 runs)")
                check, skipped, plan = check_and_calibrate(a, pass_models, conv, pass_out)
            else:
                log(f"== 2/4 int8 check: every runtime's int8 logits on the 100 test inputs vs PyTorch's float32 "
                    f"(not timed below a mean cosine of {INT8_COSINE_FLOOR}); run counts calibrated")
                check, skipped, plan = check_int8(a, pass_models, conv, pass_out)
            log(f"== 3/4 measure ({precision}): {a.rounds} rounds x {len(a.nets)} nets x threads "
                f"{','.join(map(str, a.threads))} x {', '.join(a.runtimes)}")
            raw, base = rounds(a, pass_models, conv, skipped, plan)
            if report(a, precision, pass_models, conv, plan, check, skipped, raw, base, pass_out, started) != 0:
                return 1
        if "int8" in a.precisions and a.bundled:
            log("== int8, real accuracy: the bundled trained model quantised by every runtime from 100 training "
                "images; held-out top-1 on 1,200 images")
            log(bundled.markdown(bundled.bundled_accuracy(a, out)))
    except Failure as e:
        print(f"bench/peers: {e}", file=sys.stderr, flush=True)
        return 1
    return 0


def report(a, precision, models, conv, plan, check, skipped, raw, base, out, started) -> int:
    log(f"== 4/4 report ({precision})")
    rows = summarise(a, models, conv, plan, check, skipped, raw, base)
    versions = {}
    for r in rows:
        for rt, s in r["runtimes"].items():
            versions.setdefault(rt, s.get("version"))
    backend = next((r["runtimes"]["incept"].get("backend") for r in rows if "incept" in r["runtimes"]), None)
    if "incept" in a.runtimes:
        versions["incept"] = f"backend {backend or '-'}{' ' + a.incept_flags if a.incept_flags else ''}"
    settings = {rt: next((s.get("settings") for r in rows for k, s in r["runtimes"].items() if k == rt), None)
                for rt in a.runtimes}
    meta = {"date": datetime.datetime.now().isoformat(timespec="seconds"), "cpu": cpu_model(),
            "cpus": os.cpu_count(), "kernel": platform.release(), "python": platform.python_version(),
            "precision": precision, "versions": versions, "settings": settings, "venv": venv_dir(),
            "incept_bench": a.incept_bench if "incept" in a.runtimes else None, "incept_backend": backend,
            "incept_bench_input": a.bench_takes_input, "incept_flags": a.incept_flags, "nets": a.nets,
            "threads": a.threads, "rounds": a.rounds, "runtimes": a.runtimes, "plan": plan, "target_s": a.target_s,
            "agree_limit": AGREE_LIMIT if precision == "fp32" else None,
            "int8_cosine_floor": INT8_COSINE_FLOOR if precision == "int8" else None,
            "incept_bench_built": (datetime.datetime.fromtimestamp(a.incept_bench_stamp[0] / 1e9)
                                   .isoformat(timespec="seconds") if a.incept_bench_stamp else None),
            "incept_bench_rebuilt_during_run": a.incept_bench_changed,
            "wait_quiet_budget_s": a.wait_quiet, "waited_quiet_s": a.waited_quiet_s,
            "wall_s": round(time.monotonic() - started, 1), "argv": sys.argv[1:]}
    text = table(rows, base, meta)
    if a.incept_bench_changed:
        text += (f"\nWARNING: {a.incept_bench} was rebuilt during this run ({a.incept_bench_changed}): "
                 "rerun for comparable incept numbers.")
    result = {"meta": meta, "baseline_rss_bytes": base, "conversions": conv, "results": rows}
    path = os.path.join(out, "results.json")
    with open(path, "w") as f:
        json.dump(result, f, indent=1)
    with open(os.path.join(out, "table.txt"), "w") as f:
        f.write(text + "\n")
    with open(os.path.join(out, "table.md"), "w") as f:
        f.write(markdown(rows, meta, conv) + "\n")
    log(text)
    svg = os.path.join(out, "chart.svg")
    cp = subprocess.run([PY, os.path.join(HERE, "chart.py"), path, "-o", svg], capture_output=True, text=True)
    if cp.returncode != 0:
        print(f"bench/peers: chart.py failed: {cp.stderr.strip()}", file=sys.stderr)
        return 1
    log(f"wrote {path}, {os.path.join(out, 'table.txt')}, table.md and {svg} "
        f"({time.monotonic() - started:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
