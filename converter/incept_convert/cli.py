# SPDX-License-Identifier: Apache-2.0
"""incept-convert: trained Inception checkpoint (.pth, .safetensors or .onnx) -> incept model file (.incept).

    incept-convert --arch NAME --checkpoint X.pth -o M.incept      (NAME: a zoo net, see --help)
    incept-convert --arch NAME --checkpoint X.safetensors -o M.incept
    incept-convert --onnx X.onnx -o M.incept
    incept-convert --keras X.h5|X.keras -o M.incept                (a whole Keras model: graph and weights)
    options: --labels FILE  --mean a,b,c --std a,b,c  --input-size N|HxW  --transform-input  -q
             --weights fp32|fp16|int8   --quantize int8 --calibration DIR|X.npy [--calibrator NAME]

transform_input: torchvision's GoogLeNet/Inception-v3 can be built with transform_input=True (as
their pretrained ImageNet weights are): forward() then re-normalises an ImageNet-normalised input x
to the (pixel - 0.5) / 0.5 convention before conv1. The converter never folds that transform into
the first conv (GoogLeNet's conv1 is zero-padded, so a folded bias would be wrong along the image
border); the written graph is always the transform_input=False network. With --transform-input the
transform is recorded as preprocessing instead: metadata mean = std = (0.5, 0.5, 0.5), which composes
exactly with it ((pixel - m)/s * s/0.5 + (m - 0.5)/0.5 = (pixel - 0.5)/0.5). Default: off (what
torchvision builds without pretrained weights). Use it for checkpoints trained with transform_input=True.

Every user-facing failure prints one line `incept-convert: error: ...` to stderr and exits with 2.
The output is written atomically: a failed run never leaves a partial file.
"""

import argparse
import math
import os
import sys
import warnings
from pathlib import Path
from typing import List, Optional

from . import __version__, input_size, ir, keras_import, passes, storage, torch_import, writer
from .errors import ConvertError, one_line
from .quant.calibrators import NAMES as CALIBRATOR_NAMES

PROG = "incept-convert"
DEFAULT_CALIBRATOR = "minmax"
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):   # argparse prints usage + message; we promise one line
        print(f"{PROG}: error: {one_line(message)} (see {PROG} --help)", file=sys.stderr)
        sys.exit(2)


def _triple(text: str) -> List[float]:
    try:
        values = [float(v) for v in text.split(",")]
    except ValueError:
        values = []
    if len(values) != 3 or not all(math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(f"expected three comma-separated numbers like 0.485,0.456,0.406, got '{text}'")
    return values


def _size(text: str):
    parts = text.lower().split("x")
    try:
        values = [int(p) for p in parts]
    except ValueError:
        values = []
    if len(values) not in (1, 2) or min(values) < 1:
        raise argparse.ArgumentTypeError(f"expected N or HxW (positive integers), got '{text}'")
    if max(values) > input_size.MAX_SIDE:
        raise argparse.ArgumentTypeError(f"'{text}' is too large: at most {input_size.MAX_SIDE} pixels a side, and "
                                         f"every tensor of the network within the runtime's 2^30 elements (the "
                                         f"converter names the first layer past that)")
    return (values[0], values[-1])


def _archs():
    """Every --arch: the PyTorch zoo's, and keras.applications' nets for Keras weights files."""
    return sorted(list(torch_import.ARCHITECTURES) + list(keras_import.ARCHS))


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog=PROG, formatter_class=argparse.RawDescriptionHelpFormatter,
                description="Convert a trained Inception-family network (PyTorch .pth or .safetensors state_dict of "
                            "a zoo net, ONNX, or a Keras .h5/.keras model) into an incept model file.",
                epilog=__doc__[__doc__.index("transform_input:"):])
    p.add_argument("--arch", help="architecture of the --checkpoint: " + ", ".join(sorted(_archs())))
    p.add_argument("--checkpoint", metavar="X.pth",
                   help="state_dict of the --arch net: torch.save() .pth, or .safetensors (F32/F16/BF16, as timm and "
                        "the Hugging Face hub ship them); aux heads and a 'module.' prefix are dropped")
    p.add_argument("--onnx", metavar="X.onnx", help="ONNX model (opset 11-21) to convert instead of a checkpoint")
    p.add_argument("--keras", metavar="X.h5",
                   help="whole Keras model (.h5 with its config, or Keras 3 .keras) to convert instead of a "
                        "checkpoint; preprocessing defaults to keras.applications' x / 127.5 - 1 (mean = std = 0.5)")
    p.add_argument("-o", "--output", metavar="M.incept", required=True, help="model file to write")
    p.add_argument("--labels", metavar="FILE", help="class labels, one per line, stored in the model")
    p.add_argument("--mean", type=_triple, metavar="a,b,c",
                   help="input mean per channel, in the model's channel order (default: the zoo net's; "
                        f"ImageNet's {IMAGENET_MEAN} for ONNX; 0.5,0.5,0.5 for Keras)")
    p.add_argument("--std", type=_triple, metavar="a,b,c",
                   help=f"input std per channel (default: the zoo net's; ImageNet's {IMAGENET_STD} for ONNX; "
                        "0.5,0.5,0.5 for Keras)")
    p.add_argument("--input-size", type=_size, metavar="N|HxW",
                   help="input height/width (default: the zoo net's, e.g. 224 googlenet, 299 inception_v3; "
                        "the ONNX input's)")
    p.add_argument("--transform-input", action="store_true",
                   help="the checkpoint was trained with transform_input=True: record mean = std = 0.5 (see below)")
    p.add_argument("--weights", choices=storage.CHOICES, default=None,
                   help="how conv and fully connected weights are stored: fp32 (default), fp16 (half the size; "
                        "rounded to nearest), int8 (a quarter; symmetric, one scale per output channel). The "
                        "runtime widens them to float32 when it prepares: no speed difference. See the README")
    p.add_argument("--quantize", choices=("int8",),
                   help="int8: quantise for int8 inference (8-bit activations, int8 weights; needs --calibration). "
                        "Each activation is stored uint8 (after a ReLU) or int8 with one scale and zero point "
                        "calibrated on --calibration; the logits stay float32. See the README")
    p.add_argument("--calibration", metavar="PATH",
                   help="calibration inputs for --quantize: a folder of images (PNG, JPEG, BMP, PPM; preprocessed "
                        "with the model's recorded mean, std, channel order and input size: shorter side resized, "
                        "centre crop) or an .npy float32 [N, C, H, W] batch of preprocessed inputs")
    p.add_argument("--calibrator", choices=CALIBRATOR_NAMES, default=None,
                   help=f"how each activation's range is chosen from its calibration statistics: "
                        f"{', '.join(CALIBRATOR_NAMES)} (default {DEFAULT_CALIBRATOR}; see the README)")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing on success")
    p.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return p


