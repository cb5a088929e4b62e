# SPDX-License-Identifier: Apache-2.0
"""The calibration set: float32 NCHW inputs, as incept-run takes them.

    x = calibration.load("calib/", g)        # a folder of images (PNG, JPEG, BMP, PPM), preprocessed
    x = calibration.load("calib.npy", g)     # or an already preprocessed float32 [N, C, H, W] batch

Images are preprocessed as the file's metadata records: resized (bilinear) so the shorter side covers the
input size, centre-cropped to it, scaled to [0, 1] (/255), put in the model's channel order (RGB or BGR)
and normalised per channel, (x - mean) / std. Files are taken in sorted name order, so a folder gives
the same batch (and the same model file) on every run. Every refusal is a ConvertError (one line).
"""

from pathlib import Path

import numpy as np

from .. import ir
from ..errors import ConvertError, short_reason

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".ppm")


def _check(x: np.ndarray, g: ir.Graph, source: str) -> np.ndarray:
    n, h, w, c = g.inputs[0].shape
    want = (c, h, w)
    if x.ndim != 4 or tuple(x.shape[1:]) != want:
        raise ConvertError(f"calibration set {source} has shape {list(x.shape)}; the model takes [N, {c}, {h}, {w}] "
                           f"(float32 NCHW, preprocessed)")
    if len(x) == 0:
        raise ConvertError(f"calibration set {source} is empty; give at least one input")
    bad = ~np.isfinite(x)
    if bad.any():
        raise ConvertError(f"calibration set {source} holds {int(bad.sum())} non-finite values (first in input "
                           f"{int(np.argwhere(bad)[0][0])})")
    return np.ascontiguousarray(x, np.float32)


def preprocess(image, g: ir.Graph) -> np.ndarray:
    """A PIL image -> float32 [C, H, W] as the metadata says."""
    from PIL import Image
    _, h, w, _ = g.inputs[0].shape
    image = image.convert("RGB")
    iw, ih = image.size
    scale = max(h / ih, w / iw)
    rw, rh = max(w, int(round(iw * scale))), max(h, int(round(ih * scale)))
    image = image.resize((rw, rh), Image.BILINEAR)
    left, top = (rw - w) // 2, (rh - h) // 2
    a = np.asarray(image.crop((left, top, left + w, top + h)), np.float32) / 255.0
    m = g.metadata
    if m.channel_order == ir.ChannelOrder.BGR:
        a = a[..., ::-1]
    a = (a - np.asarray(m.mean, np.float32)) / np.asarray(m.std, np.float32)
    return np.ascontiguousarray(a.transpose(2, 0, 1), np.float32)


def load(path: str, g: ir.Graph) -> np.ndarray:
    p = Path(path)
    if not p.exists():
        raise ConvertError(f"calibration set {path} does not exist")
    if p.is_dir():
        files = sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in IMAGE_SUFFIXES)
        if not files:
            raise ConvertError(f"calibration folder {path} holds no images ({', '.join(IMAGE_SUFFIXES)})")
        from PIL import Image
        out = []
        for f in files:
            try:
                with Image.open(f) as im:
                    out.append(preprocess(im, g))
            except (OSError, ValueError) as e:
                raise ConvertError(f"cannot read calibration image {f}: {short_reason(e)}") from None
        return _check(np.stack(out), g, path)
    if p.suffix.lower() != ".npy":
        raise ConvertError(f"calibration set {path} is neither a folder of images nor an .npy file")
    try:
        x = np.load(p, allow_pickle=False)
    except (OSError, ValueError) as e:
        raise ConvertError(f"cannot read calibration set {path}: {short_reason(e)}") from None
    if x.dtype != np.float32:
        raise ConvertError(f"calibration set {path} holds {x.dtype} values; it must be float32 NCHW, preprocessed")
    return _check(x, g, path)
