# SPDX-License-Identifier: Apache-2.0
"""incept-bench and incept-inspect as a user meets them, on a tiny Inception-style net (torch -> ONNX ->
incept-convert): the JSON has every documented key with sane values, --profile covers every op, the
memory plan prints and draws (one SVG rect per planned tensor), and bad flags / models get one clear
error line and a non-zero exit."""
import json
import os
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest
from tinynet import BIN, build_tiny, one_error_line, run

BENCH = BIN / "incept-bench"
INSPECT = BIN / "incept-inspect"

needs_bench = pytest.mark.skipif(not BENCH.exists(), reason=f"{BENCH} not built (cmake --build --preset release)")
needs_inspect = pytest.mark.skipif(not INSPECT.exists(), reason=f"{INSPECT} not built (cmake --build --preset release)")

REQUIRED = ["load_ms", "prepare_ms", "first_ms", "median_ms", "p90_ms", "min_ms", "arena_bytes",
            "arena_lower_bound_bytes", "copy_concat_bytes", "weights_bytes", "packed_weights_bytes", "peak_rss_bytes",
            "gflop", "gflops", "peak_gflops_per_core", "threads", "backend", "model", "runs"]
SVG_NS = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    d = tmp_path_factory.mktemp("tiny_bench")
    build_tiny(d)
    return d / "tiny.incept"


def bench_json(model, *args):
    r = run(BENCH, model, "--json", "--runs", 2, "--warmup", 1, *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)   # exactly one JSON object: json.loads rejects trailing text


@needs_bench
def test_bench_json_has_every_key_and_sane_values(tiny):
    j = bench_json(tiny)
    missing = [k for k in REQUIRED if k not in j]
    assert not missing, missing
    assert j["runs"] == 2 and j["threads"] == 1 and j["backend"] == "auto" and j["model"] == str(tiny)
    assert 0 < j["min_ms"] <= j["median_ms"] <= j["p90_ms"]
    assert j["load_ms"] > 0 and j["prepare_ms"] > 0 and j["first_ms"] > 0
    assert j["arena_bytes"] >= j["arena_lower_bound_bytes"] > 0
    assert j["copy_concat_bytes"] >= j["arena_lower_bound_bytes"]
    assert j["weights_bytes"] > 0 and j["packed_weights_bytes"] >= 0
    assert j["peak_rss_bytes"] > j["arena_bytes"]
    assert j["gflop"] > 0 and j["gflops"] > 0 and j["peak_gflops_per_core"] > 0
    assert "ops" not in j


