# SPDX-License-Identifier: Apache-2.0
"""Every user-facing failure: exit code 2, one line naming the problem, no traceback, no file left."""

import pytest
import torch
import torch.nn as nn

from conftest import assert_user_error, export_onnx, run_convert


@pytest.fixture(scope="module")
def googlenet_state(artifacts):
    return torch.load(artifacts.make("googlenet")["pth"])


def _save(state, path):
    torch.save(state, path)
    return path


def test_missing_onnx_file(tmp_path):
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--onnx", tmp_path / "nope.onnx", "-o", out), "nope.onnx", "does not exist",
                      output=out)


def test_missing_checkpoint(tmp_path):
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--arch", "googlenet", "--checkpoint", tmp_path / "nope.pth", "-o", out),
                      "nope.pth", "does not exist", output=out)


def test_truncated_checkpoint(artifacts, tmp_path):
    data = artifacts.make("googlenet")["pth"].read_bytes()
    bad = tmp_path / "trunc.pth"
    bad.write_bytes(data[: len(data) // 2])
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--arch", "googlenet", "--checkpoint", bad, "-o", out),
                      "trunc.pth", "cannot read checkpoint", output=out)


def test_checkpoint_damaged_inside_a_tensor(artifacts, tmp_path):
    # torch.load() would read this file without complaint: the damage is in tensor bytes, which only
    # the zip entries' CRC-32s reveal.
    data = bytearray(artifacts.make("googlenet")["pth"].read_bytes())
    for i in range(len(data) // 2, len(data) // 2 + 64):
        data[i] ^= 0xFF
    bad = tmp_path / "flipped.pth"
    bad.write_bytes(bytes(data))
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--arch", "googlenet", "--checkpoint", bad, "-o", out),
                      "flipped.pth", "is damaged", "CRC-32", "copy it again", output=out)


def test_checkpoint_with_nan_weights(googlenet_state, tmp_path):
    state = dict(googlenet_state)
    state["fc.weight"] = googlenet_state["fc.weight"].clone()
    state["fc.weight"][2, 5] = float("nan")
    state["fc.weight"][3, 0] = float("inf")
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--arch", "googlenet", "--checkpoint", _save(state, tmp_path / "n.pth"), "-o", out),
                      "'fc.weight'", "2 NaN or infinite values", "first at [2, 5]", "diverged", output=out)


def test_checkpoint_with_negative_batchnorm_variance(googlenet_state, tmp_path):
    state = dict(googlenet_state)
    state["inception3a.branch1.bn.running_var"] = googlenet_state["inception3a.branch1.bn.running_var"].clone()
    state["inception3a.branch1.bn.running_var"][7] = -1.0
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--arch", "googlenet", "--checkpoint", _save(state, tmp_path / "v.pth"), "-o", out),
                      "inception3a/branch1/bn", "running variance + eps is -0.999", "channel 7", "damaged", output=out)


def test_checkpoint_that_is_not_a_pickle(tmp_path):
    bad = tmp_path / "text.pth"
    bad.write_text("hello, I am not a checkpoint\n")
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--arch", "googlenet", "--checkpoint", bad, "-o", out),
                      "text.pth is not a torch.save() file", "a text file", output=out)


def test_checkpoint_that_is_an_image(tmp_path):
    bad = tmp_path / "photo.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200))
    out = tmp_path / "m.incept"
    msg = assert_user_error(run_convert("--arch", "googlenet", "--checkpoint", bad, "-o", out),
                            "photo.jpg is not a torch.save() file", "JPEG image", output=out)
    assert "weights_only" not in msg


def test_checkpoint_with_code_is_refused_without_advice_to_run_it(tmp_path):
    # A pickle naming a callable: torch's refusal advises weights_only=False, which would run it. Never passed on.
    bad = _save({"w": torch.zeros(1), "f": getattr}, tmp_path / "code.pth")
    out = tmp_path / "m.incept"
    msg = assert_user_error(run_convert("--arch", "googlenet", "--checkpoint", bad, "-o", out),
                            "cannot read checkpoint", "objects besides tensors", output=out)
    assert "weights_only" not in msg and "False" not in msg


