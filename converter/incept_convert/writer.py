# SPDX-License-Identifier: Apache-2.0
"""Graph IR -> .incept bytes, and an atomic file write.

File layout (the C++ loader relies on it):
  [uint32 L][FlatBuffer of L bytes, identifier "INCP" at file offset 8][zero padding][weights]
The FlatBuffer is size-prefixed (FinishSizePrefixed). Each Buffer{offset, size} names an ABSOLUTE file
offset, a multiple of 64 and >= 4 + L, and the exact byte size of the tensor at its dtype (float32,
float16 or int8: storage.py; INT8 tensors carry their scales in Tensor.scales); 8-bit activations
(INT8 / UINT8, no buffer) carry Tensor.quant (quant/scheme.py);
buffers follow one another in tensor order, each start aligned to 64; the file ends after the last one.

Buffer offsets live inside the FlatBuffer, whose size does not depend on their values (Buffer is a
fixed-size struct), so the FlatBuffer is built once to learn L and again with the final offsets.
Options tables are filled generically from the IR dataclasses (field `count_include_pad` -> generated
`AvgPool2DOptionsAddCountIncludePad`), so the writer follows the schema instead of restating it.
"""

import dataclasses
import enum
import os
import tempfile
from pathlib import Path
from typing import List, Tuple

import flatbuffers
import numpy as np

from . import BUFFER_ALIGNMENT, FILE_IDENTIFIER, FORMAT_VERSION, fbs, ir, storage, validate
from .errors import ConvertError, short_reason


def _align(n: int, a: int = BUFFER_ALIGNMENT) -> int:
    return (n + a - 1) // a * a


def _camel(field_name: str) -> str:
    return "".join(part.capitalize() for part in field_name.split("_"))


def _unique_names(tensors: List[ir.Tensor]) -> List[str]:
    """Tensor names, made unique with a ":k" suffix where the source reused one."""
    used, names = set(), []
    for t in tensors:
        base = t.name or "tensor"
        name, k = base, 0
        while name in used:
            k += 1
            name = f"{base}:{k}"
        used.add(name)
        names.append(name)
    return names


