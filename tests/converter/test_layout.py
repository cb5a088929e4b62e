# SPDX-License-Identifier: Apache-2.0
"""The .incept file layout the C++ loader relies on, metadata, and the CLI options that fill it."""

import struct

import numpy as np
import pytest
import torch.nn as nn

from conftest import export_onnx, run_convert
from incept_convert import FORMAT_VERSION, fbs, ir
from incept_convert.reader import read_model


class _Tiny(nn.Module):
    def __init__(self, classes=4):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(3, 5, 3, padding=1, bias=False), nn.BatchNorm2d(5), nn.ReLU(),
                                      nn.MaxPool2d(3, 2, ceil_mode=True), nn.Conv2d(5, 6, 1), nn.ReLU())
        self.fc = nn.Linear(6, classes)

    def forward(self, x):
        return self.fc(nn.functional.adaptive_avg_pool2d(self.features(x), 1).flatten(1))


@pytest.fixture(scope="module")
def tiny_onnx(tmp_path_factory):
    path = tmp_path_factory.mktemp("layout") / "tiny.onnx"
    path.write_bytes(export_onnx(_Tiny(), (1, 3, 16, 16)))
    return path


def check_layout(data: bytes) -> None:
    """Every layout rule from the brief, checked on raw bytes with the generated bindings only."""
    fb = fbs.load()
    (length,) = struct.unpack_from("<I", data, 0)
    assert data[8:12] == b"INCP"
    assert fb.Model.Model.ModelBufferHasIdentifier(data, 0, size_prefixed=True)
    m = fb.Model.Model.GetRootAs(data, 4)
    assert m.Version() == FORMAT_VERSION == 1
    end = 4 + length
    assert m.BuffersLength() > 0
    for i in range(m.BuffersLength()):
        off, size = m.Buffers(i).Offset(), m.Buffers(i).Size()
        assert off % 64 == 0 and off >= end, (i, off, end)
        assert all(b == 0 for b in data[end:off]), "padding must be zeros"
        end = off + size
    assert end == len(data), "the file ends right after the last buffer"
    used = set()
    for i in range(m.TensorsLength()):
        t = m.Tensors(i)
        assert t.ShapeLength() >= 1, "every tensor carries its shape"
        if t.Buffer() >= 0:
            assert m.Buffers(t.Buffer()).Size() == 4 * int(np.prod(t.ShapeAsNumpy()))
            used.add(t.Buffer())
        else:
            assert t.Buffer() == -1
    assert used == set(range(m.BuffersLength()))


