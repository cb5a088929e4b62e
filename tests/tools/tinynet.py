# SPDX-License-Identifier: Apache-2.0
"""What the tool tests share: where the binaries are, a tiny Inception-style net (stem conv+BN+ReLU, 1x1 /
3x3 / identity branches joined by a channel concat, ceil-mode max pool, GAP, FC) exported by torch to ONNX
and converted, and the check that a failure is one clear error line."""
import os
import pathlib
import subprocess

import numpy as np
import torch

REPO = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(os.environ.get("INCEPT_BIN_DIR", REPO / "build" / "release" / "bin"))
CONVERT = REPO / "converter" / "incept-convert"


class TinyModule(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = torch.nn.Sequential(torch.nn.Conv2d(3, 8, 3, padding=1, bias=False),
                                        torch.nn.BatchNorm2d(8, eps=1e-3), torch.nn.ReLU())
        self.b1 = torch.nn.Conv2d(8, 4, 1)
        self.b2 = torch.nn.Conv2d(8, 6, 3, padding=1)
        self.pool = torch.nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.fc = torch.nn.Linear(18, 7)

    def forward(self, x):
        x = self.stem(x)
        x = torch.cat([torch.relu(self.b1(x)), torch.relu(self.b2(x)), x], 1)
        x = self.pool(x)
        return self.fc(torch.flatten(torch.nn.functional.adaptive_avg_pool2d(x, 1), 1))


def build_tiny(d: pathlib.Path):
    """Writes d/tiny.onnx, d/tiny.incept and d/x.npy (seeded, BatchNorm statistics perturbed); returns
    PyTorch's logits for x."""
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
        return m(x).numpy()


def run(tool, *args):
    return subprocess.run([str(tool), *map(str, args)], capture_output=True, text=True, timeout=120)


def one_error_line(r, tool: str) -> str:
    """The run failed with a first stderr line `<tool>: ...` and no sanitizer report or core dump."""
    assert r.returncode != 0
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert lines and lines[0].startswith(f"{tool}: "), r.stderr
    assert "Sanitizer" not in r.stderr and "core dumped" not in r.stderr
    return lines[0]
