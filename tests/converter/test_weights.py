# SPDX-License-Identifier: Apache-2.0
"""Narrow weight storage (`incept-convert --weights fp16|int8`) against PyTorch run on the same rounded
(float16) or dequantized (int8) weights: torchref.py runs the converted file's graph in PyTorch (float64)
with the weights as stored, and the C++ runtime must match it within 1e-4 x max |logit| with identical
top-5, on every backend, at 1 and 2 threads, from the .pth and from ONNX. That checks the implementation
(file format, widening, packing); what the rounding costs against float32 is measured, not tested
(bench/weights_cost.py).

Also: the encoding itself (round to nearest for float16, per-channel symmetric int8 with q * scale in
float32, as the runtime computes it), file sizes, and the converter's refusals.
"""

import subprocess

import numpy as np
import pytest

from conftest import LARGE, SLOW, compare_logits, run_convert
from incept_convert import ir, storage
from incept_convert.reader import read_model
import torchref


def incept_logits(incept_run, model, x_path, tmp_path, flags=()):
    out = tmp_path / "y.npy"
    proc = subprocess.run([str(incept_run), str(model), "--input", str(x_path), "--output", str(out), *flags],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300)
    if proc.returncode != 0 and "not available" in proc.stderr:
        pytest.skip(f"not built here: {proc.stderr.strip()}")
    assert proc.returncode == 0, proc.stderr
    return np.load(out)


def check(y, ref, what):
    diff, rel, top5 = compare_logits(y, ref)
    print(f"\n[weights] {what}: max|diff| = {diff:.3e} ({rel:.3e} x max|logit|), top-5 identical: {top5}")
    assert rel <= 1e-4, f"{what}: {rel:.3e} x max|logit| > 1e-4"
    assert top5, what


@pytest.mark.parametrize("arch", ["googlenet", "inception_resnet_v2"])
def test_torchref_matches_the_zoo_nets_in_pytorch(artifacts, arch):
    """The reference itself: a float32 file run by torchref equals the PyTorch model (so on narrow files it
    is PyTorch on the narrow weights)."""
    paths = artifacts.make(arch)
    y = torchref.run(read_model(artifacts.converted(arch, "pth").read_bytes()), np.load(paths["input"]))[0]
    check(y, np.load(paths["reference"]), f"torchref {arch} fp32")


NETS = ("googlenet", "inception_v3", "inception_v4", "inception_resnet_v2")
PARAMS = [pytest.param(arch, source, weights, id=f"{arch}-{source}-{weights}",
                       marks=[pytest.mark.skipif(arch in LARGE and source != "pth" and not SLOW,
                                                 reason="large net, ONNX path: INCEPT_SLOW=1 runs it")])
          for arch in NETS for source in ("pth", "onnx_bn") for weights in ("fp16", "int8")]


@pytest.mark.parametrize("arch,source,weights", PARAMS)
def test_narrow_weights_match_pytorch_on_the_same_weights(incept_run, artifacts, tmp_path, arch, source, weights):
    paths = artifacts.make(arch)
    model = artifacts.converted(arch, source, weights)
    read = read_model(model.read_bytes())
    narrow = [t for t in read.tensors if t.dtype == storage.DTYPE_OF[weights]]
    assert narrow, "no tensor was stored narrow"
    ref = torchref.run(read, np.load(paths["input"]))[0]
    for threads in (1, 2):
        y = incept_logits(incept_run, model, paths["input"], tmp_path, ["--threads", str(threads)])
        check(y, ref, f"{arch} from {source}, {weights}, {threads} thread(s)")


BACKENDS = [("ref", 1), ("eigen", 1), ("eigen", 2), ("xnnpack", 1), ("xnnpack", 2), ("native", 1), ("native", 2)]