@needs_bench
def test_bench_profile_lists_every_op(tiny):
    j = bench_json(tiny, "--profile", "--threads", 2)
    assert j["threads"] == 2
    ops = j["ops"]
    assert len(ops) == j["num_ops"] > 0
    assert [o["index"] for o in ops] == list(range(len(ops)))
    assert {"Conv2D", "Concat", "MaxPool2D", "FullyConnected"} <= {o["kind"] for o in ops}
    assert all(o["median_ms"] >= 0 and o["backend"] for o in ops)
    # kernel names follow <op>_<dtype>_<impl>[_<tile>_<isa>]: conv2d_f32_gemm_6x16_avx2_fma, max_pool2d_f32_xnn, ...
    assert all(re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", o["kernel"]) for o in ops), [o["kernel"] for o in ops]
    assert all(o["kernel"].startswith("conv2d_f32_") for o in ops if o["kind"] == "Conv2D")
    assert abs(sum(o["share"] for o in ops) - 1.0) < 1e-3
    human = run(BENCH, tiny, "--runs", 2, "--profile")
    assert human.returncode == 0, human.stderr
    for o in ops:
        assert o["name"][-30:] in human.stdout
    assert "per kernel" in human.stdout


@needs_bench
def test_bench_human_summary(tiny):
    r = run(BENCH, tiny, "--runs", 3, "--backend", "ref")
    assert r.returncode == 0, r.stderr
    for word in ("load", "prepare", "first run", "median", "p90", "GFLOP/s", "of peak", "arena", "lower bound",
                 "copy-concat", "weights", "peak RSS", "backend ref"):
        assert word in r.stdout, word
    assert "xnnpack" not in r.stdout.split("ops", 1)[1]   # --backend ref: no op ran on XNNPACK


@needs_inspect
def test_inspect_prints_plan_and_draws_one_rect_per_tensor(tiny, tmp_path):
    svg = tmp_path / "plan.svg"
    r = run(INSPECT, tiny, "--svg", svg)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    for word in ("architecture", "preprocess", "labels", "graph", "memory plan", "lower bound", "copy-concat"):
        assert word in out, word
    plan = out.split("memory plan", 1)[1]
    rows = re.findall(r"^\s*(\d+)\s+(\S+)\s+\[[^\]]*\]\s+float32\s+(\d+)\s+(\d+)\s+(-?\d+)\.\.(-?\d+)\s+(.*)$", plan,
                      re.M)
    assert rows, plan
    planned = {int(t) for t, *_ in rows}
    views = {int(t) for t, *rest in rows if rest[-1].strip() != "-"}
    assert views, "the concat inputs should be views"
    root = ET.parse(svg).getroot()
    assert root.tag == SVG_NS + "svg"
    rects = [e for e in root.iter(SVG_NS + "rect") if e.get("class") in ("tensor", "view")]
    assert sorted(int(e.get("data-tensor")) for e in rects) == sorted(planned)
    assert {int(e.get("data-tensor")) for e in rects if e.get("class") == "view"} == views
    w, h = float(root.get("width")), float(root.get("height"))
    for e in rects:
        assert e.find(SVG_NS + "title") is not None and e.find(SVG_NS + "title").text
        assert "\n" in e.find(SVG_NS + "title").text and "\\x0a" not in e.find(SVG_NS + "title").text   # real breaks
        x, y, rw, rh = (float(e.get(k)) for k in ("x", "y", "width", "height"))
        assert 0 <= x and x + rw <= w + 0.01 and 0 <= y and y + rh <= h + 0.01 and rw > 0 and rh > 0


@needs_bench
@needs_inspect
@pytest.mark.parametrize("tool", ["incept-bench", "incept-inspect"])
@pytest.mark.parametrize("args,expect", [
    (["--threads", "0"], "--threads must be an integer in 1..256"),
    (["--threads", "x"], "--threads must be an integer"),
    (["--backend", "gpu"], "unknown backend 'gpu'"),
    (["--bogus"], "unknown option '--bogus'"),
    (["--threads"], "--threads needs a value"),
])
def test_bad_flags(tiny, tool, args, expect):
    r = run(BIN / tool, tiny, *args)
    assert r.returncode == 2
    assert expect in one_error_line(r, tool)


@needs_bench
def test_bench_bad_run_counts(tiny):
    for args in (["--runs", "0"], ["--warmup", "-1"], ["--runs", "1e3"]):
        r = run(BENCH, tiny, *args)
        assert r.returncode == 2 and "must be an integer" in one_error_line(r, "incept-bench")


@needs_bench
@needs_inspect
@pytest.mark.parametrize("tool", ["incept-bench", "incept-inspect"])
def test_bad_models(tool, tiny, tmp_path):
    (tmp_path / "junk.incept").write_bytes(b"\x00" * 64)
    (tmp_path / "cut.incept").write_bytes(tiny.read_bytes()[:200])
    for name, expect in [("missing.incept", "cannot open model file"), ("junk.incept", "invalid model"),
                         ("cut.incept", "invalid model")]:
        r = run(BIN / tool, tmp_path / name)
        assert r.returncode == 2   # bad input, as in every tool
        line = one_error_line(r, tool)
        assert expect in line and name in line
    r = run(BIN / tool)
    assert r.returncode == 2 and "usage:" in r.stderr


@needs_inspect
def test_inspect_unwritable_svg(tiny, tmp_path):
    r = run(INSPECT, tiny, "--svg", tmp_path / "no" / "such" / "dir" / "plan.svg")
    assert r.returncode == 2 and "cannot write" in one_error_line(r, "incept-inspect") and r.stdout == ""


@needs_bench
def test_share_of_peak_says_when_winograd_does_fewer_multiplications(tiny):
    env = {**os.environ, "INCEPT_WINOGRAD": "all"}   # every conv Winograd can take, even this tiny net's
    j = json.loads(subprocess.run([str(BENCH), tiny, "--runs", "1", "--warmup", "0", "--json"], env=env,
                                  capture_output=True, text=True, check=True).stdout)
    if j["winograd_convs"] == 0:
        pytest.skip("no Winograd kernel on this CPU (native kernels need AVX2 or NEON)")
    human = subprocess.run([str(BENCH), tiny, "--runs", "1", "--warmup", "0"], env=env, capture_output=True,
                           text=True, check=True).stdout
    assert (f"GFLOP as direct convolution would do them; {j['winograd_convs']} convs run Winograd, which does fewer "
            "multiplications, so the share can pass 100%") in human
    direct = run(BENCH, tiny, "--runs", 1, "--warmup", 0, "--no-winograd")
    assert direct.returncode == 0 and "of peak" in direct.stdout and "Winograd, which" not in direct.stdout
