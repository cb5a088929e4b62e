# SPDX-License-Identifier: Apache-2.0
"""Keras files read with h5py (Debian's python3-h5py): a whole-model .h5 (tf.keras / Keras 2, or Keras 3's
legacy format), a weights-only .h5, or a Keras 3 .keras zip; the graph is built by keras_import.py.

    config, weights = load(path)            # model config, layer name -> weights in Keras's order
    layers = ordered_weights(path)          # (layer name, weights) of the layers with weights, file order

A .h5 holds the JSON `model_config` attribute (whole models) and the weights under `model_weights/<layer>/`
(the layer's `weight_names` attribute gives their order); a .keras file is a zip of config.json and
model.weights.h5, whose weights sit under `layers/<group>/vars/<i>` with the layer's name in the `vars`
group's `name` attribute. Inside a .keras zip the config is capped at 64 MiB and the weights file at 4 GiB
(both are read into memory), and the weight arrays together at 4 GiB, so a hostile file cannot claim
unbounded memory. libhdf5 parses in a child process with a memory and time limit (isolate.py): a file that
crashes or hangs it is refused with a one-line error like any other damaged file.
"""

import io
import json
import os
import re
import zipfile
from typing import Dict, List, Tuple

import numpy as np

from . import isolate
from .errors import ConvertError, short_reason

MAX_CONFIG_BYTES = 64 << 20
MAX_WEIGHTS_BYTES = 4 << 30
_BUDGET = 2 * MAX_WEIGHTS_BYTES + (1 << 30)   # the child's memory: a .keras zip's weights file, its arrays, more
_HINT = "it must be a complete .h5 or .keras file saved by Keras"


def _h5py():
    try:
        import h5py
    except ImportError:
        raise ConvertError("reading Keras files needs h5py (Debian: apt-get install python3-h5py)") from None
    return h5py


def _text(v) -> str:
    return v.decode("utf-8") if isinstance(v, bytes) else str(v)


def _names(attr) -> List[str]:
    """An h5 attribute holding a list of names (an array of bytes/str; Keras 3's legacy writer may store
    the array's printed form)."""
    if isinstance(attr, (bytes, str)):
        return re.findall(r"'([^']*)'", _text(attr))
    return [_text(v) for v in np.asarray(attr).ravel()]


class _Weights:
    """Reads weight datasets, refusing what is not a numeric array and keeping the total within
    MAX_WEIGHTS_BYTES: the sizes come from the file, so a small file could otherwise claim any amount."""

    def __init__(self, source: str):
        self.source, self.total = source, 0

    def read(self, obj, where: str) -> np.ndarray:
        h5py = _h5py()
        if not isinstance(obj, h5py.Dataset):
            raise ConvertError(f"{self.source}: weight {where} is not an array (an HDF5 {type(obj).__name__}); "
                               "the file is damaged")
        if obj.dtype.kind not in "fiub":
            raise ConvertError(f"{self.source}: weight {where} holds {obj.dtype} values, not numbers")
        size = (obj.size or 0) * obj.dtype.itemsize
        self.total += size
        if self.total > MAX_WEIGHTS_BYTES:
            raise ConvertError(f"{self.source}: weight {where} of shape {list(obj.shape)} takes the weights over the "
                               f"{MAX_WEIGHTS_BYTES / 2**30:g} GiB the converter reads into memory")
        return np.asarray(obj)


def _legacy_weights(group, source: str) -> Dict[str, List[np.ndarray]]:
    out, reader = {}, _Weights(source)
    for layer in _names(group.attrs.get("layer_names", [])):
        if layer not in group:
            raise ConvertError(f"{source}: layer '{layer}' is listed but has no weights group; the file is damaged")
        g = group[layer]
        out[layer] = [reader.read(g[_text(w)], f"'{_text(w)}'") for w in _names(g.attrs.get("weight_names", []))]
    return out


