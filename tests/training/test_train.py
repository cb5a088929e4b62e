# SPDX-License-Identifier: Apache-2.0
"""The training recipe (incept_train), the synthetic dataset and the inception_small net.

Fast by construction: a handful of 32x32 synthetic images, one or two epochs. The end-to-end runs call the
trainer in-process (no second torch import); the error cases run the real command line in a subprocess.
"""

import json
import math
import subprocess

import numpy as np
import pytest
import torch

from trainkit import PYTHON, assert_one_error_line, package_env

from incept_convert import zoo
from incept_train import cli, data, synthetic
from incept_train.checkpoint import load_checkpoint
from incept_train.ema import ModelEma
from incept_train.loop import inception_loss
from incept_train.schedule import StepDecay, step_decay_lr

TINY = ["--arch", "inception_small", "--synthetic", "--classes", "4", "--train-size", "12", "--val-size", "8",
        "--input-size", "32", "--crop-pad", "2", "--batch-size", "4", "--threads", "1", "--seed", "3", "-q"]


# ---- synthetic dataset ----

def test_same_index_same_image():
    a, la = synthetic.sample(0, "train", 17, size=48)
    b, lb = synthetic.sample(0, "train", 17, size=48)
    assert la == lb == 17 % len(synthetic.LABELS)
    assert a.dtype == np.uint8 and a.shape == (48, 48, 3)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, synthetic.sample(1, "train", 17, size=48)[0]), "the seed must matter"


def test_train_and_val_are_different_streams():
    for i in range(24):
        tr, tl = synthetic.sample(0, "train", i, size=32)
        va, vl = synthetic.sample(0, "val", i, size=32)
        assert tl == vl and not np.array_equal(tr, va)


def test_every_class_present_and_images_vary():
    ds = synthetic.SyntheticShapes("val", length=24, size=40, mean=(0.5,) * 3, std=(0.25,) * 3)
    items = [ds[i] for i in range(len(ds))]
    assert sorted({label for _, label in items}) == list(range(12))
    x, _ = items[0]
    assert x.dtype == torch.float32 and tuple(x.shape) == (3, 40, 40)
    raw = synthetic.sample(0, "val", 0, size=40)[0].astype(np.float32) / 255
    assert np.allclose(x.numpy(), (raw.transpose(2, 0, 1) - 0.5) / 0.25, atol=1e-6)
    assert len({items[i][0].numpy().tobytes() for i in range(24)}) == 24
    with pytest.raises(IndexError):
        ds[24]
    assert synthetic.labels(10) == list(synthetic.LABELS[:10])


def test_write_samples(tmp_path):
    paths = synthetic.write_samples(tmp_path / "s", size=32, classes=5)
    assert [p.name for p in paths] == [f"{n}.png" for n in synthetic.LABELS[:5]]
    from PIL import Image
    with Image.open(paths[2]) as im:
        assert im.size == (32, 32) and np.array_equal(np.asarray(im), synthetic.sample(0, "val", 2, 32, 5)[0])


# ---- recipe pieces ----

def test_label_smoothing_loss_by_hand():
    logits = torch.tensor([[2.0, 0.5, -1.0], [0.1, 0.2, 0.3]])
    target = torch.tensor([0, 2])
    eps, k = 0.1, 3
    expected = 0.0
    for row, y in zip(logits.tolist(), target.tolist()):
        logp = [v - math.log(sum(math.exp(u) for u in row)) for v in row]
        q = [eps / k + (1 - eps) * (i == y) for i in range(k)]
        expected += -sum(qi * lp for qi, lp in zip(q, logp)) / 2
    assert inception_loss(logits, target, 0.1).item() == pytest.approx(expected, rel=1e-6)
    aux = torch.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    with_aux = inception_loss((logits, aux), target, 0.1, aux_weight=0.3).item()
    assert with_aux == pytest.approx(expected + 0.3 * inception_loss(aux, target, 0.1).item(), rel=1e-6)


