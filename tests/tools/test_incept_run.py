# SPDX-License-Identifier: Apache-2.0
"""incept-run as a user meets it: a tiny Inception-style net exported by torch to ONNX, converted,
run on .npy input; and every bad input (model, .npy, flags) answered by one clear line, exit != 0."""
import numpy as np
import pytest
from tinynet import BIN, build_tiny, one_error_line, run

RUN = BIN / "incept-run"

pytestmark = pytest.mark.skipif(not RUN.exists(), reason=f"{RUN} not built (cmake --build --preset release)")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    d = tmp_path_factory.mktemp("tiny")
    return d, build_tiny(d)


def test_runs_and_matches_pytorch(tiny):
    d, ref = tiny
    r = run(RUN, d / "tiny.incept", "--input", d / "x.npy", "--output", d / "y.npy", "--threads", "2")
    assert r.returncode == 0, r.stderr
    assert "arena" in r.stderr and "lower bound" in r.stderr
    y = np.load(d / "y.npy")
    assert y.shape == ref.shape and y.dtype == np.float32
    assert np.abs(y - ref).max() <= 1e-4 * np.abs(ref).max()


def test_a_batch_of_inputs_runs_slice_by_slice(tiny):
    d, _ = tiny
    x = np.load(d / "x.npy")
    xs = np.concatenate([x, 0.5 * x, -x, x]).astype(np.float32)
    np.save(d / "xb.npy", xs)
    r = run(RUN, d / "tiny.incept", "--input", d / "xb.npy", "--output", d / "yb.npy")
    assert r.returncode == 0, r.stderr
    assert "per run, 4 runs" in r.stderr
    yb = np.load(d / "yb.npy")
    assert yb.shape == (4, 7)
    for i in range(4):
        np.save(d / "xi.npy", xs[i:i + 1])
        assert run(RUN, d / "tiny.incept", "--input", d / "xi.npy", "--output", d / "yi.npy", "-q").returncode == 0
        assert np.array_equal(np.load(d / "yi.npy")[0], yb[i])
    assert not np.array_equal(yb[0], yb[1]) and np.array_equal(yb[0], yb[3])


def test_quiet_prints_nothing(tiny):
    d, _ = tiny
    r = run(RUN, d / "tiny.incept", "--input", d / "x.npy", "--output", d / "q.npy", "-q")
    assert r.returncode == 0 and r.stderr == ""


@pytest.mark.parametrize("make,expect", [
    (lambda d: np.save(d / "bad.npy", np.zeros((1, 3, 17, 17), np.float64)), "not float32"),
    (lambda d: np.save(d / "bad.npy", np.zeros((1, 3, 16, 17), np.float32)), "must have shape [1, 3, 17, 17]"),
    (lambda d: (d / "bad.npy").write_bytes(b"not a numpy file at all"), "not a .npy file"),
    (lambda d: (d / "bad.npy").write_bytes(np.lib.format.magic(1, 0) + b"\x10\x00{'descr': '<f4'"), "truncated"),
])
def test_bad_input_npy(tiny, make, expect):
    d, _ = tiny
    make(d)
    line = one_error_line(run(RUN, d / "tiny.incept", "--input", d / "bad.npy", "--output", d / "o.npy"), "incept-run")
    assert expect in line


def test_bad_model_files(tiny, tmp_path):
    d, _ = tiny
    data = (d / "tiny.incept").read_bytes()
    (tmp_path / "cut.incept").write_bytes(data[: len(data) // 2])
    (tmp_path / "junk.incept").write_bytes(b"\x00" * 64)
    for name, expect in [("cut.incept", "invalid model"), ("junk.incept", "invalid model"),
                         ("missing.incept", "cannot open model file")]:
        line = one_error_line(run(RUN, tmp_path / name, "--input", d / "x.npy", "--output", tmp_path / "o.npy"),
                              "incept-run")
        assert expect in line and name in line
        assert not (tmp_path / "o.npy").exists()


@pytest.mark.parametrize("args,expect", [
    (["--threads", "0"], "--threads must be an integer in 1..256"),
    (["--threads", "x"], "--threads must be an integer"),
    (["--backend", "gpu"], "unknown backend 'gpu'"),
    (["--bogus"], "unknown option '--bogus'"),
])
def test_bad_flags(tiny, args, expect):
    d, _ = tiny
    r = run(RUN, d / "tiny.incept", "--input", d / "x.npy", "--output", d / "o.npy", *args)
    assert r.returncode == 2
    assert expect in r.stderr


def test_missing_arguments_prints_usage():
    r = run(RUN)
    assert r.returncode == 2 and "usage: incept-run" in r.stderr
