# SPDX-License-Identifier: Apache-2.0
"""One peer's own post-training int8 quantisation of one net, from the calibration inputs incept calibrates on.
Runs under the bench venv's Python (bench/peers/run.sh makes it); bench/peers/peer_models.py drives it.

    build/peers-venv/bin/python bench/peers/peer_quant.py --runtime ort NET.onnx --calibration CAL.npy -o OUT.onnx
    build/peers-venv/bin/python bench/peers/peer_quant.py --runtime openvino NET.onnx --calibration CAL.npy -o OUT.xml
    build/peers-venv/bin/python bench/peers/peer_quant.py --runtime mnn NET.mnn --calibration CAL.npy -o OUT.mnn
    build/peers-venv/bin/python bench/peers/peer_quant.py --runtime ncnn NET.ncnn.param --calibration CAL.npy \
        -o OUT.int8.ncnn.param

CAL.npy: float32 [N, 3, S, S], preprocessed inputs (what incept-convert --quantize int8 --calibration takes).
Each runtime's documented tool with its defaults, as a user would call it:
  ort       onnxruntime.quantization: quant_pre_process (shape inference and ORT's graph optimisation), then
            quantize_static, QDQ format, per-channel int8 weights, uint8 activations, MinMax calibration;
  openvino  nncf.quantize (post-training, the default "performance" preset: symmetric 8-bit) on the ONNX read by
            OpenVINO, saved as IR with fp32 constants;
  mnn       MNN's quantiser (quantized.out: `mnnquant`'s native entry point) on the fp32 .mnn, KL activations and
            MAX_ABS weights (its defaults), calibrated on the very same floats: its "sequence" input type, one
            folder per input with the values as text (9 significant digits) and the input's name and shape.
  tflite    TensorFlow's own converter (run under build/peers-tf-venv, requirements-tflite.txt): onnx2tf turns the
            ONNX into a SavedModel (NHWC) and runs tf.lite.TFLiteConverter with Optimize.DEFAULT, int8 builtin ops
            and the calibration inputs (NHWC, mean 0, std 1: already preprocessed) as the representative dataset,
            per-channel weights; its "integer_quant" model is kept: int8 throughout, float32 input and output as the
            other runtimes take. onnx2tf's own output check wants sample images that it downloads; the first 20
            calibration inputs, cropped to its 128 x 128, are given to it instead (nothing is downloaded).
  ncnn      ncnn's documented three steps on pnnx's fp32 .param/.bin: ncnnoptimize (flag 0: fp32), ncnn2table (its
            default KL calibration) on the inputs as .npy files (type=1: the very same floats), ncnn2int8. The tools
            are not in the wheel: bench/peers/build_ncnn_tools.sh builds them into build/ncnn-tools/bin (or
            $NCNN_TOOLS).
Prints one JSON object: the tool, the seconds it took, the output files.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np


def quantise_ort(src, cal, dst):
    from onnxruntime.quantization import (CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType,
                                          quantize_static)
    from onnxruntime.quantization.shape_inference import quant_pre_process

    class Reader(CalibrationDataReader):
        def __init__(self, name):
            self.rows = iter(range(len(cal)))
            self.name = name

        def get_next(self):
            i = next(self.rows, None)
            return None if i is None else {self.name: cal[i:i + 1]}

    import onnx
    name = onnx.load(src, load_external_data=False).graph.input[0].name
    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(dst))) as d:
        pre = os.path.join(d, "pre.onnx")
        quant_pre_process(src, pre, skip_symbolic_shape=True)
        quantize_static(pre, dst, Reader(name), quant_format=QuantFormat.QDQ, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.MinMax)
    return [dst], "onnxruntime.quantization quantize_static (QDQ, per-channel s8 weights, u8 activations, MinMax)"


def quantise_openvino(src, cal, dst):
    # NNCF imports its PyTorch backend whenever torch imports; the system's torch is older than it supports and
    # the quantisation here is of an OpenVINO model, so torch is hidden from it.
    sys.modules["torch"] = None
    sys.modules["torchvision"] = None
    import nncf
    import openvino as ov
    model = ov.Core().read_model(src)
    q = nncf.quantize(model, nncf.Dataset([cal[i:i + 1] for i in range(len(cal))]), subset_size=len(cal))
    ov.save_model(q, dst, compress_to_fp16=False)
    return [dst, dst[:-4] + ".bin"], f"nncf.quantize {nncf.__version__} (performance preset) -> IR"


def quantise_mnn(src, cal, dst):
    # the native entry point, in a child, not the `mnnquant` wrapper: that imports MNN's logging module, which
    # pip-installs a package with the PATH's pip and sends usage logs. It takes one argv-style list.
    tool = [sys.executable, "-c", "import sys, _tools; sys.exit(0 if _tools.mnnquant(['mnnquant'] + sys.argv[1:]) "
            "else 1)"]
    import MNN
    inputs, _ = MNN.expr.get_inputs_and_outputs(MNN.expr.load_as_dict(src))
    if len(inputs) != 1:
        raise RuntimeError(f"{src}: expected one input, found {len(inputs)}")
    name = next(iter(inputs))
    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(dst))) as d:
        shape = [1] + list(cal.shape[1:])
        for i, x in enumerate(cal):   # "sequence" inputs: one folder per input, its floats as text
            sample = os.path.join(d, "inputs", f"{i:04d}")
            os.makedirs(sample)
            np.savetxt(os.path.join(sample, "input.txt"), x.reshape(1, -1), fmt="%.9g")
            with open(os.path.join(sample, "input.json"), "w") as f:
                json.dump({"inputs": [{"name": name, "shape": shape}]}, f)
        config = {"path": os.path.join(d, "inputs") + "/", "used_sample_num": len(cal), "input_type": "sequence",
                  "inputs": [{"name": name, "shape": shape}],
                  "feature_quantize_method": "KL", "weight_quantize_method": "MAX_ABS"}
        cfg = os.path.join(d, "config.json")
        with open(cfg, "w") as f:
            json.dump(config, f)
        cp = subprocess.run(tool + [src, dst, cfg], capture_output=True, text=True)
        if cp.returncode != 0 or not os.path.exists(dst):
            tail = (cp.stderr.strip() or cp.stdout.strip()).splitlines()[-1:] or ["(no output)"]
            raise RuntimeError(f"mnnquant exited {cp.returncode}: {tail[0]}")
    for extra in (dst + ".json",):   # its calibration report beside the model
        if os.path.exists(extra):
            os.remove(extra)
    return [dst], "mnnquant (quantized.out: KL activations, MAX_ABS weights; the inputs as float sequences)"


def quantise_tflite(src, cal, dst):
    import onnx
    import onnx2tf
    name = onnx.load(src, load_external_data=False).graph.input[0].name
    base = os.path.splitext(os.path.basename(src))[0]
    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(dst))) as d:
        # onnx2tf writes its onnxsim-simplified model over the ONNX it is given: it gets a copy
        onnx_copy = os.path.join(d, os.path.basename(src))
        shutil.copyfile(src, onnx_copy)
        nhwc = os.path.join(d, "calibration_nhwc.npy")
        np.save(nhwc, np.ascontiguousarray(cal.transpose(0, 2, 3, 1)))
        sample = cal[:20, :, :128, :128].transpose(0, 2, 3, 1)   # onnx2tf reads this name from its working folder
        np.save(os.path.join(d, "calibration_image_sample_data_20x128x128x3_float32.npy"), np.ascontiguousarray(sample))
        out = os.path.join(d, "saved_model")
        here = os.getcwd()
        os.chdir(d)
        try:
            onnx2tf.convert(input_onnx_file_path=onnx_copy, output_folder_path=out,
                            output_integer_quantized_tflite=True, quant_type="per-channel", non_verbose=True,
                            custom_input_op_name_np_data_path=[[name, nhwc, np.zeros((1, 1, 1, 3), np.float32),
                                                                np.ones((1, 1, 1, 3), np.float32)]])
        finally:
            os.chdir(here)
        made = os.path.join(out, f"{base}_integer_quant.tflite")
        if not os.path.exists(made):
            raise RuntimeError(f"onnx2tf wrote no {os.path.basename(made)}")
        shutil.move(made, dst)
    import tensorflow as tf
    return [dst], f"onnx2tf {onnx2tf.__version__} + TFLiteConverter (TensorFlow {tf.__version__}), int8, float I/O"


def ncnn_tools() -> tuple:
    """(folder, version line) of ncnn's int8 tools; RuntimeError saying how to build them when they are missing."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    d = os.environ.get("NCNN_TOOLS") or os.path.join(root, "build", "ncnn-tools", "bin")
    missing = [t for t in ("ncnnoptimize", "ncnn2table", "ncnn2int8") if not os.access(os.path.join(d, t), os.X_OK)]
    if missing:
        raise RuntimeError(f"{', '.join(missing)} not in {d}: run bench/peers/build_ncnn_tools.sh (the ncnn wheel "
                           "does not ship its int8 tools)")
    version = os.path.join(d, "VERSION")
    return d, (open(version).read().strip() if os.path.exists(version) else "version not recorded")


