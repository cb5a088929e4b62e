# SPDX-License-Identifier: Apache-2.0
"""Keras model (.h5 with its model config, or Keras 3 .keras) -> graph IR, read with h5py (Debian's
python3-h5py); no TensorFlow or Keras needed.

The files are read by keras_files.py; their configs (Keras 2's nested-list inbound nodes, Keras 3's
{"args": ...}) describe a functional (or Sequential) graph.

Keras is channels-last like incept: activations keep their layout; kernels go HWIO -> OHWI, Dense kernels
[in, out] -> [out, in]. Keras's quirks are the converter's job:
  - padding "same" is TensorFlow's: the odd pixel goes to the bottom/right; an AveragePooling2D with
    "same" padding averages over the pixels inside the image only (count_include_pad = 0);
  - BatchNormalization with scale=False (no gamma) or center=False (no beta), its own epsilon (1e-3);
  - the residual scale of keras.applications' InceptionResNetV2: CustomScaleLayer (Keras 3) or a Lambda
    with two inputs and arguments {"scale": s} (tf.keras), both inputs[0] + inputs[1] * scale. A Lambda's
    Python code is never run nor decoded: any other Lambda is refused, and this one is taken to be what
    keras.applications writes;
  - activations inside Conv2D / Dense (relu, linear, softmax) become ops that passes.py fuses.
Layers: InputLayer, Conv2D, BatchNormalization, Activation, ReLU, MaxPooling2D, AveragePooling2D,
ZeroPadding2D, Concatenate, Add, GlobalAveragePooling2D, Flatten, Dense, Dropout, CustomScaleLayer,
Lambda (as above). Anything else is refused by name.

Weights-only files (`model.save_weights()` in the legacy .h5 format, as keras.applications' published
InceptionV3 / InceptionResNetV2 weights are) carry no graph: `--arch keras_inception_v3` or
`keras_inception_resnet_v2` takes the graph from the configs of keras.applications committed in
zoo/keras/ (written by Keras itself, see make_configs.py) and the weights from the file (weights-only or
whole-model .h5, or .keras) the way Keras's own load_weights() does for such files: the file's layers that
have weights, in the file's layer order, one for one with the model's, whatever their names; counts
and shapes are checked and a mismatch names both layers. The classifier's class count comes from the file.
"""

import gzip
import json
from pathlib import Path
from typing import Dict, List, Optional, Tuple

import numpy as np

from . import ir
from .errors import ConvertError, UnsupportedOp, short_reason
from .keras_files import load, ordered_weights
from .onnx_windows import same_pads

KERAS_MEAN = KERAS_STD = (0.5, 0.5, 0.5)   # keras.applications' inception preprocessing: x / 127.5 - 1
CONFIG_DIR = Path(__file__).resolve().parent / "zoo" / "keras"
ARCHS = {"keras_inception_v3": "inception_v3.json.gz", "keras_inception_resnet_v2": "inception_resnet_v2.json.gz"}
WEIGHTED = ("Conv2D", "BatchNormalization", "Dense")
MAX_WINDOW = 1 << 16   # bound on kernel sizes, strides and dilations (far beyond any Inception window)


def _expected_count(layer) -> int:
    c = layer["config"]
    if layer["class_name"] == "BatchNormalization":
        return 2 + bool(c.get("scale", True)) + bool(c.get("center", True))
    return 1 + bool(c.get("use_bias", True))


