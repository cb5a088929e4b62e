# SPDX-License-Identifier: Apache-2.0
"""bench/peers' pure parts on data made here (no peer runtime or venv needed): the output gate against
PyTorch, the per-row summary (ratios to incept, fastest peer, RSS over a runtime's baseline, runtimes not
measured), the text and Markdown tables, the chart, and onnx_to_tflite's choice of TFLite padding."""
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench" / "peers"))
import chart  # noqa: E402
import onnx_to_tflite  # noqa: E402
import peers_report  # noqa: E402

MiB = 1 << 20


def test_gate_diff_and_top5():
    ref = np.arange(10, dtype=np.float32).reshape(1, 10)
    ok = peers_report.gate(ref + 1e-6, ref, 1e-3)
    assert ok["ok"] and ok["top5_same"] and ok["top5"] == [9, 8, 7, 6, 5] and ok["vs_torch"] < 1e-6
    swapped = ref.copy()
    swapped[0, 8], swapped[0, 9] = 9.0, 8.0           # same classes, another order: not the same top-5
    bad = peers_report.gate(swapped, ref, 1e-3)
    assert not bad["ok"] and not bad["top5_same"] and "top-5" in bad["why"] and "1.1e-01" in bad["why"]
    far = peers_report.gate(ref * 1.01, ref, 1e-3)    # same ranking, 1 % off: above the limit
    assert not far["ok"] and far["top5_same"] and "> 0.001" in far["why"]


def measurement(median, rss, create, bg=0.0, **extra):
    return dict(median_ms=median, p90_ms=median * 1.1, min_ms=median * 0.9, first_ms=median * 2, create_ms=create,
                peak_rss_bytes=rss, background_cores=bg, **extra)


def fake_run():
    a = SimpleNamespace(threads=[1], runtimes=["incept", "ort", "tflite"])
    models = {"googlenet": {}}
    conv = {"googlenet": {"incept": {"bytes": 25 * MiB, "tool": "incept-convert"},
                          "ort": {"bytes": 26 * MiB, "tool": "as is"},
                          "tflite": {"error": "conversion failed: no mapping", "tool": "onnx_to_tflite.py"}}}
    plan = {"googlenet": {"runs": 50, "warmup": 5}}
    check = {"googlenet": {1: {"incept": {"vs_torch": 7e-7, "top5_same": True},
                               "ort": {"vs_torch": 9e-7, "top5_same": True}}}}
    skipped = {"googlenet": {"tflite": "conversion failed: no mapping"}}
    inc = [measurement(10.0, 45 * MiB, 30.0, load_ms=10.0, prepare_ms=20.0, arena_bytes=100,
                       arena_lower_bound_bytes=100, backend="auto"),
           measurement(11.0, 45 * MiB, 31.0, load_ms=10.0, prepare_ms=21.0, arena_bytes=100,
                       arena_lower_bound_bytes=100, backend="auto")]
    ort = [measurement(12.5, 130 * MiB, 50.0, bg=0.3, version="1.32.0", settings="intra_op T"),
           measurement(13.75, 130 * MiB, 52.0, version="1.32.0", settings="intra_op T")]
    raw = {"googlenet": {1: {"incept": inc, "ort": ort, "tflite": []}}}
    base = [{"bare": 26 * MiB, "ort": 50 * MiB}, {"bare": 26 * MiB, "ort": 50 * MiB}]
    rows = peers_report.summarise(a, models, conv, plan, check, skipped, raw, base)
    meta = {"cpu": "Test CPU", "cpus": 2, "date": "2026-01-02T03:04:05", "rounds": 2, "runtimes": a.runtimes,
            "versions": {"incept": "backend auto", "ort": "1.32.0"}, "settings": {"ort": "intra_op T"}}
    return rows, base, meta, conv


def test_summary_ratios_baseline_and_skipped():
    rows, _, _, _ = fake_run()
    (r,) = rows
    inc, ort = r["runtimes"]["incept"], r["runtimes"]["ort"]
    assert inc["median_ms"] == 10.5 and ort["median_ms"] == 13.125
    assert abs(ort["ratio"] - 10.5 / 13.125) < 1e-12
    assert [round(x, 3) for x in ort["ratio_rounds"]] == [0.8, 0.8]
    assert r["fastest_peer"] == "ort" and r["ratio_fastest_peer"] == ort["ratio"]
    assert ort["peak_rss_minus_baseline_bytes"] == 80 * MiB and "peak_rss_minus_baseline_bytes" not in inc
    assert inc["create_ms"] == 30.5 and ort["model_bytes"] == 26 * MiB
    assert "tflite" not in r["runtimes"] and r["skipped"]["tflite"].startswith("conversion failed")
    assert r["background_cores_max"] == 0.3