def test_ema_update_math():
    model = torch.nn.Sequential(torch.nn.Linear(2, 1), torch.nn.BatchNorm1d(1))
    with torch.no_grad():
        model[0].weight.fill_(1.0)
        model[1].running_mean.fill_(4.0)
    ema = ModelEma(model, decay=0.5)
    with torch.no_grad():
        model[0].weight.fill_(3.0)
        model[1].running_mean.fill_(0.0)
        model[1].num_batches_tracked.fill_(7)
    ema.update(model)              # update 0: d = min(0.5, 1/10) = 0.1
    assert ema.module[0].weight[0, 0].item() == pytest.approx(0.1 * 1.0 + 0.9 * 3.0)
    assert ema.module[1].running_mean.item() == pytest.approx(0.1 * 4.0)
    assert ema.module[1].num_batches_tracked.item() == 7
    ema.update(model)              # update 1: d = min(0.5, 2/11)
    d = 2 / 11
    assert ema.module[0].weight[0, 0].item() == pytest.approx(d * 2.8 + (1 - d) * 3.0)
    for _ in range(20):
        ema.update(model)          # from update 8 on d = decay = 0.5
    assert ema.updates == 22 and not ema.module[0].weight.requires_grad


def test_step_schedule_values():
    assert [step_decay_lr(s, 0.1, 0.94, 2, steps_per_epoch=10) for s in (0, 19, 20, 39, 40, 60)] == \
        pytest.approx([0.1, 0.1, 0.094, 0.094, 0.1 * 0.94 ** 2, 0.1 * 0.94 ** 3])
    assert step_decay_lr(4, 1.0, 0.5, 1, steps_per_epoch=10, warmup_epochs=1) == pytest.approx(0.5)
    assert step_decay_lr(15, 1.0, 0.5, 1, steps_per_epoch=10, warmup_epochs=1) == pytest.approx(0.5)
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=123.0)
    sched = StepDecay(opt, 0.2, 0.5, 0.5, steps_per_epoch=4)
    lrs = [sched.step() for _ in range(6)]
    assert lrs == pytest.approx([0.2, 0.2, 0.1, 0.1, 0.05, 0.05]) and opt.param_groups[0]["lr"] == 0.05
    assert sched.state_dict() == {"iteration": 6}


def test_augment_crops_and_flips():
    x = torch.arange(2 * 3 * 6 * 6, dtype=torch.float32).view(2, 3, 6, 6)
    same = data.augment(x, pad=0, flip=False, gen=torch.Generator().manual_seed(0))
    assert torch.equal(same, x)
    out = data.augment(x, pad=2, flip=True, gen=torch.Generator().manual_seed(1))
    assert out.shape == x.shape
    padded = torch.nn.functional.pad(x, (2, 2, 2, 2), mode="reflect")
    for n in range(2):   # every output is some 6x6 window of the padded image, maybe mirrored
        windows = [padded[n, :, i:i + 6, j:j + 6] for i in range(5) for j in range(5)]
        assert any(torch.equal(out[n], w) or torch.equal(out[n], w.flip(2)) for w in windows)


# ---- inception_small ----

def test_inception_small_contract():
    torch.manual_seed(0)
    model = zoo.build("inception_small", num_classes=12, aux_logits=True)
    x = torch.randn(2, 3, 96, 96)
    logits, aux = model.train()(x)
    assert logits.shape == aux.shape == (2, 12)
    assert model.eval()(x).shape == (2, 12)
    params = sum(p.numel() for p in model.parameters())
    assert params * 4 <= 5 * 2 ** 20, f"{params} parameters do not fit the 5 MB budget"
    spec = zoo.SPECS["inception_small"]
    assert spec.input_size == 96 and any(k.startswith(spec.aux_prefixes) for k in model.state_dict())


# ---- end to end ----

def _train(out, *extra):
    assert cli.main([*TINY, "--out-dir", str(out), *extra]) == 0


def test_one_epoch_writes_outputs(tmp_path):
    _train(tmp_path, "--epochs", "1")
    state = torch.load(tmp_path / "model.pth", weights_only=True)
    model = zoo.build("inception_small", num_classes=4, aux_logits=True)
    model.load_state_dict(state)   # the plain EMA state_dict, aux head included
    assert all(v.is_contiguous() for v in state.values())
    assert (tmp_path / "labels.txt").read_text().split() == list(synthetic.LABELS[:4])
    summary = json.loads((tmp_path / "train.json").read_text())
    assert summary["epochs"] == 1 and summary["arch"] == "inception_small" and summary["input_size"] == 32
    assert 0 <= summary["heldout_top1"]["ema"] <= 1 and 0 <= summary["heldout_top1"]["raw"] <= 1
    assert summary["command"].startswith("python3 -m incept_train --arch inception_small")
    assert (tmp_path / "checkpoint.pth").is_file()


