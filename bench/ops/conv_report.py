# SPDX-License-Identifier: Apache-2.0
"""Per-class table of conv throughput from an incept_bench_ops JSON file: for each conv implementation (float
and int8), the median GFLOP/s of each layer class (1x1, 3x3 s1, 3x3 s2, 5x5, 1x7/7x1, 1x3/3x1, the 7x7 stem, the
3-channel first convs) over every layer of the nets in the file (a shape shared by N layers counts N
times), as a fraction of the peak measured in the same run (BM_peak_fma; BM_peak_fma_avx2 for the AVX2
kernels where the CPU also has AVX-512; BM_peak_int8 / BM_peak_int8_avx2 / BM_peak_int8_amx for the int8
engine, its FLOPs being multiply-accumulates x 2 as for float), and the layers under 70 %. Winograd kernels
(float and int8) do fewer multiplies than the FLOPs counted: their rows give the effective GFLOP/s (direct
FLOPs / time) and the speed-up over the direct engine on the same ISA and layers (gemm_<isa> in the same
file). Fully connected layers (batch 1, bound by reading their weights) are listed in GiB/s against
BM_stream_read.

    build/release/bin/incept_bench_ops \\
        --benchmark_filter='BM_peak|BM_stream|conv2d_(f32|q8)_(gemm|winograd|xnn)|fully_connected_f32_(gemm|xnn)' \\
        --benchmark_repetitions=3 --benchmark_format=json --benchmark_out=build/conv.json
    /usr/bin/python3 bench/ops/conv_report.py build/conv.json [--layers]
"""

import argparse
import json
import re
import statistics
import sys


def conv_class(a: dict) -> str:
    kh, kw, s, cin = a["KH"], a["KW"], a["S"], a["Cin"]
    if cin <= 4:
        return "first conv (Cin 3)"
    if (kh, kw) == (1, 1):
        return "1x1" if s == 1 else "1x1 s2"
    if (kh, kw) == (3, 3):
        return f"3x3 s{s}"
    if (kh, kw) == (5, 5):
        return "5x5"
    if sorted((kh, kw)) == [1, 7]:
        return "1x7/7x1"
    if sorted((kh, kw)) == [1, 3]:
        return "1x3/3x1"
    return f"{kh}x{kw} s{s}"


def load(path: str):
    with open(path) as f:
        data = json.load(f)
    rows = data["benchmarks"]
    if any(r.get("run_type") == "aggregate" for r in rows):   # with repetitions: the medians
        rows = [r for r in rows if r.get("aggregate_name") == "median"]
    peaks, convs, fcs, streams = {}, [], [], {}
    for r in rows:
        name = r.get("run_name", r["name"])
        if "error_occurred" in r and r["error_occurred"]:
            continue
        if name.startswith("BM_peak_fma"):
            peaks["avx2" if name.startswith("BM_peak_fma_avx2") else "widest"] = r["FLOPS"] / 1e9
            continue
        if name.startswith("BM_peak_int8"):
            peaks["int8_avx2" if name.startswith("BM_peak_int8_avx2")
                  else "int8_amx" if name.startswith("BM_peak_int8_amx") else "int8"] = r["FLOPS"] / 1e9
            continue
        s = re.match(r"BM_stream_read/MiB:(\d+)", name)
        if s:
            streams[int(s.group(1))] = r["bytes"] / 2**30
            continue
        f = re.match(r"BM_fully_connected_f32_(\w+?)/(\w+)/In:(\d+)/Out:(\d+)", name)
        if f:
            fcs.append({"impl": f.group(1), "net": f.group(2), "in": int(f.group(3)), "out": int(f.group(4)),
                        "gib": r["bytes"] / 2**30})
            continue
        m = re.match(r"BM_conv2d_((?:f32|q8)_\w+?)/(\w+)/(.*?)/(?:real_time|iterations)", name + "/")
        if not m:
            continue
        args = dict((k, int(v)) for k, v in re.findall(r"(\w+):(-?\d+)", m.group(3)))
        count = int(re.search(r"\(x(\d+)\)", r.get("label", "")).group(1)) if "(x" in r.get("label", "") else 1
        convs.append({"impl": m.group(1), "net": m.group(2), "args": args, "gflops": r["FLOPS"] / 1e9,
                      "label": r.get("label", ""), "count": count})
    return data.get("context", {}), peaks, convs, fcs, streams


