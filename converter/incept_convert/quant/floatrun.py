# SPDX-License-Identifier: Apache-2.0
"""Runs a graph (the IR after the passes: BatchNorm folded, ReLU fused, residual scales folded) with torch
float32 ops, as the runtime computes it: the weights as stored (float16 / int8 storage dequantized, like the
runtime widens them), every op one torch.nn.functional call. Tensors are NCHW (or [N, C]) inside.

    outs = floatrun.run(g, x_nchw, observe=lambda tensor, value: ...)   # observe sees every op output

`observe(t, y)` is called with each op's output tensor and its value (torch float32, NCHW or [N, C]), and
with the graph input first.
"""

from typing import Callable, Dict, List, Optional

import numpy as np
import torch
import torch.nn.functional as F

from .. import ir, storage
from ..validate import pool_out


def stored_values(t: ir.Tensor) -> np.ndarray:
    """A constant's float32 values as the file stores them (after float16 / int8 rounding)."""
    if t.dtype == ir.DType.FLOAT32 or t.data is None:
        return np.asarray(t.data, np.float32)
    if t.scales is not None:   # read back from a file: data already holds the widened values
        return np.asarray(t.data, np.float32)
    blob, scales = storage.encode(t)
    return storage.decode(t.dtype, blob, 0, list(t.data.shape), scales)


def _act(y, a):
    return F.relu(y) if a == ir.Activation.RELU else y


def _pad(x, p: ir.Pad2D, extra_h=0, extra_w=0, value=0.0):   # NCHW: (left, right, top, bottom)
    return F.pad(x, (p.left, p.right + extra_w, p.top, p.bottom + extra_h), value=value)


def pool_extra(h: int, w: int, o) -> tuple:
    """(out_h, out_w, extra_h, extra_w): the windows ceil mode adds past the bottom / right padding."""
    oh = pool_out(h, o.kernel.h, o.stride.h, o.pad.top, o.pad.bottom, o.ceil_mode)
    ow = pool_out(w, o.kernel.w, o.stride.w, o.pad.left, o.pad.right, o.ceil_mode)
    eh = max((oh - 1) * o.stride.h + o.kernel.h - (h + o.pad.top + o.pad.bottom), 0)
    ew = max((ow - 1) * o.stride.w + o.kernel.w - (w + o.pad.left + o.pad.right), 0)
    return oh, ow, eh, ew


def pool_count(h: int, w: int, o, dtype=torch.float32) -> torch.Tensor:
    """[1, 1, OH, OW]: the divisor of each average-pool window (PyTorch's rule, see npref.py)."""
    _, _, eh, ew = pool_extra(h, w, o)
    inside = torch.ones((1, 1, h, w), dtype=dtype)
    mask = F.pad(inside, (o.pad.left, o.pad.right, o.pad.top, o.pad.bottom), value=1.0 if o.count_include_pad else 0.0)
    return F.avg_pool2d(F.pad(mask, (0, ew, 0, eh)), (o.kernel.h, o.kernel.w), (o.stride.h, o.stride.w),
                        divisor_override=1)


def _pool(x, o, is_max: bool):
    _, _, eh, ew = pool_extra(x.shape[2], x.shape[3], o)
    k, s = (o.kernel.h, o.kernel.w), (o.stride.h, o.stride.w)
    if is_max:
        return _act(F.max_pool2d(_pad(x, o.pad, eh, ew, -float("inf")), k, s), o.activation)
    total = F.avg_pool2d(_pad(x, o.pad, eh, ew), k, s, divisor_override=1)
    return _act(total / pool_count(x.shape[2], x.shape[3], o, x.dtype), o.activation)


