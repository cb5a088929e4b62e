# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures for the converter tests.

Run: /usr/bin/python3 -m pytest tests/converter -q      (add -s to see measured differences)

Heavy artifacts (seeded checkpoints, ONNX exports, converted models) are built once per session in a
session temp folder and shared by the reference, end-to-end and error tests.
"""

import io
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
CONVERTER_DIR = REPO / "converter"
CONVERT = CONVERTER_DIR / "incept-convert"
PYTHON = "/usr/bin/python3"
for p in (str(CONVERTER_DIR), str(Path(__file__).resolve().parent)):
    if p not in sys.path:
        sys.path.insert(0, p)

ARCH_SEEDS = {"googlenet": 11, "inception_v3": 12, "googlenet_lrn": 13, "bn_inception": 14, "inception_small": 15,
              "inception_v4": 16, "inception_resnet_v2": 17, "inception_resnet_v1": 18}
# The largest nets run the .pth path in the default suite; their two ONNX paths (and the NumPy oracle)
# only in the opt-in slow suite: INCEPT_SLOW=1 scripts/test.sh (see README, "Tests").
LARGE = ("inception_v4", "inception_resnet_v2", "inception_resnet_v1")
SLOW = os.environ.get("INCEPT_SLOW") == "1"
SOURCES = ("pth", "onnx_bn", "onnx_folded")


def arch_source_params(archs=tuple(ARCH_SEEDS), sources=SOURCES):
    """pytest params (arch, source); the LARGE nets' ONNX sources are skipped unless INCEPT_SLOW=1."""
    out = []
    for arch in archs:
        for source in sources:
            slow = arch in LARGE and source != "pth"
            marks = [pytest.mark.skipif(slow and not SLOW, reason="large net, ONNX path: INCEPT_SLOW=1 runs it")]
            out.append(pytest.param(arch, source, marks=marks, id=f"{arch}-{source}"))
    return out


def run_convert(*args, cwd=None):
    """Runs the real launcher; returns the CompletedProcess (text mode)."""
    return subprocess.run([str(CONVERT), *map(str, args)], cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)


def assert_user_error(proc, *needles, output=None):
    """Exit code 2, exactly one stderr line `incept-convert: error: ...` containing every needle, no
    traceback, and no output file (nor temp file) left behind."""
    err = proc.stderr
    assert proc.returncode == 2, f"rc={proc.returncode}\nstdout={proc.stdout}\nstderr={err}"
    assert "Traceback" not in err, err
    lines = err.strip("\n").split("\n")
    assert len(lines) == 1, f"expected one stderr line, got {len(lines)}:\n{err}"
    assert lines[0].startswith("incept-convert: error: "), lines[0]
    for needle in needles:
        assert needle.lower() in lines[0].lower(), f"{needle!r} not in: {lines[0]}"
    if output is not None:
        output = Path(output)
        assert not output.exists(), f"{output} was left behind"
        leftovers = [p.name for p in output.parent.glob(f".{output.name}.*")]
        assert not leftovers, f"temp files left behind: {leftovers}"
    return lines[0]


def export_onnx(module, input_shape, keep_bn=True, opset=13) -> bytes:
    """A small torch module as ONNX bytes (eval mode)."""
    import torch
    module.eval()
    f = io.BytesIO()
    mode = torch.onnx.TrainingMode.PRESERVE if keep_bn else torch.onnx.TrainingMode.EVAL
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(module, torch.zeros(*input_shape), f, opset_version=opset, input_names=["input"],
                          output_names=["out"], training=mode, do_constant_folding=not keep_bn)
    return f.getvalue()


def import_module(module, input_shape, keep_bn=True, run_passes=True):
    """torch module -> ONNX -> IR graph (after passes unless told otherwise)."""
    import onnx
    from incept_convert import onnx_import, passes
    model = onnx.load_model_from_string(export_onnx(module, input_shape, keep_bn))
    g = onnx_import.import_onnx(model, "test")
    return passes.run_all(g) if run_passes else g


def roundtrip(g):
    """Serializes an IR graph and reads it back (layout checked by the reader)."""
    from incept_convert import reader, writer
    data = writer.serialize(g)
    return data, reader.read_model(data)


@pytest.fixture(scope="session")
def workdir(tmp_path_factory):
    return tmp_path_factory.mktemp("converter")


class Artifacts:
    """Per architecture: checkpoint, two ONNX exports, input, PyTorch reference, converted models."""

    def __init__(self, root: Path):
        self.root = root
        self._made = {}
        self._converted = {}

    def make(self, arch: str) -> dict:
        if arch not in self._made:
            from incept_convert import make_checkpoint
            d = self.root / arch
            d.mkdir(exist_ok=True)
            paths = {"pth": d / "model.pth", "onnx_bn": d / "with_bn.onnx", "onnx_folded": d / "folded.onnx",
                     "input": d / "x.npy", "reference": d / "y.npy"}
            onnx_args = ([] if arch in LARGE and not SLOW else
                         ["--onnx-with-bn", str(paths["onnx_bn"]), "--onnx-folded", str(paths["onnx_folded"])])
            rc = make_checkpoint.main(["--arch", arch, "--seed", str(ARCH_SEEDS[arch]), "-o", str(paths["pth"]),
                                       *onnx_args, "--input", str(paths["input"]),
                                       "--reference", str(paths["reference"])])
            assert rc == 0
            self._made[arch] = paths
        return self._made[arch]

    def converted(self, arch: str, source: str, weights: str = "fp32") -> Path:
        """`source` is "pth", "onnx_bn" or "onnx_folded"; `weights` the --weights storage."""
        key = (arch, source, weights)
        if key not in self._converted:
            paths = self.make(arch)
            out = self.root / arch / (f"{source}.incept" if weights == "fp32" else f"{source}.{weights}.incept")
            args = (["--arch", arch, "--checkpoint", paths["pth"]] if source == "pth" else ["--onnx", paths[source]])
            if weights != "fp32":
                args += ["--weights", weights]
            proc = run_convert(*args, "-o", out, "-q")
            assert proc.returncode == 0, proc.stderr
            self._converted[key] = out
        return self._converted[key]


@pytest.fixture(scope="session")
def artifacts(workdir):
    return Artifacts(workdir)


def compare_logits(y: np.ndarray, ref: np.ndarray):
    """(max |diff|, max |diff| / max |logit|, top-5 identical)."""
    y, ref = np.asarray(y, dtype=np.float64).reshape(ref.shape), np.asarray(ref, dtype=np.float64)
    diff = float(np.abs(y - ref).max())
    top5 = bool((np.argsort(-y[0], kind="stable")[:5] == np.argsort(-ref[0], kind="stable")[:5]).all())
    return diff, diff / float(np.abs(ref).max()), top5


@pytest.fixture(scope="session")
def incept_run():
    """Path of the built incept-run, or skip."""
    bin_dir = Path(os.environ.get("INCEPT_BIN_DIR", REPO / "build" / "release" / "bin"))
    exe = bin_dir / "incept-run"
    if not (exe.is_file() and os.access(exe, os.X_OK)):
        pytest.skip(f"{exe} is not built (build the runtime: cmake --preset release && cmake --build --preset "
                    "release, or set INCEPT_BIN_DIR); converter-only tests still run")
    return exe
