# SPDX-License-Identifier: Apache-2.0
"""The converter's op table (incept_convert/opspec.py) against the runtime's (OpDef in ops/op_registry.h):
for every schema op, the runtime refuses exactly the inputs the converter refuses (arity, an activation
where a constant belongs and the other way round, an absent input), and states the same arity. And the
rule both hold for the bias: optional for Conv2D and FullyConnected, on both sides, with the same numbers
as PyTorch's bias=False layers.

One small file per case, run by incept-run (skipped when it is not built): about 40 runs of a few ms.
"""

import subprocess

import numpy as np
import pytest
import torch
import torch.nn as nn

from conftest import import_module, roundtrip
from incept_convert import ir, opspec, validate, writer
from incept_convert.errors import UnsupportedOp
import npref

X_SHAPE = [1, 4, 4, 2]   # NHWC; every case's graph input


def _const(name, shape):
    n = int(np.prod(shape))
    return ir.Tensor(name, list(shape), data=np.linspace(-1.0, 1.0, n).reshape(shape))


def _case(cls):
    """A small valid graph whose last op, named "op", is of options class `cls`: (graph, that op)."""
    x = ir.Tensor("x", X_SHAPE)
    g = ir.Graph(name="case", inputs=[x])

    def add(name, options, inputs, shape):
        out = ir.Tensor(name, list(shape))
        g.ops.append(ir.Operator(name, inputs, [out], options))
        return g.ops[-1]

    one, no_pad = ir.Size2D(1, 1), ir.Pad2D()
    if cls in (ir.FullyConnectedOptions, ir.SoftmaxOptions):
        x = add("gap", ir.GlobalAvgPoolOptions(), [x], [1, 2]).outputs[0]
    op = {
        ir.Conv2DOptions: lambda: add("op", ir.Conv2DOptions(one, one, no_pad, one),
                                      [x, _const("w", [3, 1, 1, 2]), _const("b", [3])], [1, 4, 4, 3]),
        ir.MaxPool2DOptions: lambda: add("op", ir.MaxPool2DOptions(one, one, no_pad), [x], X_SHAPE),
        ir.AvgPool2DOptions: lambda: add("op", ir.AvgPool2DOptions(one, one, no_pad), [x], X_SHAPE),
        ir.ConcatOptions: lambda: add("op", ir.ConcatOptions(3), [x, x], [1, 4, 4, 4]),
        ir.GlobalAvgPoolOptions: lambda: add("op", ir.GlobalAvgPoolOptions(), [x], [1, 2]),
        ir.FullyConnectedOptions: lambda: add("op", ir.FullyConnectedOptions(),
                                              [x, _const("w", [3, 2]), _const("b", [3])], [1, 3]),
        ir.SoftmaxOptions: lambda: add("op", ir.SoftmaxOptions(), [x], [1, 2]),
        ir.AddOptions: lambda: add("op", ir.AddOptions(), [x, x], X_SHAPE),
        ir.LRNOptions: lambda: add("op", ir.LRNOptions(3), [x], X_SHAPE),
    }[cls]()
    g.outputs = [op.outputs[0]]
    return g, op


def _mutations(op):
    """(what, inputs) for each way to break the op's inputs: none at all, then per input: given as a
    constant instead of an activation or the other way round, and absent."""
    out = [("no inputs", [])]
    for j, t in enumerate(op.inputs):
        other = ir.Tensor(f"flip{j}", list(t.shape)) if t.is_constant else _const(f"flip{j}", t.shape)
        out.append((f"input {j} flipped", op.inputs[:j] + [other] + op.inputs[j + 1:]))
        out.append((f"input {j} absent", op.inputs[:j] + [None] + op.inputs[j + 1:]))
    return out


def _converter_refusal(g):
    try:
        validate.check_graph(g)
    except UnsupportedOp as e:
        return str(e)
    return None


def _runtime_refusal(incept_run, g, tmp_path, monkeypatch):
    """incept-run's error for `g` written as is (the converter's checks skipped), or None when it ran."""
    with monkeypatch.context() as m:
        m.setattr(validate, "check_graph", lambda graph: None)
        data = writer.serialize(g)
    model, x = tmp_path / "m.incept", tmp_path / "x.npy"
    model.write_bytes(data)
    np.save(x, np.linspace(-2.0, 2.0, int(np.prod(X_SHAPE)), dtype=np.float32)
            .reshape(1, 4, 4, 2).transpose(0, 3, 1, 2))
    proc = subprocess.run([str(incept_run), str(model), "--input", str(x), "--output", str(tmp_path / "y.npy")],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    return proc.stderr.strip() if proc.returncode != 0 else None


def test_the_table_covers_every_ir_op():
    assert set(opspec.SPECS) == set(ir.SCHEMA_OPTIONS) | set(ir.TRANSIENT_OPTIONS)
    assert {cls for cls, spec in opspec.SPECS.items() if spec.schema} == set(ir.SCHEMA_OPTIONS)
    for cls, spec in opspec.SPECS.items():
        assert 1 <= spec.min_inputs <= spec.max_inputs and len(spec.roles) <= spec.max_inputs, cls
        # the runtime's InputRole list holds 3 roles; only a trailing bias is optional
        assert len(spec.roles) <= 3 and spec.min_inputs == len([r for r in spec.roles if r != opspec.Role.BIAS]), cls


@pytest.mark.parametrize("cls", ir.SCHEMA_OPTIONS, ids=lambda c: ir.OP_KIND[c])
def test_runtime_refuses_what_the_converter_refuses(incept_run, tmp_path, monkeypatch, cls):
    g, op = _case(cls)
    spec = opspec.of(op)
    assert _converter_refusal(g) is None
    assert _runtime_refusal(incept_run, g, tmp_path, monkeypatch) is None
    valid_inputs = list(op.inputs)
    for what, inputs in _mutations(op):
        op.inputs = inputs
        conv_err, run_err = _converter_refusal(g), _runtime_refusal(incept_run, g, tmp_path, monkeypatch)
        op.inputs = valid_inputs
        assert (conv_err is None) == (run_err is None), f"{what}: converter {conv_err!r}, runtime {run_err!r}"
        if what == "no inputs":   # both state the arity: "takes MIN..MAX inputs, got 0"
            arity = f"takes {spec.min_inputs}..{spec.max_inputs} inputs, got 0"
            assert arity in conv_err and arity in run_err, (conv_err, run_err)
        elif run_err is not None:   # refused by the loader's input check, not by something later
            j = what.split()[1]
            assert f"node {len(g.ops) - 1} 'op' ({ir.OP_KIND[cls]}): input {j}" in run_err, run_err
            assert f"'op' ({ir.OP_KIND[cls]}): input {j}" in conv_err, conv_err
        else:
            assert what.endswith("absent") and spec.role(int(what.split()[1])) == opspec.Role.BIAS, what


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
                           str(tmp_path / "y.npy")],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    np.testing.assert_allclose(np.load(tmp_path / "y.npy"), ref, rtol=0, atol=1e-5 * np.abs(ref).max())
