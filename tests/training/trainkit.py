# SPDX-License-Identifier: Apache-2.0
"""What the training tests share: the repository's paths, with the converter and training packages put on
sys.path as `PYTHONPATH=converter:training` does; the environment for subprocesses that run them; the
converter's launcher; and the check that a user error is one line.

(A helper module, not a conftest.py: tests/converter's conftest is imported by name at run time, and a second
conftest module would take its place in sys.modules.)"""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CONVERTER_DIR = REPO / "converter"
TRAINING_DIR = REPO / "training"
CONVERT = CONVERTER_DIR / "incept-convert"
PYTHON = "/usr/bin/python3"
BIN = Path(os.environ.get("INCEPT_BIN_DIR", REPO / "build" / "release" / "bin"))
for _p in (str(CONVERTER_DIR), str(TRAINING_DIR)):
    if _p not in sys.path:
        sys.path.insert(0, _p)


def package_env(**extra: str) -> dict:
    """os.environ for a subprocess that imports both packages from the checkout."""
    return dict(os.environ, PYTHONPATH=f"{CONVERTER_DIR}{os.pathsep}{TRAINING_DIR}", **extra)


def run_convert(*args):
    """Runs the real converter launcher; returns the CompletedProcess (text mode)."""
    return subprocess.run([str(CONVERT), *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)


def assert_one_error_line(code: int, stderr: str, *needles: str) -> None:
    """Exit code 2 and exactly one stderr line `incept-train: error: ...` holding every needle, no traceback."""
    assert code == 2, stderr
    assert "Traceback" not in stderr
    lines = stderr.strip("\n").split("\n")
    assert len(lines) == 1 and lines[0].startswith("incept-train: error: "), stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
