# SPDX-License-Identifier: Apache-2.0
"""`pip install ./bindings/python` in a throwaway venv on top of Debian's packages, offline (--no-deps
--no-build-isolation --no-index), from a copy of the sources that is deleted before the installed module runs:
the wheel holds the runtime and depends on no build folder. The installed module then classifies a bundled sample
as the build tree's module does, bit for bit. It compiles the runtime again (1-2 min on 2 cores), so it runs in the
slow suite only: INCEPT_SLOW=1 scripts/test.sh."""
import ast
import os
import shutil
import subprocess

import pytest
from incept_py_support import NOT_BUILT, REPO, SAMPLES, incept, small_model_path

pytestmark = [pytest.mark.skipif(incept is None, reason=NOT_BUILT),
              pytest.mark.skipif(os.environ.get("INCEPT_SLOW") != "1",
                                 reason="pip install compiles the runtime again (1-2 min): INCEPT_SLOW=1 runs it")]


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    return small_model_path(tmp_path_factory)


SKIP = shutil.ignore_patterns(".git", "build", "models", "tests", "converter", "bench", "examples", "__pycache__",
                              "*.egg-info")


def test_pip_install_builds_a_self_contained_module(tmp_path, small_model):
    src = tmp_path / "src"
    shutil.copytree(REPO, src, ignore=SKIP)
    venv = tmp_path / "venv"
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(venv)], check=True)
    r = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-deps", "--no-build-isolation",
                        "--no-index", "--disable-pip-version-check", "-q", str(src / "bindings" / "python")],
                       capture_output=True, text=True, timeout=900)
    assert r.returncode == 0, r.stdout + r.stderr
    shutil.rmtree(src)
    script = ("import sys, incept\n"
              "it = incept.Interpreter(sys.argv[1])\n"
              "y = it.run(incept.load_image(sys.argv[2], it))\n"
              "print(incept.__file__, incept.__version__, it.labels[int(y.argmax())], repr(y.tobytes()))\n")
    r = subprocess.run([str(venv / "bin" / "python"), "-c", script, str(small_model), str(SAMPLES[0])],
                       capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    where, version, label, _ = r.stdout.split(" ", 3)
    assert where.startswith(str(venv)) and version == incept.__version__ and label == SAMPLES[0].stem
    with incept.Interpreter(small_model) as it:
        y = it.run(incept.load_image(SAMPLES[0], it))
    assert ast.literal_eval(r.stdout.split(" ", 3)[3]) == y.tobytes(), "the installed module computes other bits"
