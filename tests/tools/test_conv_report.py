# SPDX-License-Identifier: Apache-2.0
"""bench/ops/conv_report.py on a small incept_bench_ops JSON written here: classes, shared-shape counts,
the peak each kernel is measured against (AVX2 kernels against BM_peak_fma_avx2), medians over
repetitions, the under-70 % list, Winograd's speed-up over the direct engine, and the error without a peak."""
import json
import subprocess
import sys
from pathlib import Path

REPORT = Path(__file__).resolve().parents[2] / "bench" / "ops" / "conv_report.py"


def bench(name, gflops, label, aggregate=None):
    r = {"name": name + "/real_time", "run_name": name + "/real_time", "FLOPS": gflops * 1e9, "label": label}
    if aggregate:
        r.update(run_type="aggregate", aggregate_name=aggregate)
    return r


def conv(impl, net, shape, gflops, label, aggregate="median"):
    h, cin, cout, kh, kw, s, ph, pw = shape
    args = f"H:{h}/W:{h}/Cin:{cin}/Cout:{cout}/KH:{kh}/KW:{kw}/S:{s}/PH:{ph}/PW:{pw}"
    return bench(f"BM_conv2d_f32_{impl}/{net}/{args}", gflops, label, aggregate)


def report(tmp_path, rows, *args):
    f = tmp_path / "conv.json"
    f.write_text(json.dumps({"context": {"host_name": "box", "num_cpus": 2}, "benchmarks": rows}))
    return subprocess.run([sys.executable, str(REPORT), str(f), *args], capture_output=True, text=True)


def test_classes_counts_and_peaks(tmp_path):
    rows = [
        bench("BM_peak_fma/iterations:1", 200.0, "", "median"),
        bench("BM_peak_fma_avx2/iterations:1", 100.0, "", "median"),
        conv("gemm_avx512f", "inception_v3", (17, 768, 192, 1, 1, 1, 0, 0), 180.0, "Mixed_6b.branch1x1 (x3)"),
        conv("gemm_avx512f", "inception_v3", (8, 1280, 320, 1, 1, 1, 0, 0), 120.0, "Mixed_7b.branch1x1"),
        conv("gemm_avx512f", "inception_v3", (17, 160, 160, 1, 7, 1, 0, 3), 170.0, "Mixed_6c.branch7x7_2"),
        conv("gemm_avx512f", "inception_v3", (299, 3, 32, 3, 3, 2, 0, 0), 50.0, "Conv2d_1a_3x3"),
        conv("gemm_avx2_fma", "inception_v3", (17, 768, 192, 1, 1, 1, 0, 0), 90.0, "Mixed_6b.branch1x1 (x3)"),
        # a repetition's own row is ignored when aggregates are there
        conv("gemm_avx2_fma", "inception_v3", (17, 768, 192, 1, 1, 1, 0, 0), 10.0, "Mixed_6b.branch1x1 (x3)", None),
    ]
    r = report(tmp_path, rows)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    # 1x1 on AVX-512: three layers at 180 and one at 120 -> median 180 = 90 % of 200
    assert "| 1x1 | 4 | 180.0 | 90.0 % | 60.0 % (inception_v3 Mixed_7b.branch1x1) |" in out
    assert "| 1x7/7x1 | 1 | 170.0 | 85.0 % |" in out
    assert "| first conv (Cin 3) | 1 | 50.0 | 25.0 % |" in out
    assert "layers under 70 % of peak (first convs excepted): inception_v3 Mixed_7b.branch1x1 60 %" in out
    # the AVX2 kernel against the AVX2 peak
    assert "### conv2d_f32_gemm_avx2_fma (inception_v3; peak 100.0 GFLOP/s)" in out
    assert "| 1x1 | 3 | 90.0 | 90.0 % |" in out


def test_winograd_against_the_direct_engine_of_its_isa(tmp_path):
    shape_a, shape_b = (35, 64, 96, 3, 3, 1, 1, 1), (17, 160, 160, 1, 7, 1, 0, 3)
    rows = [
        bench("BM_peak_fma/iterations:1", 200.0, "", "median"),
        conv("gemm_avx512f", "inception_v3", shape_a, 180.0, "Mixed_5b.branch3x3dbl_2 (x4)"),
        conv("gemm_avx512f", "inception_v3", shape_b, 160.0, "Mixed_6c.branch7x7_2"),
        conv("winograd_avx512f", "inception_v3", shape_a, 450.0, "Mixed_5b.branch3x3dbl_2 (x4)"),
        conv("winograd_avx512f", "inception_v3", shape_b, 224.0, "Mixed_6c.branch7x7_2"),
        conv("winograd_f2x2_avx512f", "inception_v3", shape_a, 300.0, "Mixed_5b.branch3x3dbl_2 (x4)"),
        conv("gemm_avx2_fma", "inception_v3", shape_a, 90.0, "Mixed_5b.branch3x3dbl_2 (x4)"),
    ]
    r = report(tmp_path, rows)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert ("### conv2d_f32_winograd_avx512f (effective GFLOP/s: direct FLOPs / time; "
            "x: speed-up over conv2d_f32_gemm_avx512f)") in out
    assert "| 3x3 s1 | 4 | 450.0 | 2.50 | 2.50 (inception_v3 Mixed_5b.branch3x3dbl_2 (x4)) |" in out
    assert "| 1x7/7x1 | 1 | 224.0 | 1.40 | 1.40 (inception_v3 Mixed_6c.branch7x7_2) |" in out
    # F(2x2) is compared with the same ISA's direct engine, not with the AVX2 one
    assert ("### conv2d_f32_winograd_f2x2_avx512f (effective GFLOP/s: direct FLOPs / time; "
            "x: speed-up over conv2d_f32_gemm_avx512f)") in out
    assert "| 3x3 s1 | 4 | 300.0 | 1.67 |" in out


def test_fully_connected_against_the_stream_rate(tmp_path):
    rows = [bench("BM_peak_fma/iterations:1", 200.0, "", "median"),
            {"name": "BM_stream_read/MiB:8/real_time", "run_name": "BM_stream_read/MiB:8/real_time",
             "bytes": 80.0 * 2**30, "label": "8 MiB, one core", "run_type": "aggregate", "aggregate_name": "median"},
            {"name": "BM_fully_connected_f32_gemm_avx512f/inception_v3/In:2048/Out:1000/real_time",
             "run_name": "BM_fully_connected_f32_gemm_avx512f/inception_v3/In:2048/Out:1000/real_time",
             "bytes": 60.0 * 2**30, "FLOPS": 30e9, "label": "fc", "run_type": "aggregate", "aggregate_name": "median"}]
    r = report(tmp_path, rows)
    assert r.returncode == 0, r.stderr
    assert "8 MiB 80.0 GiB/s" in r.stdout
    assert "| fully_connected_f32_gemm_avx512f | inception_v3 | 2048 x 1000 | 60.0 | 75 % |" in r.stdout


def test_without_a_peak_it_says_what_to_run(tmp_path):
    r = report(tmp_path, [conv("xnn", "googlenet", (28, 192, 64, 1, 1, 1, 0, 0), 100.0, "inception3a.branch1")])
    assert r.returncode != 0
    assert "no BM_peak_fma in the file" in r.stderr
