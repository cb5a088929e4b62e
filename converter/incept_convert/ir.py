# SPDX-License-Identifier: Apache-2.0
"""Graph IR: dataclasses mirroring schema/model.fbs 1:1, plus a few transient ops.

Schema ops are identified by their options class, like the `OpOptions` union: `Operator.options` is a
`Conv2DOptions`, `MaxPool2DOptions`, ... Transient ops (`BatchNormOptions`, `ReluOptions`,
`PadOptions`, `IdentityOptions`, `FlattenOptions`, `BiasAddOptions`,
`ScaleOptions`) exist only between import and
the passes; the writer refuses a graph that still has one.

Tensors are objects (ops reference them directly), activations NHWC (or [N, C]), conv weights OHWI,
FullyConnected weights [out, in]. Constant tensors hold their data as float64 numpy arrays until the
writer casts them to float32, so folds (BatchNorm, bias adds) run in double precision.
"""

from dataclasses import dataclass, field
from enum import IntEnum
from typing import Dict, List, Optional, Tuple

import numpy as np


class DType(IntEnum):
    FLOAT32 = 0
    FLOAT16 = 1   # weights only (storage.py)
    INT8 = 2      # weights: symmetric per output channel, Tensor.scales in the file; activations: with `quant`
    UINT8 = 3     # activations only, with `quant` (quant/scheme.py)


class Activation(IntEnum):
    NONE = 0
    RELU = 1


class ChannelOrder(IntEnum):
    RGB = 0
    BGR = 1


@dataclass(frozen=True)
class Size2D:
    h: int
    w: int


@dataclass(frozen=True)
class Pad2D:
    top: int = 0
    bottom: int = 0
    left: int = 0
    right: int = 0

    def __add__(self, o: "Pad2D") -> "Pad2D":
        return Pad2D(self.top + o.top, self.bottom + o.bottom, self.left + o.left, self.right + o.right)

    def is_zero(self) -> bool:
        return self.top == self.bottom == self.left == self.right == 0


@dataclass(frozen=True)
class QuantParams:
    """An 8-bit activation's quantisation: real = scale * (q - zero_point). scale is a float32 value
    (held as a Python float that float32 represents exactly), finite and > 0."""
    scale: float
    zero_point: int


@dataclass(eq=False)
class Tensor:
    name: str
    shape: List[int]
    dtype: DType = DType.FLOAT32        # storage in the file: FLOAT16 / INT8 for narrow weights (storage.py)
    data: Optional[np.ndarray] = None   # constant (weight) tensors only; written to a Buffer
    quant: Optional[QuantParams] = None   # 8-bit activations only (INT8 / UINT8), quant/scheme.py
    scales: Optional[np.ndarray] = None   # INT8 weights read from a file: their float32 scales (reader.py)

    @property
    def is_constant(self) -> bool:
        return self.data is not None

    def __repr__(self) -> str:
        return f"Tensor({self.name!r}, {self.shape}{', const' if self.is_constant else ''})"


# ---- schema op options (the OpOptions union) ----

@dataclass
class Conv2DOptions:
    kernel: Size2D
    stride: Size2D
    pad: Pad2D
    dilation: Size2D
    groups: int = 1
    activation: Activation = Activation.NONE


@dataclass
class MaxPool2DOptions:
    kernel: Size2D
    stride: Size2D
    pad: Pad2D
    ceil_mode: bool = False
    activation: Activation = Activation.NONE


@dataclass
class AvgPool2DOptions:
    kernel: Size2D
    stride: Size2D
    pad: Pad2D
    ceil_mode: bool = False
    count_include_pad: bool = True
    activation: Activation = Activation.NONE


@dataclass
class ConcatOptions:
    axis: int = 3


@dataclass
class GlobalAvgPoolOptions:
    pass


@dataclass
class FullyConnectedOptions:
    activation: Activation = Activation.NONE


@dataclass
class SoftmaxOptions:
    beta: float = 1.0


@dataclass
class AddOptions:
    activation: Activation = Activation.NONE


@dataclass
class LRNOptions:
    """ONNX LRN across channels: x[c] / (bias + alpha / size * sum of x[i]^2, i in window(c))^beta, window(c) =
    [c - (size - 1) // 2, c + size // 2] clipped to the channels. PyTorch's LocalResponseNorm means the same
    only for an odd size (for an even one its window sits one channel lower; zoo/googlenet_lrn.LRN exports
    a single LRN node only for odd sizes)."""
    size: int
    alpha: float = 1e-4
    beta: float = 0.75
    bias: float = 1.0


