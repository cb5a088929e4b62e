# SPDX-License-Identifier: Apache-2.0
"""Graph passes: turn the imported IR into one that uses schema ops only.

run_all() applies, in order:
  remove_identities  Identity/Dropout (and no-op Reshape) disappear; graph outputs keep their names.
  fold_affine        BatchNorm, Mul by a constant (residual scaling) and Add of a constant (MatMul +
                     Add) after a Conv/FullyConnected whose output feeds only it, in float64: for BN
                     w' = w * s, b' = (b - mean) * s + beta with s = gamma / sqrt(var + eps).
  merge_pad          zero Pad before Conv (pads add up) or AvgPool (pads add up, count_include_pad=1,
                     which is what explicit zeros mean; refused if the pool excludes its own padding).
                     With ceil_mode the merged pool's divisor (window clipped to the padded extent) is
                     the one of the pool over the explicitly padded tensor; validate.py refuses the
                     case where the two would produce a different number of windows.
  global_pool        AvgPool over the whole input followed by Flatten -> GlobalAvgPool; GlobalAvgPool's
                     output becomes [N, C] and the Flatten ops that read it disappear.
  fuse_relu          Relu -> the producer's `activation` (a Concat passes it on to its inputs).
  remove_dead_ops    ops nothing reads.
Each refuses with UnsupportedOp when the pattern cannot be expressed; check() then proves only schema
ops are left (validate.py checks shapes and order).
"""

from typing import List

import numpy as np

from . import ir, opspec
from .errors import UnsupportedOp


def _single_use(g: ir.Graph, t: ir.Tensor) -> bool:
    return len(g.consumers().get(id(t), [])) == 1 and not g.is_output(t)


def _drop(g: ir.Graph, op: ir.Operator) -> None:
    """Removes `op`, which maps its input 0 to its output 0 unchanged: readers of the output read the input."""
    src, dst = op.inputs[0], op.outputs[0]
    g.ops.remove(op)
    if g.is_output(dst) and not g.is_output(src) and not any(src is i for i in g.inputs):
        src.name = dst.name   # keep the graph output's name (e.g. "logits")
    g.replace_uses(dst, src)


def remove_identities(g: ir.Graph) -> None:
    for op in [op for op in g.ops if isinstance(op.options, ir.IdentityOptions)]:
        _drop(g, op)


def _fold_target(g: ir.Graph, op: ir.Operator, what: str) -> ir.Operator:
    """The Conv/FullyConnected (an opspec fold_target) whose output only `op` reads, with no activation yet."""
    prod = g.producers().get(id(op.inputs[0]))
    if (prod is None or not opspec.of(prod).fold_target
            or prod.options.activation != ir.Activation.NONE or not _single_use(g, prod.outputs[0])):
        src = prod.label if prod is not None else "the graph input"
        raise UnsupportedOp(op.label, f"{what} must directly follow a Conv or Gemm whose output feeds only it "
                            f"(it follows {src}); incept has no standalone {what}")
    return prod


def _replace_const(t, data: np.ndarray, name: str) -> ir.Tensor:
    """A constant holding `data`, stored like `t` (float32 where `t` is None: a bias the op did not have)."""
    dtype = t.dtype if t is not None else ir.DType.FLOAT32
    return ir.Tensor(name, list(data.shape), dtype, np.ascontiguousarray(data, dtype=np.float64))


def _move_output(g: ir.Graph, target: ir.Operator, op: ir.Operator) -> None:
    """`target` now computes what `op` computed: it writes `op`'s output and `op` goes away."""
    g.ops.remove(op)
    target.outputs[0] = op.outputs[0]


def fold_affine(g: ir.Graph) -> None:
    """BatchNorm, Mul by a constant and Add of a constant (opspec folds), in graph order (so chains fold
    too), into the Conv/FullyConnected before them: all per output channel, all in float64. A target
    without a bias gets one."""
    for op in [op for op in g.ops if opspec.of(op).fold is not None]:
        fold = opspec.of(op).fold
        target = _fold_target(g, op, fold.what)
        spec = opspec.of(target)
        wi, bi = spec.index(opspec.Role.WEIGHTS), spec.index(opspec.Role.BIAS)
        w = target.inputs[wi]
        b = target.inputs[bi] if bi < len(target.inputs) else None
        c, rank = w.data.shape[0], len(target.outputs[0].shape)
        affine = fold.affine(op, c, rank)
        if affine is None:
            raise UnsupportedOp(op.label, f"its constant is not a scalar or per-channel value for {target.label}")
        scale, shift = affine
        shape = (-1,) + (1,) * (w.data.ndim - 1)
        bias = b.data if b is not None else np.zeros(c)
        target.inputs[wi] = _replace_const(w, w.data * scale.reshape(shape), f"{target.name}.weight")
        target.inputs[bi:] = [_replace_const(b, bias * scale + shift, f"{target.name}.bias")]
        _move_output(g, target, op)