def quantise_ncnn(src, cal, dst):
    tools, version = ncnn_tools()

    def tool(*args):
        cp = subprocess.run([os.path.join(tools, args[0])] + [str(x) for x in args[1:]], capture_output=True,
                            text=True)
        if cp.returncode != 0:
            tail = (cp.stderr.strip() or cp.stdout.strip()).splitlines()[-1:] or ["(no output)"]
            raise RuntimeError(f"{args[0]} exited {cp.returncode}: {tail[0]}")

    if not src.endswith(".param") or not dst.endswith(".param"):
        raise RuntimeError("ncnn models are named NET.param (weights beside it in NET.bin)")
    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(dst))) as d:
        opt = os.path.join(d, "opt")
        tool("ncnnoptimize", src, src[:-6] + ".bin", opt + ".param", opt + ".bin", 0)
        files = []
        for i, x in enumerate(cal):
            files.append(os.path.join(d, f"{i:04d}.npy"))
            np.save(files[-1], np.ascontiguousarray(x, dtype="<f4"))   # [3, S, S]: ncnn's [w, h, c] below
        listing = os.path.join(d, "calibration.txt")
        with open(listing, "w") as f:
            f.write("\n".join(files) + "\n")
        table = os.path.join(d, "net.table")
        tool("ncnn2table", opt + ".param", opt + ".bin", listing, table,
             f"shape=[{cal.shape[3]},{cal.shape[2]},{cal.shape[1]}]", "method=kl", "type=1",
             f"thread={os.cpu_count() or 1}")
        tool("ncnn2int8", opt + ".param", opt + ".bin", dst, dst[:-6] + ".bin", table)
    return [dst, dst[:-6] + ".bin"], f"ncnnoptimize + ncnn2table (KL, .npy inputs) + ncnn2int8 ({version})"


QUANTISERS = {"ort": quantise_ort, "openvino": quantise_openvino, "mnn": quantise_mnn, "ncnn": quantise_ncnn,
              "tflite": quantise_tflite}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model", help="the fp32 model: .onnx (ort, openvino, tflite), .mnn (mnn), .param (ncnn)")
    p.add_argument("--runtime", choices=sorted(QUANTISERS), required=True)
    p.add_argument("--calibration", required=True, help="float32 [N, 3, S, S] .npy")
    p.add_argument("-o", "--output", required=True)
    a = p.parse_args(argv)
    cal = np.load(a.calibration).astype(np.float32, copy=False)
    if cal.ndim != 4 or cal.shape[1] != 3:
        p.error(f"{a.calibration}: expected float32 [N, 3, S, S], got {list(cal.shape)}")
    t = time.monotonic()
    try:
        files, tool = QUANTISERS[a.runtime](a.model, cal, a.output)
    except Exception as e:   # one line for peers.py's row, whatever the tool raised
        print(f"peer_quant {a.runtime}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}",
              file=sys.stderr)
        return 2
    print(json.dumps({"runtime": a.runtime, "tool": tool, "seconds": time.monotonic() - t, "files": files}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
