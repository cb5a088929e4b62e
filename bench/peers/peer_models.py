# SPDX-License-Identifier: Apache-2.0
"""Phase 1 of bench/peers: the same four nets, with the same weights, for every runtime.

make_models(): a seeded torchvision checkpoint per net, its BN-folded ONNX export, the shared input and
PyTorch's logits (Debian's Python and torch), and the .incept made from the checkpoint.
convert_peers(): the ONNX export in each peer's own format, with each peer's own tool from the venv:
ORT reads the ONNX as is; OpenVINO IR by `ovc` (weights kept fp32); ncnn by `pnnx` (fp16=0); MNN by
`mnnconvert -f ONNX`; TFLite by onnx_to_tflite.py. A conversion that fails is recorded, not fatal.
With --precision int8: the calibration and test inputs and PyTorch's logits on the test set (int8_sets.py),
incept's file by `incept-convert --quantize int8` (its default calibrator) and each peer's int8 model by its own
post-training tool (peer_quant.py) from the same calibration inputs; a peer whose tool fails keeps its row with
the reason.
"""

import os
import shutil
import subprocess
import tempfile
import time

from peers_common import (HERE, INPUT_SIZE, MODEL_SIZE, PY, ROOT, STEP_TIMEOUT_S, Failure, last_json, log,
                          newest_mtime, run, tf_venv_bin, venv_bin)


def make_models(a, out: str) -> dict:
    models = {}
    conv_mtime = newest_mtime(["converter/incept_convert", "schema"])
    d = os.path.join(out, "models")
    os.makedirs(d, exist_ok=True)
    for net in a.nets:
        m = {k: os.path.join(d, f"{net}.{k}") for k in ("pth", "onnx", "incept")}
        m["x"], m["ref"] = os.path.join(d, f"{net}.x.npy"), os.path.join(d, f"{net}.torch.npy")
        if a.remake or not all(os.path.exists(m[k]) for k in ("pth", "onnx", "x", "ref")):
            log(f"  {net}: seeded checkpoint, BN-folded ONNX (opset 13), input and PyTorch logits")
            t = time.monotonic()
            cmd = [PY, "-m", "incept_convert.make_checkpoint", "--arch", net, "--seed", "0", "-o", m["pth"],
                   "--onnx-folded", m["onnx"], "--input", m["x"], "--reference", m["ref"]]
            env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "converter"))
            try:
                cp = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=STEP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                raise Failure(f"make_checkpoint {net}: timed out") from None
            if cp.returncode != 0:
                raise Failure(f"make_checkpoint {net} failed: {(cp.stderr.strip().splitlines() or ['?'])[-1]}")
            log(f"    done in {time.monotonic() - t:.1f} s")
        else:
            log(f"  {net}: checkpoint, ONNX and input already in {d} (--remake to redo)")
        if "incept" in a.runtimes:
            inc = m["incept"]
            if (a.remake or not os.path.exists(inc)
                    or os.path.getmtime(inc) < max(os.path.getmtime(m["pth"]), conv_mtime)):
                log(f"  {net}: converting the checkpoint to {inc}")
                run([os.path.join(ROOT, "converter", "incept-convert"), "--arch", net, "--checkpoint", m["pth"],
                     "-o", inc, "-q"], f"incept-convert {net}")
            else:
                log(f"  {net}: {inc} is newer than the checkpoint and the converter")
        if "int8" in a.precisions:
            make_int8_inputs(a, net, m, d, conv_mtime)
        models[net] = m
    return models


