# SPDX-License-Identifier: Apache-2.0
"""The bundled default model (models/inception_small, trained by our recipe on the synthetic dataset): it
converts, its converted held-out accuracy equals PyTorch's on the same images, and it labels the bundled
sample images (each named after its class) correctly through incept-classify."""

import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
from trainkit import BIN, REPO, run_convert

DEFAULT = REPO / "models" / "inception_small"


@pytest.fixture(scope="module")
def incept_run():
    """Path of the built incept-run, or skip."""
    exe = BIN / "incept-run"
    if not (exe.is_file() and os.access(exe, os.X_OK)):
        pytest.skip(f"{exe} is not built (build the runtime: cmake --preset release && cmake --build --preset "
                    "release, or set INCEPT_BIN_DIR)")
    return exe


@pytest.fixture(scope="module")
def converted(tmp_path_factory, incept_run):
    out = tmp_path_factory.mktemp("default") / "inception_small.incept"
    proc = run_convert("--arch", "inception_small", "--checkpoint", DEFAULT / "model.pth", "--labels",
                       DEFAULT / "labels.txt", "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr
    return out


def test_recorded_accuracy_and_size():
    info = json.loads((DEFAULT / "train.json").read_text())
    assert info["heldout_top1"]["ema"] >= 0.9 and info["heldout_images"] >= 1000
    assert (DEFAULT / "model.pth").stat().st_size <= 5 * 2**20
    assert len((DEFAULT / "labels.txt").read_text().split()) == info["classes"] >= 10


def test_heldout_accuracy_equals_pytorch(converted, incept_run, capsys):
    from incept_train import evaluate
    rc = evaluate.main(["--arch", "inception_small", "--checkpoint", str(DEFAULT / "model.pth"),
                        "--model", str(converted), "--incept-run", str(incept_run)])
    out = capsys.readouterr().out
    print(out)
    assert rc == 0, out
    info = json.loads((DEFAULT / "train.json").read_text())
    assert f"PyTorch {info['heldout_top1']['ema']:.2%}" in out   # the accuracy recorded at training time


def test_heldout_accuracy_through_the_module_matches_incept_run(converted, incept_run, monkeypatch, capsys):
    """evaluate's default path, the Python module reading the arrays in place, agrees with incept-run's."""
    from incept_train import evaluate
    monkeypatch.setenv("INCEPT_PYTHON_DIR", str(BIN.parent / "python"))
    if evaluate.incept_module() is None:
        pytest.skip(f"the incept Python module is not built in {BIN.parent / 'python'}")
    args = ["--arch", "inception_small", "--checkpoint", str(DEFAULT / "model.pth"), "--model", str(converted),
            "--count", "300"]
    x, _ = evaluate.heldout(300, 0, 96, 12, (0.5,) * 3, (0.25,) * 3)
    assert np.array_equal(evaluate.module_logits(evaluate.incept_module(), str(converted), x),
                          evaluate.incept_logits(str(incept_run), str(converted), x))
    assert evaluate.main(args) == 0
    through_module = capsys.readouterr().out
    assert evaluate.main(args + ["--incept-run", str(incept_run)]) == 0
    assert capsys.readouterr().out == through_module != ""
    assert evaluate.main(args[:-4] + ["--model", str(converted.with_name("missing.incept"))]) == 2
    assert "error: incept: cannot open model file" in capsys.readouterr().err


def test_sample_images_are_labelled_correctly(converted, incept_run):
    classify = Path(incept_run).parent / "incept-classify"
    if not classify.exists():
        pytest.skip(f"{classify} is not built")
    samples = sorted((DEFAULT / "samples").glob("*.png"))
    assert len(samples) == len((DEFAULT / "labels.txt").read_text().split())
    proc = subprocess.run([str(classify), str(converted), *map(str, samples), "--top", "1", "--json", "-q"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [Path(r["image"]).stem for r in rows] == [p.stem for p in samples]
    assert [r["top"][0]["label"] for r in rows] == [p.stem for p in samples]
