# SPDX-License-Identifier: Apache-2.0
"""The bias rule of Conv2D and FullyConnected, the same in the converter (opspec.py) and the runtime
(OpDef): optional, and a file without one runs as PyTorch's bias=False layers.
"""

import subprocess

import numpy as np
import torch
import torch.nn as nn

from conftest import import_module, roundtrip
import npref


class _NoBias(nn.Module):
    def __init__(self):
        super().__init__()
        torch.manual_seed(5)
        self.conv, self.fc = nn.Conv2d(3, 8, 3, padding=1, bias=False), nn.Linear(8, 5, bias=False)

    def forward(self, x):
        return self.fc(torch.relu(self.conv(x)).mean((2, 3)))


def test_conv_and_fully_connected_without_bias_match_pytorch(incept_run, tmp_path):
    """A bias-free conv (bias index -1) and classifier (bias left out) are written, read, and run as
    PyTorch's bias=False layers; the importer's zero biases are dropped here to write them."""
    net, shape = _NoBias(), (1, 3, 9, 9)
    g = import_module(net, shape)
    conv, fc = (op for op in g.ops if op.kind in ("Conv2D", "FullyConnected"))
    assert not conv.inputs[2].data.any() and not fc.inputs[2].data.any()
    conv.inputs[2] = None
    fc.inputs = fc.inputs[:2]
    data, model = roundtrip(g)
    assert [len(ins) for ins, _ in model.op_indices if len(ins) > 1] == [3, 2]
    assert model.op_indices[0][0][2] == -1
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(9))
    with torch.no_grad():
        ref = net.eval()(x).numpy()
    np.testing.assert_allclose(npref.run(model, x.numpy())[0], ref, rtol=0, atol=1e-5 * np.abs(ref).max())
    (tmp_path / "m.incept").write_bytes(data)
    np.save(tmp_path / "x.npy", x.numpy())
    proc = subprocess.run([str(incept_run), str(tmp_path / "m.incept"), "--input", str(tmp_path / "x.npy"), "--output",
                           str(tmp_path / "y.npy")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), ref, rtol=0, atol=1e-5 * np.abs(ref).max())
