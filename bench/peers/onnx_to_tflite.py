# SPDX-License-Identifier: Apache-2.0
"""Writes a float32 .tflite (LiteRT) model from one of bench/peers' BN-folded ONNX exports, op for op.

    build/peers-venv/bin/python bench/peers/onnx_to_tflite.py NET.onnx -o NET.tflite

The flatbuffer is built with the TFLite schema bindings that ship in the ai-edge-litert wheel
(`ai_edge_litert.schema_py_generated`), so no TensorFlow is needed. Each ONNX node becomes the TFLite
builtin that computes the same thing, with the same float32 weights: activations NHWC, conv weights OHWI,
Relu fused into the op before it (as TFLite's own converter does). Padding is kept exact: TFLite's SAME
or VALID where they pick the same windows as the ONNX pads, otherwise an explicit PAD before a VALID op
(XNNPACK folds it into the convolution). Average pools that count padding (count_include_pad, which
Inception-v3 exports as Pad + AveragePool) get a zero PAD and a VALID pool. The op set is what the four
bench nets use (Conv, Relu, MaxPool, AveragePool, Pad, Concat, Add, Mul, GlobalAveragePool, Flatten, Gemm);
anything else stops the conversion with the node's name.
"""

import argparse
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, shape_inference

try:   # from the bench venv (bench/peers/run.sh makes it); the padding rules below need neither
    import flatbuffers
    from ai_edge_litert import schema_py_generated as tfl
except ImportError as e:
    flatbuffers = tfl = None
    SCHEMA_MISSING = f"{e}: run this with the bench venv's python (build/peers-venv/bin/python)"

NCHW_TO_NHWC = (0, 2, 3, 1)


class Unsupported(Exception):
    pass


