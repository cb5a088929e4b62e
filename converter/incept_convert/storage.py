# SPDX-License-Identifier: Apache-2.0
"""Weight storage: float32, float16 or int8 bytes for a constant (schema DType), and back.

    storage.narrow_weights(g, "int8")      # after the passes: marks conv / fully connected weights
    blob, scales = storage.encode(t)       # the writer: the bytes of t's Buffer (+ Tensor.scales for INT8)
    w = storage.decode(dtype, raw, shape, scales)   # the reader: float32 values, as the runtime widens them

Only weights (inputs in opspec's WEIGHTS role: input 1 of Conv2D and FullyConnected) go narrow; biases
stay float32 (they are a few hundred bytes a layer and are added after every sum). The folds (BatchNorm,
residual scales) have run by then, so what is rounded is what the runtime multiplies with. An absent bias
(None; -1 in the file) has no storage.
  float16: round to nearest even (NumPy's float32 -> float16); a weight beyond float16's range (65504)
           is an error naming the tensor, never an infinity in the file.
  Both start from the float32 values (what a float32 file holds).
  int8:    symmetric, one scale per output channel (axis 0): scale = max |w| / 127 in float32, q =
           round(w / scale) in [-127, 127]; the runtime computes q * scale in float32 (one rounding), and
           so does decode(). An all-zero channel gets scale 1 (q = 0).
"""

from typing import List, Optional, Tuple

import numpy as np

from . import ir, opspec
from .errors import ConvertError

CHOICES = ("fp32", "fp16", "int8")
DTYPE_OF = {"fp32": ir.DType.FLOAT32, "fp16": ir.DType.FLOAT16, "int8": ir.DType.INT8}
BYTES_PER_ELEMENT = {ir.DType.FLOAT32: 4, ir.DType.FLOAT16: 2, ir.DType.INT8: 1}
FLOAT16_MAX = 65504.0


def weight_tensors(g: ir.Graph) -> List[ir.Tensor]:
    """The inputs in the weights role (opspec.Role.WEIGHTS) of every op, in op order, each once."""
    seen, out = set(), []
    for op in g.ops:
        j = opspec.of(op).index(opspec.Role.WEIGHTS)
        w = op.inputs[j] if j is not None and j < len(op.inputs) else None
        if w is not None and w.is_constant and id(w) not in seen:
            seen.add(id(w))
            out.append(w)
    return out


def narrow_weights(g: ir.Graph, choice: str, keep_fp32: Tuple[str, ...] = ()) -> List[ir.Tensor]:
    """Marks the weights of convs and fully connected layers for `choice` storage ("fp32", "fp16",
    "int8"), except those whose tensor name is in keep_fp32. Returns the tensors marked narrow."""
    if choice not in DTYPE_OF:
        raise ConvertError(f"--weights {choice!r}: choose one of {', '.join(CHOICES)}")
    dtype, marked = DTYPE_OF[choice], []
    if dtype == ir.DType.FLOAT32:
        return marked
    for w in weight_tensors(g):
        if w.name in keep_fp32:
            continue
        w.dtype = dtype
        marked.append(w)
    return marked


def int8_scales(w: np.ndarray) -> np.ndarray:
    """Per-output-channel scales (float32, > 0) for weights w with the output channel on axis 0."""
    amax = np.abs(np.asarray(w, np.float32).astype(np.float64).reshape(w.shape[0], -1)).max(axis=1)
    scales = (amax / 127.0).astype(np.float32)
    scales[~(scales > 0)] = 1.0   # an all-zero channel (or one so small its scale underflows)
    return scales


def quantize_int8(w: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """(q int8 of w's shape, scales float32 [out])."""
    scales = int8_scales(w)
    w32 = np.asarray(w, np.float32).astype(np.float64)   # the float32 file's values, quantized
    per = w32.reshape(w.shape[0], -1) / scales.astype(np.float64)[:, None]
    q = np.clip(np.rint(per), -127, 127).astype(np.int8)
    return q.reshape(w.shape), scales


def encode(t: ir.Tensor) -> Tuple[bytes, Optional[np.ndarray]]:
    """The Buffer bytes of constant t at its dtype, and its scales (INT8) or None."""
    if t.dtype == ir.DType.FLOAT32:
        return np.ascontiguousarray(t.data, dtype="<f4").tobytes(), None
    if t.dtype == ir.DType.FLOAT16:
        w = np.asarray(t.data, np.float64)
        big = float(np.abs(w).max()) if w.size else 0.0
        if not big <= FLOAT16_MAX:
            raise ConvertError(f"weights '{t.name}' hold {big:.6g}, beyond float16's range (65504): "
                               f"convert with --weights int8 or fp32")
        return np.ascontiguousarray(w.astype(np.float32).astype("<f2")).tobytes(), None
    if t.dtype == ir.DType.INT8:
        q, scales = quantize_int8(t.data)
        return np.ascontiguousarray(q).tobytes(), scales
    raise ConvertError(f"tensor '{t.name}': no storage for dtype {t.dtype!r}")


def decode(dtype: ir.DType, raw: bytes, offset: int, shape: List[int], scales: Optional[np.ndarray]) -> np.ndarray:
    """float32 values of a constant stored as `dtype` at raw[offset:], as the runtime widens them."""
    count = int(np.prod(shape)) if shape else 1
    if dtype == ir.DType.FLOAT32:
        return np.frombuffer(raw, dtype="<f4", count=count, offset=offset).reshape(shape)
    if dtype == ir.DType.FLOAT16:
        return np.frombuffer(raw, dtype="<f2", count=count, offset=offset).astype(np.float32).reshape(shape)
    if dtype == ir.DType.INT8:
        q = np.frombuffer(raw, dtype=np.int8, count=count, offset=offset).reshape(shape[0], -1)
        return (q.astype(np.float32) * np.asarray(scales, np.float32)[:, None]).reshape(shape)
    raise ValueError(f"unknown dtype {dtype}")
