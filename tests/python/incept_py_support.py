# SPDX-License-Identifier: Apache-2.0
"""What the Python binding's tests share: where the built module and tools are, and the import of `incept`.

The module is found as the tools are (tests/tools/tinynet.py): INCEPT_BIN_DIR names build/<preset>/bin, and the
package lies beside it in build/<preset>/python/incept (INCEPT_PYTHON_DIR overrides). When it is not there
every test skips, saying so. The converted models are made once per session here and handed out by a fixture in
each test file: a conftest.py here would shadow tests/converter's, which its tests import by that name."""
import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(os.environ.get("INCEPT_BIN_DIR", REPO / "build" / "release" / "bin"))
PY_DIR = pathlib.Path(os.environ.get("INCEPT_PYTHON_DIR", BIN.parent / "python"))
CONVERT = REPO / "converter" / "incept-convert"
SMALL = REPO / "models" / "inception_small"
SAMPLES = sorted((SMALL / "samples").glob("*.png"))

if (PY_DIR / "incept").is_dir() and str(PY_DIR) not in sys.path:
    sys.path.insert(0, str(PY_DIR))
try:
    import incept  # noqa: E402
    NOT_BUILT = ""
except ImportError as e:
    incept = None
    NOT_BUILT = (f"the incept Python module is not built in {PY_DIR} ({e}); it builds with the release preset where "
                 "pybind11-dev is installed (scripts/deps.sh)")


def run(*args, timeout=300, **kw):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=timeout, **kw)


def convert_small(out: pathlib.Path) -> pathlib.Path:
    """The bundled trained model converted as the README says."""
    r = run(CONVERT, "--arch", "inception_small", "--checkpoint", SMALL / "model.pth", "--labels",
            SMALL / "labels.txt", "-o", out, "-q")
    assert r.returncode == 0, r.stderr
    return out


def convert_one_conv(d: pathlib.Path):
    """A one-op model (a 1x1 Conv2D, 3 -> 4 channels, on 8x8 with bias): returns its path and the torch module."""
    import torch
    torch.manual_seed(1)
    net = torch.nn.Conv2d(3, 4, 1).eval()
    torch.onnx.export(net, torch.zeros(1, 3, 8, 8), d / "conv.onnx", opset_version=13)
    r = run(CONVERT, "--onnx", d / "conv.onnx", "-o", d / "conv.incept", "-q")
    assert r.returncode == 0, r.stderr
    return d / "conv.incept", net


_converted = {}


def small_model_path(tmp_path_factory) -> pathlib.Path:
    """The bundled model converted once per test session (the fixture `small_model` of each test file)."""
    if "small" not in _converted:
        _converted["small"] = convert_small(tmp_path_factory.mktemp("small") / "small.incept")
    return _converted["small"]


def one_conv_model(tmp_path_factory):
    """The one-op model converted once per test session: (path, torch module)."""
    if "one_conv" not in _converted:
        _converted["one_conv"] = convert_one_conv(tmp_path_factory.mktemp("one_conv"))
    return _converted["one_conv"]
