# SPDX-License-Identifier: Apache-2.0
"""incept-run as a user meets it: a tiny Inception-style net exported by torch to ONNX, converted,
run on .npy input; and every bad input (model, .npy, flags) answered by one clear line, exit != 0."""
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import torch

REPO = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(os.environ.get("INCEPT_BIN_DIR", REPO / "build" / "release" / "bin"))
RUN = BIN / "incept-run"
CONVERT = REPO / "converter" / "incept-convert"

pytestmark = pytest.mark.skipif(not RUN.exists(), reason=f"{RUN} not built (cmake --build --preset release)")


class TinyModule(torch.nn.Module):
    """stem conv+BN+ReLU, then 1x1 / 3x3 / pool branches joined by a channel concat, GAP, FC."""

    def __init__(self):
        super().__init__()
        self.stem = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1, bias=False), torch.nn.BatchNorm2d(8, eps=1e-3),
                                        torch.nn.ReLU())
        self.b1 = torch.nn.Conv2d(8, 4, 1)
        self.b2 = torch.nn.Conv2d(8, 6, 3, padding=1)
        self.pool = torch.nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.fc = torch.nn.Linear(18, 7)

    def forward(self, x):
        x = self.stem(x)
        x = torch.cat([torch.relu(self.b1(x)), torch.relu(self.b2(x)), x], 1)
        x = self.pool(x)
        return self.fc(torch.flatten(torch.nn.functional.adaptive_avg_pool2d(x, 1), 1))


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    d = tmp_path_factory.mktemp("tiny")
    torch.manual_seed(0)
    m = TinyModule().eval()
    with torch.no_grad():
        bn = m.stem[1]
        bn.running_mean.uniform_(-0.3, 0.3)
        bn.running_var.uniform_(0.5, 2.0)
        bn.weight.uniform_(0.5, 1.5)
        bn.bias.uniform_(-0.2, 0.2)
    x = torch.randn(1, 3, 17, 17)
    torch.onnx.export(m, x, d / "tiny.onnx", opset_version=13)
    r = subprocess.run([str(CONVERT), "--onnx", str(d / "tiny.onnx"), "-o", str(d / "tiny.incept"), "-q"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    np.save(d / "x.npy", x.numpy())
    with torch.no_grad():
        ref = m(x).numpy()
    return d, ref


def run(*args):
    return subprocess.run([str(RUN), *map(str, args)], capture_output=True, text=True, timeout=120)


def one_error_line(r):
    assert r.returncode != 0
    lines = [l for l in r.stderr.splitlines() if l.strip()]
    assert len(lines) >= 1 and lines[0].startswith("incept-run: "), r.stderr
    assert "Sanitizer" not in r.stderr and "core dumped" not in r.stderr
    return lines[0]


def test_runs_and_matches_pytorch(tiny):
    d, ref = tiny
    r = run(d / "tiny.incept", "--input", d / "x.npy", "--output", d / "y.npy", "--threads", "2")
    assert r.returncode == 0, r.stderr
    assert "arena" in r.stderr and "lower bound" in r.stderr
    y = np.load(d / "y.npy")
    assert y.shape == ref.shape and y.dtype == np.float32
    assert np.abs(y - ref).max() <= 1e-4 * np.abs(ref).max()


def test_quiet_prints_nothing(tiny):
    d, _ = tiny
    r = run(d / "tiny.incept", "--input", d / "x.npy", "--output", d / "q.npy", "-q")
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
    line = one_error_line(run(d / "tiny.incept", "--input", d / "bad.npy", "--output", d / "o.npy"))
    assert expect in line


def test_bad_model_files(tiny, tmp_path):
    d, _ = tiny
    data = (d / "tiny.incept").read_bytes()
    (tmp_path / "cut.incept").write_bytes(data[: len(data) // 2])
    (tmp_path / "junk.incept").write_bytes(b"\x00" * 64)
    for name, expect in [("cut.incept", "invalid model"), ("junk.incept", "invalid model"),
                         ("missing.incept", "cannot open model file")]:
        line = one_error_line(run(tmp_path / name, "--input", d / "x.npy", "--output", tmp_path / "o.npy"))
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
    r = run(d / "tiny.incept", "--input", d / "x.npy", "--output", d / "o.npy", *args)
    assert r.returncode == 2
    assert expect in r.stderr


def test_missing_arguments_prints_usage():
    r = run()
    assert r.returncode == 2 and "usage: incept-run" in r.stderr
