# SPDX-License-Identifier: Apache-2.0
"""Build hook for pyproject.toml: the wheel carries the FlatBuffers bindings of ../schema/model.fbs.

incept_convert.fbs generates them on demand into the git-ignored incept_convert/_generated/<digest>/ of
a checkout; an installed package has no schema beside it (and site-packages may be read-only), so
build_py generates them here, with flatc, and copies that folder into the package being built."""

import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildPyWithBindings(build_py):
    def run(self):
        super().run()
        sys.path.insert(0, str(HERE))
        from incept_convert import fbs   # light: no torch or onnx import
        folder = fbs.generate()
        target = Path(self.build_lib) / "incept_convert" / "_generated" / folder.name
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(folder, target, ignore=shutil.ignore_patterns("__pycache__"))


setup(cmdclass={"build_py": BuildPyWithBindings})
