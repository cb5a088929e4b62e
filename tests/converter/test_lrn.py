# SPDX-License-Identifier: Apache-2.0
"""LRN end to end: the window and alpha/size scaling against torch.nn.functional.local_response_norm, the
ONNX importer (attributes and their defaults), write/read round trip, the NumPy oracle, and the C++ runtime
(incept-run) against PyTorch.

ONNX's window for channel c is [c - (size-1)//2, c + size//2]; PyTorch pads (size//2, (size-1)//2), i.e.
[c - size//2, c + (size-1)//2]. Equal for odd sizes; for an even size ONNX's is one channel higher, which
is PyTorch's LRN applied to the channel-reversed tensor (reversed back). incept follows ONNX.
"""

import subprocess

import numpy as np
import onnx
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper

from conftest import assert_user_error, export_onnx, roundtrip, run_convert
from incept_convert import ir, onnx_import, passes
from incept_convert.zoo.googlenet_lrn import LRN
import npref

SIZES = (1, 2, 3, 4, 5, 6, 7, 8)


def torch_onnx_lrn(x: np.ndarray, size: int, alpha: float, beta: float, k: float) -> np.ndarray:
    """ONNX LRN semantics (NCHW) computed with PyTorch: as is for odd sizes, channel-reversed for even ones."""
    t = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    if size % 2 == 1:
        return F.local_response_norm(t, size, alpha, beta, k).numpy()
    return F.local_response_norm(t.flip(1), size, alpha, beta, k).flip(1).numpy()


def rel_diff(y, ref) -> float:
    y, ref = np.asarray(y, dtype=np.float64), np.asarray(ref, dtype=np.float64)
    return float(np.abs(y - ref).max() / np.abs(ref).max())


@pytest.mark.parametrize("size", SIZES)
def test_window_and_scaling_match_torch(size):
    """npref.lrn (the definition in schema/model.fbs) against torch: equal for odd sizes and for even sizes on
    reversed channels; plain torch differs for even sizes (so even sizes are never exported as one LRN node)."""
    x = np.random.default_rng(size).standard_normal((2, 11, 3, 4)) * 3
    o = ir.LRNOptions(size, alpha=0.7, beta=0.75, bias=1.5)
    ours = npref.lrn(x.transpose(0, 2, 3, 1), o).transpose(0, 3, 1, 2)
    assert rel_diff(ours, torch_onnx_lrn(x, size, 0.7, 0.75, 1.5)) < 1e-6
    plain = F.local_response_norm(torch.from_numpy(x), size, 0.7, 0.75, 1.5).numpy()
    if size % 2 == 1:
        assert rel_diff(ours, plain) < 1e-12
    else:
        assert rel_diff(ours, plain) > 1e-2


# Channel c of the 1x1 conv in front of the LRN copies image channel c % 3 times 2^(c % 4 - 1): exact in
# float, so the LRN sees exactly what the reference sees, over more channels than an image has.
SPREAD_CHANNELS = 9
SPREAD = np.zeros((SPREAD_CHANNELS, 3, 1, 1), np.float32)
for _c in range(SPREAD_CHANNELS):
    SPREAD[_c, _c % 3] = 2.0 ** (_c % 4 - 1)


def _lrn_onnx(size, spread=False, hw=(5, 6), **attrs) -> onnx.ModelProto:
    """image [1, 3, H, W] -> (1x1 conv to 9 channels when `spread`) -> LRN 'norm1' -> output."""
    nodes, inits, c = [], [], 3
    if spread:
        inits.append(numpy_helper.from_array(SPREAD, "spread.w"))
        nodes.append(helper.make_node("Conv", ["x", "spread.w"], ["s"], name="spread"))
        c = SPREAD_CHANNELS
    nodes.append(helper.make_node("LRN", ["s" if spread else "x"], ["y"], name="norm1", size=size, **attrs))
    g = helper.make_graph(nodes, "lrn", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, *hw])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, c, *hw])], initializer=inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def test_onnx_attributes_defaults_and_roundtrip():
    g = onnx_import.import_onnx(_lrn_onnx(3), "test")
    (op,) = g.ops
    assert op.kind == "LRN" and op.source == "LRN"
    assert (op.options.size, op.options.beta, op.options.bias) == (3, 0.75, 1.0)
    assert op.options.alpha == pytest.approx(1e-4, rel=1e-7)   # the ONNX default, a float32
    g = onnx_import.import_onnx(_lrn_onnx(4, alpha=0.5, beta=-0.25, bias=2.0), "test")
    _, model = roundtrip(passes.run_all(g))
    (op,) = model.graph.ops
    assert op.options == ir.LRNOptions(4, 0.5, -0.25, 2.0)
    assert model.graph.tensors()[0].shape == [1, 5, 6, 3]


def test_zoo_lrn_exports_one_node_only_for_odd_sizes():
    odd = onnx.load_model_from_string(export_onnx(nn.Sequential(LRN(5, alpha=0.01, beta=0.75, k=1.0)), (1, 8, 4, 4)))
    assert [n.op_type for n in odd.graph.node] == ["LRN"]
    even = onnx.load_model_from_string(export_onnx(nn.Sequential(LRN(4)), (1, 8, 4, 4)))
    assert "LRN" not in [n.op_type for n in even.graph.node]   # PyTorch's own decomposition


