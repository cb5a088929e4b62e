# SPDX-License-Identifier: Apache-2.0
"""PyTorch (float64) runs of .incept files: the graph as the file holds it, every op a torch.nn.functional
call, the weights as the reader widens them (float16 / int8 storage: the values the runtime computes with).

It is how narrow weight storage is checked against PyTorch: PyTorch on the same rounded (dequantized)
weights. Same op meanings as npref.py (schema/model.fbs), but PyTorch's kernels, and fast enough for the
large nets. test_weights.py checks it against the zoo nets' PyTorch logits on float32 files first.
"""

import numpy as np
import torch
import torch.nn.functional as F

from incept_convert import ir
from incept_convert.reader import ReadModel
from incept_convert.validate import pool_out


def _act(y, a):
    return F.relu(y) if a == ir.Activation.RELU else y


def _pad(x, p: ir.Pad2D, extra_h=0, extra_w=0, value=0.0):   # NCHW: (left, right, top, bottom)
    return F.pad(x, (p.left, p.right + extra_w, p.top, p.bottom + extra_h), value=value)


def _pool(x, o, is_max: bool):
    n, c, h, w = x.shape
    oh = pool_out(h, o.kernel.h, o.stride.h, o.pad.top, o.pad.bottom, o.ceil_mode)
    ow = pool_out(w, o.kernel.w, o.stride.w, o.pad.left, o.pad.right, o.ceil_mode)
    # The windows ceil mode adds past the bottom / right padding, padded explicitly so one rule (floor) runs.
    eh = max((oh - 1) * o.stride.h + o.kernel.h - (h + o.pad.top + o.pad.bottom), 0)
    ew = max((ow - 1) * o.stride.w + o.kernel.w - (w + o.pad.left + o.pad.right), 0)
    k, s = (o.kernel.h, o.kernel.w), (o.stride.h, o.stride.w)
    if is_max:
        return _act(F.max_pool2d(_pad(x, o.pad, eh, ew, -float("inf")), k, s), o.activation)
    total = F.avg_pool2d(_pad(x, o.pad, eh, ew), k, s, divisor_override=1)
    inside = torch.ones((1, 1, h, w), dtype=x.dtype)
    mask = F.pad(inside, (o.pad.left, o.pad.right, o.pad.top, o.pad.bottom), value=1.0 if o.count_include_pad else 0.0)
    count = F.avg_pool2d(F.pad(mask, (0, ew, 0, eh)), k, s, divisor_override=1)
    return _act(total / count, o.activation)


def _lrn(x, o: ir.LRNOptions):   # over channels (axis 1 here): window [c - (size-1)//2, c + size//2]
    sq = F.pad((x * x).unsqueeze(1), (0, 0, 0, 0, (o.size - 1) // 2, o.size // 2)).squeeze(1)
    s = sum(sq[:, i:i + x.shape[1]] for i in range(o.size))
    return x / (o.bias + o.alpha / o.size * s) ** o.beta


def run(model: ReadModel, x_nchw: np.ndarray) -> list:
    """The graph outputs for an NCHW input, as float64 NumPy arrays in the file's layout (NHWC / [N, C])."""
    g = model.graph
    vals = {id(g.inputs[0]): torch.from_numpy(np.asarray(x_nchw, np.float64))}

    def get(t):
        return torch.from_numpy(np.asarray(t.data, np.float64)) if t.is_constant else vals[id(t)]

    with torch.no_grad():
        for op in g.ops:
            o, xs = op.options, [get(t) if t is not None else None for t in op.inputs]
            bias = xs[2] if len(xs) > 2 else None   # Conv2D, FullyConnected: absent or left out is none
            if isinstance(o, ir.Conv2DOptions):
                w = xs[1].permute(0, 3, 1, 2)   # OHWI -> OIHW
                y = F.conv2d(_pad(xs[0], o.pad), w, bias, (o.stride.h, o.stride.w), 0, (o.dilation.h, o.dilation.w),
                             o.groups)
                y = _act(y, o.activation)
            elif isinstance(o, ir.MaxPool2DOptions):
                y = _pool(xs[0], o, True)
            elif isinstance(o, ir.AvgPool2DOptions):
                y = _pool(xs[0], o, False)
            elif isinstance(o, ir.ConcatOptions):
                y = torch.cat(xs, dim=[0, 2, 3, 1][o.axis] if xs[0].dim() == 4 else o.axis)   # NHWC axis -> NCHW
            elif isinstance(o, ir.GlobalAvgPoolOptions):
                y = xs[0].mean(dim=(2, 3))
            elif isinstance(o, ir.FullyConnectedOptions):
                y = _act(F.linear(xs[0], xs[1], bias), o.activation)
            elif isinstance(o, ir.SoftmaxOptions):
                y = torch.softmax(o.beta * xs[0], dim=-1)
            elif isinstance(o, ir.AddOptions):
                y = _act(xs[0] + xs[1], o.activation)
            elif isinstance(o, ir.LRNOptions):
                y = _lrn(xs[0], o)
            else:
                raise NotImplementedError(op.kind)
            vals[id(op.outputs[0])] = y
    outs = []
    for t in g.outputs:
        y = vals[id(t)]
        outs.append((y.permute(0, 2, 3, 1) if y.dim() == 4 else y).numpy())
    return outs
