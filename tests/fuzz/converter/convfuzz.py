# SPDX-License-Identifier: Apache-2.0
"""What the converter's fuzzing shares: the formats and their seeds, a micro zoo net for the checkpoint paths,
one in-process run of the CLI, the converter rule, and format-aware mutators.

Used by the deterministic mutation pass (tests/converter/test_fuzz_mutants.py, through worker.py) and by the
atheris harness (fuzz_readers.py). The rule, for every checkpoint input: exit 0 with an output the reader
accepts, or exit 2 with one line `incept-convert: error: ...` on stderr and no output file (nor temp file)
left; never a traceback (exit 1), never past the time or memory bound.
"""

import contextlib
import io
import json
import os
import random
import signal
import struct
import sys
import tempfile
import traceback
import zipfile
import zlib
from pathlib import Path
from typing import Callable, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[2]
SEEDS = HERE / "seeds"
REGRESSIONS = REPO / "tests" / "fuzz" / "regressions"
if str(REPO / "converter") not in sys.path:
    sys.path.insert(0, str(REPO / "converter"))

# Format -> file suffix. keras_h5 and keras_zip are one atheris surface ("keras"), the reader tells them apart.
FORMATS = {"safetensors": ".safetensors", "onnx": ".onnx", "keras_h5": ".h5", "keras_zip": ".keras", "pth": ".pth"}
SURFACES = {"safetensors": ("safetensors",), "onnx": ("onnx",), "keras": ("keras_h5", "keras_zip"), "pth": ("pth",)}
MICRO_ARCH, MICRO_SIZE, MICRO_CLASSES = "fuzz_micro", 8, 3
TIME_LIMIT_S = 90   # one input, in-process, past the 60 s isolate.py gives libhdf5; a hang past it breaks the rule
MEMORY_LIMIT = 4 << 30     # RLIMIT_AS of the process that runs the inputs


class Timeout(BaseException):
    """Raised by the alarm; a BaseException, so no `except Exception` in the converter can swallow it."""


def register_micro() -> None:
    """Adds MICRO_ARCH (conv 3x3 + BatchNorm + ReLU -> global average pool -> fc) to this process's zoo: a
    state_dict of a few hundred bytes, so the .pth and .safetensors seeds stay small and convert fast."""
    import torch.nn as nn
    from incept_convert import zoo
    from incept_convert.zoo.small import BasicConv2d

    class Micro(nn.Module):
        def __init__(self, num_classes: int = MICRO_CLASSES):
            super().__init__()
            self.conv1 = BasicConv2d(3, 4, 3, padding=1)
            self.avgpool = nn.AdaptiveAvgPool2d(1)
            self.fc = nn.Linear(4, num_classes)

        def forward(self, x):
            return self.fc(self.avgpool(self.conv1(x)).flatten(1))

    if MICRO_ARCH not in zoo.SPECS:
        zoo.register(MICRO_ARCH, zoo.Spec(build=lambda num_classes, aux_logits: Micro(num_classes),
                                          input_size=MICRO_SIZE, description="fuzzing-only micro net"))


def format_of(path: Path) -> str:
    for fmt, suffix in FORMATS.items():
        if path.name.endswith(suffix):
            return fmt
    raise ValueError(f"{path}: no known checkpoint suffix")


def argv_for(fmt: str, path: str, out: str) -> List[str]:
    if fmt in ("safetensors", "pth"):
        return ["--arch", MICRO_ARCH, "--checkpoint", path, "-o", out, "-q"]
    return ["--onnx" if fmt == "onnx" else "--keras", path, "-o", out, "-q"]


@contextlib.contextmanager
def _captured(fd: int, stream_name: str):
    """Sends file descriptor `fd` (and sys.<stream_name>) to a temp file for the block; yields a reader of it."""
    stream = getattr(sys, stream_name)
    stream.flush()
    saved = os.dup(fd)
    with tempfile.TemporaryFile() as tmp:
        os.dup2(tmp.fileno(), fd)
        text = []
        try:
            yield text
        finally:
            getattr(sys, stream_name).flush()
            os.dup2(saved, fd)
            os.close(saved)
            tmp.seek(0)
            text.append(tmp.read().decode("utf-8", "replace"))