def _keras3_weights(f, source: str) -> Dict[str, List[np.ndarray]]:
    out, reader = {}, _Weights(source)
    layers = f.get("layers")
    for key in (layers.keys() if layers is not None else []):
        v = layers[key].get("vars")
        if v is None:
            continue
        name = _text(v.attrs.get("name", key))
        out[name] = [reader.read(v[str(i)], f"layers/{key}/vars/{i}") for i in range(len(v.keys()))]
    return out


def load(path: str) -> Tuple[dict, Dict[str, List[np.ndarray]]]:
    """(model config, layer name -> weights in Keras's order) of a .h5 or .keras file. libhdf5 parses the file
    in a child process (isolate.py): a file that crashes or hangs it is refused like any damaged file."""
    _h5py()
    return isolate.run(_load, (path,), f"cannot read Keras model {path}", _HINT, budget=_BUDGET,
                       size=_file_size(path))


def _file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


def _load(path: str) -> Tuple[dict, Dict[str, List[np.ndarray]]]:
    h5py = _h5py()
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                names = z.namelist()
                if "config.json" not in names or "model.weights.h5" not in names:
                    raise ConvertError(f"{path} is a zip but not a .keras model (it lacks config.json or "
                                       "model.weights.h5)")
                if z.getinfo("config.json").file_size > MAX_CONFIG_BYTES:
                    raise ConvertError(f"{path}: config.json is over {MAX_CONFIG_BYTES >> 20} MiB")
                if z.getinfo("model.weights.h5").file_size > MAX_WEIGHTS_BYTES:
                    raise ConvertError(f"{path}: model.weights.h5 is over the {MAX_WEIGHTS_BYTES / 2**30:g} GiB "
                                       "the converter reads into memory")
                config = json.loads(z.read("config.json"))
                with h5py.File(io.BytesIO(z.read("model.weights.h5")), "r") as f:
                    return config, _keras3_weights(f, path)
        with h5py.File(path, "r") as f:
            if "model_config" not in f.attrs:
                raise ConvertError(f"{path} holds weights only (no model config); save the whole model "
                                   "(model.save('m.h5') or 'm.keras') so the converter knows its graph")
            config = json.loads(_text(f.attrs["model_config"]))
            return config, _legacy_weights(f["model_weights"] if "model_weights" in f else f, path)
    except ConvertError:
        raise
    except Exception as e:   # h5py / zipfile / json failures: a damaged or foreign file
        raise ConvertError(f"cannot read Keras model {path} ({short_reason(e, 160)}); it must be a complete .h5 or "
                           ".keras file saved by Keras") from None


def ordered_weights(path: str) -> List[Tuple[str, List[np.ndarray]]]:
    """(layer name, weights) of the layers with weights in the file, in its model's layer order; parsed in a
    child process, as load()."""
    _h5py()
    return isolate.run(_ordered_weights, (path,), f"cannot read Keras weights {path}", _HINT, budget=_BUDGET,
                       size=_file_size(path))


def _ordered_weights(path: str) -> List[Tuple[str, List[np.ndarray]]]:
    h5py = _h5py()
    try:
        if zipfile.is_zipfile(path):
            config, weights = _load(path)
            order = [layer.get("name") or layer.get("config", {}).get("name") for layer in config["config"]["layers"]]
            return [(n, weights[n]) for n in order if weights.get(n)]
        with h5py.File(path, "r") as f:
            group = f["model_weights"] if "model_weights" in f else f
            if "layer_names" not in group.attrs:
                raise ConvertError(f"{path} is an HDF5 file but not Keras weights (no layer_names)")
            return [(n, ws) for n, ws in _legacy_weights(group, path).items() if ws]
    except ConvertError:
        raise
    except Exception as e:
        raise ConvertError(f"cannot read Keras weights {path} ({short_reason(e, 160)}); it must be a complete .h5 or "
                           ".keras file saved by Keras") from None
