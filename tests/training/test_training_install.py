# SPDX-License-Identifier: Apache-2.0
"""`pip install ./converter ./training` in a throwaway venv on top of Debian's packages (no network: --no-deps
--no-build-isolation --no-index): the installed `incept-train` runs from outside the repository, imports both
packages from the venv, trains a tiny run, and refuses a bad option in one line."""

import json
import os
import shutil
import subprocess

import pytest
from trainkit import PYTHON, REPO, assert_one_error_line


def _run(args, **kw):
    return subprocess.run([str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          timeout=600, **kw)


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    root = tmp_path_factory.mktemp("install_training")
    src = root / "src"   # a copy, so the builds leave nothing in the checkout
    ignore = shutil.ignore_patterns("_generated", "build", "*.egg-info", "__pycache__")
    for part in ("converter", "training"):
        shutil.copytree(REPO / part, src / part, ignore=ignore)
    shutil.copytree(REPO / "schema", src / "schema")
    env = root / "venv"
    proc = _run([PYTHON, "-m", "venv", "--system-site-packages", env])
    assert proc.returncode == 0, proc.stderr
    for part in ("converter", "training"):
        proc = _run([env / "bin" / "python", "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
                     "--disable-pip-version-check", "-q", src / part])
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return env


def _clean_env():
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "WORLD_SIZE", "RANK")}


def test_installed_command_trains(venv, tmp_path):
    proc = _run([venv / "bin" / "incept-train", "--arch", "inception_small", "--synthetic", "--classes", "2",
                 "--train-size", "4", "--val-size", "2", "--input-size", "32", "--batch-size", "2", "--epochs", "1",
                 "--threads", "1", "-q", "--out-dir", tmp_path / "run"], cwd=tmp_path, env=_clean_env())
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "run" / "train.json").read_text())["epochs"] == 1
    code = "import incept_convert, incept_train; print(incept_convert.__file__); print(incept_train.__file__)"
    proc = _run([venv / "bin" / "python", "-c", code], cwd=tmp_path, env=_clean_env())
    assert proc.returncode == 0, proc.stderr
    assert all(line.startswith(str(venv)) for line in proc.stdout.split()), proc.stdout


def test_installed_command_refuses_in_one_line(venv, tmp_path):
    proc = _run([venv / "bin" / "incept-train", "--arch", "inception_huge", "--synthetic"], cwd=tmp_path,
                env=_clean_env())
    assert_one_error_line(proc.returncode, proc.stderr, "unknown architecture 'inception_huge'")
