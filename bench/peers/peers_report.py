# SPDX-License-Identifier: Apache-2.0
"""The report half of bench/peers: output agreement, per-row summaries (median of round medians, ratios to
incept, RSS over each runtime's baseline), the text and Markdown tables with the DESIGN targets, and the
host description. peers.py measures; this formats. Pure functions of plain data (tests/tools test them)."""

import platform
import re
import statistics

from peers_common import NAMES, PEER_RUNTIMES, RUNTIMES, SHORT

LATENCY_TARGET, RSS_TARGET = 0.85, 0.5   # the targets bench/peers/README.md states
BUSY_CORES = 0.1                         # background load above which a measurement is flagged
MiB = 1 << 20


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def top5(v):
    flat = [float(x) for x in list(v.reshape(-1))]
    return sorted(range(len(flat)), key=lambda i: -flat[i])[:5]


def gate(v, ref, limit: float) -> dict:
    """A runtime's output against PyTorch's: max|diff| / max|logit|, the top-5 (same classes, same order),
    and whether both are good enough to time it."""
    import numpy as np
    rel = float(np.abs(v.astype(np.float64) - ref).max() / max(float(np.abs(ref).max()), 1e-30))
    t5, r5 = top5(v), top5(ref)
    c = {"vs_torch": rel, "top5": t5, "torch_top5": r5, "top5_same": t5 == r5, "ok": rel <= limit and t5 == r5}
    if not c["ok"]:
        c["why"] = "; ".join(([f"max|diff|/max|logit| {rel:.1e} > {limit:g}"] if rel > limit else [])
                             + ([f"top-5 {t5} vs PyTorch's {r5}"] if t5 != r5 else []))
    return c


def summarise(a, models, conv, plan, check, skipped, raw, base):
    rows = []
    for net in models:
        for t in a.threads:
            row = {"net": net, "threads": t, "runs": plan[net]["runs"], "warmup": plan[net]["warmup"],
                   "check": check[net][t], "skipped": dict(skipped[net]), "runtimes": {}}
            for rt in a.runtimes:
                rs = raw[net][t][rt]
                if not rs:
                    if rt not in row["skipped"]:
                        row["skipped"][rt] = "every timed round failed (see the log)"
                    continue
                s = {"median_ms": med([x["median_ms"] for x in rs]), "round_medians_ms": [x["median_ms"] for x in rs],
                     "p90_ms": med([x.get("p90_ms") for x in rs]), "min_ms": min(x["min_ms"] for x in rs),
                     "first_ms": med([x.get("first_ms") for x in rs]), "create_ms": med([x["create_ms"] for x in rs]),
                     "peak_rss_bytes": med([x.get("peak_rss_bytes") for x in rs]),
                     "model_bytes": conv[net][rt]["bytes"],
                     "version": rs[-1].get("version"), "settings": rs[-1].get("settings")}
                c = check[net][t].get(rt, {})
                s["vs_torch"], s["top5_same"] = c.get("vs_torch"), c.get("top5_same")
                for k in ("cosine", "cosine_min", "top1_agree"):   # int8: the error on the test inputs
                    if k in c:
                        s[k] = c[k]
                if rt == "incept":
                    s["load_ms"] = med([x.get("load_ms") for x in rs])
                    s["prepare_ms"] = med([x.get("prepare_ms") for x in rs])
                    for k in ("arena_bytes", "arena_lower_bound_bytes", "weights_bytes", "gflop", "backend"):
                        s[k] = rs[-1].get(k)
                elif base:
                    s["baseline_rss_bytes"] = med([b.get(rt) for b in base])
                    if s["baseline_rss_bytes"] is not None:
                        s["peak_rss_minus_baseline_bytes"] = s["peak_rss_bytes"] - s["baseline_rss_bytes"]
                s["rounds"] = rs
                row["runtimes"][rt] = s
            inc = row["runtimes"].get("incept")
            for rt, s in row["runtimes"].items():
                if inc and rt != "incept":
                    s["ratio"] = inc["median_ms"] / s["median_ms"]   # incept / this: below 1, incept is faster
                    s["ratio_rounds"] = [x / y for x, y in zip(inc["round_medians_ms"], s["round_medians_ms"])]
            peers = {rt: s for rt, s in row["runtimes"].items() if rt != "incept"}
            if peers:
                row["fastest_peer"] = min(peers, key=lambda k: peers[k]["median_ms"])
                if inc:
                    row["ratio_fastest_peer"] = peers[row["fastest_peer"]]["ratio"]
            row["background_cores_max"] = max((x["background_cores"] for rt in a.runtimes for x in raw[net][t][rt]),
                                              default=0.0)
            rows.append(row)
    return rows


def fmt(x, spec):
    """format(x, spec), or a dash right-aligned to the spec's width when x is None."""
    width = re.match(r"\d*", spec).group(0)
    return format("-", f">{width}") if x is None else format(x, spec)


def mib(v, spec="7.1f"):
    return fmt(None if v is None else v / MiB, spec)