class ConvLRN(nn.Module):
    """GoogLeNet's stem pattern at small scale: conv -> ReLU -> max pool (ceil) -> LRN -> conv -> ReLU -> LRN."""

    def __init__(self, size: int):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 12, 3, stride=2, padding=1)
        self.pool = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.lrn1 = LRN(size, alpha=1e-4, beta=0.75, k=1.0)
        self.conv2 = nn.Conv2d(12, 20, 3, padding=1)
        self.lrn2 = LRN(size, alpha=0.5, beta=0.6, k=2.0)

    def forward(self, x):
        x = self.lrn1(self.pool(F.relu(self.conv1(x))))
        return self.lrn2(F.relu(self.conv2(x)))


@pytest.fixture(scope="module")
def conv_lrn_models(tmp_path_factory):
    """Per odd size: the torch module's ONNX export, its input and PyTorch's output."""
    d = tmp_path_factory.mktemp("lrn")
    made = {}
    for size in (3, 5):
        torch.manual_seed(size)
        m = ConvLRN(size).eval()
        for p in m.parameters():   # make the LRN terms matter: activations up to ~30
            p.data.mul_(4.0)
        x = torch.randn(1, 3, 33, 29)
        with torch.no_grad():
            ref = m(x).numpy()
        (d / f"lrn{size}.onnx").write_bytes(export_onnx(m, (1, 3, 33, 29)))
        np.save(d / f"x{size}.npy", x.numpy())
        made[size] = (d / f"lrn{size}.onnx", d / f"x{size}.npy", ref)
    return d, made


@pytest.mark.parametrize("size", (3, 5))
def test_npref_of_converted_model_matches_torch(conv_lrn_models, size):
    _, made = conv_lrn_models
    path, xp, ref = made[size]
    g = passes.run_all(onnx_import.import_onnx(onnx.load(str(path)), "test"))
    assert [op.kind for op in g.ops] == ["Conv2D", "MaxPool2D", "LRN", "Conv2D", "LRN"]
    _, model = roundtrip(g)
    y = npref.run(model, np.load(xp))[0].transpose(0, 3, 1, 2)
    assert rel_diff(y, ref) < 1e-5


@pytest.mark.parametrize("size", (3, 5))
@pytest.mark.parametrize("backend", ("ref", "auto"))
def test_incept_run_matches_torch(incept_run, conv_lrn_models, tmp_path, size, backend):
    _, made = conv_lrn_models
    path, xp, ref = made[size]
    model = tmp_path / "m.incept"
    proc = run_convert("--onnx", path, "-o", model, "-q")
    assert proc.returncode == 0, proc.stderr
    out = tmp_path / "y.npy"
    proc = subprocess.run([str(incept_run), str(model), "--input", str(xp), "--output", str(out), "--backend", backend],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    diff = rel_diff(np.load(out), ref)
    print(f"\n[lrn] conv+LRN size {size}, --backend {backend}: max|diff| = {diff:.2e} x max|out|")
    assert diff < 1e-5


@pytest.mark.parametrize("size", SIZES + (12,))
def test_incept_run_lrn_matches_torch_for_every_size(incept_run, tmp_path, size):
    """An ONNX LRN node over 9 channels (odd and even sizes, one wider than C) against PyTorch
    (channel-reversed for even sizes, which is ONNX's window)."""
    rng = np.random.default_rng(100 + size)
    x = (rng.standard_normal((1, 3, 5, 6)) * 4).astype(np.float32)
    src, model, xp, out = tmp_path / "lrn.onnx", tmp_path / "lrn.incept", tmp_path / "x.npy", tmp_path / "y.npy"
    beta = 0.75 if size % 3 else 0.9
    onnx.save(_lrn_onnx(size, spread=True, alpha=2.0, beta=beta, bias=1.0), str(src))
    np.save(xp, x)
    proc = run_convert("--onnx", src, "-o", model, "-q")
    assert proc.returncode == 0, proc.stderr
    proc = subprocess.run([str(incept_run), str(model), "--input", str(xp), "--output", str(out)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    ref = torch_onnx_lrn(np.einsum("oi,nihw->nohw", SPREAD[:, :, 0, 0], x), size, 2.0, beta, 1.0)
    y = np.load(out)
    rel = float(np.max(np.abs(y - ref) / (np.abs(ref) + 1e-6)))
    print(f"\n[lrn] LRN size {size} over 9 channels: max relative diff {rel:.2e}")
    assert rel < 1e-6


@pytest.mark.parametrize("attrs,needle", [
    (dict(size=5, bias=0.0), "bias 0.0"),
    (dict(size=5, alpha=-0.5), "alpha -0.5"),
    (dict(size=0), "size 0 is outside 1..4096"),
])
def test_bad_lrn_attributes_are_refused(tmp_path, attrs, needle):
    src, out = tmp_path / "bad.onnx", tmp_path / "bad.incept"
    onnx.save(_lrn_onnx(**attrs), str(src))
    assert_user_error(run_convert("--onnx", src, "-o", out), "norm1", needle, output=out)