def merge_pad(g: ir.Graph) -> None:
    for pad_op in [op for op in g.ops if isinstance(op.options, ir.PadOptions)]:
        readers = g.consumers().get(id(pad_op.outputs[0]), [])
        if g.is_output(pad_op.outputs[0]) or not readers:
            raise UnsupportedOp(pad_op.label, "a Pad must be read by Conv or AveragePool ops only")
        p = pad_op.options.pad
        for r in readers:
            o = r.options
            if not (opspec.of(r).merges_pad and r.inputs[0] is pad_op.outputs[0]):
                raise UnsupportedOp(pad_op.label, f"it feeds {r.label}; a zero Pad can only be merged into Conv or "
                                    "AveragePool (incept has no standalone Pad)")
            if not (getattr(o, "count_include_pad", True) or o.pad.is_zero()):
                raise UnsupportedOp(pad_op.label, f"it feeds {r.label}, which excludes its own padding from the "
                                    "average (count_include_pad=0); the two paddings cannot be merged")
        for r in readers:
            r.options.pad = r.options.pad + p
            if hasattr(r.options, "count_include_pad"):
                r.options.count_include_pad = True   # the explicit zeros are counted
            r.inputs[0] = pad_op.inputs[0]
        g.ops.remove(pad_op)


def global_pool(g: ir.Graph) -> None:
    flat_inputs = {id(op.inputs[0]) for op in g.ops if isinstance(op.options, ir.FlattenOptions)}
    for op in g.ops:
        o = op.options
        if isinstance(o, ir.AvgPool2DOptions) and id(op.outputs[0]) in flat_inputs:
            _, h, w, _ = op.inputs[0].shape
            if (o.kernel.h, o.kernel.w) == (h, w) and o.pad.is_zero() and op.outputs[0].shape[1:3] == [1, 1]:
                op.options = ir.GlobalAvgPoolOptions()
    for gap in [op for op in g.ops if isinstance(op.options, ir.GlobalAvgPoolOptions)]:
        out = gap.outputs[0]
        for r in g.consumers().get(id(out), []):
            if not isinstance(r.options, ir.FlattenOptions):
                raise UnsupportedOp(gap.label, f"its [N,C,1,1] output feeds {r.label}; incept's GlobalAvgPool "
                                    "produces [N, C], so only Flatten/Reshape to [N, C] may read it")
        if g.is_output(out):
            raise UnsupportedOp(gap.label, "a GlobalAveragePool output [N,C,1,1] cannot be a graph output; flatten it")
        out.shape = [out.shape[0], out.shape[3]]
    for flat in [op for op in g.ops if isinstance(op.options, ir.FlattenOptions)]:
        prod = g.producers().get(id(flat.inputs[0]))
        if prod is None or not isinstance(prod.options, ir.GlobalAvgPoolOptions):
            raise UnsupportedOp(flat.label, "only the output of a global average pool can be flattened to [N, C] "
                                "(incept has no standalone Reshape)")
        _drop(g, flat)


def _fusable(g: ir.Graph, prod, t: ir.Tensor) -> bool:
    return (prod is not None and opspec.of(prod).activation and prod.options.activation == ir.Activation.NONE
            and _single_use(g, t))


def fuse_relu(g: ir.Graph) -> None:
    for relu in [op for op in g.ops if isinstance(op.options, ir.ReluOptions)]:
        x = relu.inputs[0]
        producers = g.producers()
        prod = producers.get(id(x))
        if _fusable(g, prod, x):
            prod.options.activation = ir.Activation.RELU
            _move_output(g, prod, relu)
            continue
        if prod is not None and opspec.of(prod).relu_to_inputs and _single_use(g, x):
            branch = [(producers.get(id(t)), t) for t in prod.inputs]
            if all(_fusable(g, p, t) for p, t in branch) and len({id(p) for p, _ in branch}) == len(branch):
                for p, _ in branch:
                    p.options.activation = ir.Activation.RELU
                _move_output(g, prod, relu)
                continue
        src = prod.label if prod is not None else "the graph input"
        raise UnsupportedOp(relu.label, f"cannot fuse into {src} (it needs an op with an activation field whose "
                            "output feeds only this Relu); incept has no standalone Relu")


def remove_dead_ops(g: ir.Graph) -> None:
    changed = True
    while changed:
        uses = g.consumers()
        dead = [op for op in g.ops if not any(id(t) in uses or g.is_output(t) for t in op.outputs)]
        for op in dead:
            g.ops.remove(op)
        changed = bool(dead)


def check(g: ir.Graph) -> None:
    for op in g.ops:
        spec = opspec.get(op)
        if spec is None or not spec.schema:
            raise UnsupportedOp(op.label, f"{op.kind} is left after the passes; it has no incept equivalent here")


PASSES: List = [remove_identities, remove_dead_ops, fold_affine, merge_pad, global_pool,
                fuse_relu, remove_dead_ops, check]


def run_all(g: ir.Graph) -> ir.Graph:
    for p in PASSES:
        p(g)
    return g
