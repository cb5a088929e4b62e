#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the converter fuzzing seeds, tests/fuzz/converter/seeds/<format>/: tiny valid checkpoints, each a
few KB, that convert (exit 0) and together reach every reader path the fuzzers mutate.

    /usr/bin/python3 tests/fuzz/converter/make_seeds.py      (then commit seeds/; seeded, so reruns are stable
                                                              up to torch's own export bytes)
  safetensors/micro_F32, micro_F16, micro_BF16   fuzz_micro's seeded state_dict (convfuzz.register_micro)
  pth/micro.pth                                  the same state_dict, torch.save() (a zip archive)
  onnx/micro.onnx                                fuzz_micro exported by torch (opset 13, BatchNormalization kept)
  onnx/branches.onnx                             onnx.helper graph at opset 18: Conv, MaxPool, AveragePool, Concat,
                                                 ReduceMean, Flatten, Gemm, Softmax
  keras_h5/functional.h5, keras_h5/sequential.h5 whole-model .h5 files (Keras 3 and tf.keras 2 config spellings)
  keras_zip/functional.keras                     the functional model as a Keras 3 .keras zip
"""

import io
import json
import struct
import sys
import zipfile
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import convfuzz  # noqa: E402

SEED = 7


def micro_state():
    import torch
    from incept_convert import zoo
    convfuzz.register_micro()
    torch.manual_seed(SEED)
    model = zoo.build(convfuzz.MICRO_ARCH, num_classes=convfuzz.MICRO_CLASSES)
    with torch.no_grad():
        bn = model.conv1.bn
        bn.running_mean.uniform_(-0.5, 0.5)
        bn.running_var.uniform_(0.5, 1.5)
    return model


def safetensors_bytes(state, dtype: str) -> bytes:
    import torch
    header, body = {"__metadata__": {"format": "pt"}}, b""
    for name, t in state.items():
        if t.is_floating_point():
            t = t.to({"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}[dtype])
            raw = (t.view(torch.int16) if dtype == "BF16" else t).contiguous().numpy().tobytes()
            kind = dtype
        else:
            raw, kind = t.contiguous().numpy().astype("<i8").tobytes(), "I64"
        header[name] = {"dtype": kind, "shape": list(t.shape), "data_offsets": [len(body), len(body) + len(raw)]}
        body += raw
    text = json.dumps(header).encode()
    return struct.pack("<Q", len(text)) + text + body


def branches_onnx() -> bytes:
    from onnx import TensorProto, helper, numpy_helper
    rng = np.random.default_rng(SEED)

    def const(name, shape):
        return numpy_helper.from_array(rng.standard_normal(shape).astype(np.float32), name)

    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], name="conv1", kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"], name="relu1"),
        helper.make_node("MaxPool", ["r1"], ["m1"], name="pool_max", kernel_shape=[3, 3], strides=[1, 1],
                         pads=[1, 1, 1, 1]),
        helper.make_node("AveragePool", ["r1"], ["a1"], name="pool_avg", kernel_shape=[3, 3], strides=[1, 1],
                         pads=[1, 1, 1, 1], count_include_pad=0),
        helper.make_node("Conv", ["a1", "w2"], ["c2"], name="conv2", kernel_shape=[1, 1], strides=[1, 1]),
        helper.make_node("Concat", ["m1", "c2"], ["cat"], name="concat", axis=1),
        helper.make_node("ReduceMean", ["cat", "axes"], ["gap"], name="gap", keepdims=1),
        helper.make_node("Flatten", ["gap"], ["flat"], name="flatten", axis=1),
        helper.make_node("Gemm", ["flat", "wf", "bf"], ["fc"], name="fc", transB=1),
        helper.make_node("Softmax", ["fc"], ["y"], name="softmax", axis=1),
    ]
    inits = [const("w1", (4, 3, 3, 3)), const("b1", (4,)), const("w2", (2, 4, 1, 1)), const("wf", (3, 6)),
             const("bf", (3,)), numpy_helper.from_array(np.array([2, 3], np.int64), "axes")]
    graph = helper.make_graph(nodes, "branches", [helper.make_tensor_value_info("x", TensorProto.FLOAT,
                                                                                [1, 3, 8, 8])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 3])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 18)], ir_version=8)
    return model.SerializeToString()


def _tensor(layer: str, shape):
    return {"class_name": "__keras_tensor__", "config": {"shape": shape, "dtype": "float32",
                                                         "keras_history": [layer, 0, 0]}}


def keras_functional():
    """(config, {layer: [(weight name, array)]}) of a small functional model in Keras 3's spelling."""
    rng = np.random.default_rng(SEED)
    w = lambda *shape: rng.standard_normal(shape).astype(np.float32)   # noqa: E731

    def layer(cls, name, config, inputs):
        args = [_tensor(n, s) for n, s in inputs]
        return {"class_name": cls, "name": name, "config": dict(config, name=name),
                "inbound_nodes": [{"args": [args] if len(args) > 1 else args, "kwargs": {}}] if inputs else []}

    layers = [
        {"class_name": "InputLayer", "name": "input", "config": {"batch_shape": [None, 8, 8, 3], "name": "input"},
         "inbound_nodes": []},
        layer("Conv2D", "conv", {"filters": 4, "kernel_size": [3, 3], "strides": [2, 2], "padding": "same",
                                 "activation": "linear", "use_bias": False, "data_format": "channels_last"},
              [("input", [None, 8, 8, 3])]),
        layer("BatchNormalization", "bn", {"axis": 3, "epsilon": 0.001, "center": True, "scale": False},
              [("conv", [None, 4, 4, 4])]),
        layer("Activation", "relu", {"activation": "relu"}, [("bn", [None, 4, 4, 4])]),
        layer("MaxPooling2D", "maxpool", {"pool_size": [3, 3], "strides": [1, 1], "padding": "same"},
              [("relu", [None, 4, 4, 4])]),
        layer("Conv2D", "conv_b", {"filters": 2, "kernel_size": [1, 1], "strides": [1, 1], "padding": "valid",
                                   "activation": "relu", "use_bias": True}, [("relu", [None, 4, 4, 4])]),
        layer("Concatenate", "mixed", {"axis": -1}, [("maxpool", [None, 4, 4, 4]), ("conv_b", [None, 4, 4, 2])]),
        layer("GlobalAveragePooling2D", "gap", {"data_format": "channels_last"}, [("mixed", [None, 4, 4, 6])]),
        layer("Dropout", "dropout", {"rate": 0.2}, [("gap", [None, 6])]),
        layer("Dense", "predictions", {"units": 3, "activation": "softmax", "use_bias": True},
              [("dropout", [None, 6])]),
    ]
    config = {"module": "keras.src.models.functional", "class_name": "Functional",
              "config": {"name": "micro", "trainable": True, "layers": layers, "input_layers": ["input", 0, 0],
                         "output_layers": ["predictions", 0, 0]}}
    weights = {"conv": [("kernel", w(3, 3, 3, 4))],
               "bn": [("beta", w(4)), ("moving_mean", w(4)), ("moving_variance", np.abs(w(4)) + 0.5)],
               "conv_b": [("kernel", w(1, 1, 4, 2)), ("bias", w(2))],
               "predictions": [("kernel", w(6, 3)), ("bias", w(3))]}
    return config, weights


def keras_sequential():
    rng = np.random.default_rng(SEED + 1)
    layers = [{"class_name": "Conv2D", "config": {"name": "c", "filters": 4, "kernel_size": [1, 1], "strides": [1, 1],
                                                  "padding": "valid", "activation": "relu", "use_bias": True,
                                                  "batch_input_shape": [None, 6, 6, 3]}},
              {"class_name": "GlobalAveragePooling2D", "config": {"name": "gap"}},
              {"class_name": "Dense", "config": {"name": "d", "units": 2, "activation": "linear", "use_bias": True}}]
    config = {"class_name": "Sequential", "config": {"name": "seq", "layers": layers}}
    weights = {"c": [("kernel", rng.standard_normal((1, 1, 3, 4)).astype(np.float32)),
                     ("bias", rng.standard_normal(4).astype(np.float32))],
               "d": [("kernel", rng.standard_normal((4, 2)).astype(np.float32)),
                     ("bias", rng.standard_normal(2).astype(np.float32))]}
    return config, weights


def legacy_h5(config, weights) -> bytes:
    """A whole-model .h5 as Keras's legacy writer lays it out: model_config, model_weights/<layer>/<layer>/<w>."""
    import h5py
    buf = io.BytesIO()
    names = [layer.get("name") or layer["config"]["name"] for layer in config["config"]["layers"]]
    with h5py.File(buf, "w", libver="earliest") as f:
        f.attrs["model_config"] = json.dumps(config).encode()
        f.attrs["keras_version"] = b"3.5.0"
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = np.array([n.encode() for n in names])
        for n in names:
            lg = g.create_group(n)
            ws = weights.get(n, [])
            lg.attrs["weight_names"] = np.array([f"{n}/{wn}".encode() for wn, _ in ws])
            for wn, a in ws:
                lg[f"{n}/{wn}"] = a
    return buf.getvalue()


def keras3_zip(config, weights) -> bytes:
    """A Keras 3 .keras zip: metadata.json, config.json, model.weights.h5 (layers/<name>/vars/<i>)."""
    import h5py
    h5 = io.BytesIO()
    with h5py.File(h5, "w", libver="earliest") as f:
        layers = f.create_group("layers")
        for layer in config["config"]["layers"]:
            v = layers.create_group(layer["name"]).create_group("vars")
            v.attrs["name"] = layer["name"]
            for i, (_, a) in enumerate(weights.get(layer["name"], [])):
                v[str(i)] = a
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, payload in (("metadata.json", json.dumps({"keras_version": "3.5.0"}).encode()),
                              ("config.json", json.dumps(config).encode()), ("model.weights.h5", h5.getvalue())):
            z.writestr(zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0)), payload)
    return buf.getvalue()


def main() -> None:
    import torch
    from incept_convert import torch_import
    model = micro_state()
    state = model.state_dict()
    files = {f"safetensors/micro_{d}.safetensors": safetensors_bytes(state, d) for d in ("F32", "F16", "BF16")}
    pth = io.BytesIO()
    torch.save(state, pth)
    files["pth/micro.pth"] = pth.getvalue()
    files["onnx/micro.onnx"] = torch_import.export_onnx(model, (convfuzz.MICRO_SIZE,) * 2)
    files["onnx/branches.onnx"] = branches_onnx()
    files["keras_h5/functional.h5"] = legacy_h5(*keras_functional())
    files["keras_h5/sequential.h5"] = legacy_h5(*keras_sequential())
    files["keras_zip/functional.keras"] = keras3_zip(*keras_functional())
    for rel, data in files.items():
        path = convfuzz.SEEDS / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        print(f"{rel}: {len(data)} bytes")


if __name__ == "__main__":
    main()