def test_corrupted_onnx(tmp_path):
    data = bytearray(export_onnx(nn.Conv2d(3, 4, 3), (1, 3, 8, 8)))
    for i in range(0, len(data), 7):   # flip bytes all over the protobuf
        data[i] ^= 0xA5
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(bytes(data))
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--onnx", bad, "-o", out), "bad.onnx", "onnx", output=out)


def test_truncated_onnx(tmp_path):
    data = export_onnx(nn.Conv2d(3, 4, 3), (1, 3, 8, 8))
    bad = tmp_path / "cut.onnx"
    bad.write_bytes(data[: len(data) // 3])
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--onnx", bad, "-o", out), "cut.onnx", output=out)


def test_unknown_arch(tmp_path):
    ckpt = _save({"w": torch.zeros(1)}, tmp_path / "x.pth")
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--arch", "resnet50", "--checkpoint", ckpt, "-o", out),
                      "unknown architecture 'resnet50'", "googlenet", "inception_v3", output=out)


def test_missing_key(googlenet_state, tmp_path):
    state = dict(googlenet_state)
    del state["inception4a.branch2.1.conv.weight"]
    out = tmp_path / "m.incept"
    msg = assert_user_error(run_convert("--arch", "googlenet", "--checkpoint", _save(state, tmp_path / "k.pth"),
                                        "-o", out),
                            "missing keys", "inception4a.branch2.1.conv.weight", output=out)
    assert "unexpected" not in msg


def test_extra_key(googlenet_state, tmp_path):
    state = dict(googlenet_state)
    state["head.extra.weight"] = torch.zeros(3)
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--arch", "googlenet", "--checkpoint", _save(state, tmp_path / "k.pth"), "-o", out),
                      "unexpected keys", "head.extra.weight", output=out)


def test_wrong_arch_lists_at_most_five_keys(googlenet_state, tmp_path):
    out = tmp_path / "m.incept"
    msg = assert_user_error(run_convert("--arch", "inception_v3", "--checkpoint",
                                        _save(googlenet_state, tmp_path / "g.pth"), "-o", out),
                            "does not match --arch inception_v3", "more", output=out)
    assert msg.count("Conv2d_1a_3x3") <= 5


def test_wrong_shape(googlenet_state, tmp_path):
    state = dict(googlenet_state)
    state["inception4a.branch1.conv.weight"] = torch.zeros(192, 480, 3, 3)
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--arch", "googlenet", "--checkpoint", _save(state, tmp_path / "s.pth"), "-o", out),
                      "'inception4a.branch1.conv.weight'", "[192, 480, 3, 3]", "[192, 480, 1, 1]",
                      "another architecture", output=out)


def test_class_count_comes_from_the_checkpoint(googlenet_state, tmp_path):
    # A net trained on 10 classes converts as one: the classifier's rows set the class count.
    state = dict(googlenet_state)
    state["fc.weight"], state["fc.bias"] = (googlenet_state["fc.weight"][:10].clone(),
                                            googlenet_state["fc.bias"][:10].clone())
    out = tmp_path / "m.incept"
    proc = run_convert("--arch", "googlenet", "--checkpoint", _save(state, tmp_path / "c10.pth"), "-o", out)
    assert proc.returncode == 0, proc.stderr
    assert "googlenet" in proc.stdout
    from incept_convert.reader import read_model
    assert read_model(out.read_bytes()).graph.outputs[0].shape == [1, 10]


def test_classifier_bias_must_match_its_weight(googlenet_state, tmp_path):
    state = dict(googlenet_state)
    state["fc.weight"] = googlenet_state["fc.weight"][:10].clone()
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--arch", "googlenet", "--checkpoint", _save(state, tmp_path / "b.pth"), "-o", out),
                      "'fc.bias'", "[1000]", "[10]", output=out)


