# SPDX-License-Identifier: Apache-2.0
"""The converter rule on a fixed, seeded set of mutants of every checkpoint format, and on every fuzzing finding.

From the seeds in tests/fuzz/converter/seeds/<format>/ (tiny valid checkpoints, make_seeds.py), convfuzz.mutate
makes MUTANTS[format] mutants (random.Random seeded by format and index: the same files on every run):
safetensors header length, offsets, dtypes and shapes; ONNX protobuf fields, tensor dims and raw_data lengths;
HDF5 superblock fields, object headers and dataset shapes; .keras and .pth zip members (config.json, pickle
integers), central directories and CRC-fixed byte flips. Each mutant, and each file in
tests/fuzz/regressions/converter-<format>/, runs through the CLI's main in a worker process under RLIMIT_AS
(convfuzz.MEMORY_LIMIT) and a time limit per input, and must obey the rule: exit 0 with an output the reader
accepts, or exit 2 with one `incept-convert: error:` line and no output file; never a traceback, a crash, a
hang or an exhausted memory bound. tests/fuzz/converter/README.md has the atheris harness beside it.
"""

import json
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import PYTHON, REPO, assert_user_error, run_convert

FUZZ_DIR = REPO / "tests" / "fuzz" / "converter"
sys.path.insert(0, str(FUZZ_DIR))
import convfuzz  # noqa: E402

MUTANTS = {"safetensors": 800, "onnx": 1000, "keras_h5": 400, "keras_zip": 300, "pth": 800}
STALL_S = 3 * convfuzz.TIME_LIMIT_S   # a worker with no new result for this long is hung in native code


def mutants(fmt: str, folder: Path):
    """MUTANTS[fmt] files in `folder`, each a seeded mutant of one of the format's seeds, round robin."""
    seeds = [p.read_bytes() for p in convfuzz.seeds(fmt)]
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(MUTANTS[fmt]):
        rng = random.Random(f"{fmt}-{i}")
        path = folder / f"m{i:04d}{convfuzz.FORMATS[fmt]}"
        path.write_bytes(convfuzz.mutate(fmt, rng, seeds[i % len(seeds)]))
        out.append(path)
    return out


def run_jobs(jobs, folder: Path):
    """Converts every (format, path) of `jobs` in worker processes (worker.py); one result dict per job. A
    worker that dies or stalls is recorded against the job it was running, and a new one continues after it."""
    jobs_file, results_file = folder / "jobs.txt", folder / "results.jsonl"
    jobs_file.write_text("".join(f"{fmt}\t{path}\n" for fmt, path in jobs))
    results_file.write_text("")
    results = []
    while len(results) < len(jobs):
        start = len(results)
        proc = subprocess.Popen([PYTHON, str(FUZZ_DIR / "worker.py"), str(jobs_file), str(results_file), str(start)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        seen, last = start, time.monotonic()
        while proc.poll() is None:
            time.sleep(0.2)
            done = len(results_file.read_text().splitlines())
            if done != seen:
                seen, last = done, time.monotonic()
            elif time.monotonic() - last > STALL_S:
                proc.kill()
                proc.wait()
                break
        err = proc.stderr.read().decode("utf-8", "replace")
        proc.stderr.close()
        results = [json.loads(line) for line in results_file.read_text().splitlines()]
        if len(results) < len(jobs):
            how = "hung" if proc.returncode == -9 else f"died with exit status {proc.returncode}"
            crash = {"i": len(results), "rc": None, "violation": f"the worker {how}: {err[-1500:]}", "stderr": err}
            with open(results_file, "a") as f:
                f.write(json.dumps(crash) + "\n")
            results.append(crash)
    return results


@pytest.fixture(scope="module")
def pass_results(tmp_path_factory):
    """{format: [(path, result)]} for every mutant and regression input; prints counts and the duration."""
    folder = tmp_path_factory.mktemp("mutants")
    t0 = time.monotonic()
    jobs = []
    for fmt in convfuzz.FORMATS:
        jobs += [(fmt, p) for p in mutants(fmt, folder / fmt)]
        jobs += [(fmt, p) for p in convfuzz.regressions(fmt)]
        jobs += [(fmt, p) for p in convfuzz.seeds(fmt)]
    results = run_jobs(jobs, folder)
    out = {fmt: [] for fmt in convfuzz.FORMATS}
    for (fmt, path), r in zip(jobs, results):
        out[fmt].append((Path(path), r))
    counts = ", ".join(f"{fmt} {MUTANTS[fmt]} (+{len(convfuzz.regressions(fmt))} regressions)"
                       for fmt in convfuzz.FORMATS)
    print(f"\nconverter mutation pass: {counts}; {time.monotonic() - t0:.1f} s")
    return out


def test_every_seed_converts():
    assert all(convfuzz.seeds(fmt) for fmt in convfuzz.FORMATS), "a format has no seeds: run make_seeds.py"


@pytest.mark.parametrize("fmt", list(convfuzz.FORMATS))
def test_mutants_obey_the_rule(pass_results, fmt):
    results = pass_results[fmt]
    bad = [f"{p.name}: {r['violation']}" for p, r in results if r["violation"]]
    assert not bad, f"{len(bad)} of {len(results)} {fmt} inputs break the converter rule:\n" + "\n".join(bad[:20])
    seeds = [(p, r) for p, r in results if p.parent.parent == convfuzz.SEEDS]
    assert seeds and all(r["rc"] == 0 for _, r in seeds), [(p.name, r["stderr"]) for p, r in seeds]
    refused = sum(r["rc"] == 2 for _, r in results)
    assert refused > len(results) // 4, f"only {refused} of {len(results)} {fmt} mutants refused: weak mutators?"


def test_regressions_are_kept():
    """Every finding of the fuzzers stays in regressions/ and in the pass above."""
    assert convfuzz.regressions(), "tests/fuzz/regressions/converter-*/ is empty"


@pytest.mark.parametrize("fmt", ["onnx", "keras_h5", "keras_zip"])
def test_in_process_run_matches_the_launcher(pass_results, fmt, tmp_path):
    """The worker calls the CLI's main in-process; the launcher gives the same exit code and message."""
    refused = [(p, r) for p, r in pass_results[fmt] if r["rc"] == 2][:2]
    for path, r in refused:
        out = tmp_path / "out.incept"
        line = assert_user_error(run_convert(convfuzz.argv_for(fmt, str(path), str(out))[0], path, "-o", out),
                                 output=out)
        assert line == r["stderr"].strip(), (line, r["stderr"])
