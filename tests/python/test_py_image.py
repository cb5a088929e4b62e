# SPDX-License-Identifier: Apache-2.0
"""Interpreter.set_input_image (the camera path) from Python: a uint8 frame into the bundled model as float32
(written at once, the model's formula) and as --quantize int8 (quantised in one pass by the next invoke): the
same outputs as writing the formula's floats and running; once per call; run() refused while a frame waits;
bad arrays refused with the expected shape and dtype."""
import numpy as np
import pytest
from incept_py_support import CONVERT, NOT_BUILT, SMALL, incept, run, small_model_path

pytestmark = pytest.mark.skipif(incept is None, reason=NOT_BUILT)


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    return small_model_path(tmp_path_factory)


@pytest.fixture(scope="module")
def small_int8(tmp_path_factory):
    d = tmp_path_factory.mktemp("small_int8")
    np.save(d / "cal.npy", np.random.default_rng(5).standard_normal((4, 3, 96, 96)).astype(np.float32))
    r = run(CONVERT, "--arch", "inception_small", "--checkpoint", SMALL / "model.pth", "--quantize", "int8",
            "--calibration", d / "cal.npy", "-o", d / "small8.incept", "-q")
    assert r.returncode == 0, r.stderr
    return d / "small8.incept"


def frame(channels, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (96, 96, channels), dtype=np.uint8)


def formula(interp, px):
    """x = (pixel / 255 - mean) / std in float32, channels in the model's order, NHWC [1, H, W, 3]."""
    rgb = px[..., :3] if interp.channel_order == "rgb" else px[..., 2::-1]
    mean, std = np.float32(interp.mean), np.float32(interp.std)
    return ((rgb.astype(np.float32) / np.float32(255) - mean) / std)[None].astype(np.float32)


@pytest.mark.parametrize("which", ["float32", "int8"])
@pytest.mark.parametrize("channels", [3, 4])
def test_image_gives_the_formulas_output(small_model, small_int8, which, channels):
    path = small_model if which == "float32" else small_int8
    with incept.Interpreter(path) as it:
        px = frame(channels, seed=channels)
        want = it.run(formula(it, px)).copy()
        it.input[...] = 0
        it.set_input_image(px)
        if which == "float32":
            assert np.array_equal(it.input, formula(it, px))   # written at once
        it.invoke()
        assert np.array_equal(it.output, want)
        if which == "int8":   # once: the next invoke reads the (zeroed) float input
            it.invoke()
            assert not np.array_equal(it.output, want)


def test_strided_rows_and_run_refused_while_waiting(small_int8):
    with incept.Interpreter(small_int8) as it:
        wide = frame(4, seed=9)[:, :, :]
        padded = np.zeros((96, 100, 3), np.uint8)
        padded[:, :96] = wide[..., :3]
        view = padded[:, :96]   # rows 300 bytes apart, pixels contiguous
        want = it.run(formula(it, view)).copy()
        it.set_input_image(view)
        with pytest.raises(ValueError, match="waiting for invoke"):
            it.run(formula(it, view))
        it.invoke()
        assert np.array_equal(it.output, want)


@pytest.mark.parametrize("bad,error,match", [
    (np.zeros((96, 96, 3), np.float32), TypeError, "uint8"),
    ([[0, 0, 0]], TypeError, "numpy.ndarray"),
    (np.zeros((96, 96), np.uint8), ValueError, r"got shape \[96, 96\]"),
    (np.zeros((96, 96, 2), np.uint8), ValueError, "3 or 4"),
    (np.zeros((3, 96, 96), np.uint8), ValueError, r"\[3, 96, 96\]"),
    (np.zeros((96, 96, 3), np.uint8)[:, ::2], ValueError, "contiguous"),
    (np.zeros((95, 96, 3), np.uint8), incept.Error if incept else Exception, "scale it to 96x96"),
])
def test_bad_images(small_model, bad, error, match):
    with incept.Interpreter(small_model) as it:
        with pytest.raises(error, match=match):
            it.set_input_image(bad)
        with pytest.raises(IndexError, match="out of range"):
            it.set_input_image(frame(3), index=1)
