# SPDX-License-Identifier: Apache-2.0
"""Rewrites an opset-11..17 ONNX model into the spelling of opsets 18-21 (the input forms those opsets
introduced for the ops the importer takes), so the default suite can build such models with Debian's onnx
1.12. fixtures/ holds opset-18 and -21 models made by the real onnx version converter (make_fixtures.py)."""

import numpy as np
import onnx
from onnx import helper, numpy_helper

IR_VERSION = {18: 8, 19: 9, 20: 9, 21: 10}   # onnx's opset -> IR version table


def _take_attribute(node, name):
    found = [a for a in node.attribute if a.name == name]
    kept = [a for a in node.attribute if a.name != name]
    del node.attribute[:]
    node.attribute.extend(kept)
    return helper.get_attribute_value(found[0]) if found else None


def upgrade(model: onnx.ModelProto, opset: int, pad_axes=(2, 3)) -> onnx.ModelProto:
    """A copy of `model` at `opset`: ReduceMean axes as an input (18), Pad's pads over `pad_axes` only with
    an `axes` input (18), AveragePool with explicit dilations (19)."""
    out = onnx.ModelProto()
    out.CopyFrom(model)
    g = out.graph
    consts = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    for node in g.node:
        if node.op_type == "Constant":
            consts[node.output[0]] = numpy_helper.to_array(node.attribute[0].t)
        if node.op_type == "ReduceMean":
            axes = _take_attribute(node, "axes")
            if axes is not None:
                name = f"{node.output[0]}.axes"
                g.initializer.append(numpy_helper.from_array(np.array(axes, dtype=np.int64), name))
                del node.input[1:]
                node.input.append(name)
        elif node.op_type == "Pad" and pad_axes is not None:
            full = [int(v) for v in consts[node.input[1]]]
            rank = len(full) // 2
            axes = list(pad_axes)
            pads = [full[a % rank] for a in axes] + [full[rank + a % rank] for a in axes]
            assert sum(pads) == sum(full), "the model pads other axes too"
            name = f"{node.output[0]}.pads18"
            g.initializer.append(numpy_helper.from_array(np.array(pads, dtype=np.int64), name))
            g.initializer.append(numpy_helper.from_array(np.array(axes, dtype=np.int64), name + ".axes"))
            while len(node.input) < 3:
                node.input.append("")
            node.input[1] = name
            del node.input[3:]
            node.input.append(name + ".axes")
        elif node.op_type == "AveragePool" and opset >= 19:
            node.attribute.append(helper.make_attribute("dilations", [1, 1]))
    for i in out.opset_import:
        if i.domain in ("", "ai.onnx"):
            i.version = opset
    out.ir_version = IR_VERSION[opset]
    return out
