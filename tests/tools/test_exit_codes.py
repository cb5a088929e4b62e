# SPDX-License-Identifier: Apache-2.0
"""Exit codes and the messages a new user meets first, the same in every tool: 2 for bad input (a flag, a
model file, an input, an output path), 1 for an internal failure; a file that is not a model named as such;
a missing flag named; an output path checked before the work; an unknown INCEPT_ISA reported, not ignored."""
import os
import subprocess

import numpy as np
import pytest
from PIL import Image
from tinynet import BIN, build_tiny, one_error_line, run

TOOLS = ["incept-run", "incept-bench", "incept-inspect", "incept-classify"]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    d = tmp_path_factory.mktemp("tiny_exit")
    build_tiny(d)
    Image.fromarray(np.full((17, 17, 3), 128, np.uint8)).save(d / "grey.png")
    return d


def tool_args(tool, d, model):
    """A complete command line for `tool` on `model`, every other argument good."""
    return {"incept-run": [model, "--input", d / "x.npy", "--output", d / "y.npy"],
            "incept-bench": [model, "--runs", 1, "--warmup", 0],
            "incept-inspect": [model],
            "incept-classify": [model, d / "grey.png"]}[tool]


def run_env(tool, *args, **env):
    return subprocess.run([str(tool), *map(str, args)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})


def needs(tool):
    return pytest.mark.skipif(not (BIN / tool).exists(), reason=f"{BIN / tool} not built")


@pytest.mark.parametrize("tool", [pytest.param(t, marks=needs(t)) for t in TOOLS])
def test_a_text_file_renamed_incept_is_bad_input(tool, tiny, tmp_path):
    text = tmp_path / "notes.incept"
    text.write_text("hello, I am a text file and not a model at all\n" * 4)
    r = run(BIN / tool, *tool_args(tool, tiny, text))
    line = one_error_line(r, tool)
    assert r.returncode == 2, r.stderr
    assert "notes.incept" in line and "not an incept model file (file identifier is" in line, line
    assert "size prefix" not in line


@pytest.mark.parametrize("tool", [pytest.param(t, marks=needs(t)) for t in TOOLS])
def test_a_missing_model_file_is_bad_input(tool, tiny, tmp_path):
    r = run(BIN / tool, *tool_args(tool, tiny, tmp_path / "missing.incept"))
    assert r.returncode == 2 and "cannot open model file" in one_error_line(r, tool)


@needs("incept-run")
@pytest.mark.parametrize("drop,expect", [("--output", "--output Y.npy is missing"),
                                         ("--input", "--input X.npy is missing")])
def test_run_names_the_missing_flag(tiny, drop, expect):
    args = tool_args("incept-run", tiny, tiny / "tiny.incept")
    i = args.index(drop)
    r = run(BIN / "incept-run", *(args[:i] + args[i + 2:]))
    assert r.returncode == 2 and expect in one_error_line(r, "incept-run")
    assert "usage: incept-run" in r.stderr


@needs("incept-run")
def test_run_checks_the_output_path_first(tiny, tmp_path):
    r = run(BIN / "incept-run", tiny / "tiny.incept", "--input", tiny / "x.npy", "--output", tmp_path)
    assert r.returncode == 2 and "is a folder" in one_error_line(r, "incept-run")


@needs("incept-inspect")
@pytest.mark.parametrize("where,expect", [("folder", "is a folder; give a file name in it"),
                                          ("missing", "does not exist"),
                                          ("readonly", "cannot write in folder")])
def test_inspect_checks_the_svg_path_before_the_report(tiny, tmp_path, where, expect):
    target = {"folder": tmp_path, "missing": tmp_path / "no" / "such" / "plan.svg",
              "readonly": tmp_path / "ro" / "plan.svg"}[where]
    if where == "readonly":
        (tmp_path / "ro").mkdir(mode=0o555)
        if os.access(tmp_path / "ro", os.W_OK):
            pytest.skip("running as root: a read-only folder is still writable")
    r = run(BIN / "incept-inspect", tiny / "tiny.incept", "--svg", target)
    assert r.returncode == 2 and expect in one_error_line(r, "incept-inspect")
    assert r.stdout == ""   # nothing printed before the refusal


@needs("incept-inspect")
def test_unknown_isa_is_reported_once_with_the_names(tiny):
    r = run_env(BIN / "incept-inspect", tiny / "tiny.incept", INCEPT_ISA="bogus")
    assert r.returncode == 0, r.stderr
    warnings = [line for line in r.stderr.splitlines() if "INCEPT_ISA" in line]
    assert len(warnings) == 1, r.stderr
    assert "INCEPT_ISA='bogus'" in warnings[0] and "scalar" in warnings[0], warnings[0]
    r = run_env(BIN / "incept-inspect", tiny / "tiny.incept", INCEPT_ISA="scalar")
    assert r.returncode == 0 and "INCEPT_ISA" not in r.stderr