def ratio_text(s) -> str:
    if "ratio" not in s:
        return "-"
    rr = s["ratio_rounds"]
    return f"{s['ratio']:.2f} ({min(rr):.2f}-{max(rr):.2f})" if rr else f"{s['ratio']:.2f}"


def targets(rows):
    """(row label, [(target, met, value text)]) per row that has incept and a peer: the targets of
    bench/peers/README.md."""
    out = []
    for r in rows:
        inc, ort = r["runtimes"].get("incept"), r["runtimes"].get("ort")
        if not inc or "ratio_fastest_peer" not in r:
            continue
        q = r["ratio_fastest_peer"]
        checks = [(f"latency <= {LATENCY_TARGET} x the fastest peer ({SHORT[r['fastest_peer']]})", q <= LATENCY_TARGET,
                   f"{q:.3f}")]
        if ort:
            lq = inc["create_ms"] / ort["create_ms"]
            checks.append(("load+prepare <= ORT session creation", lq <= 1.0, f"{lq:.2f}"))
            if ort.get("peak_rss_minus_baseline_bytes"):
                rq = inc["peak_rss_bytes"] / ort["peak_rss_minus_baseline_bytes"]
                checks.append((f"peak RSS <= {RSS_TARGET} x (ORT - its baseline)", rq <= RSS_TARGET,
                               f"{rq:.2f}; vs ORT's whole process {inc['peak_rss_bytes'] / ort['peak_rss_bytes']:.2f}"))
        if inc.get("arena_bytes") and inc.get("arena_lower_bound_bytes"):
            aq = inc["arena_bytes"] / inc["arena_lower_bound_bytes"]
            checks.append(("arena <= 1.05 x lower bound", aq <= 1.05, f"{aq:.3f}"))
        out.append((f"{r['net']} T={r['threads']}", checks))
    return out


def agreement(s) -> str:
    """The last column: float32, PyTorch's top-5 kept; int8, the mean cosine and top-1 agreement on the test set."""
    if "cosine" in s:
        return f"cos {s['cosine']:.4f} top-1 {s['top1_agree']:.0%}"
    return "-" if s["top5_same"] is None else ("same" if s["top5_same"] else "DIFF")


def table(rows, base, meta) -> str:
    hdr = (f"{'net':13s} {'T':>2s} {'runtime':8s} {'median':>8s} {'p90':>8s}  {'incept/this (rounds)':20s} "
           f"{'load':>7s} {'first':>7s} {'RSS':>7s} {'-base':>7s} {'file':>6s}  {'vs torch':>8s} top5  {'bg':>4s}")
    lines = [f"{meta['cpu']}, {meta['cpus']} CPUs; {meta['date']}"
             + ("; int8: every runtime's own post-training quantisation" if meta.get("precision") == "int8" else "")]
    lines += [f"  {NAMES[rt]}: {v}" for rt, v in meta["versions"].items() if v]
    lines += ["", hdr, "-" * len(hdr)]
    for r in rows:
        lead = f"{r['net']:13s} {r['threads']:>2d}"
        for rt in RUNTIMES:
            s = r["runtimes"].get(rt)
            if s is None:
                if rt in r["skipped"]:
                    lines.append(f"{lead} {SHORT[rt]:8s} not measured: {r['skipped'][rt]}")
                continue
            top = agreement(s)
            lines.append(
                f"{lead} {SHORT[rt]:8s} {fmt(s['median_ms'], '8.2f')} {fmt(s['p90_ms'], '8.2f')}  {ratio_text(s):20s} "
                f"{fmt(s['create_ms'], '7.1f')} {fmt(s['first_ms'], '7.1f')} {mib(s['peak_rss_bytes'])} "
                f"{mib(s.get('peak_rss_minus_baseline_bytes'))} {mib(s['model_bytes'], '6.1f')}  "
                f"{fmt(s['vs_torch'], '8.1e')} {top:4s}  {max(x['background_cores'] for x in s['rounds']):4.2f}"
                f"{' !' if max(x['background_cores'] for x in s['rounds']) > BUSY_CORES else ''}")
        if "ratio_fastest_peer" in r:
            lines.append(f"{lead} incept / fastest peer ({SHORT[r['fastest_peer']]}): {r['ratio_fastest_peer']:.2f}")
    lines.append("")
    lines.append("median, p90: ms, the median over rounds of each round's median / p90 (batch 1). incept/this: "
                 "incept's median / this runtime's; in brackets the lowest and highest per-round ratio (below 1: "
                 "incept is faster).")
    lines.append("load: ms from nothing to ready to run (incept: load + prepare). first: the first inference, ms. "
                 "RSS: peak (VmHWM) of the process, MiB; -base: minus that runtime's own baseline process.")
    if base:
        lines.append("baselines (MiB, python + numpy + the runtime's import, no model): " + ", ".join(
            f"{SHORT.get(k, k)} {med([b.get(k) for b in base]) / MiB:.1f}" for k in ["bare"] + PEER_RUNTIMES
            if med([b.get(k) for b in base]) is not None))
    if meta.get("precision") == "int8":
        lines.append("file: the model file(s) the runtime loads, MiB. vs torch: the worst max |diff| / max |logit| "
                     "against PyTorch's float32 logits over 100 test inputs (not the calibration ones); cos: the mean "
                     "cosine similarity of the logits; top-1: how often the top class is PyTorch's.")
    else:
        lines.append("file: the model file(s) the runtime loads, MiB. vs torch: max |diff| / max |logit| against "
                     "PyTorch on the same x.npy; top5: the same five classes in the same order.")
    lines.append(f"bg: the most CPUs that other processes (or the hypervisor's steal) kept busy during any of the "
                 f"row's measurements; '!' above {BUSY_CORES}: that row's timings are suspect.")
    tg = targets(rows)
    if tg:
        lines += ["", "DESIGN targets:"]
        for label, checks in tg:
            lines.append(f"  {label}: " + "; ".join(f"{n} {'met' if ok else 'MISSED'} ({v})" for n, ok, v in checks))
    return "\n".join(lines)


