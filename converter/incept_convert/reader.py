# SPDX-License-Identifier: Apache-2.0
"""Reads an .incept file back into the graph IR, checking the file layout on the way (size prefix,
identifier, version, buffers 64-aligned, after the FlatBuffer and inside the file, not overlapping).

For tests and tools; the runtime's C++ loader is the real (hostile-input) reader.
    model = read_model(Path("m.incept").read_bytes())
    model.graph.ops[0].options   # an ir.Conv2DOptions
"""

import dataclasses
import struct
from dataclasses import dataclass, field
from typing import List, Tuple

import numpy as np

from . import BUFFER_ALIGNMENT, FILE_IDENTIFIER, FORMAT_VERSION, fbs, ir, storage
from .writer import _camel


class FormatError(ValueError):
    pass


@dataclass
class ReadModel:
    version: int
    flatbuffer_size: int                 # L: the FlatBuffer's length after the 4-byte size prefix
    graph: ir.Graph                      # constants carry float32 data read (and widened) from the weight section
    tensors: List[ir.Tensor]             # in file order (Model.tensors)
    tensor_buffer: List[int]             # Tensor.buffer per tensor (-1 for activations)
    buffers: List[Tuple[int, int]] = field(default_factory=list)   # (offset, size) per Buffer
    op_indices: List[Tuple[List[int], List[int]]] = field(default_factory=list)   # (inputs, outputs) per op


def _decode_options(fb, op) -> object:
    kind_index = op.OptionsType()
    if not 1 <= kind_index <= len(ir.SCHEMA_OPTIONS):
        raise FormatError(f"operator '{op.Name()}' has unknown options type {kind_index}")
    cls = ir.SCHEMA_OPTIONS[kind_index - 1]
    table = op.Options()
    reader = getattr(getattr(fb, cls.__name__), cls.__name__)()
    reader.Init(table.Bytes, table.Pos)
    values = {}
    for f in dataclasses.fields(cls):
        v = getattr(reader, _camel(f.name))()
        if f.type is ir.Size2D or f.type == "Size2D":
            v = None if v is None else ir.Size2D(v.H(), v.W())
        elif f.type is ir.Pad2D or f.type == "Pad2D":
            v = None if v is None else ir.Pad2D(v.Top(), v.Bottom(), v.Left(), v.Right())
        elif f.type is ir.Activation:
            v = ir.Activation(v)
        values[f.name] = v
    return cls(**values)


def read_model(data: bytes) -> ReadModel:
    fb = fbs.load()
    if len(data) < 12:
        raise FormatError(f"file of {len(data)} bytes is too small")
    (length,) = struct.unpack_from("<I", data, 0)
    if 4 + length > len(data):
        raise FormatError(f"size prefix {length} exceeds the file ({len(data)} bytes)")
    if data[8:12] != FILE_IDENTIFIER:
        raise FormatError(f"identifier {data[8:12]!r} at offset 8, expected {FILE_IDENTIFIER!r}")
    m = fb.Model.Model.GetRootAs(data, 4)
    if m.Version() != FORMAT_VERSION:
        raise FormatError(f"version {m.Version()}, expected {FORMAT_VERSION}")
    buffers = []
    end = 4 + length
    for i in range(m.BuffersLength()):
        b = m.Buffers(i)
        off, size = b.Offset(), b.Size()
        if off % BUFFER_ALIGNMENT or off < end or off + size > len(data):
            raise FormatError(f"buffer {i} (offset {off}, size {size}) is misaligned, overlaps or is outside the file")
        end = off + size
        buffers.append((off, size))
    tensors, tensor_buffer = [], []
    for i in range(m.TensorsLength()):
        t = m.Tensors(i)
        shape = [int(v) for v in t.ShapeAsNumpy()] if t.ShapeLength() else []
        data_arr, scales = None, None
        if t.Buffer() >= 0:
            off, size = buffers[t.Buffer()]
            count = int(np.prod(shape)) if shape else 1
            if t.Dtype() not in storage.BYTES_PER_ELEMENT:
                raise FormatError(f"tensor '{t.Name().decode()}' has unknown dtype {t.Dtype()}")
            dtype = ir.DType(t.Dtype())
            if size != storage.BYTES_PER_ELEMENT[dtype] * count:
                raise FormatError(f"tensor '{t.Name().decode()}' has {count} {dtype.name} elements "
                                  f"but buffer size {size}")
            scales = t.ScalesAsNumpy() if t.ScalesLength() else None
            if dtype == ir.DType.INT8 and (scales is None or len(scales) != shape[0]):
                raise FormatError(f"tensor '{t.Name().decode()}' is INT8 without one scale per output channel")
            data_arr = storage.decode(dtype, data, off, shape, scales)
        if t.Dtype() not in ir.DType.__members__.values():
            raise FormatError(f"tensor '{t.Name().decode()}' has unknown dtype {t.Dtype()}")
        q = t.Quant()
        quant = ir.QuantParams(float(q.Scale()), int(q.ZeroPoint())) if q is not None else None
        tensors.append(ir.Tensor(t.Name().decode(), shape, ir.DType(t.Dtype()), data_arr, quant,
                                 np.array(scales, np.float32) if scales is not None else None))
        tensor_buffer.append(t.Buffer())
    g = ir.Graph()
    ref = lambda k: tensors[k] if k >= 0 else None   # noqa: E731
    op_indices = []
    for i in range(m.OperatorsLength()):
        op = m.Operators(i)
        ins = [int(v) for v in op.InputsAsNumpy()] if op.InputsLength() else []
        outs = [int(v) for v in op.OutputsAsNumpy()] if op.OutputsLength() else []
        op_indices.append((ins, outs))
        g.ops.append(ir.Operator(op.Name().decode(), [ref(k) for k in ins], [tensors[k] for k in outs],
                                 _decode_options(fb, op)))
    g.inputs = [tensors[int(k)] for k in m.InputsAsNumpy()] if m.InputsLength() else []
    g.outputs = [tensors[int(k)] for k in m.OutputsAsNumpy()] if m.OutputsLength() else []
    md = m.Metadata()
    if md is not None:
        size = md.InputSize()
        g.metadata = ir.Metadata(
            architecture=(md.Architecture() or b"").decode(),
            input_size=ir.Size2D(size.H(), size.W()) if size is not None else ir.Size2D(0, 0),
            mean=[float(v) for v in md.MeanAsNumpy()] if md.MeanLength() else [],
            std=[float(v) for v in md.StdAsNumpy()] if md.StdLength() else [],
            channel_order=ir.ChannelOrder(md.ChannelOrder()),
            labels=[md.Labels(j).decode() for j in range(md.LabelsLength())],
            producer=(md.Producer() or b"").decode())
    return ReadModel(m.Version(), length, g, tensors, tensor_buffer, buffers, op_indices)
