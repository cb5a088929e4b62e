# SPDX-License-Identifier: Apache-2.0
"""The docs against what they describe: every .md file a README names exists, the release preset's label says
the optimisation level it builds with, the tools' usage lines in tools/README.md are their --help's, the quick
op-benchmark commands select a few dozen benchmarks (so "a few seconds" stays true), the README's
held-out evaluation command runs as written, its stripped tool sizes are this build's, and every table of
measured figures in a README names the machine and date, or the script under bench/ that writes it."""
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("INCEPT_BIN_DIR", REPO / "build" / "release" / "bin"))
GENERATED = ("OUT/", "build/")   # outputs a documented command writes


def tracked(pattern):
    out = subprocess.run(["git", "ls-files", pattern], cwd=REPO, capture_output=True, text=True, check=True).stdout
    return [REPO / p for p in out.split()]


def test_every_md_file_the_docs_name_exists():
    missing = []
    for doc in tracked("*.md"):
        text = doc.read_text(encoding="utf-8")
        names = [m.group(1) for m in re.finditer(r"\]\(([^)#\s:]+)(?:#[^)]*)?\)", text)]          # links
        names += [m.group(1) for m in re.finditer(r"(?<![\w/.-])((?:[\w.-]+/)*[\w-]+\.md)\b", text)]   # mentions
        for name in names:
            if not name.startswith(GENERATED) and not (doc.parent / name).exists() and not (REPO / name).exists():
                missing.append(f"{doc.relative_to(REPO)}: {name}")
    assert not missing, missing


def test_release_preset_label_says_its_optimisation_level():
    presets = json.loads((REPO / "CMakePresets.json").read_text())
    label = next(p["displayName"] for p in presets["configurePresets"] if p["name"] == "release")
    cache = REPO / "build" / "release" / "CMakeCache.txt"
    flags = re.search(r"^CMAKE_CXX_FLAGS_RELEASE:STRING=(.*)$", cache.read_text(), re.M).group(1) if cache.exists() \
        else "-O3 -DNDEBUG"   # CMake's Release flags for GCC and Clang
    level = re.search(r"-O\d", flags).group(0)
    assert level in label and not set(re.findall(r"-O\d", label)) - {level}, (label, flags)


def usage_block(doc: str, tool: str) -> str:
    """The fenced block of `doc` that starts with `tool MODEL.incept`, on one line."""
    blocks = re.findall(r"```\n(" + re.escape(tool) + r" MODEL\.incept .*?)```", (REPO / doc).read_text(), re.S)
    assert len(blocks) == 1, f"{doc}: {len(blocks)} usage blocks for {tool}"
    return " ".join(blocks[0].split())


@pytest.mark.parametrize("tool", ["incept-bench", "incept-inspect"])
def test_usage_lines_in_tools_readme_are_the_help(tool):
    if not (BIN / tool).exists():
        pytest.skip(f"{BIN / tool} not built")
    first = subprocess.run([str(BIN / tool), "--help"], capture_output=True, text=True, check=True).stdout
    assert usage_block("tools/README.md", tool) == " ".join(first.splitlines()[0].split())[len("usage: "):]


def documented_commands(doc: str, start: str):
    """Each command line of `doc` that starts with `start` (inside fenced blocks), without its comment."""
    return [line.split("  #")[0].strip() for line in (REPO / doc).read_text().splitlines() if line.startswith(start)]


def test_quick_op_benchmark_commands_select_a_few_dozen():
    bench = BIN / "incept_bench_ops"
    if not bench.exists():
        pytest.skip(f"{bench} not built")
    quick = [c for doc in ("README.md", "bench/README.md")
             for c in documented_commands(doc, "build/release/bin/incept_bench_ops --benchmark_filter=")
             if "--benchmark_min_time=0.05" in c]
    assert len(quick) >= 2, quick
    for command in quick:
        args = [a for a in shlex.split(command)[1:] if not a.startswith("--benchmark_min_time")]
        listed = subprocess.run([str(bench), "--benchmark_list_tests", *args], capture_output=True, text=True,
                                check=True).stdout.split()
        assert 0 < len(listed) <= 50, f"{command}: selects {len(listed)} benchmarks"   # 50 x 0.05 s and setup