def test_resume_is_bit_identical(tmp_path):
    _train(tmp_path / "straight", "--epochs", "2")
    _train(tmp_path / "split", "--epochs", "1")
    first = json.loads((tmp_path / "split" / "train.json").read_text())["history"][0]
    assert cli.main(["--resume", str(tmp_path / "split" / "checkpoint.pth"), "--epochs", "2", "--threads", "1",
                     "-q"]) == 0
    a = torch.load(tmp_path / "straight" / "model.pth", weights_only=True)
    b = torch.load(tmp_path / "split" / "model.pth", weights_only=True)
    assert a.keys() == b.keys()
    assert all(torch.equal(a[k], b[k]) for k in a), "resumed run differs from the uninterrupted one"
    ca = load_checkpoint(str(tmp_path / "straight" / "checkpoint.pth"))
    cb = load_checkpoint(str(tmp_path / "split" / "checkpoint.pth"))
    assert ca["epoch"] == cb["epoch"] == 2 and ca["schedule"] == cb["schedule"]
    assert all(torch.equal(ca["model"][k], cb["model"][k]) for k in ca["model"])
    for sa, sb in zip(ca["optimizer"]["state"].values(), cb["optimizer"]["state"].values()):
        assert torch.equal(sa["momentum_buffer"], sb["momentum_buffer"])
    summary = json.loads((tmp_path / "split" / "train.json").read_text())
    assert summary["epochs"] == 2 and len(summary["resumed_with"]) == 1
    assert summary["history"][0] == first, "epoch 1 must come from the checkpoint, not be trained again"


def test_image_folder_data(tmp_path):
    from PIL import Image
    for split, count in (("train", 4), ("val", 2)):
        for label, name in enumerate(synthetic.LABELS[:2]):
            (tmp_path / "d" / split / name).mkdir(parents=True)
            for k in range(count):
                image, _ = synthetic.sample(0, split, label + 2 * k, size=40, classes=2)
                Image.fromarray(image).save(tmp_path / "d" / split / name / f"{k}.png")
    assert cli.main(["--arch", "inception_small", "--data", str(tmp_path / "d"), "--input-size", "32",
                     "--batch-size", "4", "--epochs", "1", "--workers", "0", "--threads", "1", "-q",
                     "--out-dir", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "labels.txt").read_text().split() == ["circle", "ring"]


# ---- user errors: one line, exit 2, no traceback ----

def _main_error(capsys, *args):
    code = cli.main([str(a) for a in args])
    return code, capsys.readouterr().err


def test_missing_data_dir_from_the_command_line(tmp_path):
    """The real entry point (a subprocess; this check runs before torch is imported, so it is quick)."""
    proc = subprocess.run([PYTHON, "-m", "incept_train", "--arch", "inception_small", "--data",
                           str(tmp_path / "nope")], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          env=package_env())
    assert_one_error_line(proc.returncode, proc.stderr, "nope", "does not exist")


def test_unknown_arch(capsys, tmp_path):
    assert_one_error_line(*_main_error(capsys, "--arch", "inception_huge", "--synthetic", "--out-dir", tmp_path),
                          "unknown architecture 'inception_huge'", "inception_small")


def test_corrupted_resume(capsys, tmp_path):
    bad = tmp_path / "checkpoint.pth"
    bad.write_bytes(b"PK\x03\x04 definitely not a checkpoint")
    assert_one_error_line(*_main_error(capsys, "--resume", bad), "cannot read --resume checkpoint", str(bad))
    torch.save({"format": "something else"}, bad)
    assert_one_error_line(*_main_error(capsys, "--resume", bad), "not a training checkpoint")
    assert_one_error_line(*_main_error(capsys, "--resume", bad, "--lr", "0.5"), "--lr", "cannot change")


def test_bad_options(capsys, tmp_path):
    assert_one_error_line(*_main_error(capsys, "--arch", "inception_small", "--synthetic", "--classes", "13"),
                          "--classes must be between 2 and 12, got 13")
    assert_one_error_line(*_main_error(capsys, "--arch", "inception_small"), "--data DIR or --synthetic")
    (tmp_path / "d").mkdir()
    assert_one_error_line(*_main_error(capsys, "--arch", "inception_small", "--data", tmp_path / "d",
                                       "--out-dir", tmp_path / "o"), "has no train/ folder")
