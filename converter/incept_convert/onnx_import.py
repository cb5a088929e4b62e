# SPDX-License-Identifier: Apache-2.0
"""ONNX (opset 11-21) -> graph IR.

Opsets 18-21 are first rewritten to their opset-17 form (onnx_opset.py), so Debian's onnx can check
and shape-infer them; beyond 21 a model is refused, naming its opset and the highest supported.

One handler per ONNX op type turns a node into IR ops (schema ops, or transient ones that passes.py
folds away: BatchNormalization, Relu, Pad, Identity/Dropout, Flatten/Reshape, the Add of a MatMul
bias, Mul by a constant). Shapes come from onnx.shape_inference on a copy of the model whose input is made static
(batch 1; H and W from --input-size when given); NCHW shapes become NHWC, OIHW weights OHWI.
Constants (initializers, Constant nodes, Identity of a constant) are tracked by value. Anything
outside this set raises UnsupportedOp naming the node.
"""

from typing import Dict, List, Optional, Sequence

import numpy as np
import onnx
import onnx.external_data_helper
from google.protobuf.descriptor import FieldDescriptor
from onnx import helper

from . import ir, onnx_opset
from .onnx_windows import WindowOps
from .errors import ConvertError, UnsupportedOp, node_label, short_reason

MIN_OPSET, MAX_OPSET = 11, onnx_opset.MAX_OPSET
SUPPORTED = ("Conv, BatchNormalization, Relu, MaxPool, AveragePool, Pad, Concat, GlobalAveragePool, "
             "ReduceMean (over H and W), Flatten, Reshape, Gemm, MatMul, Add, Mul (by a constant), Softmax, Dropout, "
             "Identity, Constant, Transpose (of a constant), LRN")

# Window attributes and their lowest valid value; MAX_WINDOW bounds them all (far beyond any Inception window).
WINDOW_ATTRIBUTES = {"kernel_shape": 1, "strides": 1, "dilations": 1, "pads": 0}
MAX_WINDOW = 1 << 16


def _refuse_unknown(node) -> None:
    if node.domain not in ("", "ai.onnx"):
        raise UnsupportedOp(node, f"custom domain '{node.domain}' is not supported; export with standard ONNX ops only")
    if not hasattr(OnnxImporter, "op_" + node.op_type):
        raise UnsupportedOp(node, f"op type {node.op_type} has no incept equivalent (supported: {SUPPORTED}); "
                            "remove or replace it in the model before converting")


def to_legacy_opset(model: onnx.ModelProto, source: str) -> onnx.ModelProto:
    """Refuses an opset outside MIN_OPSET..MAX_OPSET; rewrites 18-21 to opset 17 (onnx_opset.py). Nodes the
    importer has no handler for are refused first, by name, before the opset-17 checker could trip on them."""
    if onnx_opset.check_supported(model, source, MIN_OPSET) > onnx_opset.LEGACY_OPSET:
        for node in model.graph.node:
            _refuse_unknown(node)
    return onnx_opset.to_legacy_opset(model, source, MIN_OPSET)


def _non_utf8(message, where: str) -> Optional[str]:
    """Where the first string field that is not UTF-8 sits (protobuf hands such a field over as bytes, which
    every later step would trip on), or None."""
    for field, value in message.ListFields():
        repeated = field.label == FieldDescriptor.LABEL_REPEATED
        if field.type == FieldDescriptor.TYPE_MESSAGE:
            for i, m in enumerate(value if repeated else [value]):
                found = _non_utf8(m, f"{where}.{field.name}" + (f"[{i}]" if repeated else ""))
                if found:
                    return found
        elif field.type == FieldDescriptor.TYPE_STRING:
            if any(isinstance(v, bytes) for v in (value if repeated else [value])):
                return f"{where}.{field.name}"
    return None


