# SPDX-License-Identifier: Apache-2.0
"""Builds incept._incept with CMake: the repository's own CMakeLists.txt, configured with the Python module alone
(no tests, tools, benchmarks, examples or Java), for the Python running this build, in the build's temporary
folder; the finished module is copied into the wheel. The runtime is linked in statically (position-independent
code, as every incept library is built), so the wheel needs only Debian's shared libpthreadpool, libXNNPACK and
libcpuinfo at run time, and nothing from the repository's build/ folders.

Environment: CMAKE (the cmake program), CMAKE_GENERATOR (default Ninja where found), INCEPT_JOBS (parallel
compile jobs, default: the CPU count), INCEPT_CMAKE_ARGS (more -D options, space separated)."""
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]


def version() -> str:
    cmake_lists = REPO / "CMakeLists.txt"
    if not cmake_lists.is_file():
        sys.exit(f"incept: {cmake_lists} not found: build the Python package from a checkout of the incept repository "
                 "(pip install ./bindings/python)")
    m = re.search(r"project\(incept VERSION ([0-9.]+)", cmake_lists.read_text())
    return m.group(1)


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        cmake = os.environ.get("CMAKE") or shutil.which("cmake")
        if not cmake:
            sys.exit("incept: cmake not found (apt-get install cmake, or scripts/deps.sh)")
        build = Path(self.build_temp).resolve() / "cmake"
        module_dir = build / "python" / "incept"
        generator = os.environ.get("CMAKE_GENERATOR") or ("Ninja" if shutil.which("ninja") else "Unix Makefiles")
        configure = [cmake, "-S", str(REPO), "-B", str(build), "-G", generator, "-DCMAKE_BUILD_TYPE=Release",
                     f"-DPython_EXECUTABLE={sys.executable}", f"-DINCEPT_PYTHON_DIR={module_dir}",
                     "-DINCEPT_BUILD_PYTHON=ON", "-DINCEPT_BUILD_TESTS=OFF", "-DINCEPT_BUILD_TOOLS=OFF",
                     "-DINCEPT_BUILD_BENCHMARKS=OFF", "-DINCEPT_BUILD_EXAMPLES=OFF", "-DINCEPT_BUILD_JNI=OFF",
                     *shlex.split(os.environ.get("INCEPT_CMAKE_ARGS", ""))]
        jobs = os.environ.get("INCEPT_JOBS") or str(os.cpu_count() or 1)
        subprocess.check_call(configure)
        subprocess.check_call([cmake, "--build", str(build), "--target", "incept_python", "-j", jobs])
        built = sorted(module_dir.glob("_incept*.so"))
        if not built:
            sys.exit(f"incept: CMake built no module in {module_dir}: is pybind11-dev installed (scripts/deps.sh)?")
        target = Path(self.get_ext_fullpath(ext.name))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[-1], target)


setup(version=version(), ext_modules=[Extension("incept._incept", sources=[])], cmdclass={"build_ext": CMakeBuild})
