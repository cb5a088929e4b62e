# SPDX-License-Identifier: Apache-2.0
"""The report half of bench/peers: per-row summaries (median of round medians, ratios, RSS, agreement),
the text table with the DESIGN targets, and the host description. peers.py measures; this formats."""

import platform
import re
import statistics

LATENCY_TARGET, RSS_TARGET = 0.85, 0.5   # DESIGN.md, Targets
BUSY_CORES = 0.1                         # background load above which a measurement is flagged


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def summarise(a, models, plan, check, raw, base):
    rows = []
    for net in models:
        for t in a.threads:
            row = {"net": net, "threads": t, "runs": plan[net]["runs"], "warmup": plan[net]["warmup"],
                   "check": check[net][t]}
            for rt in ("incept", "ort"):
                rs = raw[net][t][rt]
                if not rs:
                    continue
                s = {"median_ms": med([x["median_ms"] for x in rs]),
                     "round_medians_ms": [x["median_ms"] for x in rs],
                     "p90_ms": med([x.get("p90_ms") for x in rs]), "min_ms": min(x["min_ms"] for x in rs),
                     "first_ms": med([x.get("first_ms") for x in rs]),
                     "peak_rss_bytes": med([x.get("peak_rss_bytes") for x in rs])}
                if rt == "incept":
                    s["load_ms"] = med([x.get("load_ms") for x in rs])
                    s["prepare_ms"] = med([x.get("prepare_ms") for x in rs])
                    s["load_prepare_ms"] = med([x["load_ms"] + x["prepare_ms"] for x in rs])
                    for k in ("arena_bytes", "arena_lower_bound_bytes", "weights_bytes", "gflop", "backend"):
                        s[k] = rs[-1].get(k)
                else:
                    s["create_ms"] = med([x["create_ms"] for x in rs])
                    s["version"] = rs[-1]["version"]
                s["rounds"] = rs
                row[rt] = s
            if "incept" in row and "ort" in row:
                inc, ort = row["incept"], row["ort"]
                row["ratio"] = inc["median_ms"] / ort["median_ms"]
                row["ratio_rounds"] = [x / y for x, y in zip(inc["round_medians_ms"], ort["round_medians_ms"])]
                row["load_ratio"] = inc["load_prepare_ms"] / ort["create_ms"]
                row["rss_ratio"] = inc["peak_rss_bytes"] / ort["peak_rss_bytes"]
            row["background_cores_max"] = max((x["background_cores"] for rt in ("incept", "ort")
                                               for x in raw[net][t][rt]), default=0.0)
            if "ort" in row and base:
                b = med([x["ort"] for x in base])
                row["ort"]["peak_rss_minus_node_bytes"] = row["ort"]["peak_rss_bytes"] - b
                if "incept" in row:
                    row["rss_ratio_minus_node"] = row["incept"]["peak_rss_bytes"] / row["ort"]["peak_rss_minus_node_bytes"]
            rows.append(row)
    return rows


def fmt(x, spec):
    """format(x, spec), or a dash right-aligned to the spec's width when x is None."""
    width = re.match(r"\d*", spec).group(0)
    return format("-", f">{width}") if x is None else format(x, spec)


def table(rows, base) -> str:
    MiB = 1 << 20
    hdr = (f"{'net':13s} {'T':>2s} {'incept ms':>10s} {'ORT ms':>8s}  {'incept/ORT (rounds)':22s} "
           f"{'load+prep':>9s} {'ORT create':>10s}  {'incept RSS':>10s} {'ORT RSS':>8s} {'ORT-node':>8s}  "
           f"{'agree':>8s} top1  {'bg':>4s}")
    lines = [hdr, "-" * len(hdr)]
    for r in rows:
        inc, ort = r.get("incept", {}), r.get("ort", {})
        if "ratio" in r:
            rr = r["ratio_rounds"]
            ratio = f"{r['ratio']:.3f} ({min(rr):.2f}-{max(rr):.2f})"
        else:
            ratio = "-"
        rss = lambda v: fmt(None if v is None else v / MiB, ".1f")  # noqa: E731
        c = r["check"]
        agree = fmt(c.get("incept_vs_ort", c.get("ort_vs_torch", c.get("incept_vs_torch"))), ".1e")
        top = [c.get(k) for k in ("incept_top1", "ort_top1") if k in c]
        top1 = "same" if top and all(x == c["torch_top1"] for x in top) else "DIFF"
        lines.append(
            f"{r['net']:13s} {r['threads']:>2d} {fmt(inc.get('median_ms'), '10.2f')} {fmt(ort.get('median_ms'), '8.2f')}  "
            f"{ratio:22s} {fmt(inc.get('load_prepare_ms'), '9.1f')} {fmt(ort.get('create_ms'), '10.1f')}  "
            f"{rss(inc.get('peak_rss_bytes')):>10s} {rss(ort.get('peak_rss_bytes')):>8s} "
            f"{rss(ort.get('peak_rss_minus_node_bytes')):>8s}  {agree:>8s} {top1}  "
            f"{r['background_cores_max']:4.2f}{' !' if r['background_cores_max'] > BUSY_CORES else ''}")
    lines.append("")
    lines.append("ms: median over rounds of each round's median; ratio in brackets: lowest-highest per-round "
                 "ratio. load+prep: incept load_ms + prepare_ms; ORT create: InferenceSession.create.")
    if base:
        lines.append(f"RSS in MiB: peak (VmHWM) of each process. ORT-node: ORT's peak minus a node process that "
                     f"loaded onnxruntime-node and made no session ({med([b['ort'] for b in base]) / MiB:.1f} MiB; "
                     f"bare node {med([b['bare'] for b in base]) / MiB:.1f} MiB).")
    lines.append("agree: max |incept - ORT| / max |ORT logit| on the same x.npy (or vs PyTorch when one runtime "
                 "ran); top1: both argmaxes equal PyTorch's.")
    lines.append("bg: the most CPUs that other processes (or the hypervisor's steal) kept busy during any of the "
                 "row's measurements; '!' above " + f"{BUSY_CORES}: that row's timings are suspect.")
    both = [r for r in rows if "ratio" in r]
    if both:
        lines.append("")
        lines.append("DESIGN targets:")
        for r in both:
            checks = [
                (f"latency <= {LATENCY_TARGET} x ORT", r["ratio"] <= LATENCY_TARGET, f"{r['ratio']:.2f}"),
                ("load+prepare <= ORT create", r["load_ratio"] <= 1.0, f"{r['load_ratio']:.2f}"),
            ]
            if "rss_ratio_minus_node" in r:
                checks.append((f"peak RSS <= {RSS_TARGET} x (ORT - node)", r["rss_ratio_minus_node"] <= RSS_TARGET,
                               f"{r['rss_ratio_minus_node']:.2f}; vs ORT's whole process {r['rss_ratio']:.2f}"))
            inc = r["incept"]
            if inc.get("arena_bytes") and inc.get("arena_lower_bound_bytes"):
                q = inc["arena_bytes"] / inc["arena_lower_bound_bytes"]
                checks.append(("arena <= 1.05 x lower bound", q <= 1.05, f"{q:.3f}"))
            lines.append(f"  {r['net']} T={r['threads']}: " + "; ".join(
                f"{name} {'met' if ok else 'MISSED'} ({v})" for name, ok, v in checks))
    return "\n".join(lines)


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"