def test_checkpoint_without_a_classifier(googlenet_state, tmp_path):
    state = {k: v for k, v in googlenet_state.items() if not k.startswith("fc.")}
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--arch", "googlenet", "--checkpoint", _save(state, tmp_path / "nofc.pth"),
                                  "-o", out),
                      "no 2-D classifier weight 'fc.weight'", "--arch googlenet", output=out)


def test_module_prefix_and_wrapped_state_dict_are_accepted(googlenet_state, tmp_path):
    state = {"epoch": 3, "state_dict": {"module." + k: v for k, v in googlenet_state.items()}}
    out = tmp_path / "m.incept"
    proc = run_convert("--arch", "googlenet", "--checkpoint", _save(state, tmp_path / "w.pth"), "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_size > 20_000_000


class _Sin(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3)

    def forward(self, x):
        return torch.sin(self.conv(x))


def test_unsupported_onnx_op(tmp_path):
    src = tmp_path / "sin.onnx"
    src.write_bytes(export_onnx(_Sin(), (1, 3, 8, 8)))
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--onnx", src, "-o", out), "unsupported node", "(Sin)", "/Sin", output=out)


def test_relu_that_cannot_be_fused(tmp_path):
    src = tmp_path / "relu.onnx"
    src.write_bytes(export_onnx(nn.ReLU(), (1, 3, 8, 8)))
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--onnx", src, "-o", out), "(Relu)", "graph input", output=out)


@pytest.mark.parametrize("args, needles", [
    (["--mean", "0.5,0.5"], ["--mean", "three comma-separated numbers"]),
    (["--mean", "a,b,c"], ["--mean"]),
    (["--std", "0.2,0,0.2"], ["--std", "> 0"]),
    (["--input-size", "0"], ["--input-size"]),
    (["--input-size", "12x"], ["--input-size"]),
    (["--transform-input", "--mean", "0.5,0.5,0.5"], ["--transform-input", "--mean"]),
    (["--labels", "/nonexistent/labels.txt"], ["labels file", "does not exist"]),
    (["--checkpoint", "x.pth"], ["--checkpoint goes with --arch"]),
])
def test_bad_options(tmp_path, args, needles):
    src = tmp_path / "c.onnx"
    src.write_bytes(export_onnx(nn.Conv2d(3, 4, 3), (1, 3, 8, 8)))
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--onnx", src, "-o", out, *args), *needles, output=out)


def test_no_source_and_missing_output(tmp_path):
    assert_user_error(run_convert("-o", tmp_path / "m.incept"), "--arch", "--onnx", output=tmp_path / "m.incept")
    assert_user_error(run_convert("--onnx", tmp_path / "x.onnx"), "-o")
    assert_user_error(run_convert("--arch", "googlenet", "-o", tmp_path / "m.incept"), "--checkpoint")


def test_labels_count_must_match_classes(tmp_path):
    src = tmp_path / "fc.onnx"
    src.write_bytes(export_onnx(nn.Sequential(nn.Conv2d(3, 4, 3), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                              nn.Linear(4, 3)), (1, 3, 8, 8)))
    labels = tmp_path / "labels.txt"
    labels.write_text("a\nb\n")
    out = tmp_path / "m.incept"
    assert_user_error(run_convert("--onnx", src, "-o", out, "--labels", labels), "2 labels", "3 classes", output=out)


def test_output_folder_missing(tmp_path):
    src = tmp_path / "c.onnx"
    src.write_bytes(export_onnx(nn.Conv2d(3, 4, 3), (1, 3, 8, 8)))
    assert_user_error(run_convert("--onnx", src, "-o", tmp_path / "no" / "m.incept"), "output folder", "does not exist")


def test_failed_conversion_keeps_previous_output(tmp_path):
    src = tmp_path / "sin.onnx"
    src.write_bytes(export_onnx(_Sin(), (1, 3, 8, 8)))
    out = tmp_path / "m.incept"
    out.write_bytes(b"previous")
    proc = run_convert("--onnx", src, "-o", out)
    assert proc.returncode == 2 and out.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] != [] and not list(tmp_path.glob(".m.incept.*"))