def load_model(data: bytes, source: str, base_dir: Optional[str] = None) -> onnx.ModelProto:
    """Parses ONNX bytes (weights stored as external data are read from `base_dir`); a file that is not a
    valid ONNX model raises ConvertError."""
    try:
        model = onnx.load_model_from_string(data)
    except Exception as e:  # protobuf DecodeError and friends
        raise ConvertError(f"{source} is not a readable ONNX model ({short_reason(e)}); "
                           "check that the file is complete and really .onnx") from None
    bad = _non_utf8(model, "model")
    if bad:
        raise ConvertError(f"{source} is not a valid ONNX model: its {bad} is not UTF-8 text")
    if base_dir is not None and any(onnx.external_data_helper.uses_external_data(t) for t in model.graph.initializer):
        try:
            onnx.external_data_helper.load_external_data_for_model(model, base_dir)
        except Exception as e:
            raise ConvertError(f"{source}: cannot read its external weight data ({short_reason(e)}); keep the "
                               "data files next to the .onnx") from None
    if not model.graph.node:
        raise ConvertError(f"{source} has an empty ONNX graph (no nodes); "
                           "check that the file is complete and really .onnx")
    model = to_legacy_opset(model, source)
    try:
        onnx.checker.check_model(model)
    except Exception as e:
        raise ConvertError(f"{source} is not a valid ONNX model: {short_reason(e)}") from None
    return model


def _dims(value_info) -> Optional[List[Optional[int]]]:
    t = value_info.type.tensor_type
    if not t.HasField("shape"):
        return None
    return [d.dim_value if d.HasField("dim_value") else None for d in t.shape.dim]


def _nhwc(shape: Sequence[int]) -> List[int]:
    return [shape[0], shape[2], shape[3], shape[1]] if len(shape) == 4 else list(shape)


