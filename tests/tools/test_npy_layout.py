# SPDX-License-Identifier: Apache-2.0
"""The tools read a 4-D .npy in NCHW (PyTorch's order) or NHWC (incept's) by its shape and say which; a shape that
fits neither is refused with both, one that fits both (channels = height = width) needs --layout; incept-inspect
says the input is NHWC."""
import subprocess

import numpy as np
import pytest
import torch
from tinynet import BIN, CONVERT, TinyModule, build_tiny, one_error_line, run

RUN, BENCH, INSPECT = BIN / "incept-run", BIN / "incept-bench", BIN / "incept-inspect"

pytestmark = pytest.mark.skipif(not RUN.exists(), reason=f"{RUN} not built (cmake --build --preset release)")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    d = tmp_path_factory.mktemp("tiny_layout")
    return d, build_tiny(d)


@pytest.fixture(scope="module")
def cube(tmp_path_factory):
    """The tiny net at a 3x3 input: [1, 3, 3, 3] is its NCHW and its NHWC shape alike."""
    d = tmp_path_factory.mktemp("cube")
    torch.manual_seed(1)
    m = TinyModule().eval()
    x = torch.randn(1, 3, 3, 3)
    torch.onnx.export(m, x, d / "cube.onnx", opset_version=13)
    r = subprocess.run([str(CONVERT), "--onnx", str(d / "cube.onnx"), "-o", str(d / "cube.incept"), "-q"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    with torch.no_grad():
        return d, x.numpy(), m(x).numpy()


def run_model(model, x, d, *args):
    np.save(d / "in.npy", np.ascontiguousarray(x))
    r = run(RUN, model, "--input", d / "in.npy", "--output", d / "out.npy", *args)
    return r, (np.load(d / "out.npy") if r.returncode == 0 else None)


def test_nchw_and_nhwc_give_the_same_answer_and_say_which(tiny):
    d, ref = tiny
    x = np.load(d / "x.npy")                                   # [1, 3, 17, 17], as PyTorch holds it
    r, y = run_model(d / "tiny.incept", x, d)
    assert r.returncode == 0 and f"input {d / 'in.npy'} read as NCHW (PyTorch's order)" in r.stderr, r.stderr
    assert np.abs(y - ref).max() <= 1e-4 * np.abs(ref).max()
    r, y2 = run_model(d / "tiny.incept", x.transpose(0, 2, 3, 1), d)
    assert r.returncode == 0 and "read as NHWC (incept's order)" in r.stderr, r.stderr
    assert np.array_equal(y, y2)


def test_a_shape_that_fits_neither_names_both(tiny):
    d, _ = tiny
    r, _ = run_model(d / "tiny.incept", np.zeros((1, 17, 3, 17), np.float32), d)
    assert r.returncode == 2
    assert ("input 'input.1' must have shape [1, 3, 17, 17] (NCHW, as PyTorch holds it) or [1, 17, 17, 3] (NHWC), "
            "got [1, 17, 3, 17]") in one_error_line(r, "incept-run")


def test_layout_flag_must_match_the_shape(tiny):
    d, _ = tiny
    x = np.load(d / "x.npy")
    r, _ = run_model(d / "tiny.incept", x, d, "--layout", "nhwc")
    assert r.returncode == 2
    assert "--layout nhwc: input 'input.1' must have shape [1, 17, 17, 3], got [1, 3, 17, 17] (the NCHW shape: " \
           "--layout nchw)" in one_error_line(r, "incept-run")
    r, _ = run_model(d / "tiny.incept", x, d, "--layout", "chw")
    assert r.returncode == 2 and "--layout must be nchw (PyTorch's order) or nhwc (incept's), got 'chw'" in r.stderr


def test_a_shape_that_fits_both_needs_the_flag(cube):
    d, x, ref = cube
    r, _ = run_model(d / "cube.incept", x, d)
    assert r.returncode == 2
    assert "reads as NCHW and as NHWC alike (channels = height = width): say which with --layout nchw or " \
           "--layout nhwc" in one_error_line(r, "incept-run")
    r, y = run_model(d / "cube.incept", x, d, "--layout", "nchw")
    assert r.returncode == 0 and np.abs(y - ref).max() <= 1e-4 * np.abs(ref).max()
    r, y = run_model(d / "cube.incept", x.transpose(0, 2, 3, 1), d, "--layout", "nhwc")
    assert r.returncode == 0 and np.abs(y - ref).max() <= 1e-4 * np.abs(ref).max()


@pytest.mark.skipif(not BENCH.exists(), reason=f"{BENCH} not built")
def test_bench_reads_either_layout_and_says_which(tiny):
    d, _ = tiny
    np.save(d / "nhwc.npy", np.ascontiguousarray(np.load(d / "x.npy").transpose(0, 2, 3, 1)))
    r = run(BENCH, d / "tiny.incept", "--input", d / "nhwc.npy", "--runs", 1, "--warmup", 0, "--json")
    assert r.returncode == 0 and "read as NHWC (incept's order)" in r.stderr, r.stderr


@pytest.mark.skipif(not INSPECT.exists(), reason=f"{INSPECT} not built")
def test_inspect_says_the_input_is_nhwc(tiny):
    d, _ = tiny
    r = run(INSPECT, d / "tiny.incept")
    assert r.returncode == 0 and "[1, 17, 17, 3] NHWC (channels last, not PyTorch's NCHW)" in r.stdout


@pytest.mark.skipif(not (BIN / "embed_c").exists(), reason="examples/embed_c not built")
def test_embed_c_takes_a_pytorch_ordered_file_with_nchw(tiny):
    d, ref = tiny
    x = np.load(d / "x.npy")
    x.astype("<f4").tofile(d / "x_nchw.f32")
    np.ascontiguousarray(x.transpose(0, 2, 3, 1)).astype("<f4").tofile(d / "x_nhwc.f32")
    nchw = run(BIN / "embed_c", d / "tiny.incept", d / "x_nchw.f32", "nchw")
    nhwc = run(BIN / "embed_c", d / "tiny.incept", d / "x_nhwc.f32")
    assert nchw.returncode == 0 and nhwc.returncode == 0, nchw.stderr + nhwc.stderr
    assert nchw.stdout == nhwc.stdout
    assert f"output[{int(ref.argmax())}]" in nchw.stdout.splitlines()[1]
    bad = run(BIN / "embed_c", d / "tiny.incept", d / "x_nchw.f32", "chw")
    assert bad.returncode == 2 and "usage: embed_c" in bad.stderr
