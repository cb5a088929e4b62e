# SPDX-License-Identifier: Apache-2.0
"""Post-training int8 quantisation (incept-convert --quantize int8): refusals, the written file's rules,
determinism, the reader's round trip of QuantParams, the calibrators on hand-made statistics, and the int8
reference executor against float.

Reference vs float, per op: every op the reference runs is recomputed in float64 from the same (dequantized)
inputs, with the weights as stored (q_w * s_w), and clipped to the output's representable range
[s * (qmin - zp), s * (qmax - zp)]. The int8 result may differ from it by at most
    0.5 * s_out                  (the output's rounding; 0 for a float32 output)
  + 0.5 * s_in * max_o s_w[o]    (the bias rounded to int32 at s_in * s_w[o]; conv / fully connected only)
  + 1e-5 * max |y| + 1e-6        (float32 multipliers and sums)
since the integer sums are exact. End to end (errors accumulate), the logits' cosine similarity to the float
graph's must exceed 0.98 on seeded inputs.
"""

import types
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from conftest import CONVERTER_DIR, assert_user_error, import_module, roundtrip, run_convert
from fixture_nets import TINY, TINY_SIZE, MixedNet, register_tiny
from incept_convert import cli, ir, storage
from incept_convert.errors import ConvertError
from incept_convert.quant import calibrators, floatrun, observe, reference, scheme
from incept_convert.reader import read_model

FIXTURES = Path(__file__).resolve().parent / "fixtures"
TINY_CKPT = FIXTURES / "tiny_F32.safetensors"
REPO = CONVERTER_DIR.parent


@pytest.fixture(scope="module")
def calib(tmp_path_factory):
    """A seeded calibration batch for the tiny net: 6 N(0, 1) inputs [6, 3, 32, 32]."""
    d = tmp_path_factory.mktemp("quant")
    x = np.random.default_rng(5).standard_normal((6, 3, TINY_SIZE, TINY_SIZE)).astype(np.float32)
    np.save(d / "calib.npy", x)
    return d / "calib.npy"


def convert(capsys, *args):
    """cli.main in this process (the tiny net is registered here only); a CompletedProcess-like result."""
    register_tiny()
    capsys.readouterr()
    try:
        rc = cli.main(["--arch", TINY, "--checkpoint", str(TINY_CKPT), *map(str, args)])
    except SystemExit as e:   # argparse's refusals exit from parse_args
        rc = e.code
    out = capsys.readouterr()
    return types.SimpleNamespace(returncode=rc, stdout=out.out, stderr=out.err)


# ---- refusals: one line, exit 2, no file ----

def _npy(tmp_path, name, x):
    p = tmp_path / name
    np.save(p, x)
    return p


REFUSALS = {
    "fp16": (lambda t, c: ["--quantize", "int8", "--weights", "fp16", "--calibration", c], ["--weights fp16"]),
    "fp32": (lambda t, c: ["--quantize", "int8", "--weights", "fp32", "--calibration", c], ["--weights fp32"]),
    "calibration without quantize": (lambda t, c: ["--calibration", c], ["--calibration", "--quantize"]),
    "calibrator without quantize": (lambda t, c: ["--calibrator", "entropy"], ["--calibrator", "--quantize"]),
    "no calibration": (lambda t, c: ["--quantize", "int8"], ["--calibration"]),
    "missing": (lambda t, c: ["--quantize", "int8", "--calibration", t / "nope.npy"], ["does not exist"]),
    "empty folder": (lambda t, c: ["--quantize", "int8", "--calibration", (t / "empty").mkdir() or t / "empty"],
                     ["no images"]),
    "empty batch": (lambda t, c: ["--quantize", "int8", "--calibration",
                                  _npy(t, "e.npy", np.zeros((0, 3, 32, 32), np.float32))], ["empty"]),
    "shape": (lambda t, c: ["--quantize", "int8", "--calibration",
                            _npy(t, "s.npy", np.zeros((2, 3, 31, 32), np.float32))], ["shape", "[N, 3, 32, 32]"]),
    "non-finite": (lambda t, c: ["--quantize", "int8", "--calibration",
                                 _npy(t, "n.npy", np.full((2, 3, 32, 32), np.nan, np.float32))], ["non-finite"]),
    "float64": (lambda t, c: ["--quantize", "int8", "--calibration",
                              _npy(t, "d.npy", np.zeros((2, 3, 32, 32)))], ["float32"]),
    "not npy": (lambda t, c: ["--quantize", "int8", "--calibration", (t / "x.txt").write_text("x") and t / "x.txt"],
                ["neither"]),
    "unknown calibrator": (lambda t, c: ["--quantize", "int8", "--calibration", c, "--calibrator", "best"],
                           ["--calibrator"]),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_refusal(case, tmp_path, calib, capsys):
    make, needles = REFUSALS[case]
    out = tmp_path / "m.incept"
    proc = convert(capsys, *make(tmp_path, calib), "-o", out)
    assert_user_error(proc, *needles, output=out)


def test_refusal_through_the_launcher(tmp_path, calib):
    out = tmp_path / "m.incept"
    proc = run_convert("--arch", "inception_small", "--checkpoint", REPO / "models/inception_small/model.pth",
                       "--quantize", "int8", "--weights", "fp16", "--calibration", calib, "-o", out)
    assert_user_error(proc, "--weights fp16", output=out)


# ---- the written file ----

@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory, calib):
    register_tiny()
    out = tmp_path_factory.mktemp("quant_file") / "tiny8.incept"
    assert cli.main(["--arch", TINY, "--checkpoint", str(TINY_CKPT), "-o", str(out), "--quantize", "int8",
                     "--calibration", str(calib), "-q"]) == 0
    return out