def _check_args(a) -> None:
    if sum(v is not None for v in (a.arch, a.onnx, a.keras)) != 1:
        raise ConvertError("give one of --arch NAME --checkpoint X.pth (or X.safetensors), --onnx X.onnx, "
                           "or --keras X.h5 (or X.keras)")
    if a.arch is not None and a.arch not in _archs():
        raise ConvertError(f"unknown architecture '{a.arch}'; choose one of: {', '.join(_archs())}")
    if a.arch is not None and not a.checkpoint:
        raise ConvertError(f"--arch {a.arch} needs --checkpoint X.pth (or X.safetensors)")
    if a.arch is None and a.checkpoint:
        raise ConvertError(f"--checkpoint goes with --arch, not with {'--onnx' if a.onnx else '--keras'}")
    if a.transform_input and (a.mean or a.std):
        raise ConvertError("--transform-input sets mean = std = 0.5,0.5,0.5; do not combine it with --mean/--std")
    if a.std and min(a.std) <= 0:
        raise ConvertError(f"--std values must be > 0, got {','.join(map(str, a.std))}")
    if a.quantize is None and (a.calibration is not None or a.calibrator is not None):
        raise ConvertError(f"{'--calibration' if a.calibration is not None else '--calibrator'} goes with "
                           f"--quantize int8")
    if a.quantize is not None:
        if a.weights not in (None, "int8"):
            raise ConvertError(f"--quantize int8 stores the weights as int8; do not combine it with "
                               f"--weights {a.weights}")
        if a.calibration is None:
            raise ConvertError("--quantize int8 needs --calibration PATH (a folder of images or an .npy batch)")
        if not os.path.exists(a.calibration):
            raise ConvertError(f"calibration set {a.calibration} does not exist")
        a.weights = "int8"
        a.calibrator = a.calibrator or DEFAULT_CALIBRATOR
    a.weights = a.weights or "fp32"
    src = a.checkpoint or a.onnx or a.keras
    if not os.path.exists(src):
        raise ConvertError(f"input file {src} does not exist")
    if not os.path.isfile(src):
        raise ConvertError(f"input {src} is not a file")
    if os.path.isdir(a.output) or a.output.endswith(os.sep):
        raise ConvertError(f"-o {a.output} is a directory; "
                           f"give a file name such as {os.path.join(a.output, 'model.incept')}")
    out_dir = Path(a.output).parent
    if not out_dir.is_dir():
        raise ConvertError(f"output folder {out_dir} does not exist; create it or choose another -o path")
    if os.path.exists(a.output) and os.path.samefile(src, a.output):
        raise ConvertError(f"-o {a.output} would overwrite the input; choose another output path")
    a.label_list = _read_labels(a.labels) if a.labels else []


def _read_labels(path: str) -> List[str]:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConvertError(f"labels file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConvertError(f"cannot read labels file {path} ({one_line(str(e))}); "
                           "it must be UTF-8 text, one label per line") from None
    labels = [line.strip() for line in text.splitlines()]
    while labels and not labels[-1]:
        labels.pop()
    if not labels:
        raise ConvertError(f"labels file {path} is empty")
    return labels


