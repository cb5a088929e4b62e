# SPDX-License-Identifier: Apache-2.0
"""What every part of bench/peers shares: paths, the runtimes it knows, running a step, reading its JSON."""

import json
import os
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PY = "/usr/bin/python3"          # Debian's Python, with torch / torchvision / onnx: makes the models
STEP_TIMEOUT_S = 900
INPUT_SIZE = {"googlenet": 224, "inception_v3": 299, "inception_v4": 299, "inception_resnet_v2": 299}
BUNDLED = "bundled"              # the bundled trained model (models/inception_small) in the int8 accuracy check
MODEL_SIZE = dict(INPUT_SIZE, **{BUNDLED: 96})
# every runtime bench/peers knows, in table order; all but incept run from the venv (peer_bench.py)
RUNTIMES = ["incept", "ort", "tflite", "ncnn", "mnn", "openvino"]
PEER_RUNTIMES = RUNTIMES[1:]
NAMES = {"incept": "incept", "ort": "ONNX Runtime", "tflite": "TFLite", "ncnn": "ncnn", "mnn": "MNN",
         "openvino": "OpenVINO"}
SHORT = {"incept": "incept", "ort": "ORT", "tflite": "TFLite", "ncnn": "ncnn", "mnn": "MNN", "openvino": "OpenVINO"}


class Failure(Exception):
    """One clear line for the user; run.sh prints it and exits 1 (or a peer's row says why it is missing)."""


def log(msg: str) -> None:
    print(msg, flush=True)


def venv_dir() -> str:
    v = os.environ.get("PEERS_VENV", "build/peers-venv")
    return v if os.path.isabs(v) else os.path.join(ROOT, v)


def venv_bin(tool: str) -> str:
    return os.path.join(venv_dir(), "bin", tool)


def tf_venv_bin(tool: str) -> str:
    """A tool of the venv with TensorFlow's converter (requirements-tflite.txt; run.sh makes it)."""
    v = os.environ.get("PEERS_TF_VENV", "build/peers-tf-venv")
    return os.path.join(v if os.path.isabs(v) else os.path.join(ROOT, v), "bin", tool)


def run(cmd, what: str, timeout=STEP_TIMEOUT_S, cwd=ROOT) -> subprocess.CompletedProcess:
    try:
        cp = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise Failure(f"{what}: timed out after {timeout} s ({' '.join(cmd)})") from None
    except OSError as e:
        raise Failure(f"{what}: cannot start {cmd[0]}: {e.strerror}") from None
    if cp.returncode != 0:
        tail = (cp.stderr.strip() or cp.stdout.strip()).splitlines()[-1:] or ["(no output)"]
        raise Failure(f"{what} failed (exit {cp.returncode}): {tail[0].strip()}")
    return cp


def last_json(text: str, what: str) -> dict:
    """The JSON object a tool printed: all of stdout, or its last line that is one (some runtimes print
    banners on stdout when they load)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    for line in reversed(text.strip().splitlines()):
        if line.lstrip().startswith("{"):
            try:
                return json.loads(line)
            except json.JSONDecodeError:
                break
    raise Failure(f"{what}: no JSON object on stdout")


def newest_mtime(paths) -> float:
    m = 0.0
    for base in paths:
        full = os.path.join(ROOT, base)
        if os.path.isfile(full):
            m = max(m, os.path.getmtime(full))
        for dirpath, _, files in os.walk(full):
            for f in files:
                if f.endswith((".py", ".fbs")):
                    m = max(m, os.path.getmtime(os.path.join(dirpath, f)))
    return m
