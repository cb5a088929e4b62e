# SPDX-License-Identifier: Apache-2.0
"""Every shell command in the docs' ```sh blocks, run as written, so the docs cannot drift from the code.

Each command of README.md and the folder READMEs has one entry in PLAN, found by its exact text (whitespace
aside): `run` (this test runs it, in the order the docs give, each within a minute), `long` (it takes minutes:
scripts/check-docs.sh runs those too before a release) or `skip` with the reason it runs nowhere here (network,
a GPU, an Android SDK, or another test already runs it). A command added to the docs fails the test until it
is given an entry; an entry whose command left the docs fails it too.

"As written" with paths aside: a command runs in a scratch copy of the repository (build/ linked, not copied),
so what it writes lands there; a placeholder file the docs leave to the reader
(my_inception_v3.pth, cat.jpg, calib.npy) is made first (`files`), and an absolute path outside the copy
(/tmp/..., /opt/incept) is moved into it (`subs`). A command that configures or builds with CMake runs in the
repository itself, whose build tree it reuses. Exported variables carry from one command to the next as in one
shell session. ```python blocks are run by tests/python (README.md's by test_py_readme.py); the C++, Java and
CMake snippets by tests/install and tests/java."""
import os
import re
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("INCEPT_BIN_DIR", REPO / "build" / "release" / "bin"))
LONG = os.environ.get("INCEPT_DOCS_LONG") == "1"   # scripts/check-docs.sh
TIMEOUT_S = 180   # the quick commands take a minute at most on two idle cores; three for a busy machine


@dataclass
class Entry:
    action: str                                 # run, long or skip
    why: str = ""                               # skip: the reason
    files: dict = field(default_factory=dict)   # placeholder -> how to make it (FILES)
    subs: dict = field(default_factory=dict)    # text -> text, paths only ({scratch}: the copy's root)
    in_repo: bool = False                       # CMake: the repository's own build tree


def run(**kw):
    return Entry("run", **kw)


def long(**kw):
    return Entry("long", **kw)


def skip(why):
    return Entry("skip", why)


TMP = {"/tmp/": "{scratch}/tmp/"}
NETWORK = "needs the network (PyPI)"
PEER_MODELS = "needs the models and the venv of a bench/peers/run.sh --precision int8 run (" + NETWORK + ")"

