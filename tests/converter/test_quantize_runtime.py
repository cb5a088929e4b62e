# SPDX-License-Identifier: Apache-2.0
"""The runtime against the converter's int8 reference executor (incept_convert/quant/reference.py): files written
by the converter, run by incept-run, compared with the reference run on the file read back."""

import subprocess

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from conftest import import_module
from fixture_nets import MixedNet
from incept_convert import ir, storage
from incept_convert.quant import observe, reference, scheme
from incept_convert.reader import read_model


# ---- the runtime against the reference: the same rule on both sides ----

class ExactNet(MixedNet):
    """MixedNet up to its last 8-bit tensor (after the average pool), given out whole: a 1x1 max pool with a
    float32 output dequantises it exactly, so the graph's output shows every byte of that tensor."""

    def forward(self, x):
        a = F.relu(self.stem(x))
        r = F.relu(a + 0.2 * self.up(a))
        n = self.lrn(r)
        c = torch.cat([self.branch(n), F.max_pool2d(n, 3, 2)], 1)
        return F.max_pool2d(F.avg_pool2d(F.relu(self.post(c)), 3, 1, 1, count_include_pad=False), 1, 1)


def _quantised_file(module, tmp_path):
    from incept_convert import writer
    g = import_module(module, MixedNet.SHAPE)
    storage.narrow_weights(g, "int8")
    rng = np.random.default_rng(3)
    cal = rng.standard_normal((8,) + MixedNet.SHAPE[1:]).astype(np.float32)
    scheme.assign(g, observe.collect(g, cal, progress=False), "minmax")
    path = tmp_path / "model.incept"
    path.write_bytes(writer.serialize(g))
    return path, rng.standard_normal((4,) + MixedNet.SHAPE[1:]).astype(np.float32)


def _incept_run(exe, path, x, tmp_path, backend):
    np.save(tmp_path / "x.npy", x)
    proc = subprocess.run([str(exe), str(path), "--input", str(tmp_path / "x.npy"), "--output", str(tmp_path / "y.npy"),
                           "--backend", backend, "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.returncode == 0, proc.stderr
    return np.load(tmp_path / "y.npy")


@pytest.mark.parametrize("backend", ["ref", "auto"])
def test_runtime_writes_the_reference_bytes(incept_run, tmp_path, backend):
    """incept-run on the written file against the reference executor on the file read back, on the last 8-bit
    tensor of a graph with a residual add (folded into its conv on both sides: add_q8_fused, one rounding where
    unfused there would be two, so an unfused side differs), an LRN between conversions, a max pool
    requantising into a concat, an 8-bit conv and an average pool: equal bit for bit (ops/common/quant.h and
    reference.py state one rule). Only the LRN runs in float32 (another summation order than torch's could move
    a q at a rounding tie; none here)."""
    path, x = _quantised_file(ExactNet(), tmp_path)
    g = read_model(path.read_bytes()).graph
    assert [op.kind for op in g.ops][-1] == "MaxPool2D" and g.outputs[0].dtype == ir.DType.FLOAT32
    ref = reference.Reference(g)
    fused = [(a.name, c.name) for a, c, _ in reference.residual_fusions(g, ref.int8_kernel)]
    assert fused == [("/Add", "/up/Conv")]
    for i in range(len(x)):
        got = _incept_run(incept_run, path, x[i:i + 1], tmp_path, backend)
        want = ref.run(x[i:i + 1])[0]
        want = want.transpose(0, 3, 1, 2) if want.ndim == 4 and want.shape[-1] == got.shape[1] else want
        assert got.shape == want.shape
        differ = int((got != want).sum())
        assert differ == 0, f"input {i}: {differ} of {got.size} values differ, max {np.abs(got - want).max()}"


@pytest.mark.parametrize("backend", ["ref", "auto"])
def test_runtime_matches_reference_logits(incept_run, tmp_path, backend):
    """The same on MixedNet's logits, which its float32 classifier writes: within 1e-5 of the largest logit
    (the classifier's summation order), far under one quantisation step of its 8-bit input times its weights."""
    path, x = _quantised_file(MixedNet(), tmp_path)
    ref = reference.Reference(read_model(path.read_bytes()).graph)
    for i in range(len(x)):
        got = _incept_run(incept_run, path, x[i:i + 1], tmp_path, backend).reshape(1, -1)
        want = ref.run(x[i:i + 1])[0].reshape(1, -1)
        err = float(np.abs(got - want).max())
        assert err <= 1e-5 * float(np.abs(want).max()), (i, err, got, want)
