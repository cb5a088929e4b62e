# SPDX-License-Identifier: Apache-2.0
"""The int8 reference executor: the arithmetic every int8 kernel of the runtime reproduces bit for bit.

    y = reference.run(g, x_nchw)   # g quantised (scheme.assign) with int8 weights; outputs float32 NHWC / [N, C]

Notation: an 8-bit tensor holds q with real = s * (q - zp); [qmin, qmax] is [-128, 127] (INT8) or [0, 255]
(UINT8); f32(a op b) is one IEEE float32 operation rounded to nearest even; rne(v) rounds a float32 to the
nearest integer, ties to even (cvtps2dq / vcvtnq_s32_f32 / lrintf in the default rounding mode).

Quantize (a float32 value x into a tensor (s, zp)):  inv = f32(1 / s) once per tensor, then
    q = clamp(rne(f32(x * inv)), qmin - zp, qmax - zp) + zp
  (multiplication by the float32 reciprocal, not a division: the rule, so SIMD code can use one multiply).
  Clamping before or after rne gives the same q (the bounds are integers), so a kernel may clamp in float.
Dequantize: x = f32(f32(q - zp) * s)  (q - zp is an exact integer, exact in float32).

Requantize (an int32 sum acc with multiplier m, into (s_out, zp_out)):
    q = clamp(rne(f32(f32(acc) * m)), qmin - zp_out, qmax - zp_out) + zp_out
  f32(acc) is the int32 -> float32 conversion (rounds to nearest even beyond 2^24). A fused ReLU raises the
  lower bound: qmin' = max(qmin, zp_out) (real 0 is q = zp_out).

Which ops compute in int8 (as the runtime's prepare chooses, ops/common/quant.h and q8_kernel.h): Conv2D and
FullyConnected with INT8 weights, MaxPool2D, AvgPool2D, GlobalAvgPool, Add and Concat, when every activation
they read and write is 8-bit, and for conv / fully connected when an int32 accumulator holds every possible
sum (k products of |q - zp| <= 255 and |q_w| <= 127 plus the largest |b_q| stay below 2^31). Every other op
(LRN, Softmax, the classifier writing the float32 logits, an op next to a float32 tensor) dequantizes its
inputs, runs in float32 (weights as stored, widened) and quantizes its output if that is 8-bit; only those
results depend on float library code (summation order, exp, pow).

Conv2D / FullyConnected (weights INT8, symmetric per output channel o: w = s_w[o] * q_w):
    acc[o] = sum over the window of (q_in - zp_in) * q_w[o]  (int32; padding is real 0, i.e. q_in = zp_in)
           + b_q[o],  b_q[o] = clamp(round_half_away_from_zero(double(bias[o]) / (double(s_in) * double(s_w[o]))),
                                     INT32_MIN, INT32_MAX)   (once at prepare, in double)
    m[o] = f32(f32(s_in * s_w[o]) / s_out)   (op order fixed: the product first, then the division)
    q_out = requantize(acc[o], m[o]), the ReLU as the lower bound.
MaxPool2D: the max of the q values in each window (padding never wins); when the output's (s, zp) differ from
  the input's (a pool writing into a concat slice): requantize(max - zp_in, m = f32(s_in / s_out)); a ReLU as
  the lower bound (real 0).
AvgPool2D / GlobalAvgPool: acc = sum of (q_in - zp_in) over the window (int32), count = the window's divisor
  (AvgPool's rule, per output position; H * W for the global pool); m = f32(s_in / f32(s_out * f32(count)));
  requantize(acc, m).
Concat: its inputs already hold the output's (s, zp) (scheme.py): the q values are copied / written in place.
Add (residual, not fused): v = f32(f32(f32(q_a - zp_a) * f32(s_a / s_out)) + f32(f32(q_b - zp_b) * f32(s_b / s_out))),
  each product rounded to float32 before the add, then q = clamp(rne(v)) + zp_out (requantize's epilogue).
Conv2D + Add fused (residual_fusions(): the pairs the runtime's prepare folds, runtime/interpreter/fuse.cc; an
  Inception-ResNet block's linear up-projection and its residual sum), all three tensors 8-bit and the conv an
  int8 kernel: the conv's epilogue writes the Add's output, with m[o] = f32(f32(s_in * s_w[o]) / s_add) and
  v = f32(f32(f32(acc) * m[o]) + f32(f32(q_x - zp_x) * f32(s_x / s_add))), then requantize's epilogue with the
  Add's ReLU. The conv's own output quantisation is not used (one rounding instead of two).

Integer sums are computed exactly: the (q - zp) and q_w values are held as float64, where every partial sum
(|sum| < 2^53) is an exact integer whatever the summation order, so torch's float64 convolution gives the
int32 result; a sum beyond int32 is an error (no kernel may wrap silently).
"""