def test_readme_evaluation_command_runs_as_written(tmp_path):
    if not (BIN / "incept-run").exists():
        pytest.skip(f"{BIN / 'incept-run'} not built")
    text = " ".join((REPO / "README.md").read_text().split())
    command = re.search(r"`(PYTHONPATH=\S+ /usr/bin/python3 -m incept_train\.evaluate [^`]+)`", text).group(1)
    model = re.search(r"--model (\S+)", command).group(1)
    convert = [str(REPO / "converter" / "incept-convert"), "--arch", "inception_small", "--checkpoint",
               str(REPO / "models" / "inception_small" / "model.pth"), "--weights", "int8", "-o", str(tmp_path / model),
               "-q"]
    subprocess.run(convert, check=True)
    words = shlex.split(command.replace(f"--model {model}", f"--model {tmp_path / model}"))
    env = dict(os.environ, **dict(w.split("=", 1) for w in words if "=" in w and not w.startswith("-")))
    words = [w for w in words if not ("=" in w and not w.startswith("-"))]
    r = subprocess.run(words + ["--incept-run", str(BIN / "incept-run")], cwd=REPO, env=env, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "held-out top-1 on 1200 images" in r.stdout


def test_readme_tool_sizes_are_the_stripped_tools(tmp_path):
    """The x86-64 column of the README's stripped sizes, against a strip -o copy of this build's tools (the
    same release configuration bench/sizes.sh builds them in), within 15 %: they drift as code is added."""
    if platform.machine() != "x86_64" or not shutil.which("strip"):
        pytest.skip("the README's first column is x86-64")
    text = (REPO / "README.md").read_text()
    row = re.search(r"^\| `incept-run` / `incept-bench` / `incept-inspect` [^|]*\| (\d+) / (\d+) / (\d+) KiB \|", text,
                    re.M)
    classify = re.search(r"^\| `incept-classify` [^|]*\| (\d+) KiB \|", text, re.M)
    documented = dict(zip(["incept-run", "incept-bench", "incept-inspect", "incept-classify"],
                          [int(v) for v in row.groups() + classify.groups()]))
    for tool, kib in documented.items():
        if not (BIN / tool).exists():
            continue
        subprocess.run(["strip", "-o", str(tmp_path / tool), str(BIN / tool)], check=True)
        measured = (tmp_path / tool).stat().st_size / 1024
        assert abs(measured - kib) <= 0.15 * kib, f"{tool}: README says {kib} KiB, stripped it is {measured:.0f} KiB"


# A table whose cells hold these units reports a measurement: a time, a rate, a share of peak, a size, a ratio.
MEASURED = re.compile(r"\d(?:\.\d+)?\s?(?:ms|s|min|GFLOP/s|GOP/s|GiB/s|MiB|KiB|MB|KB|%|cycles)(?![\w/])"
                      r"|\d(?:\.\d+)?x\b")
HEADER_UNIT = re.compile(r"(?<![\w/])(?:ms|GFLOP/s|GOP/s|% of peak)(?![\w/])")   # a column of bare numbers
DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
MACHINE = re.compile(r"Zen ?\d|EPYC|Xeon|Sapphire Rapids|Core i\d|Cortex|Neoverse|Graviton|Apple M\d|x86-64|aarch64")
FIGURE_SCRIPT = re.compile(r"\bbench/[\w/.-]+\.(?:py|sh)\b")   # the scripts that write the docs' figures
# Tables with measured-looking cells that are not measurements, by their header row.
NOT_MEASURED = {
    "models/inception_small/README.md": ["| file | what |"],   # the size of a committed file
    "ops/README.md": ["| kernel name part | conv | tile |"],    # Winograd's arithmetic: multiplies and bytes
    "tools/README.md": ["| line | meaning |"],                  # what each line of incept-bench says
}


def md_blocks(lines):
    """The Markdown tables (first line, last line; 0-based) and heading lines outside fenced blocks."""
    tables, headings, fenced, i = [], [], False, 0
    while i < len(lines):
        fenced ^= lines[i].startswith("```")
        if not fenced and lines[i].startswith("#"):
            headings.append(i)
        if not fenced and lines[i].startswith("|") and i + 1 < len(lines) and lines[i + 1].startswith("|---"):
            j = i + 1
            while j + 1 < len(lines) and lines[j + 1].startswith("|"):
                j += 1
            tables.append((i, j))
            i = j
        i += 1
    return tables, headings


def test_measured_tables_name_machine_and_date_or_their_script():
    """Every table of measured figures in a README says, in its header or the text just around it (back to
    the heading or the table before, at most 20 lines; 6 lines after), the machine and the date it was
    measured, or which script under bench/ writes it."""
    docs = [d for d in tracked("README.md") + tracked("*/README.md") if d != REPO / "tests" / "fuzz" / "README.md"]
    unnamed = []
    for doc in docs:
        name = str(doc.relative_to(REPO))
        lines = doc.read_text(encoding="utf-8").splitlines()
        tables, headings = md_blocks(lines)
        for k, (first, last) in enumerate(tables):
            if any(lines[first].startswith(h) for h in NOT_MEASURED.get(name, [])) or \
                    not (MEASURED.search("\n".join(lines[first:last + 1])) or HEADER_UNIT.search(lines[first])):
                continue
            start = max([first - 20, tables[k - 1][1] + 1 if k else 0] + [h + 1 for h in headings if h < first])
            stop = min([last + 7, tables[k + 1][0] if k + 1 < len(tables) else len(lines)]
                       + [h for h in headings if h > last])
            around = "\n".join(lines[start:first] + lines[last + 1:stop])
            if not (DATE.search(around + "\n" + lines[first]) and MACHINE.search(around + "\n" + lines[first])) \
                    and not FIGURE_SCRIPT.search(around):
                unnamed.append(f"{name}:{first + 1}: {lines[first][:60]}")
    assert not unnamed, "tables of measured figures without machine and date or the script that writes them: " \
        + "; ".join(unnamed)