# (doc, command): whitespace inside a command is normalised; the comment after it is not part of it.
PLAN = {
    ("README.md", "scripts/demo.sh"): long(),
    ("README.md", "scripts/test.sh"): skip("CI's own command: .ci/run runs it"),
    ("README.md", "converter/incept-convert --arch inception_v3 --checkpoint my_inception_v3.pth -o my.incept"):
        run(files={"my_inception_v3.pth": "inception_v3.pth"}),
    ("README.md", "converter/incept-convert --arch googlenet --checkpoint my_googlenet.pth -o my.incept "
                  "--labels labels.txt"): run(files={"my_googlenet.pth": "googlenet.pth", "labels.txt": "labels1000"}),
    ("README.md", "converter/incept-convert --arch inception_v4 --checkpoint model.safetensors -o my.incept"):
        run(files={"model.safetensors": "inception_v4.safetensors"}),
    ("README.md", "converter/incept-convert --onnx my_model.onnx -o my.incept"):
        run(files={"my_model.onnx": "onnx_export"}),
    ("README.md", "converter/incept-convert --keras my_model.keras -o my.incept"):
        run(files={"my_model.keras": "keras_model"}),
    ("README.md", "converter/incept-convert --arch keras_inception_v3 --checkpoint "
                  "inception_v3_weights_tf_dim_ordering_tf_kernels.h5 -o my.incept"):
        skip("needs keras.applications' published weights, written by Keras (tests/converter/test_keras.py runs "
             "this conversion with INCEPT_SLOW=1 where its Keras venv exists)"),
    ("README.md", "/usr/bin/python3 -m venv --system-site-packages .venv"): run(),
    ("README.md", ".venv/bin/pip install --no-deps --no-build-isolation ./converter"): run(),
    ("README.md", ".venv/bin/incept-convert --arch inception_v3 --checkpoint my_inception_v3.pth -o my.incept"):
        run(files={"my_inception_v3.pth": "inception_v3.pth"}),
    ("README.md", "converter/incept-convert --arch inception_small --checkpoint models/inception_small/model.pth -o "
                  "small8.incept --quantize int8 --calibration calib.npy"): run(files={"calib.npy": "calibration"}),
    ("README.md", "build/release/bin/incept-run my.incept --input x.npy --output y.npy"):
        run(files={"x.npy": "input_of:my.incept"}),
    ("README.md", "build/release/bin/incept-classify my.incept cat.jpg dog.png --top 5"):
        run(files={"cat.jpg": "jpeg", "dog.png": "png"}),
    ("README.md", "converter/incept-convert --arch inception_small --checkpoint models/inception_small/model.pth "
                  "--labels models/inception_small/labels.txt -o small.incept"): run(),
    ("README.md", "export PYTHONPATH=$PWD/build/release/python"): run(),
    ("README.md", "cmake --preset release && cmake --build --preset release"): run(in_repo=True),
    ("README.md", "cmake --install build/release --prefix /opt/incept"):
        run(in_repo=True, subs={"/opt/": "{scratch}/opt/"}),
    ("README.md", "build/release/bin/incept-bench my.incept --threads 1"): run(),
    ("README.md", "build/release/bin/incept-bench my.incept --profile"): run(),
    ("README.md", "build/release/bin/incept-bench my.incept --json"): run(),
    ("README.md", "build/release/bin/incept-inspect my.incept --svg plan.svg"): run(),
    ("README.md", "bench/peers/run.sh"): skip(NETWORK + "; the peers, an hour"),
    ("README.md", "build/release/bin/incept_bench_ops --benchmark_filter='BM_conv2d_f32_xnn/inception_v3/' "
                  "--benchmark_min_time=0.05"): run(),
    ("README.md", "PYTHONPATH=converter:training /usr/bin/python3 -m incept_train --arch inception_v3 --data DIR "
                  "--epochs 100 --opt rmsprop --lr 0.045 --out-dir runs/v3"):
        skip("needs an ImageNet-sized dataset and days (tests/training trains on synthetic data)"),
    ("README.md", "PYTHONPATH=converter:training /usr/bin/python3 -m incept_train --help"): run(),
    ("README.md", "PYTHONPATH=converter:training torchrun --nproc_per_node=N -m incept_train --arch inception_v3 "
                  "--data DIR --epochs 100 --opt rmsprop --lr 0.045 --batch-size 256 --out-dir runs/v3"):
        skip("needs GPUs and a dataset (tests/training runs two processes over gloo)"),
    ("README.md", "scripts/test-arm64.sh"): skip("scripts/test.sh runs it"),
    ("README.md", "scripts/test-armv7.sh"): skip("scripts/test.sh runs it"),

    ("bench/README.md", "cmake --preset release && cmake --build --preset release --target incept-bench "
                        "incept-inspect incept_bench_ops"): run(in_repo=True),
    ("bench/README.md", "build/release/bin/incept_bench_ops --benchmark_filter='BM_conv2d_f32_xnn/inception_v3/' "
                        "--benchmark_min_time=0.05"): run(),
    ("bench/README.md", "build/release/bin/incept_bench_ops "
                        "--benchmark_filter='BM_conv2d_f32_winograd_avx2_fma/inception_v3/' "
                        "--benchmark_min_time=0.05"): run(),
    ("bench/README.md", "build/release/bin/incept_bench_ops --benchmark_list_tests --benchmark_filter=conv2d"): run(),
    ("bench/README.md", "INCEPT_BENCH_THREADS=2 build/release/bin/incept_bench_ops "
                        "--benchmark_filter='BM_conv2d_f32_xnn/inception_v3/'"): long(),
    ("bench/README.md", "build/release/bin/incept_bench_ops"): long(),
    ("bench/README.md", "build/release/bin/incept_bench_ops --benchmark_filter='BM_peak|conv2d_f32_(gemm|xnn)' "
                        "--benchmark_min_time=0.1 --benchmark_repetitions=3 --benchmark_format=json "
                        "--benchmark_out=build/conv.json"): long(),
    ("bench/README.md", "/usr/bin/python3 bench/ops/conv_report.py build/conv.json"): long(),
    ("bench/README.md", "scripts/deps.sh && cmake --preset release && cmake --build --preset release"):
        run(in_repo=True),
    ("bench/README.md", "for a in googlenet inception_v3; do PYTHONPATH=converter /usr/bin/python3 -m "
                        "incept_convert.make_checkpoint --arch $a --seed 0 -o /tmp/$a.pth converter/incept-convert "
                        "--arch $a --checkpoint /tmp/$a.pth -o /tmp/$a.incept done"): run(subs=TMP),
    ("bench/README.md", "for a in googlenet inception_v3; do for t in 1 2; do build/release/bin/incept-bench "
                        "/tmp/$a.incept --threads $t --runs 50 --json > /tmp/$a.t$t.json done; done"): long(subs=TMP),
    ("bench/README.md", "build/release/bin/incept-bench /tmp/inception_v3.incept --profile"): run(subs=TMP),
    ("bench/README.md", "build/release/bin/incept-inspect /tmp/inception_v3.incept --svg /tmp/v3_plan.svg"):
        run(subs=TMP),
    ("bench/README.md", "build/release/bin/incept_bench_ops --benchmark_min_time=0.2 --benchmark_format=json > "
                        "/tmp/ops.json"): long(subs=TMP),

    ("bench/peers/README.md", "cmake --build --preset release"): run(in_repo=True),
    ("bench/peers/README.md", "bench/peers/run.sh"): skip(NETWORK + "; the peers, an hour"),
    ("bench/peers/README.md", "bench/peers/run.sh --nets googlenet --threads 1 --rounds 5 --out build/peers-g1"):
        skip(NETWORK),
    ("bench/peers/README.md", "bench/peers/run.sh --runtimes incept,ort,tflite"): skip(NETWORK),
    ("bench/peers/README.md", "bench/peers/run.sh --runtimes ort,openvino"): skip(NETWORK),
    ("bench/peers/README.md", "bench/peers/run.sh --precision fp32,int8"): skip(NETWORK + "; the peers, hours"),
    ("bench/peers/README.md", "build/release/bin/incept-bench build/peers/models/googlenet.int8.incept --profile "
                              "--input build/peers/models/googlenet.x.npy"): skip(PEER_MODELS),
    ("bench/peers/README.md", "build/peers-venv/bin/python bench/peers/peer_profile.py --runtime openvino "
                              "build/peers/models/openvino/googlenet.int8.xml "
                              "--input build/peers/models/googlenet.x.npy --threads 1"): skip(PEER_MODELS),
    ("bench/peers/README.md", "build/peers-venv/bin/python bench/peers/peer_profile.py --runtime ort "
                              "build/peers/models/ort/googlenet.int8.onnx --input build/peers/models/googlenet.x.npy "
                              "--threads 1"): skip(PEER_MODELS),

    ("bindings/python/README.md", "/usr/bin/python3 -m venv --system-site-packages /tmp/v"): run(subs=TMP),
    ("bindings/python/README.md", "/tmp/v/bin/pip install --no-deps --no-build-isolation ./bindings/python"):
        long(subs=TMP),

    ("converter/README.md", "pip install ./converter"):
        skip("installs into whichever Python the PATH's pip belongs to; the venv form below is run"),
    ("converter/README.md", "incept-convert --arch inception_v3 --checkpoint model.safetensors -o model.incept"):
        run(files={"model.safetensors": "inception_v3.safetensors"},
            subs={"incept-convert": ".venv/bin/incept-convert"}),
    ("converter/README.md", "/usr/bin/python3 -m venv --system-site-packages .venv"): run(),
    ("converter/README.md", ".venv/bin/pip install --no-deps --no-build-isolation ./converter"): run(),
    ("converter/README.md", "converter/incept-convert --arch inception_small --checkpoint "
                            "models/inception_small/model.pth -o small8.incept --quantize int8 --calibration calib.npy "
                            "--calibrator percentile"): run(files={"calib.npy": "calibration"}),

    ("examples/android/README.md", "ANDROID_NDK_HOME=$HOME/Android/Sdk/ndk/26.3.11579264 "
                                   "examples/android/build-deps.sh"): skip("needs the Android NDK"),
    ("examples/android/README.md", "mkdir -p examples/android/app/src/main/assets"): run(),
    ("examples/android/README.md", "converter/incept-convert --arch inception_small --checkpoint "
                                   "models/inception_small/model.pth --labels models/inception_small/labels.txt -o "
                                   "examples/android/app/src/main/assets/model.incept"): run(),
    ("examples/android/README.md", "cd examples/android"): skip("the Android build's folder (the steps below)"),
    ("examples/android/README.md", "gradle wrapper --gradle-version 8.7"): skip("needs Gradle and the network"),
    ("examples/android/README.md", "./gradlew assembleDebug"): skip("needs the Android SDK and NDK"),
    ("examples/android/README.md", "adb install -r app/build/outputs/apk/debug/app-debug.apk"):
        skip("needs an Android device"),

    ("models/inception_small/README.md", "PYTHONPATH=converter:training /usr/bin/python3 -m incept_train --arch "
                                         "inception_small --synthetic --train-size 4000 --val-size 1200 --epochs 9 "
                                         "--lr 0.1 --nesterov --lr-decay 0.75 --lr-step-epochs 1 --threads 2 --seed 0 "
                                         "--out-dir models/inception_small"): long(),

    ("ops/README.md", "objdump -d --no-show-raw-insn -C "
                      "build/release/CMakeFiles/incept_ops.dir/ops/isa/isa_avx512.cc.o | less"): run(),

    ("tools/README.md", "cmake --preset release && cmake --build --preset release --target incept-run incept-classify "
                        "incept-bench incept-inspect"): run(in_repo=True),
    ("tools/README.md", "PYTHONPATH=converter /usr/bin/python3 -m incept_convert.make_checkpoint --arch googlenet "
                        "--seed 0 -o /tmp/g.pth"): run(subs=TMP),
    ("tools/README.md", "converter/incept-convert --arch googlenet --checkpoint /tmp/g.pth -o /tmp/g.incept"):
        run(subs=TMP),

    ("training/README.md", "PYTHONPATH=converter:training /usr/bin/python3 -m incept_train --arch inception_small "
                           "--synthetic --out-dir runs/small"): long(),
    ("training/README.md", "PYTHONPATH=converter:training /usr/bin/python3 -m incept_train --help"): run(),
    ("training/README.md", "converter/incept-convert --arch inception_small --checkpoint runs/small/model.pth -o "
                           "small.incept"): run(subs={"runs/small/model.pth": "models/inception_small/model.pth"}),
    ("training/README.md", "/usr/bin/python3 -m venv --system-site-packages .venv"): run(),
    ("training/README.md", ".venv/bin/pip install --no-deps --no-build-isolation ./converter"): run(),
    ("training/README.md", ".venv/bin/pip install --no-deps --no-build-isolation ./training"): run(),
    ("training/README.md", "PYTHONPATH=converter:training torchrun --nproc_per_node=N -m incept_train --arch "
                           "inception_v3 --data DIR --batch-size 256 --opt rmsprop --lr 0.045 --epochs 100 "
                           "--out-dir runs/v3"): skip("needs GPUs and a dataset (tests/training runs two processes)"),
}