def import_keras_arch(arch: str, path: str, input_size=None) -> ir.Graph:
    """IR (before passes) of the keras.applications net `arch` (ARCHS) with the weights of the file at `path`."""
    with gzip.open(CONFIG_DIR / ARCHS[arch], "rb") as f:
        config = json.loads(f.read())
    model_layers = [layer for layer in config["config"]["layers"] if layer["class_name"] in WEIGHTED]
    file_layers = ordered_weights(path)
    if len(file_layers) != len(model_layers):
        raise ConvertError(f"checkpoint {path} has weights for {len(file_layers)} layers, --arch {arch} for "
                           f"{len(model_layers)}; check --arch, or that the file holds the whole network "
                           "(with its top, include_top=True)")
    weights, file_names = {}, {}
    for i, ((fname, ws), layer) in enumerate(zip(file_layers, model_layers)):
        if len(ws) != _expected_count(layer):
            raise ConvertError(f"checkpoint {path}: its layer '{fname}' (number {i + 1} with weights) has "
                               f"{len(ws)} weight arrays, but --arch {arch}'s layer '{layer['name']}' "
                               f"({layer['class_name']}) has {_expected_count(layer)}; check --arch")
        weights[layer["name"]], file_names[layer["name"]] = ws, fname
    last = model_layers[-1]
    if last["class_name"] == "Dense" and np.ndim(weights[last["name"]][0]) == 2:
        last["config"]["units"] = int(np.shape(weights[last["name"]][0])[1])   # the file's class count
    try:
        return KerasImporter(config, weights, f"checkpoint {path}", input_size, file_names).run()
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, RecursionError) as e:
        raise ConvertError(f"--arch {arch}: cannot build the graph "
                           f"({type(e).__name__}: {short_reason(e, 120)})") from None


def _pair(v) -> Tuple[int, int]:
    v = list(v) if isinstance(v, (list, tuple)) else [v, v]
    return int(v[0]), int(v[-1])


def _inbound(layer) -> List[str]:
    """Names of the layers whose (node 0, tensor 0) outputs feed `layer`, in order (both config formats)."""
    nodes = layer.get("inbound_nodes") or []
    if len(nodes) > 1:
        raise UnsupportedOp(f"'{layer['name']}' ({layer['class_name']})", "a layer called more than once (shared "
                            "weights) is not supported")
    if not nodes:
        return []
    node = nodes[0]
    found = []

    def walk(v):
        if isinstance(v, dict) and v.get("class_name") == "__keras_tensor__":
            found.append(tuple(v["config"]["keras_history"]))
        elif isinstance(v, dict):
            for x in v.values():
                walk(x)
        elif isinstance(v, list):
            if len(v) >= 3 and isinstance(v[0], str) and isinstance(v[1], int) and isinstance(v[2], int):
                found.append(tuple(v[:3]))   # Keras 2: [name, node_index, tensor_index, kwargs]
            else:
                for x in v:
                    walk(x)

    walk(node["args"] if isinstance(node, dict) else node)
    for name, node_index, tensor_index in found:
        if node_index != 0 or tensor_index != 0:
            raise UnsupportedOp(f"'{layer['name']}' ({layer['class_name']})", f"it reads output {tensor_index} of call "
                                f"{node_index} of '{name}'; only single-output layers called once are supported")
    return [f[0] for f in found]


