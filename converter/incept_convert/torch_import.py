# SPDX-License-Identifier: Apache-2.0
"""PyTorch checkpoint (.pth or .safetensors state_dict of a model-zoo architecture) -> ONNX -> graph IR.

A .pth state_dict is loaded with torch.load(weights_only=True, map_location="cpu") (tensors and plain
containers only: a checkpoint never runs code); a .safetensors file (timm / Hugging Face) by the strict
NumPy reader of safetensors_reader.py, F16/BF16 widened to float32. Either is unwrapped from
{"state_dict": ...} / {"model": ...}, stripped of a "module." (DataParallel) prefix and of the auxiliary
classifiers (training-only heads). The zoo definition (zoo/, names compatible with torchvision / timm /
Cadene / facenet checkpoints) is built with the checkpoint's own class count (read from its classifier's
rows), its keys and shapes are checked, then the eval-mode model is exported to ONNX in memory (opset
13, BatchNormalization kept so the fold happens in float64 in passes.py) and handed to the ONNX
importer: one importer for both paths.
"""

import io
import re
import warnings
from typing import Dict, Tuple

from . import zoo
from .errors import ConvertError, one_line, short_reason

ARCHITECTURES = zoo.SPECS   # name -> zoo.Spec (input size, aux prefixes, preprocessing, classifier key)
ONNX_OPSET = 13


def _spec(arch: str) -> zoo.Spec:
    if arch not in ARCHITECTURES:
        raise ConvertError(f"unknown architecture '{arch}'; choose one of: {', '.join(sorted(ARCHITECTURES))}")
    return ARCHITECTURES[arch]


