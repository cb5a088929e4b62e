# SPDX-License-Identifier: Apache-2.0
"""Resumable training checkpoints that load with torch.load(weights_only=True), i.e. without running code.

PyTorch 1.13's weights-only unpickler accepts tensors, strings, ints, lists and dicts but not floats (pickle
opcode BINFLOAT), and optimizer state dicts and histories are full of floats. So a checkpoint is stored as
    {"format": FORMAT, "meta": <JSON text>, "tensors": [tensor, ...]}
where the JSON holds everything else, each tensor replaced by {"__tensor__": i}, and each dict whose keys are not
all strings (optimizer state is keyed by parameter index) by {"__items__": [[key, value], ...]}.
Writes are atomic: a crash never leaves a half-written checkpoint.
"""

import json
import os
from pathlib import Path
from typing import Any, List

import torch

from incept_convert.errors import ConvertError

FORMAT = "incept-train-checkpoint-v1"


def _pack(obj: Any, tensors: List[torch.Tensor]) -> Any:
    if isinstance(obj, torch.Tensor):
        tensors.append(obj.detach().cpu())
        return {"__tensor__": len(tensors) - 1}
    if isinstance(obj, dict):
        if all(isinstance(k, str) for k in obj):
            return {k: _pack(v, tensors) for k, v in obj.items()}
        return {"__items__": [[_pack(k, tensors), _pack(v, tensors)] for k, v in obj.items()]}
    if isinstance(obj, (list, tuple)):
        return [_pack(v, tensors) for v in obj]
    return obj


def _unpack(obj: Any, tensors: List[torch.Tensor]) -> Any:
    if isinstance(obj, dict):
        if set(obj) == {"__tensor__"}:
            return tensors[obj["__tensor__"]]
        if set(obj) == {"__items__"}:
            return {_unpack(k, tensors): _unpack(v, tensors) for k, v in obj["__items__"]}
        return {k: _unpack(v, tensors) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_unpack(v, tensors) for v in obj]
    return obj


def save_atomic(obj: Any, path: Path) -> None:
    """torch.save (or, for str, a UTF-8 text write) to a temp file beside `path`, then an atomic rename."""
    tmp = path.with_name(f".{path.name}.tmp")
    if isinstance(obj, str):
        tmp.write_text(obj, encoding="utf-8")
    else:
        torch.save(obj, tmp)
    os.replace(tmp, path)


def save_checkpoint(state: dict, path: Path) -> None:
    tensors: List[torch.Tensor] = []
    meta = json.dumps(_pack(state, tensors))
    save_atomic({"format": FORMAT, "meta": meta, "tensors": tensors}, path)


def load_checkpoint(path: str) -> dict:
    """A checkpoint written by save_checkpoint, or a ConvertError saying why not."""
    if not os.path.isfile(path):
        raise ConvertError(f"--resume {path} does not exist or is not a file")
    try:
        raw = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:   # truncated, corrupted, not a torch file: the library raises many types
        reason = " ".join(str(e).split())[:120]
        raise ConvertError(f"cannot read --resume checkpoint {path} ({type(e).__name__}: {reason}); "
                           "pass a checkpoint.pth written by this trainer") from None
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise ConvertError(f"--resume {path} is not a training checkpoint of this trainer (format {FORMAT}); "
                           "model.pth exports cannot be resumed, use checkpoint.pth")
    try:
        return _unpack(json.loads(raw["meta"]), raw["tensors"])
    except (KeyError, TypeError, IndexError, ValueError) as e:
        raise ConvertError(f"--resume {path} is damaged ({type(e).__name__}: {e})") from None