def run_cli(argv: List[str], time_limit: float = TIME_LIMIT_S) -> Tuple[int, str, str]:
    """incept_convert.cli.main(argv) in this process, as the launcher would run it: (exit code, stdout,
    stderr). An exception escaping main is printed as Python would (a traceback, exit 1); past `time_limit`
    seconds (0: no limit, the caller keeps time) the run stops with exit code -1 ('timeout' on stderr)."""
    from incept_convert import cli

    def alarm(signum, frame):
        raise Timeout()

    old = signal.signal(signal.SIGALRM, alarm) if time_limit else None   # libFuzzer's -timeout uses SIGALRM too
    with _captured(1, "stdout") as out, _captured(2, "stderr") as err:
        if time_limit:
            signal.setitimer(signal.ITIMER_REAL, time_limit)
        try:
            rc = cli.main(argv)
        except SystemExit as e:
            rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
        except Timeout:
            rc = -1
            print(f"timeout: over {time_limit} s", file=sys.stderr)
        except BaseException:   # what the interpreter would do with it
            rc = 1
            traceback.print_exc()
        finally:
            if time_limit:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, old)
    return rc, out[0], err[0]


def rule_violation(rc: int, stderr: str, out: Path) -> Optional[str]:
    """None when a run obeyed the converter rule, else what it broke."""
    leftovers = sorted(p.name for p in out.parent.glob(f".{out.name}.*"))
    if leftovers:
        return f"temp files left behind: {leftovers}"
    lines = stderr.strip("\n").split("\n") if stderr.strip() else []
    if rc == 0:
        if not out.exists():
            return "exit 0 without an output file"
        from incept_convert import reader
        try:
            reader.read_model(out.read_bytes())
        except Exception as e:   # noqa: BLE001 - any failure means the file is not valid
            return f"exit 0 but the output does not read back: {type(e).__name__}: {e}"
        return None
    if rc != 2:
        return f"exit {rc}: {stderr.strip()[-2000:]}"
    if "Traceback" in stderr:
        return f"exit 2 with a traceback: {stderr[-2000:]}"
    if len(lines) != 1 or not lines[0].startswith("incept-convert: error: "):
        return f"exit 2 but stderr is not one error line: {stderr[-2000:]!r}"
    if out.exists():
        return "exit 2 but the output file exists"
    return None


def check_file(fmt: str, path: Path, workdir: Path, time_limit: float = TIME_LIMIT_S) -> Tuple[int, str, Optional[str]]:
    """Converts `path` (of `fmt`) to a fresh output in `workdir`; (exit code, stderr, the violation or None)."""
    out = workdir / "out.incept"
    if out.exists():
        out.unlink()
    rc, _, err = run_cli(argv_for(fmt, str(path), str(out)), time_limit)
    return rc, err, rule_violation(rc, err, out)


# ---- mutators: each takes (rng, data) and returns the mutant's bytes ----

INTERESTING = (0, 1, 0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF,
               1 << 40, 0x7FFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF)
JSON_VALUES = (0, -1, 1, 2 ** 31, 2 ** 63, 10 ** 30, 1.5, -0.0, float("nan"), None, True, "", "x", "F32", [], {},
               [1, 2], [0], [-1], [2 ** 40, 2 ** 40], [[1]], [None], ["a"], {"a": 1}, "\ud800", [1] * 64)