def test_file_rules(tiny_file):
    m = read_model(tiny_file.read_bytes())
    g = m.graph
    scheme.check(g)
    eight = [t for t in g.tensors() if not t.is_constant and t.dtype in (ir.DType.INT8, ir.DType.UINT8)]
    assert len(eight) == len([t for t in g.tensors() if not t.is_constant]) - len(g.outputs)
    assert all(t.dtype == ir.DType.FLOAT32 and t.quant is None for t in g.outputs)
    assert g.inputs[0].dtype == ir.DType.INT8
    weights = storage.weight_tensors(g)
    assert weights and all(w.dtype == ir.DType.INT8 for w in weights)
    for op in g.ops:
        relu = getattr(op.options, "activation", ir.Activation.NONE) == ir.Activation.RELU
        if relu and not g.is_output(op.outputs[0]):
            assert op.outputs[0].dtype == ir.DType.UINT8 and op.outputs[0].quant.zero_point == 0, op.name
        if isinstance(op.options, ir.ConcatOptions):
            for t in op.inputs:
                assert (t.dtype, t.quant) == (op.outputs[0].dtype, op.outputs[0].quant), (op.name, t.name)


def test_summary_and_images(tmp_path, capsys):
    from PIL import Image
    folder = tmp_path / "images"
    folder.mkdir()
    rng = np.random.default_rng(9)
    for i, (size, ext) in enumerate([((40, 50), "png"), ((64, 32), "jpg"), ((32, 32), "bmp")]):
        Image.fromarray(rng.integers(0, 256, size + (3,), dtype=np.uint8)).save(folder / f"{i}.{ext}")
    (folder / "notes.txt").write_text("not an image")
    out = tmp_path / "m.incept"
    proc = convert(capsys, "-o", out, "--quantize", "int8", "--calibration", folder, "--calibrator", "percentile")
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.strip().split("\n")[-1]
    assert line.startswith("incept-convert: quantised") and "percentile calibrator over 3 calibration inputs" in line
    assert "float32: logits" in line or "float32: " in line
    scheme.check(read_model(out.read_bytes()).graph)


@pytest.mark.parametrize("calibrator", calibrators.NAMES)
def test_deterministic(tmp_path, calib, capsys, calibrator):
    """Same inputs, same bytes, also at another torch thread count (calibration runs on one thread)."""
    outs, threads = [tmp_path / "a.incept", tmp_path / "b.incept"], torch.get_num_threads()
    try:
        for out, n in zip(outs, (1, 2)):
            torch.set_num_threads(n)
            proc = convert(capsys, "-o", out, "--quantize", "int8", "--calibration", calib, "--calibrator",
                           calibrator, "-q")
            assert proc.returncode == 0, proc.stderr
    finally:
        torch.set_num_threads(threads)
    assert outs[0].read_bytes() == outs[1].read_bytes()


# ---- a graph with every int8 path: residual add, LRN, max pool into a concat, average pools ----

