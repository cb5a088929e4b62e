# SPDX-License-Identifier: Apache-2.0
"""`pip install ./converter` in a throwaway venv on top of Debian's packages (no network: --no-deps
--no-build-isolation --no-index): the installed `incept-convert` runs from outside the repository with
FLATC pointing nowhere (the bindings were built into the package), and converts a small network."""

import os
import shutil
import subprocess
import sys

import pytest
import torch.nn as nn

from conftest import PYTHON, REPO, export_onnx


def _run(args, **kw):
    return subprocess.run([str(a) for a in args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=600, **kw)


@pytest.fixture(scope="module")
def venv(tmp_path_factory):
    root = tmp_path_factory.mktemp("install")
    src = root / "src"   # a copy, so the build leaves nothing in the checkout
    ignore = shutil.ignore_patterns("_generated", "build", "*.egg-info", "__pycache__")
    shutil.copytree(REPO / "converter", src / "converter", ignore=ignore)
    shutil.copytree(REPO / "schema", src / "schema")
    env = root / "venv"
    proc = _run([PYTHON, "-m", "venv", "--system-site-packages", env])
    assert proc.returncode == 0, proc.stdout
    proc = _run([env / "bin" / "python", "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
                 "--disable-pip-version-check", "-q", src / "converter"])
    assert proc.returncode == 0, proc.stdout
    return env


def _clean_env(tmp_path):
    """No PYTHONPATH pointing at the checkout; FLATC names no program, so a run that tried to generate
    bindings would fail."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["FLATC"] = str(tmp_path / "no-flatc-here")
    return env


def test_installed_command_help(venv, tmp_path):
    proc = _run([venv / "bin" / "incept-convert", "--help"], cwd=tmp_path, env=_clean_env(tmp_path))
    assert proc.returncode == 0, proc.stdout
    assert "usage: incept-convert" in proc.stdout and "--checkpoint" in proc.stdout and "--onnx" in proc.stdout
    assert "keras_inception_v3" in proc.stdout and "--keras" in proc.stdout


def test_installed_package_has_its_data(venv, tmp_path):
    """The keras.applications configs (package data) and the generated bindings are in the installed package."""
    code = ("import gzip, json; from incept_convert import keras_import as k\n"
            "for f in k.ARCHS.values(): json.loads(gzip.open(k.CONFIG_DIR / f).read())\n"
            "print(k.CONFIG_DIR)")
    proc = _run([venv / "bin" / "python", "-c", code], cwd=tmp_path, env=_clean_env(tmp_path))
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.strip().startswith(str(venv)), proc.stdout


def test_installed_package_is_the_one_imported(venv, tmp_path):
    proc = _run([venv / "bin" / "python", "-c", "import incept_convert, sys; print(incept_convert.__file__)"],
                cwd=tmp_path, env=_clean_env(tmp_path))
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.strip().startswith(str(venv)), proc.stdout


def test_installed_command_converts(venv, tmp_path):
    src = tmp_path / "net.onnx"
    src.write_bytes(export_onnx(nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                              nn.Linear(4, 3)), (1, 3, 8, 8)))
    out = tmp_path / "net.incept"
    proc = _run([venv / "bin" / "incept-convert", "--onnx", src, "-o", out], cwd=tmp_path, env=_clean_env(tmp_path))
    assert proc.returncode == 0, proc.stdout
    sys.path.insert(0, str(REPO / "converter"))
    from incept_convert.reader import read_model
    assert read_model(out.read_bytes()).graph.outputs[0].shape == [1, 3]


def test_debian_packages_meet_the_declared_ranges(venv):
    """The ranges in pyproject.toml hold for the packages this machine has (Debian's), judged as pip would."""
    code = ("import importlib.metadata as m; from packaging.requirements import Requirement\n"
            "for r in map(Requirement, m.requires('incept-convert') or []):\n"
            "    if r.marker is None: v = m.version(r.name); print(r.name, v, r.specifier.contains(v))")
    proc = _run([venv / "bin" / "python", "-c", code])
    assert proc.returncode == 0, proc.stdout
    rows = [line.split() for line in proc.stdout.splitlines()]
    assert {r[0] for r in rows} >= {"torch", "onnx", "numpy", "flatbuffers"}, rows
    assert all(r[2] == "True" for r in rows), rows
