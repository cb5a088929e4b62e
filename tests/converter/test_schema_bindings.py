# SPDX-License-Identifier: Apache-2.0
"""The Python bindings are generated from schema/model.fbs on demand (never hand-written), atomically, and
regenerated when the schema changes. Runs on a private copy of the package so the real one is untouched."""

import shutil
import subprocess
from pathlib import Path

from conftest import CONVERTER_DIR, PYTHON, REPO

SCRIPT = "from incept_convert import fbs; fb = fbs.load(); print(fb.Model.__file__)"


def _load(root: Path) -> str:
    proc = subprocess.run([PYTHON, "-c", SCRIPT], cwd=root,
                          env={"PYTHONPATH": str(root / "converter"), "PATH": "/usr/bin:/bin"},
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_generated_on_demand_and_after_schema_change(tmp_path):
    pkg = tmp_path / "converter" / "incept_convert"
    pkg.mkdir(parents=True)
    for f in (CONVERTER_DIR / "incept_convert").glob("*.py"):
        shutil.copy(f, pkg / f.name)
    (tmp_path / "schema").mkdir()
    schema = tmp_path / "schema" / "model.fbs"
    shutil.copy(REPO / "schema" / "model.fbs", schema)
    gen = pkg / "_generated"
    assert not gen.exists()
    first = Path(_load(tmp_path)).parents[2]   # <gen>/<digest>/incept/fb/Model.py
    assert first.parent == gen and len(first.name) == 16 and (first / "incept" / "fb" / "Model.py").is_file()
    mtime = (first / "incept" / "fb" / "Model.py").stat().st_mtime_ns
    assert Path(_load(tmp_path)).parents[2] == first   # up to date: reused, not regenerated
    assert (first / "incept" / "fb" / "Model.py").stat().st_mtime_ns == mtime
    schema.write_text(schema.read_text() + "\n// a comment changes the digest\n")
    second = Path(_load(tmp_path)).parents[2]
    assert second != first and second.parent == gen
    assert [p.name for p in gen.iterdir()] == [second.name], "old bindings and temporaries are pruned"