@pytest.fixture(scope="module")
def mixed():
    g = import_module(MixedNet(), MixedNet.SHAPE)
    storage.narrow_weights(g, "int8")
    rng = np.random.default_rng(3)
    cal = rng.standard_normal((8,) + MixedNet.SHAPE[1:]).astype(np.float32)
    test = rng.standard_normal((4,) + MixedNet.SHAPE[1:]).astype(np.float32)
    scheme.assign(g, observe.collect(g, cal, progress=False), "minmax")
    return g, test


def _representable(t, y, relu):
    q = t.quant
    lo, hi = reference.QRANGE[t.dtype]
    lo = max(lo, q.zero_point) if relu else lo
    return np.clip(y, q.scale * (lo - q.zero_point), q.scale * (hi - q.zero_point))


def _float_op(op, ins):
    """op in float64 on the traced real inputs (NCHW), weights as stored."""
    xs, k = [], 0
    for t in op.inputs:
        if t is None:
            xs.append(None)
        elif t.is_constant:
            xs.append(torch.from_numpy(floatrun.stored_values(t).astype(np.float64)))
        else:
            xs.append(torch.from_numpy(ins[k].astype(np.float64)))
            k += 1
    with torch.no_grad():
        return floatrun.op_forward(op, xs).numpy()


def check_reference_per_op(g, x):
    checked = []

    def trace(op, ins, out):
        y = _float_op(op, ins)
        t_out = op.outputs[0]
        relu = getattr(op.options, "activation", ir.Activation.NONE) == ir.Activation.RELU
        tol = 1e-5 * float(np.abs(y).max()) + 1e-6
        if reference.is_q(t_out) and id(op) not in ref.fused_convs:   # a fused conv's output is never rounded
            y = _representable(t_out, y, relu)
            tol += 0.5 * t_out.quant.scale
        if id(op) in ref.weights:
            tol += 0.5 * op.inputs[0].quant.scale * float(ref.weights[id(op)][1].max())
        err = float(np.abs(out.astype(np.float64) - y).max())
        assert err <= tol, f"{op.name} ({op.kind}): |int8 - float| = {err:.3g} > {tol:.3g}"
        checked.append(op.kind)

    ref = reference.Reference(g)
    yq = ref.run(x, trace)[0]
    yf = floatrun.run(g, x)[0]
    cos = (yq * yf).sum(1) / (np.linalg.norm(yq, axis=1) * np.linalg.norm(yf, axis=1))
    assert cos.min() > 0.98, cos
    return checked


def test_reference_matches_float_mixed(mixed):
    g, x = mixed
    scheme.check(g)
    kinds = check_reference_per_op(g, x)
    assert {"Conv2D", "Add", "LRN", "MaxPool2D", "Concat", "AvgPool2D", "GlobalAvgPool", "FullyConnected"} <= set(kinds)
    pool = next(op for op in g.ops if op.kind == "MaxPool2D")
    assert pool.inputs[0].quant != pool.outputs[0].quant   # the pool requantises into the concat's slice
    ref = reference.Reference(g)
    float_ops = {op.kind for op in g.ops if not ref.int8_kernel(op)}
    assert float_ops == {"LRN", "FullyConnected"}   # no int8 LRN; the classifier writes the float32 logits


def test_reference_matches_float_tiny(tiny_file):
    g = read_model(tiny_file.read_bytes()).graph
    x = np.random.default_rng(11).standard_normal((3, 3, TINY_SIZE, TINY_SIZE)).astype(np.float32)
    check_reference_per_op(g, x)


def test_requantize_rule():
    t = ir.Tensor("t", [1], ir.DType.INT8, quant=ir.QuantParams(0.5, 3))
    acc = np.array([0, 1, 2, 3, 5, -1, -3, 1000, -1000])
    q = reference.requantize(acc, np.float32(0.5), t)   # acc * 0.5: ties go to even, then + zp, clamp
    assert q.tolist() == [3, 3, 4, 5, 5, 3, 1, 127, -128]
    assert reference.requantize(acc, np.float32(0.5), t, relu=True).min() == 3
    assert reference.quantize(np.array([1.25, -0.25], np.float32), t).tolist() == [5, 3]   # 2.5 -> 2, -0.5 -> 0 (+ 3)
    assert reference.bias_int32(np.array([0.5, -0.5, 0.25]), 1.0, np.ones(3, np.float32)).tolist() == [1, -1, 0]