class KerasImporter:
    def __init__(self, config: dict, weights: Dict[str, List[np.ndarray]], source: str, input_size=None,
                 file_names: Optional[Dict[str, str]] = None):
        self.source = source
        self.file_names = file_names or {}   # layer name -> its name in the weights file, where they differ
        self.weights = weights
        self.used = set()
        self.acts: Dict[str, ir.Tensor] = {}
        cls = config.get("class_name")
        cfg = config.get("config", {})
        if cls not in ("Functional", "Model", "Sequential"):
            raise ConvertError(f"{source}: a Keras {cls} model; only functional and Sequential models are supported")
        self.layers = cfg["layers"] if isinstance(cfg, dict) else cfg
        self.sequential = cls == "Sequential"
        self.graph = ir.Graph(name=(cfg.get("name") if isinstance(cfg, dict) else None) or "keras")
        self.input_size = input_size
        outs = cfg.get("output_layers", []) if not self.sequential else None
        if outs and isinstance(outs[0], str):   # Keras 3 writes a single output as [name, 0, 0]
            outs = [outs]
        self.outputs = [o[0] for o in outs] if outs is not None else None

    # ---- helpers ----
    def label(self, layer) -> str:
        in_file = self.file_names.get(layer["name"], layer["name"])
        return (f"'{layer['name']}' ({layer['class_name']}"
                + (f", '{in_file}' in the file)" if in_file != layer["name"] else ")"))

    def take(self, layer, count_ok, what) -> List[np.ndarray]:
        name = layer["name"]
        ws = self.weights.get(name)
        if ws is None:
            raise ConvertError(f"{self.source}: layer {self.label(layer)} has no weights in the file")
        if len(ws) not in count_ok:
            raise ConvertError(f"{self.source}: layer {self.label(layer)} has {len(ws)} weight arrays, "
                               f"expected {' or '.join(map(str, count_ok))} ({what})")
        self.used.add(name)
        return [np.asarray(w, dtype=np.float64) for w in ws]

    def add(self, name, inputs, options, shape, kind) -> ir.Tensor:
        out = ir.Tensor(name, list(shape))
        self.graph.ops.append(ir.Operator(name, list(inputs), [out], options, kind))
        return out

    def activation(self, layer, x: ir.Tensor, act: str) -> ir.Tensor:
        name = layer["name"]
        if act in ("linear", None):
            return x
        if act == "relu":
            return self.add(f"{name}/relu", [x], ir.ReluOptions(), x.shape, "relu")
        if act == "softmax" and len(x.shape) == 2:
            return self.add(f"{name}/softmax", [x], ir.SoftmaxOptions(), x.shape, "softmax")
        raise UnsupportedOp(self.label(layer), f"activation '{act}' is not supported (relu, linear, softmax on [N, C])")

    def pads(self, layer, c, hw, kernel, stride, dilation=(1, 1)) -> ir.Pad2D:
        mode = c.get("padding", "valid")
        if mode == "valid":
            return ir.Pad2D()
        if mode == "same":   # TensorFlow's SAME: the odd pixel at the bottom / right
            t, b = same_pads(hw[0], kernel[0], stride[0], dilation[0], True)
            l, r = same_pads(hw[1], kernel[1], stride[1], dilation[1], True)
            return ir.Pad2D(top=t, bottom=b, left=l, right=r)
        raise UnsupportedOp(self.label(layer), f"padding '{mode}' is not supported")

    @staticmethod
    def out_hw(hw, kernel, stride, pad: ir.Pad2D, dilation=(1, 1)):
        h = (hw[0] + pad.top + pad.bottom - dilation[0] * (kernel[0] - 1) - 1) // stride[0] + 1
        w = (hw[1] + pad.left + pad.right - dilation[1] * (kernel[1] - 1) - 1) // stride[1] + 1
        return h, w

    def check_window(self, layer, kernel, stride, dilation=(1, 1)) -> None:
        for what, v in (("kernel size", kernel), ("strides", stride), ("dilation rate", dilation)):
            if not all(1 <= d <= MAX_WINDOW for d in v):
                raise ConvertError(f"{self.source}: layer {self.label(layer)} has {what} {list(v)}; each must be "
                                   f"in 1..{MAX_WINDOW}")

    def check_output(self, layer, hw, out) -> None:
        if min(out) < 1:
            raise ConvertError(f"{self.source}: layer {self.label(layer)} makes an empty {out[0]}x{out[1]} output "
                               f"from its {hw[0]}x{hw[1]} input; its window is larger than the padded input")

    def check_channels_last(self, layer, c) -> None:
        if c.get("data_format", "channels_last") not in ("channels_last", None):
            raise UnsupportedOp(self.label(layer),
                                "data_format channels_first is not supported; build with channels_last")

    # ---- driver ----
    def run(self) -> ir.Graph:
        prev = None
        for layer in self.layers:
            layer.setdefault("name", layer.get("config", {}).get("name"))
            cls = layer["class_name"]
            inputs = ([prev] if prev and cls != "InputLayer" else []) if self.sequential else _inbound(layer)
            if self.sequential and prev is None and cls != "InputLayer":
                shape = layer["config"].get("batch_input_shape") or layer["config"].get("batch_shape")
                self.input_layer({"name": "input", "class_name": "InputLayer", "config": {"batch_shape": shape}})
                inputs = ["input"]
            handler = getattr(self, "layer_" + cls, None)
            if handler is None:
                raise UnsupportedOp(self.label(layer), f"Keras layer {cls} has no incept equivalent")
            xs = []
            for n in inputs:
                if n not in self.acts:
                    raise UnsupportedOp(self.label(layer), f"its input '{n}' is not produced by an earlier layer")
                xs.append(self.acts[n])
            self.acts[layer["name"]] = handler(layer, layer.get("config", {}), xs)
            prev = layer["name"]
        outputs = self.outputs if self.outputs is not None else [prev]
        if len(outputs) != 1:
            raise ConvertError(f"{self.source}: the model has {len(outputs)} outputs; incept models have one")
        if not self.graph.inputs:
            raise ConvertError(f"{self.source}: the model has no InputLayer")
        self.graph.outputs = [self.acts[outputs[0]]]
        unused = sorted(n for n, ws in self.weights.items() if ws and n not in self.used)
        if unused:
            raise ConvertError(f"{self.source}: weights of layers {', '.join(unused[:5])} are not used by the "
                               "model's graph; the file is inconsistent")
        n, h, w, c = self.graph.inputs[0].shape
        self.graph.metadata.input_size = ir.Size2D(h, w)
        return self.graph

    # ---- layers (Keras class name after "layer_") ----
    def input_layer(self, layer) -> ir.Tensor:
        c = layer["config"]
        shape = c.get("batch_shape") or c.get("batch_input_shape")
        if not shape or len(shape) != 4:
            raise ConvertError(f"{self.source}: input '{layer['name']}' has shape {shape}; "
                               "expected an image [N, H, W, C]")
        if shape[1] is not None and shape[2] is not None:
            self.graph.source_input_size = (int(shape[1]), int(shape[2]))
        h, w = self.input_size or (shape[1], shape[2])
        if h is None or w is None:
            raise ConvertError(f"{self.source}: input '{layer['name']}' has no fixed height/width; "
                               "pass --input-size N (or HxW)")
        if shape[3] is None:
            raise ConvertError(f"{self.source}: input '{layer['name']}' has no fixed channel count")
        if self.graph.inputs:
            raise ConvertError(f"{self.source}: the model has more than one input; incept models take one image")
        t = ir.Tensor(layer["name"], [1, int(h), int(w), int(shape[3])])
        self.graph.inputs = [t]
        self.acts[layer["name"]] = t
        return t

    def layer_InputLayer(self, layer, c, xs):
        return self.input_layer(layer)

    def layer_Conv2D(self, layer, c, xs):
        self.check_channels_last(layer, c)
        (x,) = xs
        if int(c.get("groups", 1)) != 1:
            raise UnsupportedOp(self.label(layer), "grouped convolution is not supported")
        ws = self.take(layer, (2,) if c.get("use_bias", True) else (1,),
                       "kernel" + (", bias" if c.get("use_bias", True) else ""))
        k = ws[0]
        kernel, stride, dilation = _pair(c["kernel_size"]), _pair(c.get("strides", 1)), _pair(c.get("dilation_rate", 1))
        if k.ndim != 4 or tuple(k.shape[:3]) != (*kernel, x.shape[3]) or k.shape[3] != int(c["filters"]):
            raise ConvertError(f"{self.source}: layer {self.label(layer)} kernel has shape {list(k.shape)}, expected "
                               f"{[*kernel, x.shape[3], int(c['filters'])]}")
        if len(ws) == 2 and ws[1].shape != (k.shape[3],):
            raise ConvertError(f"{self.source}: layer {self.label(layer)} bias has shape {list(ws[1].shape)}, "
                               f"expected [{k.shape[3]}]")
        bias = ws[1] if len(ws) == 2 else np.zeros(k.shape[3])
        self.check_window(layer, kernel, stride, dilation)
        pad = self.pads(layer, c, x.shape[1:3], kernel, stride, dilation)
        h, w = self.out_hw(x.shape[1:3], kernel, stride, pad, dilation)
        self.check_output(layer, x.shape[1:3], (h, w))
        name = layer["name"]
        opts = ir.Conv2DOptions(ir.Size2D(*kernel), ir.Size2D(*stride), pad, ir.Size2D(*dilation), 1)
        wt = ir.Tensor(f"{name}/kernel", list(k.transpose(3, 0, 1, 2).shape),
                       data=np.ascontiguousarray(k.transpose(3, 0, 1, 2)))
        bt = ir.Tensor(f"{name}/bias", [k.shape[3]], data=np.ascontiguousarray(bias.reshape(-1)))
        y = self.add(name, [x, wt, bt], opts, [1, h, w, k.shape[3]], "Conv2D")
        return self.activation(layer, y, c.get("activation", "linear"))

    def layer_BatchNormalization(self, layer, c, xs):
        (x,) = xs
        axis = c.get("axis", -1)
        axis = axis[0] if isinstance(axis, list) and len(axis) == 1 else axis
        if not isinstance(axis, int) or axis % len(x.shape) != len(x.shape) - 1:
            raise UnsupportedOp(self.label(layer),
                                f"normalisation over axis {axis}: only the channel axis (last) is supported")
        scale, center = bool(c.get("scale", True)), bool(c.get("center", True))
        ws = self.take(layer, (2 + scale + center,), ("gamma, " if scale else "") + ("beta, " if center else "")
                       + "moving_mean, moving_variance")
        ch = x.shape[-1]
        if any(w.shape != (ch,) for w in ws):
            raise ConvertError(f"{self.source}: layer {self.label(layer)} weights have shapes "
                               f"{[list(w.shape) for w in ws]}, expected [{ch}] each")
        gamma = ws.pop(0) if scale else np.ones(ch)
        beta = ws.pop(0) if center else np.zeros(ch)
        return self.add(layer["name"], [x],
                        ir.BatchNormOptions(gamma, beta, ws[0], ws[1], float(c.get("epsilon", 1e-3))),
                        x.shape, "BatchNormalization")

    def layer_Activation(self, layer, c, xs):
        (x,) = xs
        return self.activation(layer, x, c.get("activation"))

    def layer_ReLU(self, layer, c, xs):
        (x,) = xs
        if (c.get("max_value") is not None or float(c.get("negative_slope", 0) or 0) != 0
                or float(c.get("threshold", 0) or 0) != 0):
            raise UnsupportedOp(self.label(layer),
                                "only a plain ReLU (no max_value, negative_slope or threshold) is supported")
        return self.activation(layer, x, "relu")

    def _pool(self, layer, c, xs, max_pool: bool):
        self.check_channels_last(layer, c)
        (x,) = xs
        kernel = _pair(c.get("pool_size", 2))
        stride = _pair(c.get("strides") or kernel)
        self.check_window(layer, kernel, stride)
        pad = self.pads(layer, c, x.shape[1:3], kernel, stride)
        h, w = self.out_hw(x.shape[1:3], kernel, stride, pad)
        self.check_output(layer, x.shape[1:3], (h, w))
        args = (ir.Size2D(*kernel), ir.Size2D(*stride), pad, False)
        opts = ir.MaxPool2DOptions(*args) if max_pool else ir.AvgPool2DOptions(*args, count_include_pad=False)
        return self.add(layer["name"], [x], opts, [1, h, w, x.shape[3]], layer["class_name"])

    def layer_MaxPooling2D(self, layer, c, xs):
        return self._pool(layer, c, xs, True)

    def layer_AveragePooling2D(self, layer, c, xs):
        return self._pool(layer, c, xs, False)

    def layer_ZeroPadding2D(self, layer, c, xs):
        self.check_channels_last(layer, c)
        (x,) = xs
        p = c.get("padding", 1)
        (t, b), (l, r) = ((p, p), (p, p)) if isinstance(p, int) else [_pair(v) for v in p]
        return self.add(layer["name"], [x], ir.PadOptions(ir.Pad2D(top=t, bottom=b, left=l, right=r)),
                        [1, x.shape[1] + t + b, x.shape[2] + l + r, x.shape[3]], "ZeroPadding2D")

    def layer_Concatenate(self, layer, c, xs):
        rank = len(xs[0].shape)
        if int(c.get("axis", -1)) % rank != rank - 1:
            raise UnsupportedOp(self.label(layer),
                                f"concat along axis {c.get('axis')}: only channels (the last axis) are supported")
        if any(x.shape[:-1] != xs[0].shape[:-1] for x in xs):
            raise UnsupportedOp(self.label(layer), f"inputs of shapes {[x.shape for x in xs]} do not concatenate")
        return self.add(layer["name"], xs, ir.ConcatOptions(rank - 1),
                        [*xs[0].shape[:-1], sum(x.shape[-1] for x in xs)], "Concatenate")

    def _residual(self, layer, xs, scale: float):
        if len(xs) != 2 or xs[0].shape != xs[1].shape:
            raise UnsupportedOp(self.label(layer),
                                f"a residual scale needs two inputs of one shape, got {[x.shape for x in xs]}")
        name = layer["name"]
        y = self.add(f"{name}/scale", [xs[1]], ir.ScaleOptions(np.asarray(float(scale))), xs[1].shape, "scale")
        return self.add(name, [xs[0], y], ir.AddOptions(), xs[0].shape, layer["class_name"])

    def layer_CustomScaleLayer(self, layer, c, xs):   # Keras 3 keras.applications InceptionResNetV2
        return self._residual(layer, xs, float(c["scale"]))

    def layer_Lambda(self, layer, c, xs):   # tf.keras keras.applications InceptionResNetV2 (see module doc)
        args = c.get("arguments") or {}
        if len(xs) != 2 or set(args) != {"scale"} or not isinstance(args["scale"], (int, float)):
            raise UnsupportedOp(self.label(layer), "a Lambda layer holds Python code the converter does not run; "
                                "only keras.applications' residual scaling (two inputs, arguments {'scale': s}) "
                                "is recognised")
        return self._residual(layer, xs, float(args["scale"]))

    def layer_Add(self, layer, c, xs):
        if len(xs) != 2 or xs[0].shape != xs[1].shape:
            raise UnsupportedOp(self.label(layer),
                                f"only the sum of two same-shape tensors is supported, got {[x.shape for x in xs]}")
        return self.add(layer["name"], xs, ir.AddOptions(), xs[0].shape, "Add")

    def layer_GlobalAveragePooling2D(self, layer, c, xs):
        self.check_channels_last(layer, c)
        (x,) = xs
        n, _, _, ch = x.shape
        pooled = self.add(f"{layer['name']}/pool" if not c.get("keepdims") else layer["name"], [x],
                          ir.GlobalAvgPoolOptions(), [n, 1, 1, ch], "GlobalAveragePooling2D")
        if c.get("keepdims"):
            return pooled
        return self.add(layer["name"], [pooled], ir.FlattenOptions(), [n, ch], "GlobalAveragePooling2D")

    def layer_Flatten(self, layer, c, xs):
        (x,) = xs
        if len(x.shape) == 2:
            return x
        if len(x.shape) == 4 and x.shape[1] == x.shape[2] == 1:
            return self.add(layer["name"], [x], ir.FlattenOptions(), [x.shape[0], x.shape[3]], "Flatten")
        raise UnsupportedOp(self.label(layer), f"flattening {x.shape}: only [N, 1, 1, C] -> [N, C] is supported")

    def layer_Dropout(self, layer, c, xs):
        (x,) = xs
        return x

    def layer_Dense(self, layer, c, xs):
        (x,) = xs
        if len(x.shape) != 2:
            raise UnsupportedOp(self.label(layer),
                                f"a Dense layer on a rank-{len(x.shape)} tensor; only [N, C] inputs are supported")
        use_bias = c.get("use_bias", True)
        ws = self.take(layer, (2,) if use_bias else (1,), "kernel" + (", bias" if use_bias else ""))
        k = ws[0]
        if k.shape != (x.shape[1], int(c["units"])):
            raise ConvertError(f"{self.source}: layer {self.label(layer)} kernel has shape {list(k.shape)}, expected "
                               f"{[x.shape[1], int(c['units'])]}")
        name = layer["name"]
        wt = ir.Tensor(f"{name}/kernel", [k.shape[1], k.shape[0]], data=np.ascontiguousarray(k.T))
        if use_bias and ws[1].shape != (k.shape[1],):
            raise ConvertError(f"{self.source}: layer {self.label(layer)} bias has shape {list(ws[1].shape)}, "
                               f"expected [{k.shape[1]}]")
        bias = ws[1] if use_bias else np.zeros(k.shape[1])
        bt = ir.Tensor(f"{name}/bias", [k.shape[1]], data=np.ascontiguousarray(bias.reshape(-1)))
        y = self.add(name, [x, wt, bt], ir.FullyConnectedOptions(), [x.shape[0], k.shape[1]], "Dense")
        return self.activation(layer, y, c.get("activation", "linear"))


def import_keras(path: str, input_size=None) -> Tuple[ir.Graph, str]:
    """(IR of the Keras model at `path` before passes, the model's name)."""
    config, weights = load(path)
    try:
        g = KerasImporter(config, weights, path, input_size).run()
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, RecursionError) as e:
        raise ConvertError(f"{path}: its model config is not one the converter understands ({type(e).__name__}: "
                           f"{short_reason(e, 120)}); save a functional or Sequential model with Keras") from None
    return g, g.name