def strip_comment(line: str) -> str:
    """`line` up to a # that starts a word outside quotes."""
    quote = None
    for i, c in enumerate(line):
        if quote:
            quote = None if c == quote else quote
        elif c in "'\"":
            quote = c
        elif c == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip()
    return line.rstrip()


def doc_commands(doc: str):
    """The commands of `doc`'s ```sh blocks in order, as (key, script): continuation lines joined, a for loop up to
    its last `done` as one command (its lines kept apart in the script), comments dropped."""
    commands = []
    for block in re.findall(r"^```sh\n(.*?)^```", (REPO / doc).read_text(), re.S | re.M):
        lines, pending = [], ""
        for raw in block.splitlines():
            line = strip_comment(raw)
            if line.endswith("\\"):
                pending += line[:-1] + " "
                continue
            line, pending = pending + line, ""
            if line.strip():
                lines.append(line)
        i = 0
        while i < len(lines):
            part = [lines[i]]
            depth = lambda text: len(re.findall(r"\bdo\b", text)) - len(re.findall(r"\bdone\b", text))  # noqa: E731
            while depth("\n".join(part)) > 0 and i + 1 < len(lines):
                i += 1
                part.append(lines[i])
            script = "\n".join(part)
            commands.append((" ".join(script.split()), script))
            i += 1
    return commands


