# SPDX-License-Identifier: Apache-2.0
"""ONNX opsets 18-21 -> the opset-17 form of the same graph, before the ONNX checker and shape inference.

Debian 12's onnx (1.12) knows opsets up to 17 and IR version 8, so a model from PyTorch 2.x's dynamo
exporter (opset 18+) or a current onnx.version_converter cannot be checked or shape-inferred as it is.
Between opsets 17 and 21 the ops the importer takes changed only as follows (onnx docs/Changelog.md);
each is rewritten here to its opset-17 spelling, which means the same:
  - ReduceMean (18): `axes` moved from an attribute to an optional input, and `noop_with_empty_axes`
    came along: a constant `axes` input becomes the attribute again (no axes with the no-op flag: Identity);
  - Pad (18): an optional 4th input `axes` names the padded axes: expanded into full `pads`;
    Pad (19): mode "wrap": refused (incept pads with zeros only);
  - AveragePool (19): `dilations`: dropped when all 1, refused otherwise;
  - Reshape (19, 21), Flatten, Identity, Constant, Transpose, Pad (21): new element types only
    (float8 in 19, int4/uint4 in 21): a tensor of those types is refused by name.
Ops the importer has no handler for (Split, whose 18 added `num_outputs`, among them) are refused by name
before this step (onnx_import.to_legacy_opset). Opset 22 changed Conv, pooling, Dropout, LRN and more
(bfloat16 and other types) and is refused, as is anything newer: the message names the file's opset and
the highest supported.
"""

from typing import Dict

import numpy as np
import onnx
import onnx.external_data_helper
from onnx import helper, numpy_helper

from .errors import ConvertError, UnsupportedOp, short_reason

LEGACY_OPSET, LEGACY_IR_VERSION = 17, 8   # what Debian's onnx 1.12 checks and infers
MAX_OPSET = 21
# TensorProto element types onnx 1.12 does not know: FLOAT8E4M3FN .. FLOAT8E5M2FNUZ (IR 9), UINT4, INT4 (IR 10).
NEW_ELEMENT_TYPES = {17: "FLOAT8E4M3FN", 18: "FLOAT8E4M3FNUZ", 19: "FLOAT8E5M2", 20: "FLOAT8E5M2FNUZ", 21: "UINT4",
                     22: "INT4", 23: "FLOAT4E2M1"}


# Element types a constant may have (onnx.TensorProto): the numeric ones; strings and complex numbers are refused.
NUMERIC_TYPES = {1: "FLOAT", 2: "UINT8", 3: "INT8", 4: "UINT16", 5: "INT16", 6: "INT32", 7: "INT64", 9: "BOOL",
                 10: "FLOAT16", 11: "DOUBLE", 12: "UINT32", 13: "UINT64"}
MAX_CONSTANT_ELEMENTS = 1 << 30   # the runtime's limit on one tensor, and far beyond any Inception weight


def to_array(t: onnx.TensorProto, source: str, what: str = "initializer") -> np.ndarray:
    """numpy_helper.to_array(t) after checking what it takes on trust: a numeric element type, dims >= 0 whose
    product is bounded, and stored data of exactly that many elements (a file is hostile input)."""
    where = f"{source}: {what} '{t.name}'"
    if t.data_type not in NUMERIC_TYPES:
        known = t.data_type in onnx.TensorProto.DataType.values()
        name = onnx.TensorProto.DataType.Name(t.data_type) if known else f"number {t.data_type}"
        raise ConvertError(f"{where} has element type {name}; constants must be numeric "
                           f"({', '.join(NUMERIC_TYPES.values())})")
    count = 1
    for d in t.dims:
        if d < 0:
            raise ConvertError(f"{where} has dims {list(t.dims)}; every dim must be >= 0")
        count *= d
    if count > MAX_CONSTANT_ELEMENTS:
        raise ConvertError(f"{where} has dims {list(t.dims)}: {count} elements, over the {MAX_CONSTANT_ELEMENTS} a "
                           "tensor may have")
    if onnx.external_data_helper.uses_external_data(t):
        raise ConvertError(f"{where} keeps its data in an external file that was not read; keep the data files next "
                           "to the .onnx")
    try:
        value = numpy_helper.to_array(t)
    except Exception as e:   # data of another length than the dims say, and the like
        raise ConvertError(f"{where} is damaged: dims {list(t.dims)} but its stored data does not match "
                           f"({short_reason(e, 120)})") from None
    if value.size != count:
        raise ConvertError(f"{where} has dims {list(t.dims)} ({count} elements) but stores {value.size}")
    return value


def default_opset(model: onnx.ModelProto) -> int:
    return next((i.version for i in model.opset_import if i.domain in ("", "ai.onnx")), 0)


def check_supported(model: onnx.ModelProto, source: str, min_opset: int) -> int:
    """The model's default-domain opset, after refusing one outside min_opset..MAX_OPSET."""
    opset = default_opset(model)
    if opset > MAX_OPSET:
        raise ConvertError(f"{source}: ONNX opset {opset} is newer than this converter reads (the highest supported is "
                           f"{MAX_OPSET}; opsets {min_opset}-{MAX_OPSET}); re-export with opset_version={MAX_OPSET} or "
                           "lower, or convert it with onnx.version_converter.convert_version(model, 21)")
    if opset < min_opset:
        raise ConvertError(f"{source}: ONNX opset {opset} is not supported (opsets {min_opset}-{MAX_OPSET}); "
                           "re-export with torch.onnx.export(..., opset_version=13)")
    return opset


