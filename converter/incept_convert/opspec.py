# SPDX-License-Identifier: Apache-2.0
"""Per-op facts in one place: for every IR op (keyed by its options class, ir.py) the role of each input,
how many inputs it takes, its output-shape rule, and what the passes may do with it. validate.py,
storage.py and passes.py read this table instead of asking each op's class.

    spec = opspec.of(op)                  # the OpSpec of an ir.Operator
    spec.min_inputs, spec.max_inputs      # arity
    spec.role(1)                          # Role.WEIGHTS for a Conv2D
    spec.index(Role.BIAS)                 # 2 for a Conv2D, None for a pool
    spec.shape(op, input_shapes)          # schema ops: the output shape by the runtime's rules

The runtime states the same roles and arity in its OpDef (ops/op_registry.h, filled at the bottom of
each ops/<op>/<op>_kernels.cc); tests/converter/test_opspec.py checks that the two sides agree.
"""

import math
from dataclasses import dataclass
from enum import Enum
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

from . import ir
from .errors import ConvertError, UnsupportedOp

LRN_MAX_SIZE = 4096   # ops::kMaxLrnSize
MAX_CONCAT_INPUTS = 1 << 16   # the runtime's Concat arity


class Role(Enum):
    """What an op input must be (the runtime's ops::InputRole)."""
    ACTIVATION = "activation"   # computed at run time: the graph input or an op's output
    WEIGHTS = "weights"         # a constant; storage.py may store it narrow (float16, int8)
    BIAS = "bias"               # a float32 constant, or absent (None; -1 in the file), which means zero


# ---- shape rules (NHWC; the runtime's ops/<op>/<op>_shape.cc) ----