def test_reader_roundtrips_quant(mixed):
    g, _ = mixed
    _, m = roundtrip(g)
    before = [(t.name, t.dtype, t.quant) for t in g.tensors() if not t.is_constant]
    after = [(t.name, t.dtype, t.quant) for t, b in zip(m.tensors, m.tensor_buffer) if b < 0]
    assert sorted(after, key=lambda v: v[0]) == sorted(before, key=lambda v: v[0])
    assert any(d == ir.DType.UINT8 for _, d, _ in after) and any(d == ir.DType.INT8 for _, d, _ in after)


def test_two_concats_refused():
    class TwoCats(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b, self.c = nn.Conv2d(3, 4, 1), nn.Conv2d(3, 4, 1), nn.Conv2d(3, 4, 1)

        def forward(self, x):
            a = F.relu(self.a(x))
            return torch.cat([a, F.relu(self.b(x))], 1) + torch.cat([a, F.relu(self.c(x))], 1)

    g = import_module(TwoCats(), (1, 3, 8, 8))
    storage.narrow_weights(g, "int8")
    stats = observe.collect(g, np.zeros((1, 3, 8, 8), np.float32), progress=False)
    with pytest.raises(ConvertError, match="feeds two concats"):
        scheme.assign(g, stats, "minmax")


# ---- calibrators on hand-made statistics ----

def _stats(*arrays):
    s = observe.TensorStats()
    for a in arrays:
        s.add(torch.from_numpy(np.asarray(a, np.float32)))
    return s


def long_tail():
    rng = np.random.default_rng(1)
    bulk = np.abs(rng.standard_normal(200_000))   # |N(0, 1)|: 99.99 % below ~3.9
    return _stats(bulk, np.array([40.0, 60.0, 100.0]))


def test_minmax_gives_max():
    s = _stats([-3.0, 0.5, 7.25])
    assert calibrators.minmax(s, True) == 7.25 and (s.min, s.max) == (-3.0, 7.25)
    assert scheme.quant_params(0.0, 7.25, ir.DType.UINT8) == ir.QuantParams(float(np.float32(7.25 / 255)), 0)
    q = scheme.quant_params(-3.0, 7.25, ir.DType.INT8)
    assert -128 <= q.zero_point <= 127 and abs(q.scale - 10.25 / 255) < 1e-7
    assert abs(q.scale * (-128 - q.zero_point) - -3.0) <= q.scale   # the range's ends are representable


def test_percentile_below_max_on_long_tail():
    s = long_tail()
    t = calibrators.percentile(s, False)
    assert 3.0 < t < 10.0, t


def test_entropy_clips_long_tail():
    s = long_tail()
    t = calibrators.entropy(s, False)
    assert 2.0 < t < 50.0, t
    flat = _stats(np.linspace(0, 1, 100_000))   # no tail: nothing worth clipping
    assert calibrators.entropy(flat, False) > 0.9


def test_histogram_grows_without_losing_counts():
    s = _stats(np.linspace(0, 1, 1000), np.array([3.5]))
    assert s.edge == 4.0 and s.hist.sum() == 1001 and s.count == 1001


def test_concat_input_that_is_a_graph_output_refused():
    x = ir.Tensor("x", [1, 4, 4, 2])
    a, b, c = ir.Tensor("a", [1, 4, 4, 3]), ir.Tensor("b", [1, 4, 4, 3]), ir.Tensor("c", [1, 4, 4, 6])
    conv = ir.Conv2DOptions(ir.Size2D(1, 1), ir.Size2D(1, 1), ir.Pad2D(), ir.Size2D(1, 1), 1, ir.Activation.RELU)
    w = [ir.Tensor(f"w{i}", [3, 1, 1, 2], data=np.full((3, 1, 1, 2), 0.5)) for i in range(2)]
    g = ir.Graph("g", [x], [c, a], [ir.Operator("ca", [x, w[0]], [a], conv), ir.Operator("cb", [x, w[1]], [b], conv),
                                    ir.Operator("cat", [a, b], [c], ir.ConcatOptions(3))])
    stats = observe.collect(g, np.ones((1, 2, 4, 4), np.float32), progress=False)
    with pytest.raises(ConvertError, match="'a' is a graph output"):
        scheme.assign(g, stats, "minmax")
