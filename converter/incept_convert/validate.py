# SPDX-License-Identifier: Apache-2.0
"""Final check of a graph before writing: execution order, weight shapes, and every op's output shape
recomputed with the runtime's rules (schema/model.fbs) against the shape the importer declared.

A mismatch means the source framework and incept disagree on an op's meaning (for instance ONNX's and
PyTorch's ceil_mode rules), so the conversion is refused rather than written wrong.
"""

import math
from typing import List

import numpy as np

from . import ir
from .errors import ConvertError, UnsupportedOp

LRN_MAX_SIZE = 4096   # ops::kMaxLrnSize


def pool_out(size: int, k: int, s: int, pad_a: int, pad_b: int, ceil: bool) -> int:
    """Output length of a pooling window sweep; with ceil rounding a last window starting inside the
    end padding is dropped (PyTorch's rule, the one the schema documents)."""
    num = size + pad_a + pad_b - k
    out = (-(-num // s) if ceil else num // s) + 1
    if ceil and (out - 1) * s >= size + pad_a:
        out -= 1
    return out


def _spatial(op: ir.Operator, o, x: List[int], kernel: ir.Size2D, dilation: ir.Size2D, ceil: bool) -> List[int]:
    n, h, w, c = x
    if min(kernel.h, kernel.w, o.stride.h, o.stride.w, dilation.h, dilation.w) < 1 or min(
            o.pad.top, o.pad.bottom, o.pad.left, o.pad.right) < 0:
        raise UnsupportedOp(op.label, f"kernel {kernel}, stride {o.stride}, dilation {dilation} must be >= 1 and pad "
                            f"{o.pad} >= 0")
    eh, ew = dilation.h * (kernel.h - 1) + 1, dilation.w * (kernel.w - 1) + 1
    oh = pool_out(h, eh, o.stride.h, o.pad.top, o.pad.bottom, ceil)
    ow = pool_out(w, ew, o.stride.w, o.pad.left, o.pad.right, ceil)
    return [n, oh, ow, c]


def infer_shape(op: ir.Operator) -> List[int]:
    """Output shape of a schema op from its inputs' shapes (NHWC), or UnsupportedOp."""
    o, xs = op.options, [t.shape if t is not None else None for t in op.inputs]
    x = xs[0]

    def need(cond: bool, what: str) -> None:
        if not cond:
            raise UnsupportedOp(op.label, what)

    if isinstance(o, ir.Conv2DOptions):
        need(len(x) == 4 and len(xs) == 3, f"Conv2D needs [input, weights, bias] and a 4-D input, got {xs}")
        wo, kh, kw, wi = xs[1]
        need(o.groups >= 1 and x[3] % o.groups == 0 and wo % o.groups == 0 and wi * o.groups == x[3],
             f"weights OHWI {xs[1]} and groups {o.groups} do not match {x[3]} input channels")
        need((kh, kw) == (o.kernel.h, o.kernel.w), f"weights {xs[1]} do not match kernel {o.kernel}")
        need(xs[2] == [wo], f"bias {xs[2]} should be [{wo}]")
        return _spatial(op, o, x, o.kernel, o.dilation, False)[:3] + [wo]
    if isinstance(o, (ir.MaxPool2DOptions, ir.AvgPool2DOptions)):
        need(len(x) == 4, f"pooling needs a 4-D input, got {x}")
        return _spatial(op, o, x, o.kernel, ir.Size2D(1, 1), o.ceil_mode)
    if isinstance(o, ir.ConcatOptions):
        need(len({len(s) for s in xs}) == 1 and 0 <= o.axis < len(x), f"concat axis {o.axis} of shapes {xs}")
        need(all(s[:o.axis] + s[o.axis + 1:] == x[:o.axis] + x[o.axis + 1:] for s in xs),
             f"concat inputs {xs} differ outside axis {o.axis}")
        return x[:o.axis] + [sum(s[o.axis] for s in xs)] + x[o.axis + 1:]
    if isinstance(o, ir.GlobalAvgPoolOptions):
        need(len(x) == 4, f"GlobalAvgPool needs a 4-D input, got {x}")
        return [x[0], x[3]]
    if isinstance(o, ir.FullyConnectedOptions):
        need(len(x) == 2 and len(xs) == 3 and len(xs[1]) == 2 and xs[1][1] == x[1] and xs[2] == [xs[1][0]],
             f"FullyConnected needs input [N,in], weights [out,in], bias [out]; got {xs}")
        return [x[0], xs[1][0]]
    if isinstance(o, ir.AddOptions):
        need(len(xs) == 2 and xs[0] == xs[1], f"Add needs two inputs of one shape, got {xs}")
        return list(x)
    if isinstance(o, ir.SoftmaxOptions):
        return list(x)
    if isinstance(o, ir.LRNOptions):
        need(len(x) == 4, f"LRN needs a 4-D input, got {x}")
        need(1 <= o.size <= LRN_MAX_SIZE, f"LRN size {o.size} is outside 1..{LRN_MAX_SIZE}")
        need(math.isfinite(o.alpha) and o.alpha >= 0 and math.isfinite(o.beta) and math.isfinite(o.bias) and o.bias > 0,
             f"LRN alpha {o.alpha}, beta {o.beta}, bias {o.bias}: incept needs alpha >= 0 and bias > 0 (so the base "
             "bias + alpha/size * sum(x^2) is never 0 or negative), all finite")
        return list(x)
    raise UnsupportedOp(op.label, f"{op.kind} is not a schema op")


def check_graph(g: ir.Graph) -> None:
    if len(g.inputs) != 1 or len(g.inputs[0].shape) != 4:
        raise UnsupportedOp("graph", f"expected one 4-D NHWC input, got {[t.shape for t in g.inputs]}")
    if not g.outputs:
        raise UnsupportedOp("graph", "the graph has no outputs")
    ready = {id(t) for t in g.inputs}
    for op in g.ops:
        for i, t in enumerate(op.inputs):
            if t is not None and not t.is_constant and id(t) not in ready:
                raise UnsupportedOp(op.label, f"input {i} '{t.name}' is used before it is computed")
        for t in op.outputs:
            if id(t) in ready or t.is_constant:
                raise UnsupportedOp(op.label, f"output '{t.name}' is written twice or is a constant")
        for t in op.inputs + op.outputs:
            if t is not None and (not t.shape or min(t.shape) < 1):
                raise UnsupportedOp(op.label, f"tensor '{t.name}' has an invalid shape {t.shape}")
            if t is not None and t.dtype != ir.DType.FLOAT32 and not t.is_constant:
                raise UnsupportedOp(op.label, f"activation '{t.name}' is {t.dtype.name}; only weights may be narrow")
            if t is not None and t.is_constant and not np.isfinite(t.data).all():
                bad = ~np.isfinite(t.data)
                first = [int(i) for i in np.argwhere(bad)[0]]
                raise ConvertError(f"node {op.label}: weights '{t.name}' hold {int(bad.sum())} NaN or "
                                   f"infinite values (first at {first}); the checkpoint is damaged or its training "
                                   "diverged")
        shape = infer_shape(op)
        if shape != list(op.outputs[0].shape):
            raise UnsupportedOp(op.label, f"the source declares output shape {op.outputs[0].shape} but incept's "
                                f"rules give {shape}; the op's semantics differ, so it cannot be converted")
        ready.update(id(t) for t in op.outputs)
    for t in g.outputs:
        if id(t) not in ready:
            raise UnsupportedOp("graph", f"output '{t.name}' is not computed by any op")
