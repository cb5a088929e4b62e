# SPDX-License-Identifier: Apache-2.0
"""A NumPy (float64) interpreter of .incept files, written from schema/model.fbs's op definitions.

It is the converter's own oracle: a converted model run here must match PyTorch, which tests the
converter (layouts, folds, fusions, pads, ceil rules) without the C++ runtime. Plain, not fast.
"""

import numpy as np

from incept_convert import ir
from incept_convert.reader import ReadModel
from incept_convert.validate import pool_out


def _windows(x, kh, kw, sh, sw, dh, dw, oh, ow):
    """Yields (i, j, view) with view[n, y, x, c] = x[n, y*sh + i*dh, x*sw + j*dw, c]."""
    for i in range(kh):
        for j in range(kw):
            yield i, j, x[:, i * dh: i * dh + sh * (oh - 1) + 1: sh, j * dw: j * dw + sw * (ow - 1) + 1: sw, :]


def _pad(x, p: ir.Pad2D, extra_h=0, extra_w=0, value=0.0):
    return np.pad(x, ((0, 0), (p.top, p.bottom + extra_h), (p.left, p.right + extra_w), (0, 0)), constant_values=value)


def _act(y, a):
    return np.maximum(y, 0.0) if a == ir.Activation.RELU else y


def conv2d(x, w, b, o: ir.Conv2DOptions):
    n, h, wd, c = x.shape
    oc, kh, kw, ig = w.shape
    oh = (h + o.pad.top + o.pad.bottom - o.dilation.h * (kh - 1) - 1) // o.stride.h + 1
    ow = (wd + o.pad.left + o.pad.right - o.dilation.w * (kw - 1) - 1) // o.stride.w + 1
    xp = _pad(x, o.pad)
    y = np.zeros((n, oh, ow, oc)) + b
    og = oc // o.groups
    for g in range(o.groups):
        xg = xp[..., g * ig:(g + 1) * ig]
        for i, j, v in _windows(xg, kh, kw, o.stride.h, o.stride.w, o.dilation.h, o.dilation.w, oh, ow):
            y[..., g * og:(g + 1) * og] += v @ w[g * og:(g + 1) * og, i, j, :].T
    return _act(y, o.activation)


def pool2d(x, o, is_max: bool):
    n, h, w, c = x.shape
    kh, kw, sh, sw = o.kernel.h, o.kernel.w, o.stride.h, o.stride.w
    oh = pool_out(h, kh, sh, o.pad.top, o.pad.bottom, o.ceil_mode)
    ow = pool_out(w, kw, sw, o.pad.left, o.pad.right, o.ceil_mode)
    eh = max((oh - 1) * sh + kh - (h + o.pad.top + o.pad.bottom), 0)   # ceil mode: windows past the padding
    ew = max((ow - 1) * sw + kw - (w + o.pad.left + o.pad.right), 0)
    if is_max:
        xp = _pad(x, o.pad, eh, ew, -np.inf)
        y = np.full((n, oh, ow, c), -np.inf)
        for _, _, v in _windows(xp, kh, kw, sh, sw, 1, 1, oh, ow):
            y = np.maximum(y, v)
        return _act(y, o.activation)
    xp = _pad(x, o.pad, eh, ew)
    inside = np.ones((1, h, w, 1))
    # PyTorch's divisor: the window clipped to the padded extent (count_include_pad) or to the input.
    mask = np.pad(inside, ((0, 0), (o.pad.top, o.pad.bottom), (o.pad.left, o.pad.right), (0, 0)),
                  constant_values=1.0 if o.count_include_pad else 0.0)
    mask = np.pad(mask, ((0, 0), (0, eh), (0, ew), (0, 0)))
    s, cnt = np.zeros((n, oh, ow, c)), np.zeros((1, oh, ow, 1))
    for (_, _, v), (_, _, m) in zip(_windows(xp, kh, kw, sh, sw, 1, 1, oh, ow),
                                    _windows(mask, kh, kw, sh, sw, 1, 1, oh, ow)):
        s += v
        cnt += m
    return _act(s / cnt, o.activation)


def lrn(x, o: ir.LRNOptions):
    """ONNX LRN over the last axis: the window of channel c is [c - (size-1)//2, c + size//2], clipped."""
    c = x.shape[-1]
    sq = np.pad(x * x, ((0, 0),) * (x.ndim - 1) + (((o.size - 1) // 2, o.size // 2),))
    s = sum(sq[..., i:i + c] for i in range(o.size))
    return x / (o.bias + o.alpha / o.size * s) ** o.beta


def run(model: ReadModel, x_nchw: np.ndarray) -> list:
    """Runs the model on an NCHW input; returns the graph outputs (NHWC / [N, C]) as float64 arrays."""
    g = model.graph
    vals = {id(g.inputs[0]): np.asarray(x_nchw, dtype=np.float64).transpose(0, 2, 3, 1)}

    def get(t):
        return np.asarray(t.data, dtype=np.float64) if t.is_constant else vals[id(t)]

    for op in g.ops:
        o, xs = op.options, [get(t) if t is not None else None for t in op.inputs]
        bias = xs[2] if len(xs) > 2 and xs[2] is not None else 0.0   # Conv2D, FullyConnected: absent or left out is 0
        if isinstance(o, ir.Conv2DOptions):
            y = conv2d(xs[0], xs[1], bias, o)
        elif isinstance(o, ir.MaxPool2DOptions):
            y = pool2d(xs[0], o, True)
        elif isinstance(o, ir.AvgPool2DOptions):
            y = pool2d(xs[0], o, False)
        elif isinstance(o, ir.ConcatOptions):
            y = np.concatenate(xs, axis=o.axis)
        elif isinstance(o, ir.GlobalAvgPoolOptions):
            y = xs[0].mean(axis=(1, 2))
        elif isinstance(o, ir.FullyConnectedOptions):
            y = _act(xs[0] @ xs[1].T + bias, o.activation)
        elif isinstance(o, ir.SoftmaxOptions):
            z = np.exp(o.beta * (xs[0] - xs[0].max(axis=-1, keepdims=True)))
            y = z / z.sum(axis=-1, keepdims=True)
        elif isinstance(o, ir.AddOptions):
            y = _act(xs[0] + xs[1], o.activation)
        elif isinstance(o, ir.LRNOptions):
            y = lrn(xs[0], o)
        else:
            raise NotImplementedError(op.kind)
        assert list(y.shape) == list(op.outputs[0].shape), (op.name, y.shape, op.outputs[0].shape)
        vals[id(op.outputs[0])] = y
    return [vals[id(t)] for t in g.outputs]
