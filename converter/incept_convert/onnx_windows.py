# SPDX-License-Identifier: Apache-2.0
"""The ONNX importer's window ops (onnx_import.OnnxImporter inherits them): pooling, the mean over H and W,
zero padding, and the pads of a windowed op (explicit, VALID, SAME_UPPER / SAME_LOWER).

They use the importer's act / const / has_input / add / new_act / only_first_output and its graph.
"""

import numpy as np

from . import ir
from .errors import UnsupportedOp


def same_pads(size: int, k: int, s: int, d: int, upper: bool):
    """(before, after) padding of one axis for SAME: ceil(size / s) outputs; the odd pixel goes after
    (SAME_UPPER, TensorFlow's "same") or before (SAME_LOWER)."""
    total = max((-(-size // s) - 1) * s + (k - 1) * d + 1 - size, 0)
    small = total // 2
    return (small, total - small) if upper else (total - small, small)


class WindowOps:
    def pads(self, node, a, hw, kernel, stride, dilation) -> ir.Pad2D:
        auto = a.get("auto_pad", "NOTSET")
        if auto == "NOTSET":
            p = [int(v) for v in a.get("pads", [0, 0, 0, 0])]
            if len(p) != 4 or min(p) < 0:
                raise UnsupportedOp(node, f"pads {p}: expected 4 non-negative values (2-D op)")
            return ir.Pad2D(top=p[0], left=p[1], bottom=p[2], right=p[3])
        if auto == "VALID":
            return ir.Pad2D()
        if auto in ("SAME_UPPER", "SAME_LOWER"):
            t, b = same_pads(hw[0], kernel[0], stride[0], dilation[0], auto == "SAME_UPPER")
            l, r = same_pads(hw[1], kernel[1], stride[1], dilation[1], auto == "SAME_UPPER")
            return ir.Pad2D(t, b, l, r)
        raise UnsupportedOp(node, f"auto_pad '{auto}' is not supported")

    def _pool(self, node, a, max_pool: bool):
        x = self.act(node, 0)
        if len(x.shape) != 4:
            raise UnsupportedOp(node, f"input of rank {len(x.shape)}: only 2-D pooling is supported")
        self.only_first_output(node)
        kernel, stride = [int(v) for v in a["kernel_shape"]], [int(v) for v in a.get("strides", [1, 1])]
        if [int(v) for v in a.get("dilations", [1, 1])] != [1, 1] or a.get("storage_order", 0) != 0:
            raise UnsupportedOp(node, "dilated pooling / storage_order=1 are not supported")
        pad = self.pads(node, a, x.shape[1:3], kernel, stride, [1, 1])
        args = (ir.Size2D(*kernel), ir.Size2D(*stride), pad, bool(a.get("ceil_mode", 0)))
        opts = (ir.MaxPool2DOptions(*args) if max_pool else
                ir.AvgPool2DOptions(*args, count_include_pad=bool(a.get("count_include_pad", 0))))
        self.add(node, [x], opts)

    def op_MaxPool(self, node, a):
        self._pool(node, a, True)

    def op_AveragePool(self, node, a):
        self._pool(node, a, False)

    def op_GlobalAveragePool(self, node, a):
        self.add(node, [self.act(node, 0)], ir.GlobalAvgPoolOptions())

    def op_ReduceMean(self, node, a):
        # A mean over H and W is a global average pool (PyTorch 2.x exports adaptive_avg_pool2d(1) and
        # x.mean((2, 3)) so). Opsets 18+ give axes as an input; onnx_opset.py made it the attribute again.
        x = self.act(node, 0)
        rank = len(x.shape)
        axes = a.get("axes")
        norm = sorted(int(v) % rank for v in axes) if axes is not None else list(range(rank))
        if rank != 4 or norm != [2, 3]:
            raise UnsupportedOp(node, f"mean over axes {None if axes is None else list(axes)} of a rank-{rank} tensor: "
                                "only the mean over H and W (axes 2, 3 of NCHW: a global average pool) is supported")
        if int(a.get("keepdims", 1)):
            self.add(node, [x], ir.GlobalAvgPoolOptions())
            return
        n, _, _, c = x.shape
        pooled = ir.Tensor(f"{node.output[0]}/pooled", [n, 1, 1, c])
        name = node.name or node.output[0]
        self.graph.ops.append(ir.Operator(f"{name}/pool", [x], [pooled], ir.GlobalAvgPoolOptions(), node.op_type))
        self.graph.ops.append(ir.Operator(name, [pooled], [self.new_act(node, 0, [n, c])], ir.FlattenOptions(),
                                          node.op_type))

    def op_Pad(self, node, a):
        x = self.act(node, 0)
        mode = a.get("mode", "constant")
        pads = self.const(node, 1) if self.has_input(node, 1) else np.array(a.get("pads", []))
        value = self.const(node, 2, optional=True) if self.has_input(node, 2) else a.get("value", 0.0)
        if mode != "constant" or np.any(np.asarray(value) != 0):
            raise UnsupportedOp(node, "only zero padding is supported "
                                      f"(mode '{mode}', value {np.asarray(value).tolist()})")
        p = [int(v) for v in np.asarray(pads).ravel()]
        if len(x.shape) != 4 or len(p) != 8 or p[0] or p[1] or p[4] or p[5] or min(p) < 0:
            raise UnsupportedOp(node, f"pads {p}: only non-negative padding of H and W of a 4-D tensor is supported")
        self.add(node, [x], ir.PadOptions(ir.Pad2D(top=p[2], bottom=p[6], left=p[3], right=p[7])))