def make_int8_inputs(a, net, m, d, conv_mtime):
    for k in ("calib", "test", "test_ref"):
        m[k] = os.path.join(d, f"{net}.{k}.npy")
    m["incept8"] = os.path.join(d, f"{net}.int8.incept")
    if a.remake or not all(os.path.exists(m[k]) for k in ("calib", "test", "test_ref")):
        log(f"  {net}: int8 calibration and test inputs, PyTorch's logits on the test inputs")
        env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "converter"))
        cmd = [PY, os.path.join(HERE, "int8_sets.py"), "--arch", net, "--checkpoint", m["pth"], "--size",
               str(INPUT_SIZE[net]), "--calibration", m["calib"], "--test", m["test"], "--reference", m["test_ref"]]
        cp = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=STEP_TIMEOUT_S)
        if cp.returncode != 0:
            raise Failure(f"int8_sets {net} failed: {(cp.stderr.strip().splitlines() or ['?'])[-1]}")
    if "incept" in a.runtimes and (a.remake or not os.path.exists(m["incept8"])
                                   or os.path.getmtime(m["incept8"]) < max(os.path.getmtime(m["calib"]), conv_mtime)):
        log(f"  {net}: quantising the checkpoint to {m['incept8']} (incept-convert --quantize int8)")
        run([os.path.join(ROOT, "converter", "incept-convert"), "--arch", net, "--checkpoint", m["pth"],
             "--quantize", "int8", "--calibration", m["calib"], "-o", m["incept8"], "-q"], f"incept-convert {net} int8")


# ------------------------------------------------------------------------------------------ the peers

def _ovc(net, onnx, d):
    xml = os.path.join(d, f"{net}.xml")
    run([venv_bin("ovc"), onnx, "--output_model", xml, "--compress_to_fp16=False"], f"ovc {net}")
    return xml, [xml, xml[:-4] + ".bin"]


def _mnnconvert(net, onnx, d):
    """MNNConvert's native entry point (one argv-style list), not the `mnnconvert` wrapper: that imports MNN's
    logging module, which pip-installs a package with the PATH's pip and sends usage logs."""
    mnn = os.path.join(d, f"{net}.mnn")
    cp = run([venv_bin("python"), "-c", "import sys, _tools; _tools.mnnconvert(['mnnconvert'] + sys.argv[1:])",
              "-f", "ONNX", "--modelFile", onnx, "--MNNModel", mnn, "--bizCode", "incept"], f"mnnconvert {net}")
    if "Converted Success" not in cp.stdout + cp.stderr or not os.path.exists(mnn):
        raise Failure(f"mnnconvert {net} did not say 'Converted Success': "
                      f"{(cp.stdout.strip().splitlines() or ['(no output)'])[-1]}")
    return mnn, [mnn]


def _pnnx(net, onnx, d):
    """pnnx reads the ONNX and writes ncnn's .param/.bin (fp16=0: fp32 weights, as in the ONNX); its other
    outputs (pnnx graph, Python scripts, simplified ONNX) land in a scratch folder that is removed."""
    param, binf = os.path.join(d, f"{net}.ncnn.param"), os.path.join(d, f"{net}.ncnn.bin")
    s = MODEL_SIZE[net]
    with tempfile.TemporaryDirectory(dir=d) as work:
        src = os.path.join(work, f"{net}.onnx")
        os.symlink(os.path.abspath(onnx), src)
        run([venv_bin("pnnx"), src, f"inputshape=[1,3,{s},{s}]", "fp16=0", f"ncnnparam={param}", f"ncnnbin={binf}"],
            f"pnnx {net}", cwd=work)
    if not (os.path.exists(param) and os.path.exists(binf)):
        raise Failure(f"pnnx {net} wrote no {os.path.basename(param)} / .bin")
    return param, [param, binf]


def _tflite(net, onnx, d):
    path = os.path.join(d, f"{net}.tflite")
    run([venv_bin("python"), os.path.join(HERE, "onnx_to_tflite.py"), onnx, "-o", path], f"onnx_to_tflite {net}")
    return path, [path]


def _peer_quant(rt, src, dst, calib, net, python=None):
    # TensorFlow's converter takes about 10 minutes on Inception-v4 on one core: a longer limit than other steps
    cp = run([python or venv_bin("python"), os.path.join(HERE, "peer_quant.py"), "--runtime", rt, src,
              "--calibration", calib, "-o", dst], f"peer_quant {rt} {net}", timeout=3 * STEP_TIMEOUT_S)
    return dst, last_json(cp.stdout, f"peer_quant {rt} {net}")["files"]


