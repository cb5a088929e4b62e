# SPDX-License-Identifier: Apache-2.0
"""Bar chart (hand-written SVG, no plotting library) of bench/peers results.json: median latency per
net x threads, one bar per runtime, whiskers over the per-round medians, and above each peer's bar
incept's time / that runtime's (below 1: incept is faster).

    /usr/bin/python3 bench/peers/chart.py build/peers/results.json -o build/peers/chart.svg
"""

import argparse
import json
import math
import sys
from xml.sax.saxutils import escape

from peers_common import NAMES, RUNTIMES  # noqa: E402  (same folder)

COLOURS = {"incept": "#1f77b4", "ort": "#ff7f0e", "tflite": "#2ca02c", "ncnn": "#9467bd", "mnn": "#8c564b",
           "openvino": "#e377c2"}
NET_TITLES = {"googlenet": "GoogLeNet", "inception_v3": "Inception-v3", "inception_v4": "Inception-v4",
              "inception_resnet_v2": "Inception-ResNet-v2"}
TARGET = 0.85


def nice_max(v: float) -> float:
    if v <= 0:
        return 1.0
    e = 10 ** math.floor(math.log10(v))
    for m in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10):
        if m * e >= v:
            return m * e
    return 10 * e


def ticks(top: float):
    step = top / 5
    e = 10 ** math.floor(math.log10(step))
    step = min((m * e for m in (1, 2, 2.5, 5, 10) if m * e >= step), default=step)
    n = int(math.floor(top / step + 1e-9))
    return [i * step for i in range(n + 1)]


def label(v: float) -> str:
    return f"{v:.0f}" if v >= 100 else f"{v:.1f}"


