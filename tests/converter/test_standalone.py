# SPDX-License-Identifier: Apache-2.0
"""The converter stands alone: it imports nothing of the training package (training/incept_train), which sits
beside it and imports the converter's zoo; the arrow runs one way. Checked twice: no converter source imports
incept_train (at the top or inside a function, by statement or by name), and a conversion through the
converter's command line, followed by an import of every converter module, never loads it although it is
importable."""

import ast
import os
import re
import subprocess

from conftest import CONVERTER_DIR, PYTHON, REPO

TRAINING_NAME = re.compile(r"^incept_train(\.|$)")


def _imported_names(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            yield node.module or ""
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):   # importlib.import_module("...")
            yield node.value


def test_no_converter_source_imports_the_training_package():
    sources = [p for p in sorted(CONVERTER_DIR.rglob("*.py")) if "_generated" not in p.parts and "build" not in p.parts]
    assert len(sources) > 20, sources
    offenders = [f"{p.relative_to(REPO)}: {name}" for p in sources
                 for name in _imported_names(ast.parse(p.read_text(encoding="utf-8"), str(p)))
                 if TRAINING_NAME.match(name)]
    assert not offenders, offenders


def test_converting_never_loads_the_training_package(tmp_path):
    code = """if True:
        import importlib, pkgutil, runpy, sys
        import torch
        import incept_train   # importable: whatever the converter did not load, it could have
        del sys.modules["incept_train"]
        from incept_convert import make_checkpoint
        torch.save(make_checkpoint.build("inception_small", 0, num_classes=12).state_dict(), sys.argv[1])
        sys.argv = ["incept-convert", "--arch", "inception_small", "--checkpoint", sys.argv[1], "-o", sys.argv[2], "-q"]
        try:
            runpy.run_module("incept_convert", run_name="__main__", alter_sys=True)
        except SystemExit as e:
            assert e.code == 0, e.code
        import incept_convert
        for m in pkgutil.walk_packages(incept_convert.__path__, "incept_convert."):
            if not m.name.endswith("__main__"):
                importlib.import_module(m.name)
        print("loaded:", sorted(n for n in sys.modules if n.split(".")[0] == "incept_train"))
    """
    env = dict(os.environ, PYTHONPATH=f"{CONVERTER_DIR}{os.pathsep}{REPO / 'training'}")
    proc = subprocess.run([PYTHON, "-c", code, str(tmp_path / "small.pth"), str(tmp_path / "small.incept")],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "small.incept").stat().st_size > 0
    assert proc.stdout.strip().splitlines()[-1] == "loaded: []", proc.stdout
