# SPDX-License-Identifier: Apache-2.0
"""Files written by the real libraries (fixtures/, made by hand with fixtures/make_fixtures.py, see
fixtures/versions.json): safetensors F32/F16/BF16 saved by `safetensors.torch.save_file`, and ONNX opset-18 /
-21 models made by onnx's version converter. Each converts and matches the PyTorch logits recorded with it
(max |diff| <= 1e-4 x max |logit|, identical top-5), by the NumPy oracle and, when built, by incept-run.
And timm's own parameter names (fixtures/check_safetensors.py, see fixtures/timm_check.json): the zoo's
inception_v3 / v4 / resnet_v2 have exactly them, and timm's models saved by safetensors converted right."""

import json
import subprocess
from pathlib import Path

import numpy as np
import onnx
import pytest

from conftest import compare_logits, run_convert
from fixture_nets import TINY, register_tiny
import npref

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _check(model_path: Path, x: np.ndarray, ref: np.ndarray, what: str, incept_bin=None) -> None:
    from incept_convert.reader import read_model
    runs = [("npref", npref.run(read_model(model_path.read_bytes()), x)[0])]
    if incept_bin is not None:
        xin, yout = model_path.with_suffix(".x.npy"), model_path.with_suffix(".y.npy")
        np.save(xin, x)
        proc = subprocess.run([str(incept_bin), str(model_path), "--input", str(xin), "--output", str(yout)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        runs.append(("incept-run", np.load(yout)))
    for name, y in runs:
        diff, rel, top5 = compare_logits(y, ref)
        print(f"\n[fixture] {what} ({name}): max|diff| = {diff:.3e} ({rel:.3e} x max|logit|), top-5 identical: {top5}")
        assert rel <= 1e-4 and top5, (name, diff, rel, top5)


@pytest.fixture(scope="module")
def incept_bin():
    import os
    from conftest import REPO
    exe = Path(os.environ.get("INCEPT_BIN_DIR", REPO / "build" / "release" / "bin")) / "incept-run"
    return exe if exe.is_file() and os.access(exe, os.X_OK) else None


@pytest.mark.parametrize("dtype", ["F32", "F16", "BF16"])
def test_safetensors_library_file(tmp_path, dtype, incept_bin):
    from incept_convert import cli
    register_tiny()   # the fixture's zoo-style net, in this process's zoo only
    src = FIXTURES / f"tiny_{dtype}.safetensors"
    data = src.read_bytes()
    header = json.loads(data[8:8 + int.from_bytes(data[:8], "little")])
    assert header.pop("__metadata__") == {"format": "pt"}
    assert {e["dtype"] for e in header.values()} == {dtype, "I64"}   # I64: BatchNorm's num_batches_tracked
    out = tmp_path / f"tiny_{dtype}.incept"
    assert cli.main(["--arch", TINY, "--checkpoint", str(src), "-o", str(out), "-q"]) == 0
    _check(out, np.load(FIXTURES / "tiny_input.npy"), np.load(FIXTURES / f"tiny_logits_{dtype}.npy"),
           f"{TINY} {dtype} safetensors", incept_bin)


@pytest.mark.parametrize("opset", [18, 21])
def test_onnx_version_converter_file(tmp_path, opset, incept_bin):
    src = FIXTURES / f"opset{opset}.onnx"
    model = onnx.load(str(src))
    assert [i.version for i in model.opset_import if i.domain in ("", "ai.onnx")] == [opset]
    mean = next(n for n in model.graph.node if n.op_type == "ReduceMean")
    assert len(mean.input) == 2 and not any(a.name == "axes" for a in mean.attribute)   # the opset-18 form
    out = tmp_path / f"opset{opset}.incept"
    proc = run_convert("--onnx", src, "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr
    _check(out, np.load(FIXTURES / "opset_input.npy"), np.load(FIXTURES / "opset_logits.npy"), f"ONNX opset {opset}",
           incept_bin)


TIMM_NETS = ["inception_v3", "inception_v4", "inception_resnet_v2"]


@pytest.mark.parametrize("arch", TIMM_NETS)
def test_zoo_names_are_timms(arch):
    """fixtures/check_safetensors.py recorded timm's own state_dict names and shapes (what the hub's timm
    .safetensors hold) and converted timm's seeded models from safetensors.torch files: the zoo net has
    exactly those parameters (aux heads aside), and the recorded conversions agreed with timm."""
    import gzip
    from incept_convert import torch_import
    with gzip.open(FIXTURES / "timm_keys.json.gz", "rt") as f:
        timm_keys = json.load(f)[arch]
    zoo = {k: list(v.shape) for k, v in torch_import.build_model(arch).state_dict().items()}
    aux = torch_import.ARCHITECTURES[arch].aux_prefixes
    assert {k: s for k, s in zoo.items() if not k.startswith(tuple(aux))} == timm_keys
    record = json.loads((FIXTURES / "timm_check.json").read_text())["nets"][arch]
    for dtype in ("F32", "F16"):
        row = record[dtype]
        assert row["converted"] and row["max_diff_over_max_logit"] <= 1e-4 and row["top5_identical"], (dtype, row)


def test_every_zoo_net_from_safetensors_was_checked():
    """fixtures/check_safetensors.py converted every zoo net from F32, F16 and BF16 files written by
    safetensors.torch and compared with PyTorch on the same weights: every one recorded, every one agreed."""
    from incept_convert import torch_import
    rows = json.loads((FIXTURES / "zoo_safetensors.json").read_text())
    assert sorted(rows) == sorted(a for a in torch_import.ARCHITECTURES if a != TINY)   # TINY: registered by tests
    for arch, by_dtype in rows.items():
        assert sorted(by_dtype) == ["BF16", "F16", "F32"], arch
        for dtype, row in by_dtype.items():
            assert row["converted"] and row["max_diff_over_max_logit"] <= 1e-4 and row["top5_identical"], (arch, dtype)


def test_every_zoo_net_at_onnx_opsets_17_18_21_was_checked():
    """fixtures/check_onnx_opsets.py exported every zoo net at opset 17 (torch) and converted it to 18 and 21
    (onnx.version_converter): each converted and agreed with PyTorch."""
    from incept_convert import torch_import
    record = json.loads((FIXTURES / "onnx_opsets.json").read_text())
    rows = record["nets"]
    assert sorted(rows) == sorted(a for a in torch_import.ARCHITECTURES if a != TINY)
    for arch, by_opset in rows.items():
        assert sorted(by_opset) == ["17", "18", "21"], arch
        for opset, row in by_opset.items():
            assert row["converted"] and row["max_diff_over_max_logit"] <= 1e-4 and row["top5_identical"], (arch, opset)
