# SPDX-License-Identifier: Apache-2.0
"""Which activation tensor is stored how, and its (scale, zero point).

    summary = scheme.assign(g, stats, "minmax")   # sets t.dtype and t.quant on every activation of g

Rules (DESIGN.md, "Quantised inference (int8)"; the loader checks the file's side of them):
  - A graph output (the logits, or a Softmax's probabilities) stays FLOAT32: the API gives float out; the op
    producing it runs in float32 on its dequantized input (reference.py).
  - A tensor that is never negative by construction is UINT8 with zero point 0 and scale = hi / 255: the
    output of an op with a fused ReLU, and of a max / average / global average pool, LRN, Softmax or Concat
    whose inputs are all never negative.
  - Any other activation (the graph input, the normalised image; a residual sum without ReLU; a conv
    without ReLU) is INT8, asymmetric over [lo, hi] (widened to include 0): scale = (hi - lo) / 255,
    zero_point = clamp(-128 - round(lo / scale), -128, 127).
  - Concat (free concat): its inputs are views into its output, the same memory, so every input takes the
    output's dtype and QuantParams. A concat feeding a concat joins the outer one's group. The group is
    calibrated over the outermost output's statistics (which hold every member's values). Each producer
    then writes straight into its slice in the group's quantisation: a conv requantises with the group's
    scale; a max pool whose input has its own scale requantises too (reference.py, max pool). Refused
    (ConvertError naming the tensor): a tensor feeding two concats (it would have to live in two places),
    and a concat input that is also a graph output (outputs are float32, slices are 8-bit).
  - Residual Add: its output gets its own QuantParams; its inputs keep theirs (the add dequantizes both).
  - LRN and Softmax have no int8 kernel: their 8-bit inputs and outputs are quantised like any other; the
    runtime runs them in float32 between a dequantize and a quantize step (reference.py does the same).
The range [lo, hi] of a tensor comes from the calibrator's threshold T on |x| (calibrators.py).
Scales are float32 values (rounded once from the double computation).
"""

from dataclasses import dataclass
from typing import Dict, List

import numpy as np

from .. import ir
from ..errors import ConvertError
from .calibrators import CALIBRATORS
from .observe import TensorStats

QRANGE = {ir.DType.INT8: (-128, 127), ir.DType.UINT8: (0, 255)}


@dataclass
class Summary:
    calibrator: str
    uint8: int
    int8: int
    float32: List[str]

    def line(self, inputs: int) -> str:
        return (f"quantised {self.uint8 + self.int8} activation tensors to 8 bits ({self.uint8} uint8, {self.int8} "
                f"int8; float32: {', '.join(self.float32) or 'none'}) with the {self.calibrator} calibrator over "
                f"{inputs} calibration input{'s' if inputs != 1 else ''}")


def _f32(v: float) -> float:
    return float(np.float32(v))


def quant_params(lo: float, hi: float, dtype: ir.DType) -> ir.QuantParams:
    """QuantParams covering [lo, hi] (made to include 0) in `dtype`. An empty range gets scale 1."""
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if dtype == ir.DType.UINT8:
        scale = _f32(hi / 255.0)
        return ir.QuantParams(scale if scale > 0 else 1.0, 0)
    scale = _f32((hi - lo) / 255.0)
    if not scale > 0:
        return ir.QuantParams(1.0, 0)
    zp = int(np.clip(-128 - np.rint(lo / scale), -128, 127))
    return ir.QuantParams(scale, zp)


def nonnegative(g: ir.Graph) -> Dict[int, bool]:
    """id(tensor) -> True when the tensor is never negative by construction (see the module doc)."""
    out: Dict[int, bool] = {id(t): False for t in g.inputs}
    for op in g.ops:
        o, ins = op.options, [t for t in op.inputs if t is not None and not t.is_constant]
        if getattr(o, "activation", ir.Activation.NONE) == ir.Activation.RELU or isinstance(o, ir.SoftmaxOptions):
            nn = True
        elif isinstance(o, (ir.MaxPool2DOptions, ir.AvgPool2DOptions, ir.GlobalAvgPoolOptions, ir.ConcatOptions,
                            ir.LRNOptions)):
            nn = all(out.get(id(t), False) for t in ins)
        else:
            nn = False
        for t in op.outputs:
            out[id(t)] = nn
    return out