class OnnxImporter(WindowOps):
    def __init__(self, model: onnx.ModelProto, source: str, input_size=None):
        self.source = source
        model = to_legacy_opset(model, source)   # a no-op for what load_model() returned
        self.opset = onnx_opset.default_opset(model)
        self.model = onnx.ModelProto()
        self.model.CopyFrom(model)
        self.consts: Dict[str, np.ndarray] = {}
        for t in self.model.graph.initializer:
            self.consts[t.name] = onnx_opset.to_array(t, source)
        self.acts: Dict[str, ir.Tensor] = {}
        self.graph = ir.Graph(name=self.model.graph.name)
        self._fix_input(input_size)
        self.shapes = self._infer_shapes()

    # ---- setup ----
    def _fix_input(self, input_size) -> None:
        inputs = [i for i in self.model.graph.input if i.name not in self.consts]
        if len(inputs) != 1:
            raise ConvertError(f"{self.source}: the graph has {len(inputs)} inputs "
                               f"({', '.join(i.name for i in inputs)}); incept models take exactly one image input")
        inp = inputs[0]
        tt = inp.type.tensor_type
        if tt.elem_type != onnx.TensorProto.FLOAT:
            raise ConvertError(f"{self.source}: input '{inp.name}' has element type "
                               f"{onnx.TensorProto.DataType.Name(tt.elem_type)}; incept takes float32 input")
        dims = tt.shape.dim
        if len(dims) != 4:
            raise ConvertError(f"{self.source}: input '{inp.name}' has rank {len(dims)}; "
                               "expected an NCHW image [N,3,H,W]")
        if dims[0].HasField("dim_value") and dims[0].dim_value != 1:
            raise ConvertError(f"{self.source}: input '{inp.name}' has a fixed batch of {dims[0].dim_value}; "
                               "re-export with batch 1 (or a dynamic batch axis)")
        dims[0].dim_value = 1
        if all(d.HasField("dim_value") and d.dim_value > 0 for d in dims[2:]):
            self.graph.source_input_size = (dims[2].dim_value, dims[3].dim_value)
        if input_size is not None:
            dims[2].dim_value, dims[3].dim_value = input_size
        for axis, what in ((1, "channel count"), (2, "height"), (3, "width")):
            if not dims[axis].HasField("dim_value") or dims[axis].dim_value <= 0:
                raise ConvertError(f"{self.source}: input '{inp.name}' has no fixed {what}; "
                                   + ("pass --input-size N (or HxW)" if axis > 1
                                      else "export with a fixed channel count"))
        del self.model.graph.value_info[:]   # stale once the input shape changed; inference recomputes them

    def _check_attributes(self) -> None:
        """ONNX shape inference (C++) trusts some attributes: a zero stride divides by zero there and kills the
        process. So every node whose op has no handler is refused first, and window attributes are checked."""
        for node in self.model.graph.node:
            _refuse_unknown(node)
            for a in node.attribute:
                low = WINDOW_ATTRIBUTES.get(a.name)
                if low is not None and any(not low <= v <= MAX_WINDOW for v in a.ints):
                    raise UnsupportedOp(node, f"{a.name} {list(a.ints)}: each value must be in {low}..{MAX_WINDOW}")

    def _infer_shapes(self) -> Dict[str, List[Optional[int]]]:
        self._check_attributes()
        try:
            inferred = onnx.shape_inference.infer_shapes(self.model, check_type=True, strict_mode=True, data_prop=True)
        except Exception as e:
            raise ConvertError(f"{self.source}: ONNX shape inference failed ({short_reason(e)}); "
                               "check the model, or the value given to --input-size") from None
        g = inferred.graph
        return {vi.name: _dims(vi) for vi in list(g.input) + list(g.value_info) + list(g.output)}

    # ---- helpers used by handlers ----
    def shape(self, node, name: str) -> List[int]:
        s = self.shapes.get(name)
        if s is None or any(d is None for d in s):
            raise UnsupportedOp(node, f"the shape of '{name}' is unknown after ONNX shape inference ({s}); "
                                "export with static shapes (batch 1 and fixed H, W)")
        return s

    def has_input(self, node, i: int) -> bool:
        return i < len(node.input) and node.input[i] != ""

    def act(self, node, i: int) -> ir.Tensor:
        name = node.input[i]
        if name in self.acts:
            return self.acts[name]
        if name in self.consts:
            raise UnsupportedOp(node, f"input {i} '{name}' is a constant where incept needs a computed tensor; "
                                "constant-fold the model first (e.g. onnx-simplifier)")
        raise UnsupportedOp(node, f"input {i} '{name}' is not produced by any earlier node "
                                  "(graph not in topological order?)")

    def const(self, node, i: int, optional: bool = False) -> Optional[np.ndarray]:
        if not self.has_input(node, i):
            if optional:
                return None
            raise UnsupportedOp(node, f"required input {i} is missing")
        name = node.input[i]
        if name not in self.consts:
            raise UnsupportedOp(node, f"input {i} '{name}' must be a constant (initializer); incept cannot take "
                                "weights computed at run time")
        return self.consts[name]

    def new_act(self, node, j: int = 0, shape: Optional[List[int]] = None) -> ir.Tensor:
        name = node.output[j]
        t = ir.Tensor(name, shape if shape is not None else _nhwc(self.shape(node, name)))
        self.acts[name] = t
        return t

    def add(self, node, inputs, options, outputs=None) -> ir.Operator:
        op = ir.Operator(node.name or node.output[0], list(inputs), outputs or [self.new_act(node)], options,
                         node.op_type)
        self.graph.ops.append(op)
        return op

    @staticmethod
    def weight(name: str, data: np.ndarray) -> ir.Tensor:
        data = np.ascontiguousarray(data, dtype=np.float64)
        return ir.Tensor(name, list(data.shape), data=data)

    def only_first_output(self, node) -> None:
        if any(o for o in node.output[1:]):
            raise UnsupportedOp(node, "only the first output is supported (extra outputs are used: "
                                f"{', '.join(o for o in node.output[1:] if o)})")

    # ---- driver ----
    def run(self) -> ir.Graph:
        g = self.model.graph
        inp = next(i for i in g.input if i.name not in self.consts)
        t = ir.Tensor(inp.name, _nhwc(self.shapes[inp.name]))
        self.acts[inp.name] = t
        self.graph.inputs = [t]
        for node in g.node:
            _refuse_unknown(node)
            handler = getattr(self, "op_" + node.op_type)
            attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
            attrs = {k: v.decode() if isinstance(v, bytes) else v for k, v in attrs.items()}
            handler(node, attrs)
        for out in g.output:
            if out.name not in self.acts:
                raise ConvertError(f"{self.source}: graph output '{out.name}' is "
                                   + ("a constant" if out.name in self.consts else "not produced by any node"))
            self.graph.outputs.append(self.acts[out.name])
        n, h, w, c = self.graph.inputs[0].shape
        self.graph.metadata.input_size = ir.Size2D(h, w)
        return self.graph

    # ---- op handlers (ONNX op type after "op_") ----
    def op_Constant(self, node, a):
        if "value" in a:
            value = onnx_opset.to_array(a["value"], self.source, f"Constant {node_label(node)} value")
        elif "value_float" in a or "value_int" in a:
            value = np.array(a.get("value_float", a.get("value_int")))
        elif "value_floats" in a or "value_ints" in a:
            value = np.array(a.get("value_floats", a.get("value_ints")))
        else:
            raise UnsupportedOp(node, f"Constant with attribute(s) {sorted(a)} is not supported")
        self.consts[node.output[0]] = value

    def op_Identity(self, node, a):
        if node.input[0] in self.consts:
            self.consts[node.output[0]] = self.consts[node.input[0]]
        else:
            self.add(node, [self.act(node, 0)], ir.IdentityOptions())

    def op_Dropout(self, node, a):
        if self.has_input(node, 2) and bool(np.any(self.const(node, 2))):
            raise UnsupportedOp(node, "Dropout in training mode; export the model in eval mode (model.eval())")
        self.only_first_output(node)
        self.op_Identity(node, a)

    def op_Conv(self, node, a):
        x, w = self.act(node, 0), self.const(node, 1)
        if w.ndim != 4:
            raise UnsupportedOp(node, f"weights of rank {w.ndim}: only 2-D convolutions are supported")
        o, _, kh, kw = w.shape
        kernel, stride = [int(v) for v in a.get("kernel_shape", [kh, kw])], [int(v) for v in a.get("strides", [1, 1])]
        dilation = [int(v) for v in a.get("dilations", [1, 1])]
        if kernel != [kh, kw]:
            raise UnsupportedOp(node, f"kernel_shape {kernel} does not match the weights' {[kh, kw]}")
        b = self.const(node, 2, optional=True)
        b = np.zeros(o) if b is None else b
        if b.shape != (o,):
            raise UnsupportedOp(node, f"bias of shape {list(b.shape)}, expected [{o}]")
        pad = self.pads(node, a, x.shape[1:3], kernel, stride, dilation)
        opts = ir.Conv2DOptions(ir.Size2D(*kernel), ir.Size2D(*stride), pad, ir.Size2D(*dilation),
                                int(a.get("group", 1)))
        wname = node.input[1]
        bname = node.input[2] if self.has_input(node, 2) else f"{node.output[0]}.bias"
        self.add(node, [x, self.weight(wname, w.transpose(0, 2, 3, 1)), self.weight(bname, b)], opts)

    def op_BatchNormalization(self, node, a):
        if a.get("training_mode", 0):
            raise UnsupportedOp(node, "BatchNormalization in training mode; export the model in eval mode")
        self.only_first_output(node)
        x = self.act(node, 0)
        scale, bias, mean, var = (np.asarray(self.const(node, i), dtype=np.float64) for i in range(1, 5))
        c = x.shape[-1]
        if any(v.shape != (c,) for v in (scale, bias, mean, var)):
            raise UnsupportedOp(node, f"parameters must all have shape [{c}]")
        self.add(node, [x], ir.BatchNormOptions(scale, bias, mean, var, float(a.get("epsilon", 1e-5))))

    def op_Relu(self, node, a):
        self.add(node, [self.act(node, 0)], ir.ReluOptions())

    def op_Concat(self, node, a):
        xs = [self.act(node, i) for i in range(len(node.input))]
        rank = len(xs[0].shape)
        axis = int(a["axis"]) % rank
        if axis != 1 or rank not in (2, 4):
            raise UnsupportedOp(node, f"concat along axis {a['axis']} of a rank-{rank} tensor: "
                                      "only channels (axis 1) are supported")
        self.add(node, xs, ir.ConcatOptions(3 if rank == 4 else 1))

    def _flatten_or_identity(self, node, out_shape) -> None:
        x = self.act(node, 0)
        in_shape = self.shape(node, node.input[0])
        if list(out_shape) == list(in_shape):
            self.add(node, [x], ir.IdentityOptions())
        elif len(in_shape) == 4 and in_shape[2] == in_shape[3] == 1 and list(out_shape) == in_shape[:2]:
            self.add(node, [x], ir.FlattenOptions(), [self.new_act(node, 0, list(out_shape))])
        else:
            raise UnsupportedOp(node, f"reshape from {in_shape} to {list(out_shape)}: "
                                      "only [N,C,1,1] -> [N,C] is supported")

    def op_Flatten(self, node, a):
        in_shape = self.shape(node, node.input[0])
        axis = int(a.get("axis", 1)) % max(len(in_shape), 1)
        self._flatten_or_identity(node, [int(np.prod(in_shape[:axis])), int(np.prod(in_shape[axis:]))])

    def op_Reshape(self, node, a):
        self.const(node, 1)
        self._flatten_or_identity(node, self.shape(node, node.output[0]))

    def _fully_connected(self, node, x, w, b) -> None:
        if len(x.shape) != 2 or w.ndim != 2 or w.shape[1] != x.shape[1]:
            raise UnsupportedOp(node, f"input {x.shape} and weights [out,in]={list(w.shape)}: expected a [N, in] input")
        out = w.shape[0]
        b = np.zeros(out) if b is None else np.asarray(b, dtype=np.float64)
        if b.size == 1:
            b = np.full(out, float(b.ravel()[0]))
        if b.size != out or b.ndim > 2:
            raise UnsupportedOp(node, f"bias of shape {list(b.shape)} does not broadcast to [{out}]")
        wname = node.input[1]
        bname = node.input[2] if self.has_input(node, 2) else f"{node.output[0]}.bias"
        self.add(node, [x, self.weight(wname, w), self.weight(bname, b.reshape(out))], ir.FullyConnectedOptions())

    def op_Gemm(self, node, a):
        if a.get("transA", 0):
            raise UnsupportedOp(node, "transA=1 is not supported (the input must be [N, in])")
        x, w = self.act(node, 0), np.asarray(self.const(node, 1), dtype=np.float64)
        w = w if a.get("transB", 0) else w.T
        c = self.const(node, 2, optional=True)
        b = None if c is None else float(a.get("beta", 1.0)) * np.asarray(c, dtype=np.float64)
        self._fully_connected(node, x, float(a.get("alpha", 1.0)) * w, b)

    def op_Transpose(self, node, a):
        # Only of a constant (a bias-free Linear exports as Transpose(W) -> MatMul): folded by value.
        if node.input[0] not in self.consts:
            raise UnsupportedOp(node, "Transpose of a computed tensor is not supported (only of a constant)")
        self.consts[node.output[0]] = np.transpose(self.consts[node.input[0]], a.get("perm"))

    def op_MatMul(self, node, a):
        self._fully_connected(node, self.act(node, 0), np.asarray(self.const(node, 1), dtype=np.float64).T, None)

    def op_Add(self, node, a):
        names = list(node.input)
        if names[0] in self.consts or names[1] in self.consts:
            ci = 0 if names[0] in self.consts else 1
            x = self.act(node, 1 - ci)
            self.add(node, [x], ir.BiasAddOptions(np.asarray(self.consts[names[ci]], dtype=np.float64)))
            return
        x, y = self.act(node, 0), self.act(node, 1)
        if x.shape != y.shape:
            raise UnsupportedOp(node, f"Add of shapes {x.shape} and {y.shape}: only same-shape addition is supported")
        self.add(node, [x, y], ir.AddOptions())

    def op_Mul(self, node, a):
        ci = next((i for i in (0, 1) if node.input[i] in self.consts), None)
        if ci is None:
            raise UnsupportedOp(node, "Mul of two computed tensors is not supported (only scaling by a constant)")
        x = self.act(node, 1 - ci)
        self.add(node, [x], ir.ScaleOptions(np.asarray(self.consts[node.input[ci]], dtype=np.float64)))

    def op_Softmax(self, node, a):
        x = self.act(node, 0)
        rank = len(x.shape)
        axis = int(a.get("axis", -1 if self.opset >= 13 else 1)) % rank
        if not (axis == rank - 1 == 1 or (rank == 4 and axis == 1 and self.opset >= 13)):
            raise UnsupportedOp(node, f"softmax over axis {a.get('axis')} of a rank-{rank} tensor: "
                                      "only the channel axis is supported")
        self.add(node, [x], ir.SoftmaxOptions())

    def op_LRN(self, node, a):
        x = self.act(node, 0)
        if len(x.shape) != 4:
            raise UnsupportedOp(node, f"LRN over a rank-{len(x.shape)} tensor: only NCHW images are supported")
        if "size" not in a:
            raise UnsupportedOp(node, "the required attribute 'size' is missing")
        self.add(node, [x], ir.LRNOptions(int(a["size"]), float(a.get("alpha", 1e-4)), float(a.get("beta", 0.75)),
                                          float(a.get("bias", 1.0))))


def import_onnx(model: onnx.ModelProto, source: str, input_size=None) -> ir.Graph:
    """The IR of `model` (before passes). `input_size` = (H, W) overrides the input's spatial size."""
    return OnnxImporter(model, source, input_size).run()