def test_layout_of_small_model(tiny_onnx, tmp_path):
    out = tmp_path / "tiny.incept"
    proc = run_convert("--onnx", tiny_onnx, "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "" and "ops" in proc.stdout and "params" in proc.stdout and len(proc.stdout.splitlines()) == 1
    data = out.read_bytes()
    check_layout(data)
    model = read_model(data)
    g = model.graph
    assert [op.kind for op in g.ops] == ["Conv2D", "MaxPool2D", "Conv2D", "GlobalAvgPool", "FullyConnected"]
    assert g.inputs[0].shape == [1, 16, 16, 3] and g.outputs[0].shape == [1, 4]
    assert g.ops[3].outputs[0].shape == [1, 6]
    conv = g.ops[0].options
    assert (conv.kernel, conv.stride, conv.pad, conv.dilation) == (
        ir.Size2D(3, 3), ir.Size2D(1, 1), ir.Pad2D(1, 1, 1, 1), ir.Size2D(1, 1))
    assert conv.activation == ir.Activation.RELU
    pool = g.ops[1].options
    assert (pool.ceil_mode and pool.kernel == ir.Size2D(3, 3) and pool.stride == ir.Size2D(2, 2)
            and pool.pad == ir.Pad2D())
    assert g.ops[1].outputs[0].shape == [1, 8, 8, 5]
    for op, (ins, outs) in zip(g.ops, model.op_indices):   # topological: inputs exist before use
        produced = {k for _, o in model.op_indices[: g.ops.index(op)] for k in o}
        for k in ins:
            assert model.tensor_buffer[k] >= 0 or k in produced or k == model.tensors.index(g.inputs[0])
    md = g.metadata
    assert md.architecture == "onnx:torch_jit" and md.input_size == ir.Size2D(16, 16)
    np.testing.assert_allclose(md.mean, [0.485, 0.456, 0.406], rtol=1e-6)
    np.testing.assert_allclose(md.std, [0.229, 0.224, 0.225], rtol=1e-6)
    assert md.channel_order == ir.ChannelOrder.RGB and md.labels == [] and md.producer.startswith("incept-convert ")


def test_options_fill_metadata(tiny_onnx, tmp_path):
    labels = tmp_path / "labels.txt"
    labels.write_text("cat\ndog\nsea lion\nhot dog\n\n")
    out = tmp_path / "m.incept"
    proc = run_convert("--onnx", tiny_onnx, "-o", out, "--labels", labels, "--mean", "0.1,0.2,0.3",
                       "--std", "0.5,0.6,0.7", "--input-size", "20x24", "-q")
    assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == "", proc.stderr
    data = out.read_bytes()
    check_layout(data)
    g = read_model(data).graph
    assert g.metadata.labels == ["cat", "dog", "sea lion", "hot dog"]
    np.testing.assert_allclose(g.metadata.mean, [0.1, 0.2, 0.3], rtol=1e-6)
    np.testing.assert_allclose(g.metadata.std, [0.5, 0.6, 0.7], rtol=1e-6)
    assert g.metadata.input_size == ir.Size2D(20, 24) and g.inputs[0].shape == [1, 20, 24, 3]
    assert g.ops[1].outputs[0].shape == [1, 10, 12, 5]


def test_transform_input_records_half_mean_std(tiny_onnx, tmp_path):
    out = tmp_path / "t.incept"
    proc = run_convert("--onnx", tiny_onnx, "-o", out, "--transform-input", "-q")
    assert proc.returncode == 0, proc.stderr
    md = read_model(out.read_bytes()).graph.metadata
    assert md.mean == [0.5, 0.5, 0.5] and md.std == [0.5, 0.5, 0.5]


def test_transform_input_composes_with_torchvision():
    """ImageNet normalisation followed by torchvision's _transform_input == (pixel - 0.5) / 0.5."""
    import torch
    import torchvision
    m = torchvision.models.googlenet(weights=None, aux_logits=False, init_weights=False, transform_input=True)
    pixel = torch.rand(1, 3, 8, 8, dtype=torch.float64)
    mean = torch.tensor([0.485, 0.456, 0.406], dtype=torch.float64).view(1, 3, 1, 1)
    std = torch.tensor([0.229, 0.224, 0.225], dtype=torch.float64).view(1, 3, 1, 1)
    transformed = m._transform_input((pixel - mean) / std)
    assert (transformed - (pixel - 0.5) / 0.5).abs().max().item() < 1e-6


def test_googlenet_file_layout(artifacts):
    data = artifacts.converted("googlenet", "pth").read_bytes()
    check_layout(data)
    model = read_model(data)
    g = model.graph
    assert g.metadata.architecture == "googlenet" and g.metadata.input_size == ir.Size2D(224, 224)
    assert g.outputs[0].shape == [1, 1000] and g.outputs[0].name == "logits"
    kinds = [op.kind for op in g.ops]
    assert kinds.count("Conv2D") == 57 and kinds.count("Concat") == 9 and "Softmax" not in kinds
    assert all(op.options.axis == 3 for op in g.ops if op.kind == "Concat")
    assert all(op.options.activation == ir.Activation.RELU for op in g.ops if op.kind == "Conv2D")


def test_inception_v3_avgpools_count_padding(artifacts):
    g = read_model(artifacts.converted("inception_v3", "pth").read_bytes()).graph
    pools = [op.options for op in g.ops if op.kind == "AvgPool2D"]
    assert len(pools) == 9
    assert all(p.pad == ir.Pad2D(1, 1, 1, 1) and p.count_include_pad and p.kernel == ir.Size2D(3, 3) for p in pools)
    assert g.metadata.input_size == ir.Size2D(299, 299)