from typing import Callable, Dict, List, Optional

import numpy as np
import torch

from .. import ir, storage
from .floatrun import op_forward, pool_count, stored_values

F32 = np.float32
QRANGE = {ir.DType.INT8: (-128, 127), ir.DType.UINT8: (0, 255)}
INT32_MIN, INT32_MAX = -2 ** 31, 2 ** 31 - 1


def is_q(t: ir.Tensor) -> bool:
    return t.dtype in QRANGE and t.quant is not None


def _bounds(t: ir.Tensor, relu: bool):
    lo, hi = QRANGE[t.dtype]
    zp = t.quant.zero_point
    return (max(lo, zp) if relu else lo) - zp, hi - zp, zp


def quantize(x: np.ndarray, t: ir.Tensor, relu: bool = False) -> np.ndarray:
    """float32 x -> q (int32 array) in t's (s, zp): clamp(rne(x * f32(1 / s))) + zp."""
    inv = F32(1.0) / F32(t.quant.scale)
    lo, hi, zp = _bounds(t, relu)
    y = np.asarray(x, F32) * inv
    return (np.clip(np.rint(y), lo, hi) + zp).astype(np.int32)


def dequantize(q: np.ndarray, t: ir.Tensor) -> np.ndarray:
    return (np.asarray(q, np.int64) - t.quant.zero_point).astype(F32) * F32(t.quant.scale)


def requantize(acc: np.ndarray, m: np.ndarray, t: ir.Tensor, relu: bool = False) -> np.ndarray:
    """int32 sums acc (any integer array) with float32 multiplier(s) m -> q (int32 array) in t's (s, zp)."""
    lo, hi, zp = _bounds(t, relu)
    y = np.asarray(acc, np.float64).astype(F32) * np.asarray(m, F32)
    return (np.clip(np.rint(y), lo, hi) + zp).astype(np.int32)


def round_half_away(v: np.ndarray) -> np.ndarray:
    return np.sign(v) * np.floor(np.abs(v) + 0.5)


def int8_weights(t: ir.Tensor):
    """(q_w as float64 [out, ...], s_w float32 [out]) of an INT8 weight tensor (in memory or read back)."""
    if t.scales is not None:   # read from a file: data = f32(q * s)
        s = np.asarray(t.scales, F32)
        q = np.rint(np.asarray(t.data, np.float64).reshape(len(s), -1) / s.astype(np.float64)[:, None])
        return q.reshape(t.data.shape), s
    q, s = storage.quantize_int8(t.data)
    return q.astype(np.float64), s


def bias_int32(bias: Optional[np.ndarray], s_in: float, s_w: np.ndarray) -> np.ndarray:
    if bias is None:
        return np.zeros(len(s_w))
    v = np.asarray(bias, F32).astype(np.float64) / (np.float64(F32(s_in)) * s_w.astype(np.float64))
    return np.clip(round_half_away(v), INT32_MIN, INT32_MAX)


def _check_int32(acc: np.ndarray, op: ir.Operator) -> None:
    if acc.size and (acc.max() > INT32_MAX or acc.min() < INT32_MIN):
        raise OverflowError(f"op '{op.name}': an int32 accumulator overflows")


def _chan(v: np.ndarray, ndim: int) -> np.ndarray:   # per-channel vector broadcast on axis 1 of NCHW / [N, C]
    return v.reshape((1, -1) + (1,) * (ndim - 2))