def same_pads(size, k, s):
    """TFLite SAME padding along one axis: (output size, pad before, pad after)."""
    out = -(-size // s)
    total = max((out - 1) * s + k - size, 0)
    return out, total // 2, total - total // 2


def onnx_out(size, k, s, before, after, ceil_mode=False):
    n = size + before + after - k
    return (-(-n // s) if ceil_mode else n // s) + 1


def pick_padding(hw, kernel, strides, pads, ceil_mode=False):
    """'VALID', 'SAME' or None (needs an explicit PAD) for ONNX pads [hb, wb, he, we] on an HxW input."""
    out = [onnx_out(hw[i], kernel[i], strides[i], pads[i], pads[i + 2], ceil_mode) for i in range(2)]
    if not any(pads) and out == [onnx_out(hw[i], kernel[i], strides[i], 0, 0) for i in range(2)]:
        return "VALID"
    same = [same_pads(hw[i], kernel[i], strides[i]) for i in range(2)]
    if all(same[i][0] == out[i] and same[i][1] == pads[i] for i in range(2)):
        return "SAME"   # same output size and the same first window; any extra pad after is never read
    return None


class Writer:
    def __init__(self, model: onnx.ModelProto):
        model = shape_inference.infer_shapes(model)
        self.g = model.graph
        self.shapes = {}
        for vi in list(self.g.value_info) + list(self.g.input) + list(self.g.output):
            self.shapes[vi.name] = [d.dim_value for d in vi.type.tensor_type.shape.dim]
        self.consts = {t.name: numpy_helper.to_array(t) for t in self.g.initializer}
        for n in self.g.node:
            if n.op_type == "Constant":
                self.consts[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
        self.users = {}
        for n in self.g.node:
            for i in n.input:
                self.users.setdefault(i, []).append(n)
        self.tensors, self.index, self.buffers = [], {}, [tfl.BufferT()]   # buffer 0: the empty sentinel
        self.ops, self.codes = [], {}
        self.alias = {}   # a fused Relu's output name -> the fused op's output name

    # --- tensors
    def nhwc_shape(self, name):
        s = self.shapes.get(name)
        if not s or any(d <= 0 for d in s):
            raise Unsupported(f"tensor '{name}' has no static shape after ONNX shape inference")
        return [s[i] for i in NCHW_TO_NHWC] if len(s) == 4 else list(s)

    def act(self, name):
        name = self.alias.get(name, name)
        if name not in self.index:
            self.index[name] = len(self.tensors)
            self.tensors.append(tfl.TensorT(shape=self.nhwc_shape(name), type=tfl.TensorType.FLOAT32, name=name))
        return self.index[name]

    def const(self, name, array):
        ttype = {np.dtype(np.float32): tfl.TensorType.FLOAT32, np.dtype(np.int32): tfl.TensorType.INT32}[array.dtype]
        array = np.ascontiguousarray(array)
        self.buffers.append(tfl.BufferT(data=array.view(np.uint8).reshape(-1)))
        self.tensors.append(tfl.TensorT(shape=list(array.shape), type=ttype, buffer=len(self.buffers) - 1, name=name))
        return len(self.tensors) - 1

    def op(self, code, inputs, outputs, opt_type=0, opt=None):
        if code not in self.codes:
            self.codes[code] = len(self.codes)
        self.ops.append(tfl.OperatorT(opcodeIndex=self.codes[code], inputs=inputs, outputs=outputs,
                                      builtinOptionsType=opt_type, builtinOptions=opt))

    def fused_relu(self, n):
        """RELU when n's only user is a Relu: that Relu then disappears and its output names n's output."""
        u = self.users.get(n.output[0], [])
        if len(u) == 1 and u[0].op_type == "Relu":
            self.alias[u[0].output[0]] = n.output[0]
            return tfl.ActivationFunctionType.RELU
        return tfl.ActivationFunctionType.NONE

    def pad(self, src, pads_hw, value, label):
        """An explicit PAD (PADV2 when the value is not 0) in front of a VALID op; returns the padded tensor."""
        hb, wb, he, we = pads_hw
        s = self.nhwc_shape(src)
        name = f"{label}/pad"
        self.shapes[name] = [s[0], s[3], s[1] + hb + he, s[2] + wb + we]
        inputs = [self.act(src),
                  self.const(f"{name}/paddings", np.array([[0, 0], [hb, he], [wb, we], [0, 0]], np.int32))]
        if value == 0:
            self.op(tfl.BuiltinOperator.PAD, inputs, [self.act(name)])
        else:
            inputs.append(self.const(f"{name}/value", np.array([value], np.float32)))
            self.op(tfl.BuiltinOperator.PADV2, inputs, [self.act(name)])
        return name

    # --- ops
    def convert(self):
        for n in self.g.node:
            if n.op_type == "Constant" or n.output[0] in self.alias:
                continue
            fn = getattr(self, "op_" + n.op_type, None)
            if fn is None:
                raise Unsupported(f"node '{n.name}' ({n.op_type}) has no TFLite mapping here")
            fn(n, {a.name: helper.get_attribute_value(a) for a in n.attribute})
        sub = tfl.SubGraphT(tensors=self.tensors, operators=self.ops, name="main",
                            inputs=[self.act(i.name) for i in self.g.input if i.name not in self.consts],
                            outputs=[self.act(o.name) for o in self.g.output])
        codes = [None] * len(self.codes)
        for code, i in self.codes.items():
            codes[i] = tfl.OperatorCodeT(deprecatedBuiltinCode=min(code, 127), builtinCode=code, version=1)
        return tfl.ModelT(version=3, operatorCodes=codes, subgraphs=[sub], buffers=self.buffers,
                          description="incept bench/peers: onnx_to_tflite.py")

    def op_Conv(self, n, a):
        if a.get("group", 1) != 1 or any(d != 1 for d in a.get("dilations", [1, 1])):
            raise Unsupported(f"node '{n.name}': grouped or dilated Conv")
        w = self.consts[n.input[1]]
        b = self.consts[n.input[2]] if len(n.input) > 2 else np.zeros(w.shape[0], np.float32)
        k, st, pads = list(w.shape[2:]), a.get("strides", [1, 1]), a.get("pads", [0, 0, 0, 0])
        src = n.input[0]
        padding = pick_padding(self.nhwc_shape(src)[1:3], k, st, pads)
        if padding is None:
            src, padding = self.pad(src, pads, 0.0, n.name), "VALID"
        opt = tfl.Conv2DOptionsT(padding=getattr(tfl.Padding, padding), strideH=st[0], strideW=st[1],
                                 fusedActivationFunction=self.fused_relu(n))
        self.op(tfl.BuiltinOperator.CONV_2D,
                [self.act(src), self.const(n.input[1], w.transpose(0, 2, 3, 1)), self.const(f"{n.name}/bias", b)],
                [self.act(n.output[0])], tfl.BuiltinOptions.Conv2DOptions, opt)

    def pool(self, n, a, code):
        k, st, pads = a["kernel_shape"], a.get("strides", [1, 1]), a.get("pads", [0, 0, 0, 0])
        ceil = bool(a.get("ceil_mode", 0))
        src = n.input[0]
        padding = pick_padding(self.nhwc_shape(src)[1:3], k, st, pads, ceil)
        if code == tfl.BuiltinOperator.AVERAGE_POOL_2D and any(pads) and a.get("count_include_pad", 0):
            padding = None   # TFLite's SAME average leaves the padding out of the count
        if padding is None:
            if ceil:
                raise Unsupported(f"node '{n.name}': ceil_mode pooling whose windows SAME cannot reproduce")
            fill = -np.finfo(np.float32).max if code == tfl.BuiltinOperator.MAX_POOL_2D else 0.0
            src, padding = self.pad(src, pads, fill, n.name), "VALID"
        opt = tfl.Pool2DOptionsT(padding=getattr(tfl.Padding, padding), strideH=st[0], strideW=st[1],
                                 filterHeight=k[0], filterWidth=k[1], fusedActivationFunction=self.fused_relu(n))
        self.op(code, [self.act(src)], [self.act(n.output[0])], tfl.BuiltinOptions.Pool2DOptions, opt)

    def op_MaxPool(self, n, a):
        self.pool(n, a, tfl.BuiltinOperator.MAX_POOL_2D)

    def op_AveragePool(self, n, a):
        self.pool(n, a, tfl.BuiltinOperator.AVERAGE_POOL_2D)

    def op_Pad(self, n, a):
        p = self.consts.get(n.input[1]) if len(n.input) > 1 else None
        value = float(self.consts[n.input[2]]) if len(n.input) > 2 and n.input[2] else 0.0
        if a.get("mode", b"constant") != b"constant" or p is None or len(p) != 8 or p[0] or p[1] or p[4] or p[5]:
            raise Unsupported(f"node '{n.name}': only a constant spatial Pad with static pads is mapped")
        s = self.nhwc_shape(n.input[0])
        paddings = np.array([[0, 0], [p[2], p[6]], [p[3], p[7]], [0, 0]], np.int32)
        inputs = [self.act(n.input[0]), self.const(f"{n.name}/paddings", paddings)]
        code = tfl.BuiltinOperator.PAD
        if value != 0.0:
            inputs.append(self.const(f"{n.name}/value", np.array([value], np.float32)))
            code = tfl.BuiltinOperator.PADV2
        assert len(s) == 4
        self.op(code, inputs, [self.act(n.output[0])])

    def op_Relu(self, n, a):
        self.op(tfl.BuiltinOperator.RELU, [self.act(n.input[0])], [self.act(n.output[0])])

    def op_Concat(self, n, a):
        rank = len(self.shapes[n.output[0]])
        axis = a["axis"] % rank
        axis = NCHW_TO_NHWC.index(axis) if rank == 4 else axis
        opt = tfl.ConcatenationOptionsT(axis=axis, fusedActivationFunction=self.fused_relu(n))
        self.op(tfl.BuiltinOperator.CONCATENATION, [self.act(i) for i in n.input], [self.act(n.output[0])],
                tfl.BuiltinOptions.ConcatenationOptions, opt)

    def binary(self, n, code, opt_type, opt_cls):
        ins = []
        for i in n.input:
            if i in self.consts:
                c = np.asarray(self.consts[i], np.float32)
                if c.size != 1:
                    raise Unsupported(f"node '{n.name}': only a scalar constant operand is mapped")
                ins.append(self.const(f"{n.name}/{i}", c.reshape(1)))
            else:
                ins.append(self.act(i))
        self.op(code, ins, [self.act(n.output[0])], opt_type, opt_cls(fusedActivationFunction=self.fused_relu(n)))

    def op_Add(self, n, a):
        self.binary(n, tfl.BuiltinOperator.ADD, tfl.BuiltinOptions.AddOptions, tfl.AddOptionsT)

    def op_Mul(self, n, a):
        self.binary(n, tfl.BuiltinOperator.MUL, tfl.BuiltinOptions.MulOptions, tfl.MulOptionsT)

    def op_GlobalAveragePool(self, n, a):
        opt = tfl.ReducerOptionsT(keepDims=True)
        self.op(tfl.BuiltinOperator.MEAN,
                [self.act(n.input[0]), self.const(f"{n.name}/axes", np.array([1, 2], np.int32))],
                [self.act(n.output[0])], tfl.BuiltinOptions.ReducerOptions, opt)

    def op_Flatten(self, n, a):
        s = self.nhwc_shape(n.input[0])
        if a.get("axis", 1) != 1 or (len(s) == 4 and (s[1] != 1 or s[2] != 1)):
            raise Unsupported(f"node '{n.name}': Flatten is mapped only for Nx1x1xC (after a global pool)")
        out = self.nhwc_shape(n.output[0])
        self.op(tfl.BuiltinOperator.RESHAPE,
                [self.act(n.input[0]), self.const(f"{n.name}/shape", np.array(out, np.int32))],
                [self.act(n.output[0])], tfl.BuiltinOptions.ReshapeOptions, tfl.ReshapeOptionsT(newShape=out))

    def op_Gemm(self, n, a):
        if a.get("transA", 0) or not a.get("transB", 0) or a.get("alpha", 1.0) != 1.0 or a.get("beta", 1.0) != 1.0:
            raise Unsupported(f"node '{n.name}': Gemm is mapped only as x @ W^T + b")
        w = self.consts[n.input[1]]
        b = self.consts[n.input[2]] if len(n.input) > 2 else np.zeros(w.shape[0], np.float32)
        opt = tfl.FullyConnectedOptionsT(fusedActivationFunction=self.fused_relu(n))
        self.op(tfl.BuiltinOperator.FULLY_CONNECTED,
                [self.act(n.input[0]), self.const(n.input[1], w), self.const(f"{n.name}/bias", b)],
                [self.act(n.output[0])], tfl.BuiltinOptions.FullyConnectedOptions, opt)


def pack(model) -> bytes:
    """Serialises the model, every weight buffer 16-byte aligned (as TFLite's converter writes them)."""
    class AlignedBuffer(tfl.BufferT):
        def Pack(self, b):
            if self.data is None:
                tfl.BufferStart(b)
                return tfl.BufferEnd(b)
            raw = self.data.tobytes()
            b.StartVector(1, len(raw), 16)
            b.head = b.head - len(raw)
            b.Bytes[b.head:b.head + len(raw)] = raw
            vec = b.EndVector()   # StartVector recorded the length
            tfl.BufferStart(b)
            tfl.BufferAddData(b, vec)
            return tfl.BufferEnd(b)
    for buf in model.buffers:
        buf.__class__ = AlignedBuffer
    total = sum(x.data.nbytes for x in model.buffers if x.data is not None)
    b = flatbuffers.Builder(total + (1 << 20))
    b.Finish(model.Pack(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("onnx", help="BN-folded ONNX export (bench/peers OUT/models/NET.onnx)")
    p.add_argument("-o", "--output", required=True, help=".tflite to write")
    a = p.parse_args(argv)
    if tfl is None:
        print(f"onnx_to_tflite: {SCHEMA_MISSING}", file=sys.stderr)
        return 1
    try:
        model = Writer(onnx.load(a.onnx)).convert()
    except (Unsupported, KeyError) as e:
        print(f"onnx_to_tflite: {a.onnx}: {e}", file=sys.stderr)
        return 1
    with open(a.output, "wb") as f:
        f.write(pack(model))
    return 0


if __name__ == "__main__":
    sys.exit(main())