DOCS = sorted(p for p in subprocess.run(["git", "ls-files", "README.md", "*/README.md"], cwd=REPO, text=True,
                                        capture_output=True, check=True).stdout.split())


def all_commands():
    return [(doc, key, script) for doc in DOCS for key, script in doc_commands(doc)]


def test_every_documented_command_has_an_entry_and_every_entry_a_command():
    found = {(doc, key) for doc, key, _ in all_commands()}
    unplanned = sorted(found - PLAN.keys())
    stale = sorted(PLAN.keys() - found)
    assert not unplanned, "documented commands with no entry in PLAN (run, long or skip): " + repr(unplanned)
    assert not stale, "PLAN entries whose command is no longer in the docs: " + repr(stale)
    assert all(e.why for e in PLAN.values() if e.action == "skip")


def test_the_parser_joins_continuations_and_loops_and_drops_comments():
    assert strip_comment("a 'x # y' b   # note") == "a 'x # y' b"
    keys = [k for k, _ in doc_commands("bench/README.md")]
    assert any(k.startswith("for a in googlenet inception_v3; do PYTHONPATH=") and k.endswith("done") for k in keys)
    assert "--benchmark_out=build/conv.json" in next(k for k in keys if "BM_peak" in k)


# Placeholder files, made once per session in the scratch copy.
def make_file(kind: str, dst: Path, cwd: Path):
    py = "/usr/bin/python3"
    env = dict(os.environ, PYTHONPATH=f"{REPO / 'converter'}:{REPO / 'tests' / 'converter'}")
    if kind.endswith(".pth") or kind.endswith(".safetensors"):
        arch = kind.rsplit(".", 1)[0]
        pth = dst if kind.endswith(".pth") else dst.with_suffix(".pth")
        subprocess.run([py, "-m", "incept_convert.make_checkpoint", "--arch", arch, "--seed", "0", "-o", str(pth)],
                       env=env, check=True, capture_output=True)
        if kind.endswith(".safetensors"):
            code = ("import sys, torch, st_writer; open(sys.argv[2], 'wb').write("
                    "st_writer.serialize(torch.load(sys.argv[1]), 'F32', {'format': 'pt'}))")
            subprocess.run([py, "-c", code, str(pth), str(dst)], env=env, check=True, capture_output=True)
            pth.unlink()
    elif kind == "labels1000":
        dst.write_text("".join(f"class {i}\n" for i in range(1000)))
    elif kind == "onnx_export":    # an ONNX file torch exported (tests/converter/fixtures/make_fixtures.py)
        dst.symlink_to(REPO / "tests" / "converter" / "fixtures" / "opset18.onnx")
    elif kind == "keras_model":    # a .keras file Keras wrote (the same folder)
        dst.symlink_to(REPO / "tests" / "converter" / "fixtures" / "keras_tiny.keras")
    elif kind == "calibration":    # preprocessed inputs of the bundled model, [N, 3, 96, 96]
        code = ("import sys, numpy as np; rng = np.random.default_rng(0); "
                "np.save(sys.argv[1], rng.standard_normal((16, 3, 96, 96)).astype(np.float32))")
        subprocess.run([py, "-c", code, str(dst)], check=True)
    elif kind.startswith("input_of:"):   # random input of the shape incept-inspect names
        out = subprocess.run([str(BIN / "incept-inspect"), str(cwd / kind.split(":", 1)[1])], capture_output=True,
                             text=True, check=True).stdout
        shape = re.search(r"^\s+input 0\s+\S+ \[([\d, ]+)\]", out, re.M).group(1)
        code = ("import sys, numpy as np; np.save(sys.argv[1], np.random.default_rng(0).standard_normal(["
                + shape + "]).astype(np.float32))")
        subprocess.run([py, "-c", code, str(dst)], check=True)
    elif kind in ("jpeg", "png"):        # a bundled sample image, as a JPEG or a PNG
        sample = REPO / "models" / "inception_small" / "samples" / ("circle.png" if kind == "jpeg" else "star.png")
        code = "import sys; from PIL import Image; Image.open(sys.argv[1]).convert('RGB').save(sys.argv[2])"
        subprocess.run([py, "-c", code, str(sample), str(dst)], check=True)
    else:
        raise AssertionError(f"no recipe for a {kind} file")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory):
    """A copy of the repository's tracked files (8 MiB; copies, not links, which a command writing a file of the
    same name, as the bundled model's training does, would write through), build/ linked."""
    root = tmp_path_factory.mktemp("docs")
    files = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    subprocess.run(["xargs", "-0", "cp", "--parents", "-P", "-t", str(root)], cwd=REPO, input=files, check=True)
    (root / "build").symlink_to(REPO / "build")
    for d in ("tmp", "opt"):
        (root / d).mkdir()
    return root