def _t64(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(a, np.float64))


class Reference:
    """Holds the graph's integer weights and biases (computed once) and runs batches."""

    def __init__(self, g: ir.Graph):
        self.g = g
        self.weights: Dict[int, tuple] = {}
        for op in g.ops:
            is_dense = isinstance(op.options, (ir.Conv2DOptions, ir.FullyConnectedOptions))
            if is_dense and op.inputs[1].dtype == ir.DType.INT8:
                q, s = int8_weights(op.inputs[1])
                self.weights[id(op)] = (torch.from_numpy(q), s)
        # id(conv) -> (the Add folded into it, the residual tensor)
        self.fused_convs = {id(conv): (add, x) for add, conv, x in residual_fusions(g, self.int8_kernel)}

    def _acc(self, op, q_in):
        t_in = op.inputs[0]
        w_q, s_w = self.weights[id(op)]
        acc = op_forward(_plain(op), [_t64(q_in - t_in.quant.zero_point), w_q]).numpy()
        bias = op.inputs[2] if len(op.inputs) > 2 and op.inputs[2] is not None else None
        acc = acc + _chan(bias_int32(None if bias is None else bias.data, t_in.quant.scale, s_w), acc.ndim)
        _check_int32(acc, op)
        return acc, s_w

    def _conv_fc(self, op, q_in):
        t_in, t_out = op.inputs[0], op.outputs[0]
        acc, s_w = self._acc(op, q_in)
        m = (F32(t_in.quant.scale) * s_w.astype(F32)) / F32(t_out.quant.scale)   # f32(f32(s_in * s_w[o]) / s_out)
        return requantize(acc, _chan(m, acc.ndim), t_out, op.options.activation == ir.Activation.RELU)

    def _conv_add(self, conv, add, x, q_in, q_x):
        """The fused pair's output (the conv's accumulator and the residual requantised once into the Add's), and
        the conv's output as real values, unrounded (what the Add adds)."""
        t_in, t_out = conv.inputs[0], add.outputs[0]
        acc, s_w = self._acc(conv, q_in)
        s_out = F32(t_out.quant.scale)
        m = (F32(t_in.quant.scale) * s_w.astype(F32)) / s_out
        v = acc.astype(F32) * _chan(m, acc.ndim)
        v = v + (np.asarray(q_x, np.int64) - x.quant.zero_point).astype(F32) * (F32(x.quant.scale) / s_out)
        lo, hi, zp = _bounds(t_out, add.options.activation == ir.Activation.RELU)
        conv_real = acc.astype(F32) * _chan(F32(t_in.quant.scale) * s_w.astype(F32), acc.ndim)
        return (np.clip(np.rint(v), lo, hi) + zp).astype(np.int32), conv_real

    def int8_kernel(self, op: ir.Operator) -> bool:
        """Whether op runs an int8 kernel (else float32 between dequantize and quantize steps): every activation
        8-bit, an op with an int8 kernel, and for conv / fully connected int8 weights whose int32 accumulator
        holds every possible sum (q8_accumulator_fits)."""
        acts = [t for t in op.inputs if t is not None and not t.is_constant] + list(op.outputs)
        if not all(is_q(t) for t in acts):
            return False
        o = op.options
        if isinstance(o, (ir.Conv2DOptions, ir.FullyConnectedOptions)):
            return id(op) in self.weights and self.accumulator_fits(op)
        if isinstance(o, ir.ConcatOptions):
            return all(same_quant(t, op.outputs[0]) for t in op.inputs)
        return isinstance(o, (ir.MaxPool2DOptions, ir.AvgPool2DOptions, ir.GlobalAvgPoolOptions, ir.AddOptions))

    def accumulator_fits(self, op: ir.Operator) -> bool:
        """|acc| < 2^31 for any inputs: k products of |q - zp| <= 255 and |q_w| <= 127, plus the largest |bias_q|."""
        w_q, s_w = self.weights[id(op)]
        k = int(np.prod(w_q.shape[1:]))
        bias = op.inputs[2] if len(op.inputs) > 2 and op.inputs[2] is not None else None
        b_q = bias_int32(None if bias is None else bias.data, op.inputs[0].quant.scale, s_w)
        max_bias = int(np.abs(b_q).max()) if b_q.size else 0
        return k <= 2 ** 31 // (255 * 127) and max_bias + k * 255 * 127 < 2 ** 31

    def _add(self, op, qa, qb):
        a, b, t_out = op.inputs[0], op.inputs[1], op.outputs[0]
        s_out = F32(t_out.quant.scale)
        va = (np.asarray(qa, np.int64) - a.quant.zero_point).astype(F32) * (F32(a.quant.scale) / s_out)
        vb = (np.asarray(qb, np.int64) - b.quant.zero_point).astype(F32) * (F32(b.quant.scale) / s_out)
        lo, hi, zp = _bounds(t_out, op.options.activation == ir.Activation.RELU)
        return (np.clip(np.rint(va + vb), lo, hi) + zp).astype(np.int32)

    def _pool(self, op, q_in):
        t_in, t_out = op.inputs[0], op.outputs[0]
        o, zp, s_in = op.options, t_in.quant.zero_point, F32(t_in.quant.scale)
        relu = getattr(o, "activation", ir.Activation.NONE) == ir.Activation.RELU
        if isinstance(o, ir.MaxPool2DOptions):
            y = op_forward(_plain(op), [_t64(q_in)]).numpy()
            if same_quant(t_in, t_out):
                return np.maximum(y, zp).astype(np.int32) if relu else y.astype(np.int32)
            return requantize(y - zp, s_in / F32(t_out.quant.scale), t_out, relu)
        centred = _t64(q_in - zp)
        if isinstance(o, ir.GlobalAvgPoolOptions):
            acc = centred.sum(dim=(2, 3)).numpy()
            count = np.asarray(F32(q_in.shape[2] * q_in.shape[3]))
        else:
            acc = torch.nn.functional.avg_pool2d(
                torch.nn.functional.pad(centred, _pads(o, q_in.shape)), (o.kernel.h, o.kernel.w),
                (o.stride.h, o.stride.w), divisor_override=1).numpy()
            count = pool_count(q_in.shape[2], q_in.shape[3], o, torch.float64).numpy().astype(F32)
        _check_int32(acc, op)
        return requantize(acc, s_in / (F32(t_out.quant.scale) * count), t_out, relu)

    def run(self, x_nchw: np.ndarray, trace: Optional[Callable] = None) -> List[np.ndarray]:
        """Graph outputs (float32, NHWC / [N, C]) for a float32 NCHW input. trace(op, inputs, output) sees each
        op's activation inputs and output as real values (float32, dequantized where 8-bit)."""
        g = self.g
        vals: Dict[int, np.ndarray] = {}   # 8-bit tensors: q as int32; float32 tensors: values; all NCHW
        t0 = g.inputs[0]
        x = np.asarray(x_nchw, F32)
        vals[id(t0)] = quantize(x, t0) if is_q(t0) else x

        exact: Dict[int, np.ndarray] = {}   # a fused conv's output as the Add sees it: f32(acc) * f32(s_in * s_w)

        def real(t):
            if id(t) in exact:
                return exact[id(t)]
            return dequantize(vals[id(t)], t) if is_q(t) else vals[id(t)]

        fused: Dict[int, np.ndarray] = {}   # id(add) -> its output, computed by its conv
        for op in g.ops:
            acts = [t for t in op.inputs if t is not None and not t.is_constant]
            t_out, o = op.outputs[0], op.options
            if id(op) in fused:
                y = fused.pop(id(op))
            elif self.int8_kernel(op):
                if id(op) in self.fused_convs:   # no 8-bit output of its own: it writes the Add's
                    add, x = self.fused_convs[id(op)]
                    fused[id(add)], exact[id(t_out)] = self._conv_add(op, add, x, vals[id(acts[0])], vals[id(x)])
                    y = None
                elif id(op) in self.weights:
                    y = self._conv_fc(op, vals[id(acts[0])])
                elif isinstance(o, (ir.MaxPool2DOptions, ir.AvgPool2DOptions, ir.GlobalAvgPoolOptions)):
                    y = self._pool(op, vals[id(acts[0])])
                elif isinstance(o, ir.ConcatOptions):
                    axis = [0, 2, 3, 1][o.axis] if vals[id(acts[0])].ndim == 4 else o.axis
                    y = np.concatenate([vals[id(t)] for t in acts], axis=axis)
                else:
                    y = self._add(op, vals[id(op.inputs[0])], vals[id(op.inputs[1])])
            else:   # float32 between a dequantize and a quantize step
                xs = [None if t is None else torch.from_numpy(np.array(stored_values(t), F32))
                      if t.is_constant else torch.from_numpy(np.ascontiguousarray(real(t))) for t in op.inputs]
                with torch.no_grad():
                    yf = op_forward(op, xs).numpy().astype(F32)
                y = quantize(yf, t_out) if is_q(t_out) else yf
            vals[id(t_out)] = y
            if trace is not None:
                trace(op, [real(t) for t in acts], real(t_out))
        outs = []
        for t in g.outputs:
            y = real(t)
            outs.append(y.transpose(0, 2, 3, 1) if y.ndim == 4 else y)
        return outs


