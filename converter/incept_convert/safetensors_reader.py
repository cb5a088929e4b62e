# SPDX-License-Identifier: Apache-2.0
"""A strict safetensors reader in NumPy (no `safetensors` package needed).

The format (huggingface/safetensors, README "Format"): an 8-byte little-endian unsigned header length N,
then N bytes of UTF-8 JSON, then the byte buffer. The JSON is an object mapping each tensor name to
{"dtype": "F32", "shape": [...], "data_offsets": [begin, end]} (offsets relative to the byte buffer), plus
an optional "__metadata__" object of string to string. The header may be padded with trailing spaces.

Every rule the reference implementation enforces is checked here, and a file that breaks one is refused
with a ConvertError naming the file, what is wrong, the value found and the rule:
  - N at most MAX_HEADER_BYTES (100 MB, the reference cap) and the header inside the file;
  - the header is UTF-8 JSON, an object, starting with '{', no duplicate names;
  - each entry has exactly dtype, shape and data_offsets; shape entries and offsets are non-negative
    integers, begin <= end; a shape has at most MAX_RANK (8) dimensions (the format sets no limit);
  - end - begin == product(shape) x the dtype's size;
  - the entries, ordered by offset, tile the byte buffer exactly: no overlap, no gap, and the last one
    ends where the file ends (no trailing bytes).
Weights are F32, F16 or BF16 (F16 and BF16 are widened to float32 exactly); I64 is accepted only for
BatchNorm's `num_batches_tracked` counters, which torch writes into every state_dict and inference ignores.
Any other dtype is refused by name.
"""

import json
import os
from typing import Dict

import numpy as np

from .errors import ConvertError, short_reason

MAX_HEADER_BYTES = 100_000_000
MAX_RANK = 8   # Inception weights have at most 4 dimensions; NumPy stops at 32
FLOAT_DTYPES = {"F32": 4, "F16": 2, "BF16": 2}
COUNTER_DTYPE, COUNTER_SUFFIX = "I64", "num_batches_tracked"
# Every dtype name the format defines, so a refusal can tell "not a weight type" from "not safetensors".
KNOWN_DTYPES = ("BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "I16", "U16",
                "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64", "C64")
FIELDS = ("dtype", "shape", "data_offsets")


def _is_int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _no_duplicates(pairs):
    out = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"the name '{k}' appears twice")
        out[k] = v
    return out