def _lrn(x, o: ir.LRNOptions):   # over channels (axis 1 here): window [c - (size-1)//2, c + size//2]
    sq = F.pad((x * x).unsqueeze(1), (0, 0, 0, 0, (o.size - 1) // 2, o.size // 2)).squeeze(1)
    s = sum(sq[:, i:i + x.shape[1]] for i in range(o.size))
    return x / (o.bias + o.alpha / o.size * s) ** o.beta


def op_forward(op: ir.Operator, xs: List[Optional[torch.Tensor]]) -> torch.Tensor:
    """One op on NCHW / [N, C] float tensors (weights given as tensors, OHWI / [out, in])."""
    o = op.options
    bias = xs[2] if len(xs) > 2 else None
    if isinstance(o, ir.Conv2DOptions):
        y = F.conv2d(_pad(xs[0], o.pad), xs[1].permute(0, 3, 1, 2), bias, (o.stride.h, o.stride.w), 0,
                     (o.dilation.h, o.dilation.w), o.groups)
        return _act(y, o.activation)
    if isinstance(o, ir.MaxPool2DOptions):
        return _pool(xs[0], o, True)
    if isinstance(o, ir.AvgPool2DOptions):
        return _pool(xs[0], o, False)
    if isinstance(o, ir.ConcatOptions):
        return torch.cat(xs, dim=[0, 2, 3, 1][o.axis] if xs[0].dim() == 4 else o.axis)   # NHWC axis -> NCHW
    if isinstance(o, ir.GlobalAvgPoolOptions):
        return xs[0].mean(dim=(2, 3))
    if isinstance(o, ir.FullyConnectedOptions):
        return _act(F.linear(xs[0], xs[1], bias), o.activation)
    if isinstance(o, ir.SoftmaxOptions):
        return torch.softmax(o.beta * xs[0], dim=-1)
    if isinstance(o, ir.AddOptions):
        return _act(xs[0] + xs[1], o.activation)
    if isinstance(o, ir.LRNOptions):
        return _lrn(xs[0], o)
    raise NotImplementedError(op.kind)


class Runner:
    """Holds the graph's constants as torch tensors of `dtype` (converted once) and runs batches in it (float32,
    as incept runs; float64 for an oracle of the same graph)."""

    def __init__(self, g: ir.Graph, dtype: torch.dtype = torch.float32):
        self.g, self.dtype = g, dtype
        self.consts: Dict[int, torch.Tensor] = {}
        for t in g.tensors():
            if t.is_constant:
                self.consts[id(t)] = torch.from_numpy(np.array(stored_values(t), np.float32)).to(dtype)

    def run(self, x_nchw: np.ndarray, observe: Optional[Callable] = None) -> List[np.ndarray]:
        g = self.g
        x = torch.from_numpy(np.array(x_nchw, np.float64 if self.dtype == torch.float64 else np.float32)).to(self.dtype)
        vals = {id(g.inputs[0]): x}
        if observe is not None:
            observe(g.inputs[0], x)
        uses: Dict[int, int] = {}
        for op in g.ops:
            for t in op.inputs:
                if t is not None and not t.is_constant:
                    uses[id(t)] = uses.get(id(t), 0) + 1
        keep = {id(t) for t in g.outputs}
        with torch.no_grad():
            for op in g.ops:
                xs = [None if t is None else self.consts[id(t)] if t.is_constant else vals[id(t)] for t in op.inputs]
                y = op_forward(op, xs)
                vals[id(op.outputs[0])] = y
                if observe is not None:
                    observe(op.outputs[0], y)
                for t in op.inputs:   # free what no later op reads
                    if t is not None and not t.is_constant:
                        uses[id(t)] -= 1
                        if uses[id(t)] == 0 and id(t) not in keep:
                            del vals[id(t)]
        outs = []
        for t in g.outputs:
            y = vals[id(t)]
            outs.append((y.permute(0, 2, 3, 1) if y.dim() == 4 else y).numpy())
        return outs


def run(g: ir.Graph, x_nchw: np.ndarray, observe: Optional[Callable] = None,
        dtype: torch.dtype = torch.float32) -> List[np.ndarray]:
    """The graph outputs (NHWC / [N, C], in `dtype`) for an NCHW input."""
    return Runner(g, dtype).run(x_nchw, observe)