def _ort_int8(net, m, d):
    return _peer_quant("ort", m["onnx"], os.path.join(d, f"{net}.int8.onnx"), m["calib"], net)


def _openvino_int8(net, m, d):
    return _peer_quant("openvino", m["onnx"], os.path.join(d, f"{net}.int8.xml"), m["calib"], net)


def _mnn_int8(net, m, d):
    """MNN's quantiser starts from MNNConvert's fp32 .mnn (made here too when only int8 is asked for)."""
    mnn = os.path.join(d, f"{net}.mnn")
    if not os.path.exists(mnn) or os.path.getmtime(mnn) < os.path.getmtime(m["onnx"]):
        mnn, _ = _mnnconvert(net, m["onnx"], d)
    return _peer_quant("mnn", mnn, os.path.join(d, f"{net}.int8.mnn"), m["calib"], net)


def _ncnn_int8(net, m, d):
    """ncnn's tools start from pnnx's fp32 .param/.bin (made here too when only int8 is asked for)."""
    param = os.path.join(d, f"{net}.ncnn.param")
    if not os.path.exists(param) or os.path.getmtime(param) < os.path.getmtime(m["onnx"]):
        param, _ = _pnnx(net, m["onnx"], d)
    return _peer_quant("ncnn", param, os.path.join(d, f"{net}.int8.ncnn.param"), m["calib"], net)


def _tflite_int8(net, m, d):
    """TensorFlow's converter, in its own venv (onnx2tf pins other numpy/onnx versions than the runtimes')."""
    if not os.path.exists(tf_venv_bin("python")):
        raise Failure(f"{tf_venv_bin('python')} not found: run.sh makes it when int8 and tflite are asked for")
    return _peer_quant("tflite", m["onnx"], os.path.join(d, f"{net}.int8.tflite"), m["calib"], net,
                       python=tf_venv_bin("python"))


CONVERTERS8 = {   # runtime -> (function of (net, models[net], folder), the tool as the notes name it)
    "ort": (_ort_int8, "onnxruntime.quantization.quantize_static: QDQ, per-channel s8 weights, u8 activations, "
                       "MinMax, after quant_pre_process"),
    "openvino": (_openvino_int8, "nncf.quantize (performance preset) of the ONNX read by OpenVINO -> IR"),
    "tflite": (_tflite_int8, "onnx2tf (ONNX -> SavedModel), then TensorFlow's TFLiteConverter, full int8 with "
                             "the calibration inputs as representative dataset, float input and output"),
    "mnn": (_mnn_int8, "mnnquant (KL activations, MAX_ABS weights) of MNNConvert's fp32 model, on the inputs as "
                       "float sequences"),
    "ncnn": (_ncnn_int8, "ncnnoptimize, ncnn2table (KL) and ncnn2int8 on pnnx's fp32 model "
                         "(bench/peers/build_ncnn_tools.sh)"),
}

CONVERTERS = {   # runtime -> (function, the tool as the table's notes name it, a script whose change redoes it)
    "openvino": (_ovc, "ovc NET.onnx --compress_to_fp16=False (OpenVINO IR .xml/.bin)", None),
    "mnn": (_mnnconvert, "mnnconvert -f ONNX (MNNConvert)", None),
    "ncnn": (_pnnx, "pnnx NET.onnx fp16=0 (ncnn .param/.bin)", None),
    "tflite": (_tflite, "bench/peers/onnx_to_tflite.py (TFLite schema from ai-edge-litert)", "onnx_to_tflite.py"),
}