def concat_groups(g: ir.Graph) -> Dict[int, ir.Tensor]:
    """id(tensor) -> the outermost concat output whose memory it lives in (itself when no concat reads it)."""
    owner: Dict[int, ir.Tensor] = {}
    for op in g.ops:
        if not isinstance(op.options, ir.ConcatOptions):
            continue
        for t in op.inputs:
            if id(t) in owner:
                raise ConvertError(f"cannot quantise: tensor '{t.name}' feeds two concats ('{owner[id(t)].name}' "
                                   f"and '{op.outputs[0].name}'); int8 concat keeps each input inside its output")
            if g.is_output(t):
                raise ConvertError(f"cannot quantise: tensor '{t.name}' is a graph output (float32) and an input of "
                                   f"concat '{op.name}' (8-bit)")
            if any(t is i for i in g.inputs):
                raise ConvertError(f"cannot quantise: the graph input '{t.name}' feeds concat '{op.name}' directly")
            owner[id(t)] = op.outputs[0]
    root: Dict[int, ir.Tensor] = {}
    for t in g.tensors():
        r = t
        while id(r) in owner:
            r = owner[id(r)]
        root[id(t)] = r
    return root


def assign(g: ir.Graph, stats: Dict[int, TensorStats], calibrator: str) -> Summary:
    """Sets dtype and quant on every activation of g from the statistics `stats` (observe.collect)."""
    if calibrator not in CALIBRATORS:
        raise ConvertError(f"unknown calibrator '{calibrator}'; choose one of {', '.join(CALIBRATORS)}")
    threshold = CALIBRATORS[calibrator]
    nn, root = nonnegative(g), concat_groups(g)
    summary = Summary(calibrator, 0, 0, [])
    params: Dict[int, tuple] = {}
    for t in g.tensors():
        if t.is_constant:
            continue
        if g.is_output(t):
            t.dtype, t.quant = ir.DType.FLOAT32, None
            summary.float32.append(t.name)
            continue
        r = root[id(t)]
        if id(r) not in params:
            s = stats.get(id(r))
            if s is None:
                raise ConvertError(f"tensor '{r.name}' was never computed during calibration")
            unsigned = nn[id(r)]
            dtype = ir.DType.UINT8 if unsigned else ir.DType.INT8
            th = threshold(s, not unsigned)
            lo, hi = (0.0, min(s.max, th)) if unsigned else (max(s.min, -th), min(s.max, th))
            params[id(r)] = (dtype, quant_params(lo, hi, dtype))
        t.dtype, t.quant = params[id(r)]
        if t.dtype == ir.DType.UINT8:
            summary.uint8 += 1
        else:
            summary.int8 += 1
    return summary


def check(g: ir.Graph) -> None:
    """The loader's rules on a quantised graph (an AssertionError names the first broken one); for tests."""
    for t in g.tensors():
        if t.is_constant:
            assert t.quant is None, t.name
            continue
        if g.is_output(t):
            assert t.dtype == ir.DType.FLOAT32 and t.quant is None, t.name
        if t.dtype in QRANGE:
            q = t.quant
            assert q is not None and np.isfinite(q.scale) and q.scale > 0, t.name
            assert QRANGE[t.dtype][0] <= q.zero_point <= QRANGE[t.dtype][1], t.name
        else:
            assert t.quant is None, t.name
    for op in g.ops:
        if isinstance(op.options, ir.ConcatOptions):
            out = op.outputs[0]
            for t in op.inputs:
                assert t.dtype == out.dtype and t.quant == out.quant, (op.name, t.name)