def markdown(rows, meta, conv) -> str:
    """table.md: the summary (ms per runtime, ratio to incept), the full table and how each model was made."""
    rts = [rt for rt in RUNTIMES if rt in meta["runtimes"]]
    rounds = f"{meta['rounds']} round{'s' if meta['rounds'] != 1 else ''}"
    int8 = meta.get("precision") == "int8"
    out = [f"Measured {meta['date'][:10]} on {meta['cpu']} ({meta['cpus']} CPUs), {rounds}, "
           f"batch 1, median latency in ms; in brackets incept's time / the runtime's (below 1: incept is faster)"
           + ("; int8, each runtime's own post-training quantisation from the same 100 calibration inputs; error "
              "against PyTorch's float32 logits on 100 other inputs." if int8 else "."), ""]
    out.append("| net | threads | " + " | ".join(NAMES[rt] for rt in rts) + " | incept / fastest peer |")
    out.append("|---|---:|" + "---:|" * len(rts) + "---:|")
    for r in rows:
        cells = []
        for rt in rts:
            s = r["runtimes"].get(rt)
            cells.append("n/a" if s is None
                         else f"{s['median_ms']:.1f}" + (f" ({s['ratio']:.2f})" if "ratio" in s else ""))
        fp = f"{r['ratio_fastest_peer']:.2f} ({NAMES[r['fastest_peer']]})" if "ratio_fastest_peer" in r else "-"
        out.append(f"| {r['net']} | {r['threads']} | " + " | ".join(cells) + f" | {fp} |")
    if int8:
        out += error_table(rows, rts)
    out += ["", "| net | T | runtime | median ms | p90 ms | load ms | first ms | peak RSS MiB | RSS - baseline MiB "
            f"| file MiB | vs PyTorch | {'cosine, top-1' if int8 else 'top-5'} |",
            "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        for rt in rts:
            s = r["runtimes"].get(rt)
            if s is None:
                out.append(f"| {r['net']} | {r['threads']} | {NAMES[rt]} | not measured: "
                           f"{r['skipped'].get(rt, '-')} |||||||||")
                continue
            out.append(f"| {r['net']} | {r['threads']} | {NAMES[rt]} | {s['median_ms']:.2f} "
                       f"| {fmt(s['p90_ms'], '.2f')} | {s['create_ms']:.1f} | {fmt(s['first_ms'], '.1f')} "
                       f"| {mib(s['peak_rss_bytes'], '.1f')} "
                       f"| {mib(s.get('peak_rss_minus_baseline_bytes'), '.1f')} | {mib(s['model_bytes'], '.1f')} "
                       f"| {fmt(s['vs_torch'], '.1e')} | {agreement(s)} |")
    out += ["", "Versions, settings and conversions:", ""]
    first_net = next(iter(conv), None)
    for rt in rts:
        tool = conv[first_net][rt].get("tool") if first_net else None
        out.append(f"- {NAMES[rt]} {meta['versions'].get(rt) or ''}: "
                   f"{meta['settings'].get(rt) or 'incept-bench --threads T'}"
                   + (f"; model: {tool}" if tool else ""))
    return "\n".join(out)


def error_table(rows, rts) -> list:
    """int8: each runtime's error per net (the same test inputs at every thread count), with the median of the
    peers' mean cosines, which incept's must not fall below."""
    out = ["", "Error of the int8 logits against PyTorch's float32 ones on the 100 test inputs: mean cosine "
           "similarity (top-1 agreement).", "",
           "| net | " + " | ".join(NAMES[rt] for rt in rts) + " | median of the peers |",
           "|---|" + "---:|" * len(rts) + "---:|"]
    seen = set()
    for r in rows:
        if r["net"] in seen:
            continue
        seen.add(r["net"])
        cells, peers = [], []
        for rt in rts:
            s = r["runtimes"].get(rt) or {}
            if s.get("cosine") is None:
                cells.append("n/a")
                continue
            cells.append(f"{s['cosine']:.5f} ({s['top1_agree']:.0%})")
            if rt != "incept":
                peers.append(s["cosine"])
        out.append(f"| {r['net']} | " + " | ".join(cells) + f" | {fmt(med(peers), '.5f')} |")
    return out


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