class _Reader:
    def __init__(self, path: str):
        self.path = path

    def fail(self, what: str):
        raise ConvertError(f"checkpoint {self.path} is not a valid safetensors file: {what}")

    def header(self, data: bytes) -> Dict:
        if len(data) < 8:
            self.fail(f"it has {len(data)} bytes, fewer than the 8-byte header length (truncated?)")
        n = int.from_bytes(data[:8], "little")
        if n > MAX_HEADER_BYTES:
            self.fail(f"header length {n} is over the {MAX_HEADER_BYTES}-byte limit of the format")
        if 8 + n > len(data):
            self.fail(f"header length {n} runs past the end of the file ({len(data)} bytes; truncated?)")
        raw = data[8:8 + n]
        if not raw.startswith(b"{"):
            self.fail("the header does not start with '{' (a safetensors header is a JSON object)")
        try:
            header = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
        except UnicodeDecodeError as e:
            self.fail(f"the header is not UTF-8 ({short_reason(e, 80)})")
        except ValueError as e:   # json.JSONDecodeError, or a duplicate name
            self.fail(f"the header is not valid JSON ({short_reason(e, 120)})")
        return header   # a dict: valid JSON that starts with '{' is an object

    def entry(self, name: str, info) -> tuple:
        where = f"tensor '{name}'"
        if not isinstance(info, dict):
            self.fail(f"{where}: its entry is a JSON {type(info).__name__}, "
                      f"expected an object with {', '.join(FIELDS)}")
        missing = [f for f in FIELDS if f not in info]
        extra = sorted(set(info) - set(FIELDS))
        if missing or extra:
            self.fail(f"{where}: " + "; ".join(([f"missing {', '.join(missing)}"] if missing else [])
                                               + ([f"unknown field {', '.join(extra)}"] if extra else []))
                      + f" (an entry has exactly {', '.join(FIELDS)})")
        dtype, shape, offsets = info["dtype"], info["shape"], info["data_offsets"]
        if not isinstance(dtype, str) or dtype not in KNOWN_DTYPES:
            self.fail(f"{where}: unknown dtype {json.dumps(dtype)}")
        if dtype not in FLOAT_DTYPES and not (dtype == COUNTER_DTYPE and name.endswith(COUNTER_SUFFIX)):
            raise ConvertError(f"checkpoint {self.path}: tensor '{name}' has dtype {dtype}; incept reads weights "
                               f"stored as {', '.join(FLOAT_DTYPES)} (save the state_dict in one of those)")
        if not isinstance(shape, list) or not all(_is_int(d) and d >= 0 for d in shape):
            self.fail(f"{where}: shape {json.dumps(shape)} is not a list of non-negative integers")
        if len(shape) > MAX_RANK:
            raise ConvertError(f"checkpoint {self.path}: tensor '{name}' has {len(shape)} dimensions; incept reads "
                               f"weights of at most {MAX_RANK}")
        if (not isinstance(offsets, list) or len(offsets) != 2 or not all(_is_int(o) and o >= 0 for o in offsets)
                or offsets[0] > offsets[1]):
            self.fail(f"{where}: data_offsets {json.dumps(offsets)} is not [begin, end] with 0 <= begin <= end")
        size = 8 if dtype == COUNTER_DTYPE else FLOAT_DTYPES[dtype]
        count = 1
        for d in shape:
            count *= d   # Python integers: no overflow
        if count * size != offsets[1] - offsets[0]:
            self.fail(f"{where}: data_offsets {offsets} hold {offsets[1] - offsets[0]} bytes, but shape {shape} of "
                      f"{dtype} needs {count * size}")
        return dtype, tuple(shape), offsets[0], offsets[1]

    def read(self) -> Dict[str, np.ndarray]:
        try:
            with open(self.path, "rb") as f:
                data = f.read()
        except IsADirectoryError:
            raise ConvertError(f"checkpoint {self.path} is a directory; pass the .safetensors file") from None
        except OSError as e:
            raise ConvertError(f"cannot read checkpoint {self.path} ({short_reason(e, 160)})") from None
        header = self.header(data)
        metadata = header.pop("__metadata__", {})
        if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
            self.fail("__metadata__ must be an object of strings")
        entries = {name: self.entry(name, info) for name, info in header.items()}
        start = 8 + int.from_bytes(data[:8], "little")
        buffer_size = len(data) - start
        end = 0
        for name, (_, _, b, e) in sorted(entries.items(), key=lambda kv: (kv[1][2], kv[1][3])):
            if e > buffer_size:
                self.fail(f"tensor '{name}': data_offsets [{b}, {e}] run past the end of the data "
                          f"({buffer_size} bytes; truncated?)")
            if b < end:
                self.fail(f"tensor '{name}': data_offsets [{b}, {e}] overlap the previous tensor, which ends at {end}")
            if b > end:
                self.fail(f"tensor '{name}': data_offsets [{b}, {e}] leave a gap after byte {end} (tensors must be "
                          "packed back to back)")
            end = e
        if end != buffer_size:
            self.fail(f"the tensors end at data byte {end} but the file has {buffer_size} data bytes "
                      "(trailing bytes after the last tensor)")
        out = {}
        for name, (dtype, shape, b, e) in entries.items():
            raw = np.frombuffer(data, dtype=np.uint8, count=e - b, offset=start + b)
            if dtype == "F32":
                arr = raw.view("<f4").astype(np.float32)
            elif dtype == "F16":
                arr = raw.view("<f2").astype(np.float32)   # exact: every float16 is a float32
            elif dtype == "BF16":
                arr = (raw.view("<u2").astype(np.uint32) << 16).view(np.float32)   # bf16 is float32's top half
            else:
                arr = raw.view("<i8").astype(np.int64)
            out[name] = arr.reshape(shape)
        return out


def load(path: str) -> Dict[str, np.ndarray]:
    """Name -> array (float32, or int64 for num_batches_tracked) of the safetensors file at `path`."""
    if not os.path.exists(path):
        raise ConvertError(f"checkpoint {path} does not exist; check the --checkpoint path")
    return _Reader(path).read()