@pytest.mark.parametrize("weights", ["fp16", "int8"])
@pytest.mark.parametrize("backend,threads", BACKENDS, ids=[f"{b}-{t}" for b, t in BACKENDS])
def test_narrow_weights_on_every_backend(incept_run, artifacts, tmp_path, backend, threads, weights):
    paths = artifacts.make("googlenet")
    model = artifacts.converted("googlenet", "pth", weights)
    ref = torchref.run(read_model(model.read_bytes()), np.load(paths["input"]))[0]
    y = incept_logits(incept_run, model, paths["input"], tmp_path, ["--backend", backend, "--threads", str(threads)])
    check(y, ref, f"googlenet {weights} --backend {backend} --threads {threads}")


def test_sizes_and_encoding(artifacts):
    """fp16 is NumPy's round-to-nearest of the float32 file's weights; int8 is q * scale per output channel
    with |q| <= 127 and the largest |q| of each channel 127; biases stay float32; the files are about 1/2 and
    1/4 of the float32 one."""
    fp32 = read_model(artifacts.converted("googlenet", "pth").read_bytes())
    sizes = {"fp32": artifacts.converted("googlenet", "pth").stat().st_size}
    for weights in ("fp16", "int8"):
        path = artifacts.converted("googlenet", "pth", weights)
        sizes[weights] = path.stat().st_size
        narrow = read_model(path.read_bytes())
        for t32, t in zip(fp32.tensors, narrow.tensors):
            if t32.data is None:
                continue
            if len(t32.shape) == 1:   # a bias
                assert t.dtype == ir.DType.FLOAT32 and np.array_equal(t.data, t32.data), t.name
                continue
            assert t.dtype == storage.DTYPE_OF[weights], t.name
            w = np.asarray(t32.data, np.float32)
            if weights == "fp16":
                assert np.array_equal(t.data, w.astype(np.float16).astype(np.float32)), t.name
            else:
                flat = w.reshape(w.shape[0], -1)
                scales = (np.abs(flat).max(axis=1).astype(np.float64) / 127).astype(np.float32)
                got = t.data.reshape(flat.shape)
                q = np.rint(got.astype(np.float64) / scales.astype(np.float64)[:, None])
                assert np.array_equal(q.astype(np.float32) * scales[:, None], got), t.name   # q * scale in float32
                assert np.abs(q).max() <= 127 and (np.abs(q).max(axis=1) == 127).all(), t.name
                assert np.abs(t.data.reshape(flat.shape) - flat).max(axis=1).max() <= (scales / 2 * 1.0001).max()
    print(f"\n[weights] googlenet file bytes: {sizes}")
    assert sizes["fp16"] <= 0.51 * sizes["fp32"]
    assert sizes["int8"] <= 0.27 * sizes["fp32"]


def test_int8_keeps_zero_channels_and_the_largest_weight():
    w = np.zeros((3, 1, 1, 4))
    w[1] = [0.5, -1.0, 0.25, 1e-3]
    w[2] = [1e-30, 0, 0, 0]   # a scale that would underflow float32's normal range still works
    q, scales = storage.quantize_int8(w)
    assert scales[0] == 1.0 and (q[0] == 0).all()
    assert q[1].reshape(-1).tolist() == [64, -127, 32, 0] and scales[1] == np.float32(1.0 / 127)
    assert (scales > 0).all() and np.isfinite(scales).all()


def test_fp16_refuses_weights_out_of_its_range(tmp_path):
    t = ir.Tensor("big.w", [1, 1, 1, 2], data=np.array([[[[1.0, 7e4]]]]))
    t.dtype = ir.DType.FLOAT16
    with pytest.raises(Exception) as e:
        storage.encode(t)
    assert "beyond float16's range" in str(e.value) and "big.w" in str(e.value)


def test_weights_option_errors(artifacts, tmp_path):
    paths = artifacts.make("inception_small")
    out = tmp_path / "m.incept"
    proc = run_convert("--arch", "inception_small", "--checkpoint", paths["pth"], "-o", out, "--weights", "int4")
    assert proc.returncode == 2 and "invalid choice: 'int4'" in proc.stderr, proc.stderr
    assert not out.exists()