def flip_bits(rng, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if b:
            b[rng.randrange(len(b))] ^= 1 << rng.randrange(8)
    return bytes(b)


def set_bytes(rng, data: bytes) -> bytes:
    b = bytearray(data)
    if b:
        pos = rng.randrange(len(b))
        size = rng.choice((1, 2, 4, 8))
        value = rng.choice(INTERESTING) & ((1 << (8 * size)) - 1)
        b[pos:pos + size] = value.to_bytes(size, "little")
    return bytes(b)


def truncate(rng, data: bytes) -> bytes:
    return data[:rng.randrange(len(data))] if data else data


def splice(rng, data: bytes) -> bytes:
    """Deletes, duplicates or inserts random bytes at a random place."""
    if not data:
        return bytes(rng.randrange(256) for _ in range(8))
    a = rng.randrange(len(data))
    n = rng.randint(1, 64)
    kind = rng.randrange(3)
    if kind == 0:
        return data[:a] + data[a + n:]
    if kind == 1:
        return data[:a] + data[a:a + n] * rng.randint(2, 4) + data[a + n:]
    return data[:a] + bytes(rng.randrange(256) for _ in range(n)) + data[a:]


GENERIC = (flip_bits, set_bytes, truncate, splice)


def _json_edit(rng, obj, depth: int = 0):
    """A copy of a JSON value with one random edit somewhere inside (a value replaced, a key dropped, added or
    renamed, a list shortened or grown)."""
    if isinstance(obj, dict) and obj and depth < 12 and rng.random() < 0.8:
        key = rng.choice(sorted(obj))
        out = dict(obj)
        r = rng.random()
        if r < 0.6:
            out[key] = _json_edit(rng, obj[key], depth + 1)
        elif r < 0.75:
            del out[key]
        elif r < 0.9:
            out[key + "_"] = rng.choice(JSON_VALUES)
        else:
            out[rng.choice(("", "name", "config", "dtype", "shape", "class_name"))] = out.pop(key)
        return out
    if isinstance(obj, list) and obj and depth < 12 and rng.random() < 0.8:
        out = list(obj)
        i = rng.randrange(len(out))
        r = rng.random()
        if r < 0.6:
            out[i] = _json_edit(rng, out[i], depth + 1)
        elif r < 0.8:
            del out[i]
        else:
            out.insert(i, out[i])
        return out
    if isinstance(obj, int) and not isinstance(obj, bool) and rng.random() < 0.5:
        return rng.choice((0, -1, obj + 1, obj - 1, obj * 1000, 2 ** 31, 2 ** 62, -(2 ** 40)))
    return rng.choice(JSON_VALUES)


def json_bytes_edit(rng, text: bytes) -> bytes:
    """A random structural edit of JSON text, or a textual one (deep nesting, a duplicate key, invalid UTF-8)."""
    r = rng.random()
    if r < 0.06:
        return b"[" * rng.choice((1000, 100000)) + b"]" * rng.choice((0, 1000))
    if r < 0.1:
        return text.replace(b"{", b'{"a": 1, "a": 2, ', 1)
    if r < 0.13:
        return text[:len(text) // 2] + b"\xff\xfe" + text[len(text) // 2:]
    try:
        obj = json.loads(text)
    except (ValueError, RecursionError):
        return flip_bits(rng, text)
    return json.dumps(_json_edit(rng, obj)).encode()


# safetensors: [u64 header length][JSON header][data]
def _st_split(data: bytes):
    n = int.from_bytes(data[:8], "little")
    return data[8:8 + n], data[8 + n:]


def st_header_length(rng, data: bytes) -> bytes:
    n = int.from_bytes(data[:8], "little")
    value = rng.choice((0, 1, n - 1, n + 1, n + 7, len(data), len(data) - 7, 2 ** 32, 99_999_999, 2 ** 63, 2 ** 64 - 1))
    return struct.pack("<Q", value % 2 ** 64) + data[8:]


def st_header_json(rng, data: bytes) -> bytes:
    header, body = _st_split(data)
    try:
        obj = json.loads(header)
    except (ValueError, RecursionError):
        return flip_bits(rng, data)
    names = [k for k in obj if k != "__metadata__"]
    r = rng.random()
    if names and r < 0.7:
        name = rng.choice(names)
        entry = dict(obj[name])
        field = rng.choice(("dtype", "shape", "data_offsets"))
        if field == "dtype":
            entry["dtype"] = rng.choice(("F16", "BF16", "I64", "F64", "U8", "BOOL", "f32", 0, None))
        elif field == "shape":
            entry["shape"] = rng.choice(([], [0], [2 ** 62, 2 ** 62], [-1], [1.0], [True], "4", [[4]],
                                        list(reversed(entry["shape"])), entry["shape"] + [1], entry["shape"][:-1]))
        else:
            b, e = entry["data_offsets"]
            entry["data_offsets"] = rng.choice(([e, b], [b, e + 4], [b - 4, e], [b, 2 ** 64], [0, 0], [b], [-4, e],
                                                [b + 0.5, e], None, [b, e, e], [str(b), e]))
        obj[name] = entry
        text = json.dumps(obj).encode()
    elif r < 0.8:
        obj["__metadata__"] = rng.choice(({"a": 1}, [], "x", {"format": None}, {"k" * 10: "v" * 100}))
        text = json.dumps(obj).encode()
    else:
        text = json_bytes_edit(rng, header)
    return struct.pack("<Q", len(text)) + text + body


def st_data(rng, data: bytes) -> bytes:
    """Keeps the header, rewrites the data section's length (truncated or grown)."""
    header, body = _st_split(data)
    body = body[:rng.randrange(len(body))] if rng.random() < 0.5 else body + bytes(rng.choice((1, 4, 4096)))
    return data[:8] + header + body


# zip archives (.keras, torch.save .pth): members rewritten and the archive rebuilt, so mutants get past the CRCs
def _zip_members(data: bytes):
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(i, z.read(i.filename)) for i in z.infolist()]


def _zip_build(members) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for info, payload in members:
            info = zipfile.ZipInfo(info.filename, date_time=info.date_time)
            z.writestr(info, payload)
    return buf.getvalue()


def zip_member_edit(rng, data: bytes, edit_for: Callable[[str], Callable]) -> bytes:
    """One member rewritten by edit_for(name), or dropped, duplicated or renamed; the archive is rebuilt."""
    try:
        members = _zip_members(data)
    except Exception:   # noqa: BLE001 - not a readable zip: fall back to bytes
        return flip_bits(rng, data)
    i = rng.randrange(len(members))
    info, payload = members[i]
    r = rng.random()
    if r < 0.75:
        members[i] = (info, edit_for(info.filename)(rng, payload))
    elif r < 0.85:
        del members[i]
    elif r < 0.95:
        members.insert(i, (info, payload))
    else:
        members[i] = (zipfile.ZipInfo(info.filename + "x", date_time=info.date_time), payload)
    with warnings_off():
        return _zip_build(members)


@contextlib.contextmanager
def warnings_off():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")   # zipfile warns about duplicate names
        yield


def zip_directory(rng, data: bytes) -> bytes:
    """Rewrites one field of the central directory or of a local header (sizes, offsets, counts, method)."""
    b = bytearray(data)
    spots = []
    for sig, fields in ((b"PK\x01\x02", (10, 20, 24, 28, 30, 42)), (b"PK\x03\x04", (8, 18, 22, 26, 28)),
                        (b"PK\x05\x06", (8, 10, 12, 16, 20))):
        pos = data.find(sig)
        while pos >= 0:
            spots += [pos + f for f in fields]
            pos = data.find(sig, pos + 1)
    if not spots:
        return set_bytes(rng, data)
    pos = rng.choice(spots)
    size = 2 if pos + 4 > len(b) or rng.random() < 0.4 else 4
    value = rng.choice(INTERESTING + (int.from_bytes(b[pos:pos + size], "little") + rng.choice((1, -1, 64)),))
    b[pos:pos + size] = (value % (1 << (8 * size))).to_bytes(size, "little")
    return bytes(b)


def crc_fixed(data: bytes) -> bytes:
    """The archive with each entry's CRC-32 recomputed over its stored bytes (stored entries only), in the
    central directory, the local header and a data descriptor, so a byte flip inside a member reaches the
    member's parser instead of the CRC check."""
    b = bytearray(data)
    c = data.find(b"PK\x01\x02")
    while 0 <= c and c + 46 <= len(b):
        method, csize = struct.unpack_from("<H", b, c + 10)[0], struct.unpack_from("<I", b, c + 20)[0]
        nlen, xlen, clen = struct.unpack_from("<HHH", b, c + 28)
        local = struct.unpack_from("<I", b, c + 42)[0]
        if method == 0 and local + 30 <= len(b) and b[local:local + 4] == b"PK\x03\x04":
            lnlen, lxlen = struct.unpack_from("<HH", b, local + 26)
            start = local + 30 + lnlen + lxlen
            if start + csize <= len(b):
                crc = zlib.crc32(bytes(b[start:start + csize]))
                struct.pack_into("<I", b, c + 16, crc)
                struct.pack_into("<I", b, local + 14, crc)
                flags = struct.unpack_from("<H", b, local + 6)[0]
                end = start + csize
                if flags & 8 and end + 8 <= len(b):   # data descriptor: [signature] crc, sizes
                    struct.pack_into("<I", b, end + 4 if b[end:end + 4] == b"PK\x07\x08" else end, crc)
        c = data.find(b"PK\x01\x02", c + 46 + nlen + xlen + clen)
    return bytes(b)


def member_flip(rng, data: bytes) -> bytes:
    """A byte mutation inside the archive, then the CRCs made to match again."""
    return crc_fixed(rng.choice((flip_bits, set_bytes))(rng, data))


# pickle (data.pkl of a torch.save archive)
def pickle_edit(rng, payload: bytes) -> bytes:
    """Rewrites pickled integers (BININT/BININT1/BININT2 arguments: storage sizes, shapes, strides, offsets),
    strings' lengths, or bytes of the opcode stream."""
    b = bytearray(payload)
    ints = [i for i, op in enumerate(b) if op in (0x4A, 0x4B, 0x4D, 0x58, 0x8C) and i + 1 < len(b)]
    if ints and rng.random() < 0.7:
        i = rng.choice(ints)
        width = {0x4A: 4, 0x4B: 1, 0x4D: 2, 0x58: 4, 0x8C: 1}[b[i]]
        value = rng.choice(INTERESTING + (0, 1, 2, 3)) % (1 << (8 * width))
        b[i + 1:i + 1 + width] = value.to_bytes(width, "little")
        return bytes(b)
    return rng.choice(GENERIC)(rng, bytes(b))


def pth_member(name: str):
    if name.endswith("data.pkl"):
        return pickle_edit
    if name.endswith(("version", "byteorder")):
        return lambda rng, p: rng.choice((b"", b"9\n", b"-1\n", b"big", b"x" * 100, b"3\n", p + b"0"))
    return lambda rng, p: rng.choice((truncate, splice, lambda r, d: d + bytes(r.choice((1, 4, 8)))))(rng, p)


def pth_zip_edit(rng, data: bytes) -> bytes:
    return zip_member_edit(rng, data, pth_member)


# HDF5 (.h5): superblock fields, object headers, structural rewrites through h5py
def h5_superblock(rng, data: bytes) -> bytes:
    """Rewrites a superblock field: version bytes, sizes of offsets and lengths, the base / end-of-file /
    root-group addresses."""
    b = bytearray(data)
    if len(b) < 64:
        return set_bytes(rng, data)
    pos = rng.choice((8, 9, 10, 11, 13, 14, 15, 16, 18, 20, 24, 32, 40, 48, 56))
    size = 1 if pos < 24 else 8
    value = rng.choice(INTERESTING + (len(data), len(data) + 8, len(data) - 8, 8, 0x60))
    b[pos:pos + size] = (value % (1 << (8 * size))).to_bytes(size, "little")
    return bytes(b)


def h5_object_flip(rng, data: bytes) -> bytes:
    """Flips bits or writes an interesting value near an HDF5 structure signature (object headers, B-trees,
    heaps, symbol tables), where one byte rewrites a dimension, an address or a message size."""
    spots = []
    for sig in (b"OHDR", b"TREE", b"HEAP", b"SNOD", b"BTHD", b"BTLF", b"FRHP", b"FHDB", b"GCOL"):
        pos = data.find(sig)
        while pos >= 0:
            spots.append(pos)
            pos = data.find(sig, pos + 1)
    b = bytearray(data)
    if not spots:
        return set_bytes(rng, data)
    pos = min(len(b) - 1, rng.choice(spots) + rng.randrange(4, 96))
    if rng.random() < 0.5:
        b[pos] ^= 1 << rng.randrange(8)
    else:
        size = rng.choice((1, 4, 8))
        b[pos:pos + size] = (rng.choice(INTERESTING) % (1 << (8 * size))).to_bytes(size, "little")[:len(b) - pos]
    return bytes(b)


def h5_structure(rng, data: bytes) -> bytes:
    """Through h5py: the model config JSON edited, a dataset replaced by one of another shape or dtype, a
    weight_names / layer_names / vars name attribute rewritten, or a group or dataset deleted. libhdf5 runs in a
    forked child (the converter's isolate.run): on a damaged file it can corrupt the heap of its process."""
    from incept_convert import isolate
    from incept_convert.errors import ConvertError
    seed = rng.getrandbits(64)
    try:
        return isolate.run(_h5_structure, (random.Random(seed), data), "h5py", "")
    except ConvertError:
        return flip_bits(rng, data)


def _h5_structure(rng, data: bytes) -> bytes:
    import h5py
    import numpy as np
    buf = io.BytesIO(data)
    try:
        with h5py.File(buf, "r+") as f:
            items = []
            f.visititems(lambda n, o: items.append(n))
            r = rng.random()
            if "model_config" in f.attrs and r < 0.35:
                text = f.attrs["model_config"]
                text = text.encode() if isinstance(text, str) else bytes(text)
                f.attrs["model_config"] = json_bytes_edit(rng, text)
            elif r < 0.7 and items:
                datasets = [n for n in items if isinstance(f[n], h5py.Dataset)] or items
                name = rng.choice(datasets)
                del f[name]
                shape = rng.choice(((), (0,), (1,), (3,), (2 ** 20, 0), (1, 1, 3, 4), (4, 3), (2, 2, 2, 2, 2)))
                dtype = rng.choice(("f4", "f8", "f2", "i8", "u1", "c8", "S4", "?"))
                f.create_dataset(name, data=np.zeros(shape, dtype=dtype))
            elif items:
                holders = [n for n in items if f[n].attrs] or items
                name = rng.choice(holders)
                obj = f[name]
                keys = sorted(obj.attrs) or ["name"]
                key = rng.choice(keys)
                obj.attrs[key] = rng.choice((np.array([b"x", b"y"]), np.array([1, 2]), b"['a', 'b']", "", 7,
                                             np.array([b"missing:0"]), np.zeros((2, 2))))
                if rng.random() < 0.3:
                    del f[rng.choice(items)]
    except Exception:   # noqa: BLE001 - a file h5py cannot open for writing: fall back to bytes
        return flip_bits(rng, data)
    return buf.getvalue()


def keras_zip_member(name: str):
    if name == "config.json" or name.endswith(".json"):
        return json_bytes_edit
    return lambda rng, p: rng.choice((h5_structure, h5_superblock, h5_object_flip, flip_bits, truncate))(rng, p)


def keras_zip_edit(rng, data: bytes) -> bytes:
    return zip_member_edit(rng, data, keras_zip_member)


# ONNX: structural edits through the onnx protobuf API, plus raw protobuf bytes
def onnx_structure(rng, data: bytes) -> bytes:
    import onnx
    model = onnx.ModelProto()
    try:
        model.ParseFromString(data)
    except Exception:   # noqa: BLE001
        return flip_bits(rng, data)
    g = model.graph
    r = rng.randrange(9)
    if r == 0 and g.initializer:      # initializer dims
        t = rng.choice(g.initializer)
        if t.dims:
            t.dims[rng.randrange(len(t.dims))] = rng.choice((0, -1, 2 ** 31, 2 ** 62, 7))
        else:
            t.dims.append(2 ** 40)
    elif r == 1 and g.initializer:    # raw_data length
        t = rng.choice(g.initializer)
        t.raw_data = t.raw_data[:rng.randrange(len(t.raw_data) + 1)] if rng.random() < 0.6 else t.raw_data + b"\0" * 12
    elif r == 2 and g.initializer:    # element type, or data moved out of raw_data
        t = rng.choice(g.initializer)
        if rng.random() < 0.5:
            t.data_type = rng.choice((0, 2, 7, 8, 9, 10, 11, 14, 16, 99))
        else:
            t.ClearField("raw_data")
            t.float_data.extend([1.0] * rng.choice((0, 1, 5)))
    elif r == 3 and g.node:           # node attribute values
        node = rng.choice(g.node)
        if node.attribute:
            a = rng.choice(node.attribute)
            if a.ints:
                a.ints[rng.randrange(len(a.ints))] = rng.choice((0, -1, 2 ** 31, 2 ** 40, 1000))
            elif a.type == onnx.AttributeProto.INT:
                a.i = rng.choice((0, -1, 2 ** 31, 5))
            else:
                a.f = rng.choice((0.0, -1.0, float("nan"), 1e30))
        else:
            node.attribute.add(name=rng.choice(("kernel_shape", "strides", "axis", "pads")), type=7, ints=[0])
    elif r == 4 and g.node:           # node wiring: inputs, outputs, op type
        node = rng.choice(g.node)
        what = rng.randrange(4)
        if what == 0 and node.input:
            node.input[rng.randrange(len(node.input))] = rng.choice(("", "nope", g.node[0].output[0]))
        elif what == 1 and node.output:
            node.output[0] = rng.choice(("", g.node[-1].output[0], g.input[0].name))
        elif what == 2:
            node.op_type = rng.choice(("Conv", "Relu", "Gemm", "Loop", "Foo", "MaxPool", "Reshape", ""))
        else:
            del g.node[rng.randrange(len(g.node))]
    elif r == 5 and g.input:          # input dims and element type
        t = g.input[0].type.tensor_type
        if rng.random() < 0.3:
            t.elem_type = rng.choice((0, 7, 10, 11))
        elif t.shape.dim:
            d = t.shape.dim[rng.randrange(len(t.shape.dim))]
            if rng.random() < 0.5:
                d.dim_value = rng.choice((0, -1, 2 ** 31, 2 ** 40, 100000, 1))
            else:
                d.dim_param = "n"
    elif r == 6:                      # opset and IR versions
        if model.opset_import and rng.random() < 0.7:
            model.opset_import[0].version = rng.choice((0, 1, 10, 17, 18, 22, 2 ** 40))
        else:
            model.ir_version = rng.choice((0, 1, 3, 10, 99))
    elif r == 7:                      # outputs
        if g.output and rng.random() < 0.5:
            g.output[0].name = rng.choice(("", "nope", g.input[0].name if g.input else "x"))
        else:
            g.output.add().CopyFrom(g.output[0]) if g.output else None
    else:                             # external data pointers
        if g.initializer:
            t = rng.choice(g.initializer)
            t.data_location = 1
            kv = t.external_data.add()
            kv.key, kv.value = "location", rng.choice(("../../etc/passwd", "/dev/zero", "missing.bin", "", "."))
            if rng.random() < 0.5:
                kv2 = t.external_data.add()
                kv2.key, kv2.value = "length", rng.choice(("0", "-1", "99999999999", "x"))
    return model.SerializeToString()


def onnx_varint(rng, data: bytes) -> bytes:
    """Rewrites the length or value varint after a random protobuf tag byte."""
    b = bytearray(data)
    tags = [i for i, v in enumerate(b[:-1]) if (v & 7) in (0, 2) and 0 < (v >> 3) < 16]
    if not tags:
        return set_bytes(rng, data)
    i = rng.choice(tags) + 1
    end = i
    while end < len(b) and b[end] & 0x80:
        end += 1
    value = rng.choice((0, 1, 0x7F, 0x80, 2 ** 31, 2 ** 63, int.from_bytes(b[i:i + 1], "little") + 1))
    enc = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        enc.append(byte | (0x80 if value else 0))
        if not value:
            break
    return bytes(b[:i] + enc + b[end + 1:])


MUTATORS = {
    "safetensors": ((st_header_json, 5), (st_header_length, 2), (st_data, 1), (flip_bits, 2), (set_bytes, 1),
                    (truncate, 1), (splice, 1)),
    "onnx": ((onnx_structure, 6), (onnx_varint, 2), (flip_bits, 2), (set_bytes, 1), (truncate, 1), (splice, 1)),
    "keras_h5": ((h5_structure, 5), (h5_superblock, 2), (h5_object_flip, 3), (flip_bits, 1), (truncate, 1),
                 (splice, 1)),
    "keras_zip": ((keras_zip_edit, 6), (zip_directory, 2), (member_flip, 1), (flip_bits, 1), (truncate, 1)),
    "pth": ((pth_zip_edit, 5), (member_flip, 3), (zip_directory, 2), (flip_bits, 1), (truncate, 1), (splice, 1)),
}


def mutate(fmt: str, rng: random.Random, data: bytes) -> bytes:
    """One mutant of `data` (a file of `fmt`): a format-aware mutator, chosen by weight, sometimes applied twice."""
    funcs, weights = zip(*MUTATORS[fmt])
    out = data
    for _ in range(1 if rng.random() < 0.8 else 2):
        func = rng.choices(funcs, weights)[0]
        try:
            out = func(rng, out)
        except Exception:   # noqa: BLE001 - a structural mutator met bytes an earlier mutation broke
            out = flip_bits(rng, out)
    return out


def seeds(fmt: str) -> List[Path]:
    return sorted((SEEDS / fmt).glob("*" + FORMATS[fmt]))


def regressions(fmt: Optional[str] = None) -> List[Path]:
    """Committed findings: tests/fuzz/regressions/converter-<format>/*<suffix>."""
    out = []
    for f in FORMATS if fmt is None else (fmt,):
        out += sorted((REGRESSIONS / f"converter-{f}").glob("*" + FORMATS[f]))
    return out


def limit_memory(limit: int = MEMORY_LIMIT) -> None:
    import resource
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