def residual_fusions(g: ir.Graph, int8_kernel: Callable[[ir.Operator], bool]) -> List[tuple]:
    """(Add, Conv2D, residual tensor) for every Add the runtime folds into the conv that feeds it, as
    runtime/interpreter/fuse.cc decides (its candidate(), first input slot first): the conv linear, its output
    read by this Add alone and neither a graph input or output nor a concat slice, the residual produced before
    the conv, the three shapes equal, the Add's output not a concat slice; and here all three 8-bit with the
    conv an int8 kernel (a mixed or float32 pair is not fused in int8)."""
    producer: Dict[int, int] = {}
    uses: Dict[int, int] = {}
    concat_inputs = set()
    for i, op in enumerate(g.ops):
        for t in op.outputs:
            producer[id(t)] = i
        for t in op.inputs:
            if t is not None:
                uses[id(t)] = uses.get(id(t), 0) + 1
        if isinstance(op.options, ir.ConcatOptions):
            concat_inputs.update(id(t) for t in op.inputs)
    graph_io = {id(t) for t in list(g.inputs) + list(g.outputs)}
    out: List[tuple] = []
    for op in g.ops:
        if not isinstance(op.options, ir.AddOptions) or len(op.inputs) != 2:
            continue
        for slot in (0, 1):
            c, x, o = op.inputs[slot], op.inputs[1 - slot], op.outputs[0]
            if c is None or x is None or c is x or c.is_constant or x.is_constant:
                continue
            j = producer.get(id(c), -1)
            if j < 0 or not isinstance(g.ops[j].options, ir.Conv2DOptions):
                continue
            conv = g.ops[j]
            if (conv.options.activation != ir.Activation.NONE or uses.get(id(c), 0) != 1 or id(c) in graph_io
                    or id(c) in concat_inputs or producer.get(id(x), -1) >= j or list(c.shape) != list(o.shape)
                    or list(x.shape) != list(o.shape) or id(o) in concat_inputs):
                continue
            if is_q(c) and is_q(x) and is_q(o) and int8_kernel(conv):
                out.append((op, conv, x))
            break
    return out


def _plain(op: ir.Operator) -> ir.Operator:
    """op without its fused activation (the int8 paths apply ReLU as a clamp at the zero point)."""
    o = op.options
    return ir.Operator(op.name, op.inputs, op.outputs, type(o)(**{**o.__dict__, "activation": ir.Activation.NONE}))


def same_quant(a: ir.Tensor, b: ir.Tensor) -> bool:
    return a.dtype == b.dtype and a.quant == b.quant


def _pads(o, shape) -> tuple:
    from .floatrun import pool_extra
    _, _, eh, ew = pool_extra(shape[2], shape[3], o)
    return (o.pad.left, o.pad.right + ew, o.pad.top, o.pad.bottom + eh)


def run(g: ir.Graph, x_nchw: np.ndarray, trace: Optional[Callable] = None) -> List[np.ndarray]:
    return Reference(g).run(x_nchw, trace)
