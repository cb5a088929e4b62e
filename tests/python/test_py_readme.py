# SPDX-License-Identifier: Apache-2.0
"""README.md, "From Python": its shell lines (the converter on the bundled model) and its Python lines run as they
stand, in a scratch folder that sees the repository's converter/ and models/, with the built module on
PYTHONPATH as the README's export line puts it; every bundled sample image gets its own class."""
import os
import re
import subprocess

import pytest
from incept_py_support import NOT_BUILT, PY_DIR, REPO, SAMPLES, incept

pytestmark = pytest.mark.skipif(incept is None, reason=NOT_BUILT)


def readme_blocks():
    text = (REPO / "README.md").read_text()
    section = text.split("### From Python\n", 1)[1].split("\n## ", 1)[0]
    sh = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    py = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    return sh, py


def test_readme_python_lines(tmp_path):
    sh, py = readme_blocks()
    assert "incept-convert --arch inception_small" in sh and "import incept" in py
    for name in ("converter", "models"):
        (tmp_path / name).symlink_to(REPO / name)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    sh = sh.replace("$PWD/build/release/python", str(PY_DIR))   # the build folder the tests run against
    r = subprocess.run(["bash", "-euc", sh + '\nexec /usr/bin/python3 -c "$0"', py], cwd=tmp_path, env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "incept-convert: wrote small.incept" in r.stdout
    lines = [line for line in r.stdout.splitlines() if not line.startswith("incept-convert:")]
    assert len(lines) == len(SAMPLES) == 12
    for line, sample in zip(lines, SAMPLES):
        path, label = line.split()
        assert path == f"models/inception_small/samples/{sample.name}" and label == sample.stem