def build_model(arch: str, num_classes: int = 1000, aux_logits: bool = False):
    """The zoo model for `arch` (random weights), without auxiliary heads unless asked."""
    _spec(arch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return zoo.build(arch, num_classes=num_classes, aux_logits=aux_logits)


def class_count(arch: str, state: Dict, path: str) -> int:
    """Rows of the checkpoint's classifier weight: a net trained on 12 classes converts as one."""
    key = _spec(arch).classifier
    w = state.get(key)
    if w is None or w.dim() != 2 or w.shape[0] < 1:
        raise ConvertError(f"checkpoint {path} has no 2-D classifier weight '{key}' for --arch {arch}; check --arch, "
                           "or that the file is a state_dict of that model")
    return int(w.shape[0])


def _check_zip_crc(path: str) -> None:
    """torch.save() writes a zip archive whose entries carry CRC-32s that torch.load() never checks, so a
    damaged tensor would load as silently wrong weights. Checks them; structural damage (an unreadable
    archive) is left to torch.load(), whose message names it."""
    import zipfile
    import zlib
    try:
        if not zipfile.is_zipfile(path):
            return   # the legacy (pre-1.6) pickle format carries no checksums
        with zipfile.ZipFile(path) as z:
            bad = z.testzip()
    except (OSError, zipfile.BadZipFile, EOFError, ValueError, NotImplementedError):
        return
    except (RuntimeError, zlib.error) as e:   # an entry marked encrypted, compressed data that does not inflate
        raise ConvertError(f"checkpoint {path} is damaged: {short_reason(e, 120)} (torch.save() writes neither "
                           "encrypted nor compressed entries); copy it again") from None
    if bad is not None:
        raise ConvertError(f"checkpoint {path} is damaged: its entry '{bad}' fails the CRC-32 check (the file was "
                           "corrupted on disk or in transfer); copy it again")


# Bytes per element of the storage types torch.save() names in its pickle (typed storages; UntypedStorage counts
# bytes).
_STORAGE_BYTES = {"DoubleStorage": 8, "FloatStorage": 4, "HalfStorage": 2, "BFloat16Storage": 2, "LongStorage": 8,
                  "IntStorage": 4, "ShortStorage": 2, "CharStorage": 1, "ByteStorage": 1, "BoolStorage": 1,
                  "ComplexFloatStorage": 8, "ComplexDoubleStorage": 16, "QInt8Storage": 1, "QUInt8Storage": 1,
                  "QInt32Storage": 4, "QUInt4x2Storage": 1, "QUInt2x4Storage": 1, "UntypedStorage": 1}


class _Stub:
    """Whatever a pickle names, while its storages are listed: built and filled without running anything."""

    def __init__(self, *args, **kwargs):
        pass

    def __call__(self, *args, **kwargs):
        return _Stub()

    def __setitem__(self, key, value):
        pass

    def __setstate__(self, state):
        pass

    def append(self, value):
        pass

    def extend(self, values):
        pass


class _StorageType:
    def __init__(self, name: str):
        self.name = name


def _storages(pickled: bytes) -> list:
    """The persistent ids of a torch.save() pickle, read by an Unpickler that imports and runs nothing (Python's
    own, whose memo is a dict: the C one sizes its memo by the largest index in the file)."""
    import pickle
    found = []

    class Scan(pickle._Unpickler):
        def find_class(self, module, name):
            return _StorageType(name) if module == "torch" and name.endswith("Storage") else _Stub

        def persistent_load(self, pid):
            found.append(pid)
            return _Stub()

    Scan(io.BytesIO(pickled)).load()
    return found


def _check_storages(path: str) -> None:
    """torch.load() (1.13) trusts the element count of each storage in the pickle: a count past the end of its
    record makes a tensor over bytes beyond it (a heap over-read: garbage weights, or a crash). Each storage is
    checked against its record in the archive before torch.load() sees the file."""
    import zipfile
    import zlib
    try:
        if not zipfile.is_zipfile(path):
            return
        with zipfile.ZipFile(path) as z:
            sizes = {i.filename: i.file_size for i in z.infolist()}
            pkl = [n for n in sizes if n == "data.pkl" or n.endswith("/data.pkl")]
            if not pkl:
                return   # torch.load() names what is missing
            prefix = pkl[0][:-len("data.pkl")]
            pickled = z.read(pkl[0])
    except (OSError, zipfile.BadZipFile, EOFError, ValueError, NotImplementedError, RuntimeError, zlib.error):
        return   # structural damage: torch.load()'s message names it
    try:
        storages = _storages(pickled)
    except Exception as e:   # noqa: BLE001 - any failure of a pickle that the scan cannot read
        raise ConvertError(f"checkpoint {path} is damaged: its {pkl[0]} is not a readable pickle "
                           f"({type(e).__name__}: {short_reason(e, 120)})") from None
    for pid in storages:
        if not (isinstance(pid, tuple) and len(pid) == 5 and pid[0] == "storage" and isinstance(pid[2], str)
                and isinstance(pid[4], int) and pid[4] >= 0):
            raise ConvertError(f"checkpoint {path} is damaged: a storage reference {short_reason(repr(pid), 120)} is "
                               "not ('storage', type, key, location, count)")
        kind, key, count = pid[1], pid[2], pid[4]
        if not isinstance(kind, _StorageType) or kind.name not in _STORAGE_BYTES:
            raise ConvertError(f"checkpoint {path}: storage '{key}' has an unknown type "
                               f"{getattr(kind, 'name', short_reason(repr(kind), 60))}")
        record = f"{prefix}data/{key}"
        if record not in sizes:
            raise ConvertError(f"checkpoint {path} is damaged: storage '{key}' has no record {record}")
        need = count * _STORAGE_BYTES[kind.name]
        if need > sizes[record]:
            raise ConvertError(f"checkpoint {path} is damaged: storage '{key}' claims {count} {kind.name} elements "
                               f"({need} bytes) but its record {record} holds {sizes[record]} bytes")


def is_safetensors(path: str) -> bool:
    return str(path).lower().endswith(".safetensors")


def load_state_dict(path: str) -> Dict:
    import torch
    if is_safetensors(path):
        from . import safetensors_reader
        return _strip_module_prefix({k: torch.from_numpy(v) for k, v in safetensors_reader.load(path).items()})
    kind = _foreign_kind(path)
    if kind is not None:
        raise ConvertError(f"checkpoint {path} is not a torch.save() file (it starts like {kind}); pass the .pth "
                           "state_dict saved with torch.save(model.state_dict(), path)")
    _check_zip_crc(path)
    _check_storages(path)
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except FileNotFoundError:
        raise ConvertError(f"checkpoint {path} does not exist; check the --checkpoint path") from None
    except IsADirectoryError:
        raise ConvertError(f"checkpoint {path} is a directory; pass the .pth file") from None
    except Exception as e:
        raise ConvertError(f"cannot read checkpoint {path} ({_load_reason(e)}); it must be a complete "
                           "torch.save()d state_dict (tensors only, e.g. "
                           "torch.save(model.state_dict(), path))") from None
    for key in ("state_dict", "model"):
        if isinstance(obj, dict) and isinstance(obj.get(key), dict):
            obj = obj[key]
            break
    if not isinstance(obj, dict) or not all(isinstance(k, str) for k in obj):
        raise ConvertError(f"checkpoint {path} holds a {type(obj).__name__}, not a state_dict; save "
                           "model.state_dict() (or a dict with a 'state_dict' or 'model' entry)")
    tensors = _strip_module_prefix(obj)
    bad = [k for k, v in tensors.items() if not isinstance(v, torch.Tensor)]
    if bad:
        raise ConvertError(f"checkpoint {path}: entries {', '.join(bad[:5])} are not tensors; save model.state_dict()")
    return tensors


# First bytes of files people pass by mistake, and what they are.
_MAGIC = ((b"\xff\xd8\xff", "a JPEG image"), (b"\x89PNG", "a PNG image"), (b"GIF8", "a GIF image"),
          (b"BM", "a BMP image"), (b"%PDF", "a PDF document"), (b"\x89HDF", "an HDF5 (Keras .h5) file: use --keras"),
          (b"\x1f\x8b", "a gzip archive"))


def _foreign_kind(path: str):
    """What the file looks like when its first bytes say it cannot be a torch.save() file (a zip archive,
    or a legacy pickle starting with the protocol byte 0x80); None otherwise, or when it cannot be read
    (torch.load() then reports why)."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        return None
    if not head or head.startswith((b"PK", b"\x80")):
        return None
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if all(32 <= b < 127 or b in b"\t\r\n" for b in head):
        return "a text file"
    return f"neither a zip archive nor a pickle: bytes {head[:4].hex(' ')}"


def _load_reason(e: BaseException) -> str:
    """torch.load()'s failure as a reason. Its weights-only refusal advises loading with weights_only=False,
    which would run code from the file: only what it refused is kept."""
    text = one_line(str(e))
    if "weights_only" in text or "Weights only" in text:
        found = re.search(r"WeightsUnpickler error: (.*?)(?:\.? Check the|\.? Please|$)", text)
        what = found.group(1).rstrip(". ") if found else "an object that is not a tensor"
        return f"it holds Python objects besides tensors, which are not loaded: {what[:120]}"
    return short_reason(e, 160)


def _strip_module_prefix(state: Dict) -> Dict:
    """Drops the "module." prefix that DataParallel / DistributedDataParallel put on every key."""
    return {k[len("module."):] if k.startswith("module.") else k: v for k, v in state.items()}


def _listing(keys) -> str:
    keys = sorted(keys)
    more = f" (and {len(keys) - 5} more)" if len(keys) > 5 else ""
    return ", ".join(keys[:5]) + more


def check_state_dict(arch: str, state: Dict, expected: Dict, path: str) -> Dict:
    """`state` without auxiliary-head keys, after checking its keys and shapes against `expected`."""
    aux = _spec(arch).aux_prefixes
    state = {k: v for k, v in state.items() if not k.startswith(aux)}
    optional = {k for k in expected if k.endswith("num_batches_tracked")}   # older checkpoints lack these
    missing = [k for k in expected if k not in state and k not in optional]
    unexpected = [k for k in state if k not in expected]
    if missing or unexpected:
        parts = ([f"missing keys {_listing(missing)}"] if missing else []) + (
            [f"unexpected keys {_listing(unexpected)}"] if unexpected else [])
        raise ConvertError(f"checkpoint {path} does not match --arch {arch}: {'; '.join(parts)}; "
                           "check --arch, or that the file is a state_dict of that model")
    for k, v in state.items():
        if tuple(v.shape) != tuple(expected[k].shape):
            raise ConvertError(f"checkpoint {path}: '{k}' has shape {list(v.shape)}, expected "
                               f"{list(expected[k].shape)} for --arch {arch} (is it another architecture or "
                               "variant?)")
    for k in optional:
        state.setdefault(k, expected[k])
    return state


def export_onnx(model, input_size: Tuple[int, int]) -> bytes:
    """The eval-mode `model` as ONNX bytes (opset 13), BatchNormalization nodes kept."""
    import torch
    model.eval()
    f = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.zeros(1, 3, *input_size), f, opset_version=ONNX_OPSET,
                          input_names=["input"], output_names=["logits"],
                          training=torch.onnx.TrainingMode.PRESERVE, do_constant_folding=False)
    return f.getvalue()


def checkpoint_to_onnx(arch: str, path: str, input_size=None):
    """Loads and checks the checkpoint; returns (ONNX bytes, the torch model it came from)."""
    spec = _spec(arch)
    state = load_state_dict(path)
    model = build_model(arch, num_classes=class_count(arch, state, path))
    state = check_state_dict(arch, state, model.state_dict(), path)
    try:
        model.load_state_dict(state, strict=True)
    except RuntimeError as e:   # dtype problems and the like, after keys and shapes were checked
        raise ConvertError(f"checkpoint {path}: {short_reason(e)}") from None
    size = input_size or (spec.input_size,) * 2
    try:
        return export_onnx(model, size), model
    except RuntimeError as e:   # e.g. an input too small for the network's strides
        raise ConvertError(f"--arch {arch} cannot run at input size {size[0]}x{size[1]} ({short_reason(e)}); "
                           "use a larger --input-size") from None


def check_batchnorm_eps(onnx_model, model) -> None:
    """Proves the export carried each BatchNorm's eps (1e-3 in torchvision's Inception nets) into the
    graph, or folded the BatchNorms away; passes.py folds with the eps of the node attribute."""
    import torch
    expected = sorted(m.eps for m in model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm))
    found = sorted(a.f for n in onnx_model.graph.node if n.op_type == "BatchNormalization"
                   for a in n.attribute if a.name == "epsilon")
    if found and (len(found) != len(expected) or any(abs(f - e) > 1e-6 * max(e, 1e-12) + 1e-9
                                                     for f, e in zip(found, expected))):
        raise RuntimeError(f"exported BatchNormalization eps {sorted(set(found))} differ from the model's "
                           f"{sorted(set(expected))}")