def winograd_table(impl: str, convs: list, layers: bool) -> None:
    """Effective GFLOP/s and the speed-up over the direct engine of the same ISA, per class."""
    dtype = impl.split("_")[0]   # f32 or q8: the direct engine of the same type and ISA
    direct_impl = f"{dtype}_gemm_" + re.sub(r"^(f32|q8)_winograd_(f2x2_)?", "", impl)
    direct = {(c["net"], tuple(sorted(c["args"].items()))): c for c in convs if c["impl"] == direct_impl}
    rows = [c for c in convs if c["impl"] == impl]
    print(f"\n### conv2d_{impl} (effective GFLOP/s: direct FLOPs / time; "
          f"x: speed-up over conv2d_{direct_impl})\n")
    print("| class | layers | median effective GFLOP/s | median x direct | lowest x (layer) |")
    print("|---|---|---|---|---|")
    classes = {}
    for c in rows:
        d = direct.get((c["net"], tuple(sorted(c["args"].items()))))
        c["speedup"] = c["gflops"] / d["gflops"] if d else None
        classes.setdefault(conv_class(c["args"]), []).append(c)
    for cls in sorted(classes, key=lambda k: -sum(c["count"] for c in classes[k])):
        cs = classes[cls]
        rates = [c["gflops"] for c in cs for _ in range(c["count"])]
        ups = [c["speedup"] for c in cs for _ in range(c["count"]) if c["speedup"] is not None]
        low = min((c for c in cs if c["speedup"] is not None), key=lambda c: c["speedup"], default=None)
        print(f"| {cls} | {len(rates)} | {statistics.median(rates):.1f} | "
              + (f"{statistics.median(ups):.2f} | {low['speedup']:.2f} ({low['net']} {low['label']}) |" if ups
                 else "- | - |"))
    if layers:
        for c in rows:
            up = f"{c['speedup']:.2f} x" if c["speedup"] is not None else "-"
            print(f"  {c['net']:20s} {c['label']:50s} {c['gflops']:7.1f} GFLOP/s {up}")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("results", help="incept_bench_ops --benchmark_format=json output")
    p.add_argument("--layers", action="store_true", help="also list every layer")
    a = p.parse_args()
    context, peaks, convs, fcs, streams = load(a.results)
    if "widest" not in peaks:
        sys.exit("conv_report: no BM_peak_fma in the file: "
                 "run it in the same filter (--benchmark_filter='BM_peak|conv2d')")
    print(f"CPU: {context.get('host_name', '?')}, {context.get('num_cpus', '?')} CPUs; peak one core "
          f"{peaks['widest']:.1f} GFLOP/s" + (f", AVX2 {peaks['avx2']:.1f}" if "avx2" in peaks else "")
          + (f"; int8 {peaks['int8']:.1f} GOP/s" if "int8" in peaks else "")
          + (f", int8 AVX2 {peaks['int8_avx2']:.1f}" if "int8_avx2" in peaks else "")
          + (f", int8 AMX {peaks['int8_amx']:.1f}" if "int8_amx" in peaks else ""))
    for impl in sorted({c["impl"] for c in convs}):
        if impl.startswith(("f32_winograd", "q8_winograd")):
            winograd_table(impl, convs, a.layers)
            continue
        if impl.startswith("q8"):   # against the int8 peak of its instruction (BM_peak_int8)
            key = ("int8_avx2" if "avx2" in impl and "int8_avx2" in peaks
                   else "int8_amx" if "amx" in impl and "int8_amx" in peaks else "int8")
            if key not in peaks:
                print(f"\n(conv2d_{impl}: no BM_peak_int8 in the file)")
                continue
            peak = peaks[key]
        else:
            peak = peaks.get("avx2", peaks["widest"]) if "avx2" in impl else peaks["widest"]
        rows = [c for c in convs if c["impl"] == impl]
        nets = sorted({c["net"] for c in rows})
        print(f"\n### conv2d_{impl} ({', '.join(nets)}; peak {peak:.1f} GFLOP/s)\n")
        print("| class | layers | median GFLOP/s | median % of peak | lowest % (layer) |")
        print("|---|---|---|---|---|")
        classes = {}
        for c in rows:
            classes.setdefault(conv_class(c["args"]), []).append(c)
        for cls in sorted(classes, key=lambda k: -sum(c["count"] for c in classes[k])):
            cs = classes[cls]
            rates = [c["gflops"] for c in cs for _ in range(c["count"])]
            low = min(cs, key=lambda c: c["gflops"])
            print(f"| {cls} | {len(rates)} | {statistics.median(rates):.1f} | "
                  f"{100 * statistics.median(rates) / peak:.1f} % "
                  f"| {100 * low['gflops'] / peak:.1f} % ({low['net']} {low['label']}) |")
        under = [c for c in rows if c["gflops"] < 0.7 * peak and conv_class(c["args"]) != "first conv (Cin 3)"]
        print("\nlayers under 70 % of peak (first convs excepted): "
              + (", ".join(f"{c['net']} {c['label']} {100 * c['gflops'] / peak:.0f} %" for c in under) or "none"))
        if a.layers:
            for c in rows:
                print(f"  {c['net']:20s} {c['label']:50s} {c['gflops']:7.1f} GFLOP/s {100 * c['gflops'] / peak:5.1f} %")
    if fcs:
        fc_table(fcs, streams)
    return 0


def fc_table(fcs: list, streams: dict) -> None:
    """Fully connected at batch 1 reads each weight once: GiB/s against one core's streaming read rate."""
    warm = streams.get(8)
    print("\n### fully connected, batch 1 (bytes read per second; BM_stream_read in the same run: "
          + (", ".join(f"{mib} MiB {gib:.1f} GiB/s" for mib, gib in sorted(streams.items())) or "not run") + ")\n")
    print("| kernel | net | In x Out | GiB/s | of the 8 MiB stream |")
    print("|---|---|---|---|---|")
    for f in fcs:
        share = f"{100 * f['gib'] / warm:.0f} %" if warm else "-"
        print(f"| fully_connected_f32_{f['impl']} | {f['net']} | {f['in']} x {f['out']} | {f['gib']:.1f} | {share} |")


if __name__ == "__main__":
    sys.exit(main())