class _Builder:
    def __init__(self, fb, g: ir.Graph, tensors, names, buffer_of, blobs, scales):
        self.fb, self.g, self.tensors, self.names, self.buffer_of, self.blobs = fb, g, tensors, names, buffer_of, blobs
        self.scales = scales   # id(tensor) -> float32 scales of INT8 weights
        self.index = {id(t): i for i, t in enumerate(tensors)}

    def int_vector(self, b, values) -> int:
        return b.CreateNumpyVector(np.asarray(values, dtype=np.int32).reshape(-1))

    def table_vector(self, b, start, offsets) -> int:
        start(b, len(offsets))
        for off in reversed(offsets):
            b.PrependUOffsetTRelative(off)
        return b.EndVector()

    def options(self, b, o) -> Tuple[int, int]:
        kind = type(o).__name__
        mod = getattr(self.fb, kind)
        getattr(mod, kind + "Start")(b)
        for f in dataclasses.fields(o):
            v = getattr(o, f.name)
            add = getattr(mod, f"{kind}Add{_camel(f.name)}")
            if isinstance(v, ir.Size2D):
                add(b, self.fb.Size2D.CreateSize2D(b, v.h, v.w))
            elif isinstance(v, ir.Pad2D):
                add(b, self.fb.Pad2D.CreatePad2D(b, v.top, v.bottom, v.left, v.right))
            elif isinstance(v, (bool, float)):
                add(b, v)
            elif isinstance(v, (int, enum.IntEnum)):
                add(b, int(v))
            else:
                raise TypeError(f"cannot write field {kind}.{f.name} of type {type(v).__name__}")
        table = getattr(mod, kind + "End")(b)
        return getattr(self.fb.OpOptions.OpOptions, kind), table

    def build(self, offsets: List[int]) -> bytes:
        fb, g = self.fb, self.g
        b = flatbuffers.Builder(1 << 16)
        b.ForceDefaults(True)   # every field explicit: files describe themselves, readers need no defaults
        tensor_offs = []
        for t, name in zip(self.tensors, self.names):
            n, shape = b.CreateString(name), self.int_vector(b, t.shape)
            scales = self.scales.get(id(t))
            scales_vec = b.CreateNumpyVector(np.asarray(scales, dtype="<f4")) if scales is not None else None
            fb.Tensor.TensorStart(b)
            fb.Tensor.TensorAddName(b, n)
            fb.Tensor.TensorAddShape(b, shape)
            fb.Tensor.TensorAddDtype(b, int(t.dtype))
            fb.Tensor.TensorAddBuffer(b, self.buffer_of.get(id(t), -1))
            if scales_vec is not None:
                fb.Tensor.TensorAddScales(b, scales_vec)
            if t.quant is not None:
                fb.Tensor.TensorAddQuant(b, fb.QuantParams.CreateQuantParams(b, t.quant.scale, t.quant.zero_point))
            tensor_offs.append(fb.Tensor.TensorEnd(b))
        op_offs = []
        for op in g.ops:
            name = b.CreateString(op.name)
            ins = self.int_vector(b, [self.index[id(t)] if t is not None else -1 for t in op.inputs])
            outs = self.int_vector(b, [self.index[id(t)] for t in op.outputs])
            kind, opts = self.options(b, op.options)
            fb.Operator.OperatorStart(b)
            fb.Operator.OperatorAddName(b, name)
            fb.Operator.OperatorAddInputs(b, ins)
            fb.Operator.OperatorAddOutputs(b, outs)
            fb.Operator.OperatorAddOptionsType(b, kind)
            fb.Operator.OperatorAddOptions(b, opts)
            op_offs.append(fb.Operator.OperatorEnd(b))
        meta = self.metadata(b)
        tensors = self.table_vector(b, fb.Model.ModelStartTensorsVector, tensor_offs)
        ops = self.table_vector(b, fb.Model.ModelStartOperatorsVector, op_offs)
        inputs = self.int_vector(b, [self.index[id(t)] for t in g.inputs])
        outputs = self.int_vector(b, [self.index[id(t)] for t in g.outputs])
        fb.Model.ModelStartBuffersVector(b, len(self.blobs))
        for off, blob in reversed(list(zip(offsets, self.blobs))):
            fb.Buffer.CreateBuffer(b, off, len(blob))
        buffers = b.EndVector()
        fb.Model.ModelStart(b)
        fb.Model.ModelAddVersion(b, FORMAT_VERSION)
        fb.Model.ModelAddTensors(b, tensors)
        fb.Model.ModelAddOperators(b, ops)
        fb.Model.ModelAddInputs(b, inputs)
        fb.Model.ModelAddOutputs(b, outputs)
        fb.Model.ModelAddBuffers(b, buffers)
        fb.Model.ModelAddMetadata(b, meta)
        b.FinishSizePrefixed(fb.Model.ModelEnd(b), FILE_IDENTIFIER)
        return bytes(b.Output())

    def metadata(self, b) -> int:
        fb, m = self.fb, self.g.metadata
        arch, producer = b.CreateString(m.architecture), b.CreateString(m.producer)
        mean = b.CreateNumpyVector(np.asarray(m.mean, dtype=np.float32))
        std = b.CreateNumpyVector(np.asarray(m.std, dtype=np.float32))
        labels = (self.table_vector(b, fb.Metadata.MetadataStartLabelsVector, [b.CreateString(s) for s in m.labels])
                  if m.labels else None)   # no labels: the field is absent
        fb.Metadata.MetadataStart(b)
        fb.Metadata.MetadataAddArchitecture(b, arch)
        fb.Metadata.MetadataAddInputSize(b, fb.Size2D.CreateSize2D(b, m.input_size.h, m.input_size.w))
        fb.Metadata.MetadataAddMean(b, mean)
        fb.Metadata.MetadataAddStd(b, std)
        fb.Metadata.MetadataAddChannelOrder(b, int(m.channel_order))
        if labels is not None:
            fb.Metadata.MetadataAddLabels(b, labels)
        fb.Metadata.MetadataAddProducer(b, producer)
        return fb.Metadata.MetadataEnd(b)


def serialize(g: ir.Graph) -> bytes:
    """The complete .incept file for `g` (which must pass validate.check_graph)."""
    validate.check_graph(g)
    tensors = g.tensors()
    consts = [t for t in tensors if t.is_constant]
    blobs, scales = [], {}
    for t in consts:
        blob, s = storage.encode(t)
        blobs.append(blob)
        if s is not None:
            scales[id(t)] = s
    builder = _Builder(fbs.load(), g, tensors, _unique_names(tensors), {id(t): i for i, t in enumerate(consts)}, blobs,
                       scales)

    def layout(start: int) -> List[int]:
        offsets, cursor = [], _align(start)
        for blob in blobs:
            offsets.append(cursor)
            cursor = _align(cursor + len(blob))
        return offsets

    head = builder.build(layout(0))
    for _ in range(3):   # the size never changes with the offsets' values; loop only to be certain
        offsets = layout(len(head))
        again = builder.build(offsets)
        if len(again) == len(head):
            head = again
            break
        head = again
    else:
        raise RuntimeError("FlatBuffer size did not settle while placing buffers")
    out = bytearray(head)
    for off, blob in zip(offsets, blobs):
        out += bytes(off - len(out))
        out += blob
    return bytes(out)


def write_atomic(path: str, data: bytes) -> None:
    """Writes `data` to `path` through a temporary file in the same folder and os.replace, so readers see
    the old file or the complete new one, and a failure leaves nothing behind."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ConvertError(f"output folder {folder} does not exist; create it or choose another -o path")
    fd, tmp = None, None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "wb") as f:
            fd = None
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)   # mkstemp makes 0600; give the file the usual permissions
        os.replace(tmp, target)
        tmp = None
    except OSError as e:
        raise ConvertError(f"cannot write {path}: {short_reason(e)}") from None
    finally:
        if fd is not None:
            os.close(fd)
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