class _Downgrader:
    def __init__(self, model: onnx.ModelProto, source: str):
        self.model = model
        self.source = source
        self.consts: Dict[str, np.ndarray] = {}
        self.ranks: Dict[str, int] = {}
        g = model.graph
        for t in g.initializer:
            self._check_type(t.data_type, f"initializer '{t.name}'")
        for vi in list(g.input) + list(g.value_info) + list(g.output):
            tt = vi.type.tensor_type
            self._check_type(tt.elem_type, f"value '{vi.name}'")
            if tt.HasField("shape"):
                self.ranks[vi.name] = len(tt.shape.dim)
        self.consts = {t.name: to_array(t, source) for t in g.initializer}

    def _check_type(self, elem_type: int, where: str) -> None:
        if elem_type in NEW_ELEMENT_TYPES:
            raise ConvertError(f"{self.source}: {where} has element type {NEW_ELEMENT_TYPES[elem_type]}, which incept "
                               "does not read; export the weights as float32")

    def const(self, node, i: int, what: str) -> np.ndarray:
        name = node.input[i]
        if name not in self.consts:
            raise UnsupportedOp(node, f"its {what} (input {i} '{name}') must be a constant")
        return self.consts[name]

    def run(self) -> None:
        for node in self.model.graph.node:
            if node.domain not in ("", "ai.onnx"):
                continue   # refused by the importer, by name
            if node.op_type == "Constant":
                for a in node.attribute:
                    if a.name == "value":
                        self._check_type(a.t.data_type, f"Constant '{node.name or node.output[0]}'")
                self._record_constant(node)
            handler = getattr(self, "op_" + node.op_type, None)
            if handler is not None:
                handler(node)
        self.model.ir_version = min(self.model.ir_version, LEGACY_IR_VERSION)
        for i in self.model.opset_import:
            if i.domain in ("", "ai.onnx"):
                i.version = LEGACY_OPSET

    def _record_constant(self, node) -> None:
        for a in node.attribute:
            if a.name == "value":
                self.consts[node.output[0]] = to_array(a.t, self.source, f"Constant '{node.name}' value")
            elif a.name == "value_ints":
                self.consts[node.output[0]] = np.array(list(a.ints), dtype=np.int64)

    @staticmethod
    def _drop_attribute(node, name: str):
        kept = [a for a in node.attribute if a.name != name]
        dropped = [a for a in node.attribute if a.name == name]
        del node.attribute[:]
        node.attribute.extend(kept)
        return helper.get_attribute_value(dropped[0]) if dropped else None

    def op_ReduceMean(self, node) -> None:
        noop = self._drop_attribute(node, "noop_with_empty_axes")
        axes = None
        if len(node.input) > 1 and node.input[1]:
            axes = [int(v) for v in np.asarray(self.const(node, 1, "axes")).ravel()]
        del node.input[1:]
        if axes:
            node.attribute.append(helper.make_attribute("axes", axes))
        elif noop:   # no axes and noop_with_empty_axes=1: the input unchanged
            self._drop_attribute(node, "keepdims")
            node.op_type = "Identity"

    def op_Pad(self, node) -> None:
        mode = next((helper.get_attribute_value(a) for a in node.attribute if a.name == "mode"), b"constant")
        if mode == b"wrap":
            raise UnsupportedOp(node, "mode 'wrap' is not supported (incept pads with zeros only)")
        if len(node.input) < 4 or not node.input[3]:
            del node.input[3:]
            return
        axes = [int(v) for v in np.asarray(self.const(node, 3, "axes")).ravel()]
        pads = [int(v) for v in np.asarray(self.const(node, 1, "pads")).ravel()]
        rank = self.ranks.get(node.input[0], 4)   # incept pads NCHW tensors only: 4 when no shape is recorded
        if len(pads) != 2 * len(axes) or any(not -rank <= a < rank for a in axes):
            raise UnsupportedOp(node, f"pads {pads} and axes {axes} do not match (2 pads per axis, axes of a "
                                f"rank-{rank} tensor)")
        full = [0] * (2 * rank)
        for j, axis in enumerate(axes):
            full[axis % rank], full[rank + axis % rank] = pads[j], pads[len(axes) + j]
        name = f"{node.output[0]}.pads"
        self.model.graph.initializer.append(numpy_helper.from_array(np.array(full, dtype=np.int64), name))
        self.consts[name] = np.array(full, dtype=np.int64)
        node.input[1] = name
        del node.input[3:]

    def op_AveragePool(self, node) -> None:
        dilations = self._drop_attribute(node, "dilations")
        if dilations is not None and any(int(d) != 1 for d in dilations):
            raise UnsupportedOp(node, f"dilations {list(dilations)}: dilated average pooling is not supported")


def to_legacy_opset(model: onnx.ModelProto, source: str, min_opset: int) -> onnx.ModelProto:
    """`model` itself when its opset is min_opset..17; for 18..21 a copy rewritten to opset 17 (see above).
    Refuses an opset outside min_opset..MAX_OPSET."""
    opset = check_supported(model, source, min_opset)
    if opset <= LEGACY_OPSET:
        return model
    out = onnx.ModelProto()
    out.CopyFrom(model)
    _Downgrader(out, source).run()
    return out