def _made_once(a, net, rt, stamp, newer, make, tool, what) -> dict:
    """The conversion entry of `rt` on `net`: the files the stamp lists where it is newer than `newer` and they
    all exist, else make() -> (path, files) and the stamp written last (a conversion cut short is redone).
    `what`: "" for float32, "int8 " for the quantised models (the log and the error say which)."""
    files = None
    if not a.remake and os.path.exists(stamp) and os.path.getmtime(stamp) >= newer:
        with open(stamp) as f:
            files = f.read().split()
        if not files or not all(os.path.exists(x) for x in files):
            files = None
    try:
        if files is None:
            t = time.monotonic()
            path, files = make()
            with open(stamp, "w") as f:
                f.write("\n".join(files) + "\n")
            log(f"  {net}: {rt:8s} {what}{os.path.relpath(path, ROOT)} ({time.monotonic() - t:.1f} s)")
        else:
            path = files[0]
            log(f"  {net}: {rt:8s} {what}{os.path.relpath(path, ROOT)} is newer than its inputs")
        return {"path": path, "files": files, "tool": tool}
    except (Failure, OSError) as e:
        step = "quantisation" if what else "conversion"
        log(f"  {net}: {rt:8s} {what}{step} FAILED: {e}")
        return {"error": f"{step} failed: {e}", "tool": tool}


def quantise_peer(a, net, m, rt, out: str) -> dict:
    """Peer `rt`'s int8 model of `net` (m: its "onnx" and "calib"), made once into OUT/models/<rt>/."""
    fn, tool = CONVERTERS8[rt]
    d = os.path.join(out, "models", rt)
    os.makedirs(d, exist_ok=True)
    newer = max(os.path.getmtime(m["onnx"]), os.path.getmtime(m["calib"]),
                os.path.getmtime(os.path.join(HERE, "peer_quant.py")))
    return _made_once(a, net, rt, os.path.join(d, f"{net}.int8.done"), newer, lambda: fn(net, m, d), tool, "int8 ")


def convert_peers_int8(a, models: dict, out: str) -> dict:
    """As convert_peers, for the int8 models: {net: {runtime: {...} or {"error"}}}."""
    conv = {}
    for net, m in models.items():
        conv[net] = {}
        for rt in a.runtimes:
            if rt == "incept":
                conv[net][rt] = {"path": m["incept8"], "files": [m["incept8"]],
                                 "tool": "converter/incept-convert --quantize int8 (default calibrator)"}
            else:
                conv[net][rt] = quantise_peer(a, net, m, rt, out)
            c = conv[net][rt]
            if "error" not in c:
                c["bytes"] = sum(os.path.getsize(f) for f in c["files"])
    return conv


def convert_peers(a, models: dict, out: str) -> dict:
    """{net: {runtime: {"path", "files", "bytes", "tool"} or {"error"}}} for every peer runtime asked for."""
    conv = {}
    for net, m in models.items():
        conv[net] = {}
        for rt in a.runtimes:
            if rt == "incept":
                conv[net][rt] = {"path": m["incept"], "files": [m["incept"]],
                                 "tool": "converter/incept-convert --checkpoint"}
            elif rt == "ort":
                conv[net][rt] = {"path": m["onnx"], "files": [m["onnx"]], "tool": "the BN-folded ONNX export as is"}
            else:
                fn, tool, script = CONVERTERS[rt]
                d = os.path.join(out, "models", rt)
                os.makedirs(d, exist_ok=True)
                newer = max(os.path.getmtime(m["onnx"]), os.path.getmtime(os.path.join(HERE, script)) if script else 0)
                conv[net][rt] = _made_once(a, net, rt, os.path.join(d, f"{net}.done"), newer,
                                           lambda: fn(net, m["onnx"], d), tool, "")
            c = conv[net][rt]
            if "error" not in c:
                c["bytes"] = sum(os.path.getsize(f) for f in c["files"])
    return conv


def clean_scratch(out: str) -> None:
    """Removes scratch folders that an interrupted pnnx run left behind."""
    d = os.path.join(out, "models", "ncnn")
    if os.path.isdir(d):
        for name in os.listdir(d):
            if name.startswith("tmp"):
                shutil.rmtree(os.path.join(d, name), ignore_errors=True)