def test_tables_and_chart():
    rows, base, meta, conv = fake_run()
    text = peers_report.table(rows, base, meta)
    lines = text.splitlines()
    ort_line = next(x for x in lines if x.startswith("googlenet") and " ORT " in x)
    assert "13.12" in ort_line and "0.80 (0.80-0.80)" in ort_line and "80.0" in ort_line and ort_line.endswith("0.30 !")
    assert any("TFLite   not measured: conversion failed: no mapping" in x for x in lines)
    assert "incept / fastest peer (ORT): 0.80" in text
    assert "latency <= 0.85 x the fastest peer (ORT) met (0.800)" in text
    assert "load+prepare <= ORT session creation met (0.60)" in text
    assert "peak RSS <= 0.5 x (ORT - its baseline) MISSED (0.56" in text
    md = peers_report.markdown(rows, meta, conv)
    assert "| googlenet | 1 | 10.5 | 13.1 (0.80) | n/a | 0.80 (ONNX Runtime) |" in md
    assert "| googlenet | 1 | TFLite | not measured: conversion failed: no mapping |" in md
    assert "2 rounds" in md and "onnx_to_tflite.py" in md
    svg = chart.render({"meta": meta, "results": rows})
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "0.80x" in svg and "TFLite: conversion failed" in svg and "GoogLeNet" in svg


def test_int8_rows_carry_the_error_on_the_test_inputs():
    """An int8 pass's check holds each runtime's error on the test inputs: the tables show the mean cosine and
    the top-1 agreement where the float32 ones show the top-5, and say how the error was measured."""
    rows, base, meta, conv = fake_run()
    a = SimpleNamespace(threads=[1], runtimes=["incept", "ort", "tflite"])
    check = {"googlenet": {1: {"incept": {"vs_torch": 0.030, "top5_same": None, "cosine": 0.99978, "top1_agree": 0.98},
                               "ort": {"vs_torch": 0.032, "top5_same": None, "cosine": 0.99976, "top1_agree": 0.97}}}}
    raw = {"googlenet": {1: {rt: [dict(x) for x in rows[0]["runtimes"][rt]["rounds"]] if rt in rows[0]["runtimes"]
                             else [] for rt in a.runtimes}}}
    rows8 = peers_report.summarise(a, {"googlenet": {}}, conv, {"googlenet": {"runs": 50, "warmup": 5}}, check,
                                   {"googlenet": {"tflite": "no int8 model: not installed"}}, raw, base)
    assert rows8[0]["runtimes"]["ort"]["cosine"] == 0.99976 and rows8[0]["runtimes"]["incept"]["top1_agree"] == 0.98
    meta8 = dict(meta, precision="int8")
    text = peers_report.table(rows8, base, meta8)
    ort_line = next(x for x in text.splitlines() if x.startswith("googlenet") and " ORT " in x)
    assert "3.2e-02 cos 0.9998 top-1 97%" in ort_line
    assert "own post-training quantisation" in text and "over 100 test inputs" in text
    md = peers_report.markdown(rows8, meta8, conv)
    assert "| cosine, top-1 |" in md and "cos 0.9998 top-1 98% |" in md and "100 other inputs" in md
    assert "| top-5 |" in peers_report.markdown(rows, meta, conv)
    # the error table: one row per net, a runtime without a model n/a, the peers' median beside incept's
    errors = md.split("mean cosine similarity (top-1 agreement).")[1].split("\n\n")[1].splitlines()
    assert errors[0] == "| net | incept | ONNX Runtime | TFLite | median of the peers |"
    assert errors[2:] == ["| googlenet | 0.99978 (98%) | 0.99976 (97%) | n/a | 0.99976 |"]
    assert "mean cosine" not in peers_report.markdown(rows, meta, conv)


def test_tflite_padding_choice():
    pick = onnx_to_tflite.pick_padding
    assert pick([224, 224], [7, 7], [2, 2], [3, 3, 3, 3]) is None           # GoogLeNet stem: SAME would pad 2/3
    assert pick([56, 56], [3, 3], [1, 1], [1, 1, 1, 1]) == "SAME"
    assert pick([17, 17], [1, 7], [1, 1], [0, 3, 0, 3]) == "SAME"
    assert pick([299, 299], [3, 3], [2, 2], [0, 0, 0, 0]) == "VALID"
    assert pick([112, 112], [3, 3], [2, 2], [0, 0, 0, 0], ceil_mode=True) == "SAME"   # ceil-mode max pool
    assert pick([14, 14], [2, 2], [2, 2], [0, 0, 0, 0], ceil_mode=True) == "VALID"
    # 4 windows; SAME would pad 1 first
    assert pick([10, 10], [3, 3], [3, 3], [0, 0, 0, 0], ceil_mode=True) is None
