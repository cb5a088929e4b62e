# SPDX-License-Identifier: Apache-2.0
"""A minimal safetensors writer for tests (the format of huggingface/safetensors' README), so the default
suite needs no `safetensors` package. Half-precision values are rounded by torch (round to nearest even),
not by the reader under test. fixtures/ holds files written by the real library (make_fixtures.py)."""

import json
import struct

import numpy as np
import torch

TORCH_DTYPES = {"F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16}


def encode(tensor: torch.Tensor, dtype: str) -> bytes:
    """Little-endian bytes of `tensor` stored as `dtype` (F32/F16/BF16 for floats; integers as they are)."""
    t = tensor.detach().contiguous()
    if t.is_floating_point():
        t = t.to(TORCH_DTYPES[dtype])
        if dtype == "BF16":   # numpy has no bfloat16: the same 16 bits as int16
            t = t.view(torch.int16)
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def rounded(state, dtype: str):
    """`state` as the reader returns it: every float tensor rounded to `dtype` and widened back to float32."""
    return {k: v.to(TORCH_DTYPES[dtype]).to(torch.float32) if v.is_floating_point() else v for k, v in state.items()}


def pack(header: dict, body: bytes, pad: int = 0) -> bytes:
    raw = json.dumps(header).encode() + b" " * pad
    return struct.pack("<Q", len(raw)) + raw + body


def serialize(state, dtype: str = "F32", metadata=None) -> bytes:
    """A safetensors file of the torch state_dict `state`: floats as `dtype`, int64 counters as I64."""
    header, body = {}, b""
    if metadata is not None:
        header["__metadata__"] = metadata
    for name, t in state.items():
        data = encode(t, dtype)
        st_dtype = dtype if t.is_floating_point() else {torch.int64: "I64", torch.int32: "I32"}[t.dtype]
        header[name] = {"dtype": st_dtype, "shape": list(t.shape), "data_offsets": [len(body), len(body) + len(data)]}
        body += data
    return pack(header, body, pad=(8 - (8 + len(json.dumps(header))) % 8) % 8)


def tensor_bytes(values, dtype="F32") -> bytes:
    return encode(torch.tensor(np.asarray(values, dtype=np.float32)), dtype)