def runnable():
    wanted = ("run", "long") if LONG else ("run",)
    return [(doc, key, script) for doc, key, script in all_commands() if PLAN.get((doc, key), skip("-")).action
            in wanted]


def test_documented_commands_run_as_written(scratch):
    if not (BIN / "incept-run").exists():
        pytest.skip(f"{BIN / 'incept-run'} not built")
    state = scratch / ".exported"
    state.write_text("")
    made, times = set(), []
    for doc, key, script in runnable():
        entry = PLAN[(doc, key)]
        cwd = REPO if entry.in_repo else scratch
        for name, kind in entry.files.items():
            if (name, kind) not in made or kind.startswith("input_of:"):
                dst = scratch / name
                if dst.exists() or dst.is_symlink():
                    dst.unlink()
                make_file(kind, dst, scratch)
                made.add((name, kind))
        for old, new in entry.subs.items():
            script = script.replace(old, new.replace("{scratch}", str(scratch)))
        if BIN != REPO / "build" / "release" / "bin":   # the build the suite runs against
            script = script.replace("build/release/bin/", f"{BIN}/")
        wrapped = f"set -eo pipefail\nsource {shlex.quote(str(state))}\n{script}\nexport -p > {shlex.quote(str(state))}"
        start = time.monotonic()
        r = subprocess.run(["bash", "-c", wrapped], cwd=cwd, capture_output=True, text=True,
                           timeout=3600 if entry.action == "long" else TIMEOUT_S, stdin=subprocess.DEVNULL,
                           env={k: v for k, v in os.environ.items() if k != "PYTHONPATH"})
        times.append((time.monotonic() - start, doc, key))
        print(f"[docs] {times[-1][0]:6.1f} s  {doc}: {key[:110]}", file=sys.stderr)
        assert r.returncode == 0, f"{doc}: `{key}` exited {r.returncode}:\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
    total = sum(t for t, _, _ in times)
    print(f"\n[docs] {len(times)} documented commands in {total:.1f} s; slowest:", file=sys.stderr)
    for t, doc, key in sorted(times, reverse=True)[:5]:
        print(f"  {t:6.1f} s  {doc}: {key[:100]}", file=sys.stderr)