def render(res: dict) -> str:
    rows = res["results"]
    meta = res.get("meta", {})
    nets = list(dict.fromkeys(r["net"] for r in rows))
    asked = meta.get("runtimes") or RUNTIMES   # a runtime asked for but never measured still gets its x marks
    runtimes = [rt for rt in RUNTIMES
                if rt in asked and any(rt in r["runtimes"] or rt in r.get("skipped", {}) for r in rows)]
    H_PLOT, LEFT, TOP, GAP = 300, 64, 124, 48
    bar_w = 26
    threads_per_net = max(len([r for r in rows if r["net"] == n]) for n in nets)
    W_PANEL = max(220, threads_per_net * (len(runtimes) * bar_w + 24))
    area = len(nets) * W_PANEL + (len(nets) - 1) * GAP
    width = max(LEFT + area + 20, 900)
    bg = max((r.get("background_cores_max") or 0.0) for r in rows)
    rebuilt = meta.get("incept_bench_rebuilt_during_run")
    height = TOP + H_PLOT + 62 + (18 if bg > 0.1 else 0) + (18 if rebuilt else 0)
    o = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height}" '
         f'viewBox="0 0 {width:.0f} {height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">',
         f'<rect width="{width:.0f}" height="{height}" fill="white"/>']
    title = "incept and its peers: median latency, batch 1, fp32 (lower is better)"
    vers = meta.get("versions", {})
    sub1 = "; ".join(f"{NAMES[rt]} {vers.get(rt) or ''}".strip() for rt in runtimes) + "; same weights and input"
    sub2 = (f"bar: median of {meta.get('rounds', '?')} round medians; whisker: lowest to highest round median; "
            f"{meta.get('cpu', '')}, {meta.get('cpus', '?')} CPUs, {meta.get('date', '')[:16].replace('T', ' ')}")
    o.append(f'<text x="{LEFT}" y="24" font-size="16" font-weight="bold">{escape(title)}</text>')
    o.append(f'<text x="{LEFT}" y="43" font-size="11" fill="#444">{escape(sub1)}</text>')
    o.append(f'<text x="{LEFT}" y="58" font-size="11" fill="#444">{escape(sub2)}</text>')
    lx = LEFT
    for rt in runtimes:
        o.append(f'<rect x="{lx}" y="70" width="14" height="14" fill="{COLOURS[rt]}"/>')
        o.append(f'<text x="{lx + 20}" y="81">{NAMES[rt]}</text>')
        lx += 30 + 8 * len(NAMES[rt])
    if "incept" in runtimes and len(runtimes) > 1:
        o.append(f'<text x="{LEFT}" y="100" font-size="11" fill="#444">above a peer\'s bar: incept / that runtime '
                 f'(green: incept is faster); dashed on incept\'s bar: {TARGET} x the fastest peer (the DESIGN target)'
                 f'</text>')
    base_y = TOP + H_PLOT
    for i, net in enumerate(nets):
        x0 = LEFT + i * (W_PANEL + GAP)
        nrows = [r for r in rows if r["net"] == net]
        vals = [v for r in nrows for s in r["runtimes"].values() for v in s["round_medians_ms"]]
        top = nice_max(max(vals, default=1.0) * 1.3)
        y = lambda v: base_y - v / top * H_PLOT  # noqa: E731
        o.append(f'<text x="{x0 + W_PANEL / 2}" y="{TOP - 8}" text-anchor="middle" font-size="14" font-weight="bold">'
                 f'{escape(NET_TITLES.get(net, net))}</text>')
        for tv in ticks(top):
            ty = y(tv)
            o.append(f'<line x1="{x0}" y1="{ty:.1f}" x2="{x0 + W_PANEL}" y2="{ty:.1f}" stroke="#e4e4e4"/>')
            o.append(f'<text x="{x0 - 6}" y="{ty + 4:.1f}" text-anchor="end" fill="#444">{tv:g}</text>')
        o.append(f'<line x1="{x0}" y1="{base_y}" x2="{x0 + W_PANEL}" y2="{base_y}" stroke="#222"/>')
        o.append(f'<line x1="{x0}" y1="{TOP}" x2="{x0}" y2="{base_y}" stroke="#222"/>')
        if i == 0:
            o.append(f'<text transform="translate({x0 - 46},{TOP + H_PLOT / 2}) rotate(-90)" text-anchor="middle" '
                     f'fill="#222">median latency, ms</text>')
        group_w = len(runtimes) * bar_w
        slot = W_PANEL / max(1, len(nrows))
        for j, r in enumerate(nrows):
            gx = x0 + j * slot + (slot - group_w) / 2
            for k, rt in enumerate(runtimes):
                bx = gx + k * bar_w
                cx = bx + bar_w / 2
                s = r["runtimes"].get(rt)
                if s is None:   # not measured: a cross on the axis, the reason as a tooltip
                    why = escape(r.get("skipped", {}).get(rt, "not measured"))
                    o.append(f'<text x="{cx:.1f}" y="{base_y - 4}" text-anchor="middle" font-size="11" '
                             f'fill="{COLOURS[rt]}"><title>{NAMES[rt]}: {why}</title>x</text>')
                    continue
                by = y(s["median_ms"])
                o.append(f'<rect x="{bx + 2:.1f}" y="{by:.1f}" width="{bar_w - 4}" height="{base_y - by:.1f}" '
                         f'fill="{COLOURS[rt]}"><title>{NAMES[rt]} {net} T={r["threads"]}: '
                         f'{s["median_ms"]:.2f} ms</title></rect>')
                lo, hi = min(s["round_medians_ms"]), max(s["round_medians_ms"])
                if hi > lo:
                    o.append(f'<path d="M{cx:.1f},{y(lo):.1f}V{y(hi):.1f}M{cx - 4:.1f},{y(lo):.1f}h8M{cx - 4:.1f},'
                             f'{y(hi):.1f}h8" stroke="#222" fill="none"/>')
                ly = min(by, y(hi)) - 4
                if rt == "incept" and "fastest_peer" in r:   # above the dashed target mark too
                    ly = min(ly, y(TARGET * r["runtimes"][r["fastest_peer"]]["median_ms"]) - 4)
                text = label(s["median_ms"])
                colour = "#222"
                if "ratio" in s:
                    text += f"  {s['ratio']:.2f}x"
                    colour = "#1a7f37" if s["ratio"] < 1 else "#b42318"
                o.append(f'<text transform="translate({cx + 4:.1f},{ly:.1f}) rotate(-90)" font-size="10" '
                         f'fill="{colour}">{text}</text>')
                if rt == "incept" and "fastest_peer" in r:
                    ty = y(TARGET * r["runtimes"][r["fastest_peer"]]["median_ms"])
                    o.append(f'<line x1="{bx:.1f}" y1="{ty:.1f}" x2="{bx + bar_w:.1f}" y2="{ty:.1f}" stroke="#222" '
                             f'stroke-width="2" stroke-dasharray="4,2"/>')
            o.append(f'<text x="{gx + group_w / 2:.1f}" y="{base_y + 18}" text-anchor="middle">'
                     f'{r["threads"]} thread{"s" if r["threads"] != 1 else ""}</text>')
    o.append(f'<text x="{LEFT}" y="{height - 14}" font-size="11" fill="#444">x on the axis: not measured (hover '
             f'for why). Made by bench/peers/run.sh</text>')
    if bg > 0.1:
        o.append(f'<text x="{LEFT}" y="{height - 32}" font-size="11" font-weight="bold" fill="#b42318">busy box: '
                 f'other processes kept up to {bg:.2f} CPUs busy during the measurements; the timings are suspect'
                 f'</text>')
    if rebuilt:
        o.append(f'<text x="{LEFT}" y="{height - 32 - (18 if bg > 0.1 else 0)}" font-size="11" font-weight="bold" '
                 f'fill="#b42318">incept-bench was rebuilt during the run ({escape(rebuilt)}): incept\'s rounds '
                 f'are not comparable</text>')
    o.append("</svg>")
    return "\n".join(o) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("results", help="results.json from bench/peers/run.sh")
    p.add_argument("-o", "--output", required=True, help="SVG to write")
    a = p.parse_args(argv)
    with open(a.results) as f:
        res = json.load(f)
    if not res.get("results"):
        print("chart.py: no results in " + a.results, file=sys.stderr)
        return 1
    with open(a.output, "w") as f:
        f.write(render(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
