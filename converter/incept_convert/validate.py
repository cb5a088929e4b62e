# SPDX-License-Identifier: Apache-2.0
"""Final check of a graph before writing: execution order, each op's inputs (arity, activations vs
constants), weight shapes, and every op's output shape recomputed with the runtime's rules
(schema/model.fbs; the rules live in opspec.py) against the shape the importer declared.

A mismatch means the source framework and incept disagree on an op's meaning (for instance ONNX's and
PyTorch's ceil_mode rules), so the conversion is refused rather than written wrong.
"""

from typing import List

import numpy as np

from . import ir, opspec
from .errors import ConvertError, UnsupportedOp
from .opspec import pool_out  # noqa: F401  (where the tests' reference runners import it from)


def infer_shape(op: ir.Operator) -> List[int]:
    """Output shape of a schema op from its inputs' shapes (NHWC), or UnsupportedOp."""
    spec = opspec.get(op)
    if spec is None or not spec.schema:
        raise UnsupportedOp(op.label, f"{op.kind} is not a schema op")
    return spec.shape(op, [t.shape if t is not None else None for t in op.inputs])


def check_inputs(op: ir.Operator) -> None:
    """Arity and input roles as opspec states them (the runtime's loader checks the same): an activation
    where the op computes on one, a constant for weights and bias, and only a bias may be absent."""
    spec = opspec.get(op)
    if spec is None or not spec.schema:
        raise UnsupportedOp(op.label, f"{op.kind} is not a schema op")
    if not spec.min_inputs <= len(op.inputs) <= spec.max_inputs:
        raise UnsupportedOp(op.label, f"takes {spec.min_inputs}..{spec.max_inputs} inputs, got "
                            f"{len(op.inputs)}")
    for j, t in enumerate(op.inputs):
        role = spec.role(j)
        if t is None:
            if role != opspec.Role.BIAS:
                raise UnsupportedOp(op.label, f"input {j} ({role.value}) is absent; only a bias may be")
        elif t.is_constant != (role != opspec.Role.ACTIVATION):
            want = ("an activation (no data)" if role == opspec.Role.ACTIVATION
                    else f"a constant with data ({role.value})")
            raise UnsupportedOp(op.label, f"input {j} '{t.name}' must be {want}")


QUANT_RANGE = {ir.DType.INT8: (-128, 127), ir.DType.UINT8: (0, 255)}


def check_activation_dtype(op: ir.Operator, t: ir.Tensor) -> None:
    """An activation is FLOAT32 without QuantParams, or INT8 / UINT8 with valid ones (the loader's rules)."""
    if t.dtype == ir.DType.FLOAT32:
        if t.quant is not None:
            raise UnsupportedOp(op.label, f"float32 activation '{t.name}' carries QuantParams")
        return
    if t.dtype not in QUANT_RANGE:
        raise UnsupportedOp(op.label, f"activation '{t.name}' is {t.dtype.name}; activations are FLOAT32, INT8 "
                            f"or UINT8")
    q, (lo, hi) = t.quant, QUANT_RANGE[t.dtype]
    if q is None:
        raise UnsupportedOp(op.label, f"8-bit activation '{t.name}' has no QuantParams")
    if not (np.isfinite(q.scale) and q.scale > 0 and lo <= q.zero_point <= hi):
        raise UnsupportedOp(op.label, f"activation '{t.name}': QuantParams {q} out of range (scale finite > 0, "
                            f"zero point in [{lo}, {hi}])")


def check_graph(g: ir.Graph) -> None:
    if len(g.inputs) != 1 or len(g.inputs[0].shape) != 4:
        raise UnsupportedOp("graph", f"expected one 4-D NHWC input, got {[t.shape for t in g.inputs]}")
    if not g.outputs:
        raise UnsupportedOp("graph", "the graph has no outputs")
    ready = {id(t) for t in g.inputs}
    for op in g.ops:
        check_inputs(op)
        for i, t in enumerate(op.inputs):
            if t is not None and not t.is_constant and id(t) not in ready:
                raise UnsupportedOp(op.label, f"input {i} '{t.name}' is used before it is computed")
        for t in op.outputs:
            if id(t) in ready or t.is_constant:
                raise UnsupportedOp(op.label, f"output '{t.name}' is written twice or is a constant")
        for t in op.inputs + op.outputs:
            if t is not None and (not t.shape or min(t.shape) < 1):
                raise UnsupportedOp(op.label, f"tensor '{t.name}' has an invalid shape {t.shape}")
            if t is not None and not t.is_constant:
                check_activation_dtype(op, t)
            if t is not None and t.is_constant and t.dtype == ir.DType.UINT8:
                raise UnsupportedOp(op.label, f"constant '{t.name}' is UINT8; weights are FLOAT32, FLOAT16 or INT8")
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
        if t.dtype != ir.DType.FLOAT32:
            raise UnsupportedOp("graph", f"output '{t.name}' is {t.dtype.name}; graph outputs are FLOAT32")
    for op in g.ops:
        if isinstance(op.options, ir.ConcatOptions):
            out = op.outputs[0]
            for t in op.inputs:
                if t.dtype != out.dtype or t.quant != out.quant:
                    raise UnsupportedOp(op.label, f"input '{t.name}' ({t.dtype.name}, {t.quant}) differs from the "
                                        f"output's ({out.dtype.name}, {out.quant}); concat inputs share its storage")