def convert(a) -> ir.Graph:
    """Runs the import and the passes for parsed arguments `a`; returns the graph ready to write."""
    from . import onnx_import
    default_mean, default_std = IMAGENET_MEAN, IMAGENET_STD
    a.native_size, a.native_what = None, ""
    if a.keras is not None or a.arch in keras_import.ARCHS:
        if a.keras is not None:
            g, name = keras_import.import_keras(a.keras, a.input_size)
            arch = f"keras:{name}"
        else:
            g, arch = keras_import.import_keras_arch(a.arch, a.checkpoint, a.input_size), a.arch
        default_mean, default_std = keras_import.KERAS_MEAN, keras_import.KERAS_STD
        a.native_size = g.source_input_size
        a.native_what = (f"--arch {a.arch} is defined and pretrained at" if a.keras is None
                         else f"{a.keras} declares")
    elif a.onnx is not None:
        try:
            data = Path(a.onnx).read_bytes()
        except OSError as e:
            raise ConvertError(f"cannot read {a.onnx} ({one_line(str(e))})") from None
        model = onnx_import.load_model(data, a.onnx, os.path.dirname(os.path.abspath(a.onnx)))
        g = onnx_import.import_onnx(model, a.onnx, a.input_size)
        a.native_size, a.native_what = g.source_input_size, f"{a.onnx} declares"
        arch = f"onnx:{model.graph.name}"
    else:
        side = torch_import.ARCHITECTURES[a.arch].input_size
        a.native_size, a.native_what = (side, side), f"--arch {a.arch} is defined and pretrained at"
        if a.input_size is not None and tuple(a.input_size) != a.native_size:
            # Shape inference at the size asked for, on the graph at the trained size, before PyTorch runs at it.
            probe = _torch_graph(a.arch, a.checkpoint, None)
            passes.run_all(probe)
            input_size.check(probe, f"--arch {a.arch}", size=a.input_size, near=side)
        g = _torch_graph(a.arch, a.checkpoint, a.input_size)
        arch = a.arch
    passes.run_all(g)
    input_size.check(g, arch, near=a.native_size[0] if a.native_size else None)
    m = g.metadata
    m.architecture = arch
    spec = torch_import.ARCHITECTURES.get(a.arch) if a.arch else None   # the zoo's preprocessing for its nets
    m.mean = list(a.mean or ((0.5, 0.5, 0.5) if a.transform_input else spec.mean if spec else default_mean))
    m.std = list(a.std or ((0.5, 0.5, 0.5) if a.transform_input else spec.std if spec else default_std))
    channels = g.inputs[0].shape[3]
    if channels != len(m.mean):
        raise ConvertError(f"the network takes {channels} input channels but mean/std have {len(m.mean)} values")
    m.channel_order = ir.ChannelOrder.BGR if spec and spec.channel_order == "BGR" else ir.ChannelOrder.RGB
    m.producer = f"{PROG} {__version__}"
    if a.label_list:
        m.labels = a.label_list
        classes = g.outputs[0].shape[-1]
        if len(m.labels) != classes:
            raise ConvertError(f"labels file {a.labels} has {len(m.labels)} labels but the model has {classes} classes")
    return g


def _torch_graph(arch: str, checkpoint: str, size) -> ir.Graph:
    """The IR of the zoo net `arch` with the weights of `checkpoint`, exported at `size` (None: the zoo's)."""
    from . import onnx_import
    data, torch_model = torch_import.checkpoint_to_onnx(arch, checkpoint, size)
    model = onnx_import.load_model(data, f"{arch} export")
    torch_import.check_batchnorm_eps(model, torch_model)
    return onnx_import.import_onnx(model, f"{arch} export")


def main(argv: Optional[List[str]] = None) -> int:
    warnings.filterwarnings("ignore")   # library chatter (torch.onnx, protobuf) would break the one-line promise
    args = build_parser().parse_args(argv)
    try:
        _check_args(args)
        g = convert(args)
        narrowed = storage.narrow_weights(g, args.weights)
        quantised = quantize(g, args) if args.quantize else None
        data = writer.serialize(g)
        writer.write_atomic(args.output, data)
    except ConvertError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
    if not args.quiet:
        params = g.param_count()
        print(f"{PROG}: wrote {args.output}: {g.metadata.architecture}, input {g.inputs[0].shape} NHWC, "
              f"{len(g.ops)} ops, {len(g.tensors())} tensors, {params / 1e6:.2f}M params, "
              f"{len(data) / 2**20:.1f} MiB" + (f" ({len(narrowed)} weight tensors stored as {args.weights})"
                                                if narrowed else ""))
        if quantised is not None:
            print(f"{PROG}: {quantised}")
        line = input_size.note(g.inputs[0].shape[1:3], args.native_size, args.native_what)
        if line:
            print(f"{PROG}: {line}", file=sys.stderr)
    return 0


def quantize(g: ir.Graph, a) -> str:
    """Calibrates g (weights already marked int8) on a.calibration and sets every activation's dtype and
    QuantParams; returns the one-line summary."""
    from .quant import calibration, observe, scheme
    x = calibration.load(a.calibration, g)
    stats = observe.collect(g, x, progress=not a.quiet)
    return scheme.assign(g, stats, a.calibrator).line(len(x))
