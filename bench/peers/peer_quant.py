# SPDX-License-Identifier: Apache-2.0
"""One peer's own post-training int8 quantisation of one net, from the calibration inputs incept calibrates on.
Runs under the bench venv's Python (bench/peers/run.sh makes it); bench/peers/peer_models.py drives it.

    build/peers-venv/bin/python bench/peers/peer_quant.py --runtime ort NET.onnx --calibration CAL.npy -o OUT.onnx
    build/peers-venv/bin/python bench/peers/peer_quant.py --runtime openvino NET.onnx --calibration CAL.npy -o OUT.xml
    build/peers-venv/bin/python bench/peers/peer_quant.py --runtime mnn NET.mnn --calibration CAL.npy -o OUT.mnn

CAL.npy: float32 [N, 3, S, S], preprocessed inputs (what incept-convert --quantize int8 --calibration takes).
Each runtime's documented tool with its defaults, as a user would call it:
  ort       onnxruntime.quantization: quant_pre_process (shape inference and ORT's graph optimisation), then
            quantize_static, QDQ format, per-channel int8 weights, uint8 activations, MinMax calibration;
  openvino  nncf.quantize (post-training, the default "performance" preset: symmetric 8-bit) on the ONNX read by
            OpenVINO, saved as IR with fp32 constants;
  mnn       MNN's quantiser (quantized.out: `mnnquant`'s native entry point) on the fp32 .mnn, KL activations and
            MAX_ABS weights (its defaults), calibrated on image files: each input written as an 8-bit RGB PNG,
            x * 32 + 128 rounded and clipped to [0, 255], with mean 128 and normal 1/32 in its config, so it sees
            the same inputs to within 1/64 (those beyond +-4 clipped). It aborts on these nets for now (README).
Prints one JSON object: the tool, the seconds it took, the output files.
"""

import argparse
import json
import os
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
    from PIL import Image
    # the native entry point, in a child (it aborts the process on some inputs), not the `mnnquant` wrapper: that
    # imports MNN's logging module, which pip-installs a package with the PATH's pip and sends usage logs
    tool = [sys.executable, "-c", "import sys, _tools; _tools.mnnquant(*sys.argv[1:])"]
    with tempfile.TemporaryDirectory(dir=os.path.dirname(os.path.abspath(dst))) as d:
        images = os.path.join(d, "images")
        os.makedirs(images)
        for i, x in enumerate(cal):
            pixels = np.clip(np.rint(x.transpose(1, 2, 0) * 32.0 + 128.0), 0, 255).astype(np.uint8)
            Image.fromarray(pixels, "RGB").save(os.path.join(images, f"{i:04d}.png"))
        config = {"format": "RGB", "mean": [128.0] * 3, "normal": [1 / 32] * 3, "width": int(cal.shape[3]),
                  "height": int(cal.shape[2]), "path": images + "/", "used_image_num": len(cal),
                  "feature_quantize_method": "KL", "weight_quantize_method": "MAX_ABS"}
        cfg = os.path.join(d, "config.json")
        with open(cfg, "w") as f:
            json.dump(config, f)
        cp = subprocess.run(tool + [src, dst, cfg], capture_output=True, text=True)
        if cp.returncode != 0 or not os.path.exists(dst):
            tail = (cp.stderr.strip() or cp.stdout.strip()).splitlines()[-1:] or ["(no output)"]
            raise RuntimeError(f"mnnquant exited {cp.returncode}: {tail[0]}")
    return [dst], "mnnquant (KL activations, MAX_ABS weights; inputs as 8-bit PNGs)"


QUANTISERS = {"ort": quantise_ort, "openvino": quantise_openvino, "mnn": quantise_mnn}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model", help="the fp32 model: .onnx (ort, openvino) or .mnn (mnn)")
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