# In union order (OpOptions member index = position + 1).
SCHEMA_OPTIONS = (Conv2DOptions, MaxPool2DOptions, AvgPool2DOptions, ConcatOptions, GlobalAvgPoolOptions,
                  FullyConnectedOptions, SoftmaxOptions, AddOptions, LRNOptions)
OP_KIND = {cls: cls.__name__[: -len("Options")] for cls in SCHEMA_OPTIONS}   # Conv2DOptions -> "Conv2D"


# ---- transient ops (removed by passes.py) ----

@dataclass
class BatchNormOptions:   # y = (x - mean) / sqrt(var + eps) * scale + bias, per channel (last axis)
    scale: np.ndarray
    bias: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    eps: float


@dataclass
class ReluOptions:
    pass


@dataclass
class PadOptions:   # zero padding of H and W
    pad: Pad2D


@dataclass
class IdentityOptions:
    pass


@dataclass
class FlattenOptions:   # [N, 1, 1, C] -> [N, C]
    pass


@dataclass
class BiasAddOptions:   # y = x + bias (bias broadcast along the last axis)
    bias: np.ndarray


@dataclass
class ScaleOptions:   # y = x * scale (scalar or per channel), e.g. Inception-ResNet's residual scaling
    scale: np.ndarray


TRANSIENT_OPTIONS = (BatchNormOptions, ReluOptions, PadOptions, IdentityOptions, FlattenOptions, BiasAddOptions,
                     ScaleOptions)


@dataclass(eq=False)
class Operator:
    name: str
    inputs: List[Optional[Tensor]]   # None marks an absent optional input (-1 in the file)
    outputs: List[Tensor]
    options: object
    source: str = ""   # the importer's op type (e.g. ONNX "Conv"), for error messages

    @property
    def kind(self) -> str:
        return OP_KIND.get(type(self.options), type(self.options).__name__[: -len("Options")])

    @property
    def label(self) -> str:
        return f"'{self.name}' ({self.source or self.kind})"


@dataclass
class Metadata:
    architecture: str = ""
    input_size: Size2D = Size2D(0, 0)
    mean: List[float] = field(default_factory=lambda: [0.485, 0.456, 0.406])
    std: List[float] = field(default_factory=lambda: [0.229, 0.224, 0.225])
    channel_order: ChannelOrder = ChannelOrder.RGB
    labels: List[str] = field(default_factory=list)
    producer: str = ""


@dataclass(eq=False)
class Graph:
    name: str = ""
    inputs: List[Tensor] = field(default_factory=list)
    outputs: List[Tensor] = field(default_factory=list)
    ops: List[Operator] = field(default_factory=list)
    metadata: Metadata = field(default_factory=Metadata)
    # (H, W) of the input as the source file declares it (the ONNX input's dims, the Keras input layer's), before
    # --input-size replaced them; None where it declares none. The converter's own note, not written to the file.
    source_input_size: Optional[Tuple[int, int]] = None

    def producers(self) -> Dict[int, Operator]:
        """id(tensor) -> the op writing it."""
        return {id(t): op for op in self.ops for t in op.outputs}

    def consumers(self) -> Dict[int, List[Operator]]:
        """id(tensor) -> ops reading it (an op reading a tensor twice appears twice)."""
        uses: Dict[int, List[Operator]] = {}
        for op in self.ops:
            for t in op.inputs:
                if t is not None:
                    uses.setdefault(id(t), []).append(op)
        return uses

    def is_output(self, t: Tensor) -> bool:
        return any(o is t for o in self.outputs)

    def replace_uses(self, old: Tensor, new: Tensor) -> None:
        """Every reader of `old` (ops and graph outputs) reads `new` instead."""
        for op in self.ops:
            op.inputs = [new if t is old else t for t in op.inputs]
        self.outputs = [new if t is old else t for t in self.outputs]

    def tensors(self) -> List[Tensor]:
        """All tensors in first-use order: graph inputs, then per op its inputs and outputs."""
        seen, order = set(), []
        for t in self.inputs + [t for op in self.ops for t in op.inputs + op.outputs] + self.outputs:
            if t is not None and id(t) not in seen:
                seen.add(id(t))
                order.append(t)
        return order

    def param_count(self) -> int:
        return sum(int(t.data.size) for t in self.tensors() if t.is_constant)
