# SPDX-License-Identifier: Apache-2.0
"""--input-size is proven, not taken on trust: shape inference at the size written (the runtime's rules and
its 2^30-element tensor cap) refuses a size the graph cannot run, naming the layer and the sizes it runs at,
before PyTorch runs at it; a size other than the network's own (the zoo's, where its pretrained weights come
from, or an ONNX file's declared one) is said plainly."""

import time

import pytest
import torch.nn as nn

from conftest import REPO, assert_user_error, export_onnx, import_module, run_convert
from incept_convert import input_size
from incept_convert.reader import read_model

SMALL = REPO / "models" / "inception_small" / "model.pth"


def convert_small(tmp_path, *args):
    return run_convert("--arch", "inception_small", "--checkpoint", SMALL, "-o", tmp_path / "m.incept", *args)


@pytest.mark.parametrize("size", ["16", "22", "8x96"])
def test_a_size_too_small_names_the_layer_and_the_sizes_that_run(tmp_path, size):
    msg = assert_user_error(convert_small(tmp_path, "--input-size", size), "--arch inception_small cannot run at "
                            "input size", "(MaxPool)", "does not fit input height 2 plus padding 0 + 0",
                            "it runs at 23..", output=tmp_path / "m.incept")
    assert "'/maxpool" in msg


def test_the_smallest_size_that_runs_is_written(tmp_path):
    proc = convert_small(tmp_path, "--input-size", "23", "-q")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


def test_a_size_past_the_runtime_tensor_cap_is_refused_before_pytorch_runs_at_it(tmp_path):
    t0 = time.monotonic()
    assert_user_error(convert_small(tmp_path, "--input-size", "14000"), "cannot run at input size 14000x14000",
                      "more than the runtime's 1,073,741,824 per tensor", "..13376 pixels a side",
                      output=tmp_path / "m.incept")
    assert time.monotonic() - t0 < 60   # PyTorch at 14000x14000 would take minutes and tens of GiB


def test_a_size_past_the_flag_bound_says_the_limit(tmp_path):
    assert_user_error(convert_small(tmp_path, "--input-size", "100000"), "'100000' is too large",
                      "at most 16384 pixels a side", "2^30 elements", output=tmp_path / "m.incept")


def test_a_size_other_than_the_trained_one_is_said(tmp_path):
    proc = convert_small(tmp_path, "--input-size", "224")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [
        "incept-convert: note: input size 224x224 differs from the 96x96 --arch inception_small is defined and "
        "pretrained at; unless the weights were trained at 224x224, their accuracy at this size is unknown (images "
        "are resized to it): check it on held-out images, or convert without --input-size"]
    proc = convert_small(tmp_path, "--input-size", "96")
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


class _Pooled(nn.Module):
    def __init__(self, channels=4):
        super().__init__()
        self.conv = nn.Conv2d(3, channels, 5)
        self.pool = nn.MaxPool2d(3, 2, ceil_mode=True)
        self.fc = nn.Linear(channels, 2)

    def forward(self, x):
        return self.fc(nn.functional.adaptive_avg_pool2d(self.pool(self.conv(x)), 1).flatten(1))


def test_onnx_size_too_small_and_other_than_declared(tmp_path):
    path = tmp_path / "p.onnx"
    path.write_bytes(export_onnx(_Pooled(), (1, 3, 16, 16)))
    assert_user_error(run_convert("--onnx", path, "-o", tmp_path / "m.incept", "--input-size", "6"),
                      "cannot run at input size 6x6", "(MaxPool)", "window height 3 does not fit input height 2",
                      "it runs at 7..", output=tmp_path / "m.incept")
    proc = run_convert("--onnx", path, "-o", tmp_path / "m.incept", "--input-size", "7")
    assert proc.returncode == 0, proc.stderr
    assert "differs from the 16x16 " + str(path) + " declares" in proc.stderr


def test_limits_by_shape_inference_alone():
    g = import_module(_Pooled(), (1, 3, 16, 16))   # Conv2D 5x5, MaxPool2D 3/2 ceil, GlobalAvgPool, FullyConnected
    assert input_size.limits(g, 16) == input_size.limits(g, 3) == input_size.limits(g, 16384)
    assert input_size.limits(g, 16) == (7, 16384)   # its largest tensor, [1, 16380, 16380, 4], stays under 2^30
    wide = import_module(_Pooled(64), (1, 3, 16, 16))
    assert input_size.limits(wide, 16) == input_size.limits(wide, 16000) == (7, 4100)   # 64 x 4096^2 = 2^30: the cap
    with pytest.raises(input_size.SizeError, match=r"its output \[1, 4097, 4097, 64\] has 1,074,266,176 elements"):
        input_size.infer(wide, 4101, 4101)
    assert input_size.infer(g, 7, 9)[id(g.ops[1].outputs[0])] == [1, 1, 2, 4]
    with pytest.raises(input_size.SizeError, match="kernel height 5 does not fit input height 4"):
        input_size.infer(g, 4, 16)


def test_keras_size_other_than_declared(tmp_path):
    from conftest import REPO as repo
    src = repo / "tests" / "converter" / "fixtures" / "keras_tiny.keras"
    if not src.exists():
        pytest.skip(f"{src} missing")
    out = tmp_path / "k.incept"
    proc = run_convert("--keras", src, "-o", out)
    assert proc.returncode == 0 and "note:" not in proc.stderr, proc.stderr
    g = read_model(out.read_bytes()).graph
    _, h, w, _ = g.inputs[0].shape
    proc = run_convert("--keras", src, "-o", out, "--input-size", f"{h + 8}x{w + 8}")
    assert proc.returncode == 0, proc.stderr
    assert f"note: input size {h + 8}x{w + 8} differs from the {h}x{w} {src} declares" in proc.stderr