def pool_out(size: int, k: int, s: int, pad_a: int, pad_b: int, ceil: bool) -> int:
    """Output length of a pooling window sweep; with ceil rounding a last window starting inside the
    end padding is dropped (PyTorch's rule, the one the schema documents)."""
    num = size + pad_a + pad_b - k
    out = (-(-num // s) if ceil else num // s) + 1
    if ceil and (out - 1) * s >= size + pad_a:
        out -= 1
    return out


def _need(op: ir.Operator, cond: bool, what: str) -> None:
    if not cond:
        raise UnsupportedOp(op.label, what)


def _spatial(op: ir.Operator, x: List[int], kernel: ir.Size2D, dilation: ir.Size2D, ceil: bool) -> List[int]:
    o = op.options
    n, h, w, c = x
    if min(kernel.h, kernel.w, o.stride.h, o.stride.w, dilation.h, dilation.w) < 1 or min(
            o.pad.top, o.pad.bottom, o.pad.left, o.pad.right) < 0:
        raise UnsupportedOp(op.label, f"kernel {kernel}, stride {o.stride}, dilation {dilation} must be >= 1 and pad "
                            f"{o.pad} >= 0")
    eh, ew = dilation.h * (kernel.h - 1) + 1, dilation.w * (kernel.w - 1) + 1
    window = "window" if op.kind != "Conv2D" else "kernel"
    for axis, k, d, size, a, b in (("height", kernel.h, dilation.h, h, o.pad.top, o.pad.bottom),
                                   ("width", kernel.w, dilation.w, w, o.pad.left, o.pad.right)):
        spread = f" (dilation {d})" if d != 1 else ""   # the runtime's rule and words (op_types.cc, conv2d_shape.cc)
        _need(op, size + a + b >= d * (k - 1) + 1,
              f"{window} {axis} {k}{spread} does not fit input {axis} {size} plus padding {a} + {b}")
    oh = pool_out(h, eh, o.stride.h, o.pad.top, o.pad.bottom, ceil)
    ow = pool_out(w, ew, o.stride.w, o.pad.left, o.pad.right, ceil)
    return [n, oh, ow, c]


def _bias_shape(xs: List[Optional[List[int]]]) -> Optional[List[int]]:
    return xs[2] if len(xs) > 2 else None


def _conv2d(op: ir.Operator, xs: List[Optional[List[int]]]) -> List[int]:
    o, x, b = op.options, xs[0], _bias_shape(xs)
    _need(op, len(x) == 4 and len(xs[1]) == 4, f"Conv2D needs a 4-D input and 4-D (OHWI) weights, got {xs}")
    wo, kh, kw, wi = xs[1]
    _need(op, o.groups >= 1 and x[3] % o.groups == 0 and wo % o.groups == 0 and wi * o.groups == x[3],
          f"weights OHWI {xs[1]} and groups {o.groups} do not match {x[3]} input channels")
    _need(op, (kh, kw) == (o.kernel.h, o.kernel.w), f"weights {xs[1]} do not match kernel {o.kernel}")
    _need(op, b is None or b == [wo], f"bias {b} should be [{wo}]")
    return _spatial(op, x, o.kernel, o.dilation, False)[:3] + [wo]


def _pool2d(op: ir.Operator, xs: List[Optional[List[int]]]) -> List[int]:
    _need(op, len(xs[0]) == 4, f"pooling needs a 4-D input, got {xs[0]}")
    return _spatial(op, xs[0], op.options.kernel, ir.Size2D(1, 1), op.options.ceil_mode)


def _concat(op: ir.Operator, xs: List[Optional[List[int]]]) -> List[int]:
    o, x = op.options, xs[0]
    _need(op, len({len(s) for s in xs}) == 1 and 0 <= o.axis < len(x), f"concat axis {o.axis} of shapes {xs}")
    _need(op, all(s[:o.axis] + s[o.axis + 1:] == x[:o.axis] + x[o.axis + 1:] for s in xs),
          f"concat inputs {xs} differ outside axis {o.axis}")
    return x[:o.axis] + [sum(s[o.axis] for s in xs)] + x[o.axis + 1:]


def _global_avg_pool(op: ir.Operator, xs: List[Optional[List[int]]]) -> List[int]:
    x = xs[0]
    _need(op, len(x) == 4, f"GlobalAvgPool needs a 4-D input, got {x}")
    return [x[0], x[3]]


def _fully_connected(op: ir.Operator, xs: List[Optional[List[int]]]) -> List[int]:
    x, w, b = xs[0], xs[1], _bias_shape(xs)
    _need(op, len(x) == 2 and len(w) == 2 and w[1] == x[1] and (b is None or b == [w[0]]),
          f"FullyConnected needs input [N,in], weights [out,in] and an optional bias [out]; got {xs}")
    return [x[0], w[0]]


def _add(op: ir.Operator, xs: List[Optional[List[int]]]) -> List[int]:
    _need(op, xs[0] == xs[1], f"Add needs two inputs of one shape, got {xs}")
    return list(xs[0])


def _same(op: ir.Operator, xs: List[Optional[List[int]]]) -> List[int]:
    return list(xs[0])


def _lrn(op: ir.Operator, xs: List[Optional[List[int]]]) -> List[int]:
    o, x = op.options, xs[0]
    _need(op, len(x) == 4, f"LRN needs a 4-D input, got {x}")
    _need(op, 1 <= o.size <= LRN_MAX_SIZE, f"LRN size {o.size} is outside 1..{LRN_MAX_SIZE}")
    _need(op, (math.isfinite(o.alpha) and o.alpha >= 0 and math.isfinite(o.beta)
               and math.isfinite(o.bias) and o.bias > 0),
          f"LRN alpha {o.alpha}, beta {o.beta}, bias {o.bias}: incept needs alpha >= 0 and bias > 0 (so the base "
          "bias + alpha/size * sum(x^2) is never 0 or negative), all finite")
    return list(x)


# ---- per-channel affine ops that fold into the Conv/FullyConnected before them (passes.fold_affine) ----

def per_channel(value: np.ndarray, c: int, rank: int):
    """`value` (ONNX layout) as a [c] vector if it broadcasts per channel over a rank-`rank` output, else None."""
    if value.size == 1:
        return np.full(c, float(value.ravel()[0]))
    shapes = ((c,), (1, c)) if rank == 2 else ((c, 1, 1), (1, c, 1, 1))
    return value.reshape(c) if tuple(value.shape) in shapes else None


def _batchnorm_affine(op: ir.Operator, c: int, rank: int):
    o = op.options
    denom = np.asarray(o.var, dtype=np.float64) + o.eps
    if not (denom > 0).all():
        k = int(np.argmin(np.where(np.isnan(denom), -np.inf, denom)))
        raise ConvertError(f"node {op.label}: running variance + eps is {denom[k]:g} at channel {k}, "
                           "not positive; the checkpoint's BatchNorm statistics are damaged")
    scale = o.scale / np.sqrt(denom)
    return scale, o.bias - o.mean * scale


def _scale_affine(op: ir.Operator, c: int, rank: int):
    scale = per_channel(op.options.scale, c, rank)
    return None if scale is None else (scale, np.zeros(c))


def _bias_add_affine(op: ir.Operator, c: int, rank: int):
    shift = per_channel(op.options.bias, c, rank)
    return None if shift is None else (np.ones(c), shift)


@dataclass(frozen=True)
class Fold:
    """A transient op y = x * scale + shift per output channel, folded into the weights and bias before it."""
    what: str   # its name in messages ("BatchNormalization")
    # (op, channels, output rank) -> (scale, shift) as float64 [channels] arrays, or None when its constant
    # is not per channel; raises ConvertError for values that cannot be folded.
    affine: Callable[[ir.Operator, int, int], Optional[Tuple[np.ndarray, np.ndarray]]]


# ---- the table ----

ShapeRule = Callable[[ir.Operator, List[Optional[List[int]]]], List[int]]


@dataclass(frozen=True)
class OpSpec:
    roles: Tuple[Role, ...]   # role of input j; inputs past the list (a Concat's) are activations
    min_inputs: int
    max_inputs: int
    shape: Optional[ShapeRule] = None   # schema ops (written to files); None: transient, removed by passes.py
    activation: bool = False            # has an `activation` field a following Relu can be fused into
    relu_to_inputs: bool = False        # a Relu after it fuses into the producers of its inputs (Concat)
    merges_pad: bool = False            # a zero Pad before input 0 adds into its own `pad`
    fold: Optional[Fold] = None         # transient affine op folded into the Conv/FullyConnected before it

    @property
    def schema(self) -> bool:
        return self.shape is not None

    def role(self, j: int) -> Role:
        return self.roles[j] if j < len(self.roles) else Role.ACTIVATION

    def index(self, role: Role) -> Optional[int]:
        """The input that has `role`, or None."""
        return self.roles.index(role) if role in self.roles else None

    @property
    def fold_target(self) -> bool:
        """Has weights (output channel on axis 0) and a bias, so a per-channel affine op after it folds in."""
        return Role.WEIGHTS in self.roles and Role.BIAS in self.roles


_ACT = (Role.ACTIVATION,)
_WEIGHTED = (Role.ACTIVATION, Role.WEIGHTS, Role.BIAS)

SPECS: Dict[type, OpSpec] = {
    # schema ops, in union order (ir.SCHEMA_OPTIONS)
    ir.Conv2DOptions: OpSpec(_WEIGHTED, 2, 3, _conv2d, activation=True, merges_pad=True),
    ir.MaxPool2DOptions: OpSpec(_ACT, 1, 1, _pool2d, activation=True),
    ir.AvgPool2DOptions: OpSpec(_ACT, 1, 1, _pool2d, activation=True, merges_pad=True),
    ir.ConcatOptions: OpSpec(_ACT, 1, MAX_CONCAT_INPUTS, _concat, relu_to_inputs=True),
    ir.GlobalAvgPoolOptions: OpSpec(_ACT, 1, 1, _global_avg_pool),
    ir.FullyConnectedOptions: OpSpec(_WEIGHTED, 2, 3, _fully_connected, activation=True),
    ir.SoftmaxOptions: OpSpec(_ACT, 1, 1, _same),
    ir.AddOptions: OpSpec((Role.ACTIVATION, Role.ACTIVATION), 2, 2, _add, activation=True),
    ir.LRNOptions: OpSpec(_ACT, 1, 1, _lrn),
    # transient ops (ir.TRANSIENT_OPTIONS)
    ir.BatchNormOptions: OpSpec(_ACT, 1, 1, fold=Fold("BatchNormalization", _batchnorm_affine)),
    ir.ReluOptions: OpSpec(_ACT, 1, 1),
    ir.PadOptions: OpSpec(_ACT, 1, 1),
    ir.IdentityOptions: OpSpec(_ACT, 1, 1),
    ir.FlattenOptions: OpSpec(_ACT, 1, 1),
    ir.BiasAddOptions: OpSpec(_ACT, 1, 1, fold=Fold("Add of a constant", _bias_add_affine)),
    ir.ScaleOptions: OpSpec(_ACT, 1, 1, fold=Fold("Mul by a constant", _scale_affine)),
}


def get(op: ir.Operator) -> Optional[OpSpec]:
    """The OpSpec of `op`, or None for an options class the table does not know."""
    return SPECS.get(type(op.options))


def of(op: ir.Operator) -> OpSpec:
    """The OpSpec of `op`; UnsupportedOp for an options class the table does not know."""
    spec = get(op)
    if spec is None:
        raise UnsupportedOp(op.label, f"{op.kind} is not an op incept knows")
    return spec
