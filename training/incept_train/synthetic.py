# SPDX-License-Identifier: Apache-2.0
"""A procedurally generated, seeded image dataset: 12 classes of shapes and textures.

    from incept_train import synthetic
    ds = synthetic.SyntheticShapes("train", length=6000, seed=0)      # a torch Dataset of (CHW tensor, label)
    image, label = synthetic.sample(seed=0, split="val", index=3)      # HxWx3 uint8, class index
    synthetic.write_samples("samples/")                                # one held-out PNG per class

    python3 -m incept_train.synthetic --write-samples DIR [--per-class N] [--size 96] [--classes 12]

Classes (LABELS): seven solid shapes (circle, ring, square, triangle, star, cross, crescent) and five two-colour
textures filling a rectangular or elliptic patch (horizontal, vertical and diagonal stripes, checkerboard,
dots). Every sample draws its own colours (with a minimum contrast), position, scale, rotation, shape
proportions, texture period, background gradient and pixel noise, so the task needs a real classifier.

Determinism: sample `index` of `split` is a pure function of (seed, split, index, size, classes). Its random
numbers come from numpy's SeedSequence([seed, split id, index]), so the train and val splits are independent
streams (disjoint held-out data) and any index can be drawn in any order (no state, safe in loader workers).
Labels cycle (index % classes), so every split of at least `classes` samples holds every class, balanced.

Rendering works in image coordinates [-1, 1]^2 at twice the output size and averages 2x2 blocks
(anti-aliasing), so any output size draws the same picture.
"""

import argparse
import sys
from pathlib import Path
from typing import List, Sequence, Tuple

import numpy as np

SHAPES: Tuple[str, ...] = ("circle", "ring", "square", "triangle", "star", "cross", "crescent")
TEXTURES: Tuple[str, ...] = ("stripes_horizontal", "stripes_vertical", "stripes_diagonal", "checkerboard", "dots")
LABELS: Tuple[str, ...] = SHAPES + TEXTURES
SPLITS = {"train": 1, "val": 2}
SUPERSAMPLE = 2
MIN_CONTRAST = 0.45     # minimum RGB distance (0..1 per channel) between the two colours of a figure


def labels(classes: int = len(LABELS)) -> List[str]:
    """Names of the first `classes` classes (the dataset uses exactly these, in this order)."""
    if not 2 <= classes <= len(LABELS):
        raise ValueError(f"the synthetic dataset has 2 to {len(LABELS)} classes, got {classes}")
    return list(LABELS[:classes])


def _colour_pair(rng: np.random.Generator, base=None) -> Tuple[np.ndarray, np.ndarray]:
    a = rng.uniform(0.0, 1.0, 3) if base is None else base
    while True:
        b = rng.uniform(0.0, 1.0, 3)
        if np.linalg.norm(a - b) >= MIN_CONTRAST:
            return a, b


def _rotate(x: np.ndarray, y: np.ndarray, angle: float) -> Tuple[np.ndarray, np.ndarray]:
    c, s = np.cos(angle), np.sin(angle)
    return c * x + s * y, -s * x + c * y


def _shape_mask(name: str, x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask of a shape of radius about 1 in local coordinates (x, y)."""
    r = np.hypot(x, y)
    if name == "circle":
        return r < 1.0
    if name == "ring":
        return (r < 1.0) & (r > rng.uniform(0.5, 0.72))
    if name == "square":
        return np.maximum(np.abs(x), np.abs(y)) < 0.85
    if name == "triangle":   # equilateral, circumradius 1: inside when every edge distance < inradius 0.5
        edges = np.pi / 2 + np.pi + np.array([0.0, 2.0, 4.0]) * np.pi / 3
        return np.max([x * np.cos(a) + y * np.sin(a) for a in edges], axis=0) < 0.5
    if name == "star":       # five points: radius runs linearly between the inner radius and 1 with the angle
        inner = rng.uniform(0.38, 0.5)
        s = np.mod(np.arctan2(x, -y) * 5 / (2 * np.pi), 1.0)
        return r < inner + (1.0 - inner) * np.abs(2 * s - 1)
    if name == "cross":
        w = rng.uniform(0.2, 0.32)
        return ((np.abs(x) < w) & (np.abs(y) < 0.95)) | ((np.abs(y) < w) & (np.abs(x) < 0.95))
    if name == "crescent":
        d, rho = rng.uniform(0.35, 0.55), rng.uniform(0.75, 0.9)
        return (r < 1.0) & (np.hypot(x - d, y) > rho)
    raise ValueError(f"unknown shape '{name}'")


def _texture(name: str, x: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Boolean two-colour pattern; (x, y) are image coordinates centred on the patch."""
    jitter = rng.uniform(-1.0, 1.0) * np.deg2rad(12)
    period = rng.uniform(0.14, 0.28)
    duty = rng.uniform(0.4, 0.6)
    if name == "stripes_diagonal":
        jitter += rng.choice([-1.0, 1.0]) * np.pi / 4
    a, b = _rotate(x, y, jitter)
    a, b = a / period + rng.uniform(0, 1), b / period + rng.uniform(0, 1)
    if name == "stripes_horizontal" or name == "stripes_diagonal":
        return np.mod(b, 1.0) < duty
    if name == "stripes_vertical":
        return np.mod(a, 1.0) < duty
    if name == "checkerboard":
        return np.mod(np.floor(a) + np.floor(b), 2) == 1
    if name == "dots":
        return np.hypot(np.mod(a, 1.0) - 0.5, np.mod(b, 1.0) - 0.5) < rng.uniform(0.2, 0.33)
    raise ValueError(f"unknown texture '{name}'")


def _coverage(mask: np.ndarray, size: int) -> np.ndarray:
    """Fraction of each output pixel's SUPERSAMPLE x SUPERSAMPLE block that `mask` covers, as size x size x 1."""
    m = mask.astype(np.float32)
    blocks = [m[i::SUPERSAMPLE, j::SUPERSAMPLE] for i in range(SUPERSAMPLE) for j in range(SUPERSAMPLE)]
    return (sum(blocks) / len(blocks))[..., None]


def _grid(n: int) -> Tuple[np.ndarray, np.ndarray]:
    coords = ((np.arange(n, dtype=np.float32) + 0.5) / n * 2.0 - 1.0)
    return np.meshgrid(coords, coords)          # u: x to the right, v: y downwards


def render(name: str, rng: np.random.Generator, size: int = 96) -> np.ndarray:
    """One image of class `name` as an HxWx3 uint8 array, all randomness drawn from `rng`.

    Masks are drawn at SUPERSAMPLE times the size and reduced to coverage; colours are mixed by coverage,
    which equals drawing the whole picture large and averaging (every colour is linear in the masks)."""
    u, v = _grid(size * SUPERSAMPLE)
    bg, fg = _colour_pair(rng)
    gradient_dir = rng.uniform(0, 2 * np.pi)
    gradient_amp = rng.uniform(-0.15, 0.15, 3)
    if name in SHAPES:
        radius = rng.uniform(0.3, 0.62)
        cx, cy = rng.uniform(-1.0 + 0.9 * radius, 1.0 - 0.9 * radius, 2)
        x, y = _rotate(u - cx, v - cy, rng.uniform(0, 2 * np.pi))
        image = bg + _coverage(_shape_mask(name, x / radius, y / radius, rng), size) * (fg - bg)
    else:                                        # a texture filling a patch
        half = rng.uniform(0.45, 0.85, 2)
        cx, cy = rng.uniform(-1.0 + 0.8 * half, 1.0 - 0.8 * half)
        if rng.uniform() < 0.5:
            patch = (np.abs(u - cx) < half[0]) & (np.abs(v - cy) < half[1])
        else:
            patch = np.hypot((u - cx) / half[0], (v - cy) / half[1]) < 1.0
        second = bg if rng.uniform() < 0.5 else _colour_pair(rng, fg)[1]
        pattern = _texture(name, u - cx, v - cy, rng)
        image = bg + _coverage(patch, size) * (second - bg) + _coverage(pattern & patch, size) * (fg - second)
    su, sv = _grid(size)
    gradient = (np.cos(gradient_dir) * su + np.sin(gradient_dir) * sv)[..., None] * gradient_amp
    image = image + gradient + rng.normal(0.0, rng.uniform(0.0, 0.06), image.shape)
    return np.clip(np.rint(image * 255.0), 0, 255).astype(np.uint8)


def sample(seed: int, split: str, index: int, size: int = 96, classes: int = len(LABELS)) -> Tuple[np.ndarray, int]:
    """Sample `index` of `split` ("train" or "val"): (HxWx3 uint8 image, label in [0, classes))."""
    if split not in SPLITS:
        raise ValueError(f"unknown split '{split}'; choose one of: {', '.join(SPLITS)}")
    names = labels(classes)
    label = index % classes
    rng = np.random.default_rng([seed, SPLITS[split], index])
    return render(names[label], rng, size), label


class SyntheticShapes:
    """A torch-style map Dataset of `length` samples: (3xHxW float32 tensor, (pixel/255 - mean) / std; label)."""

    def __init__(self, split: str, length: int, seed: int = 0, size: int = 96, classes: int = len(LABELS),
                 mean: Sequence[float] = (0.485, 0.456, 0.406), std: Sequence[float] = (0.229, 0.224, 0.225)):
        if split not in SPLITS:
            raise ValueError(f"unknown split '{split}'; choose one of: {', '.join(SPLITS)}")
        self.split, self.length, self.seed, self.size = split, length, seed, size
        self.classes = labels(classes)
        self.mean = np.asarray(mean, dtype=np.float32).reshape(3, 1, 1)
        self.std = np.asarray(std, dtype=np.float32).reshape(3, 1, 1)

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int):
        import torch
        if not 0 <= index < self.length:
            raise IndexError(f"index {index} out of range for {self.length} samples")
        image, label = sample(self.seed, self.split, index, self.size, len(self.classes))
        chw = image.transpose(2, 0, 1).astype(np.float32) / 255.0
        return torch.from_numpy((chw - self.mean) / self.std), label


def write_samples(folder, per_class: int = 1, split: str = "val", seed: int = 0, size: int = 96,
                  classes: int = len(LABELS)) -> List[Path]:
    """Writes the first `per_class` samples of every class of `split` as PNGs named after their class
    (`circle.png`, or `circle_1.png`, `circle_2.png`, ... when per_class > 1); returns their paths."""
    from PIL import Image
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for label, name in enumerate(labels(classes)):
        for k in range(per_class):
            image, _ = sample(seed, split, label + k * classes, size, classes)
            path = folder / (f"{name}.png" if per_class == 1 else f"{name}_{k + 1}.png")
            Image.fromarray(image).save(path)
            paths.append(path)
    return paths


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python3 -m incept_train.synthetic",
                                description="Write sample images of the built-in synthetic dataset.")
    p.add_argument("--write-samples", metavar="DIR", required=True, help="folder to write PNGs into (created)")
    p.add_argument("--per-class", type=int, default=1, help="images per class (default 1)")
    p.add_argument("--split", choices=sorted(SPLITS), default="val", help="split to draw from (default val, held out)")
    p.add_argument("--seed", type=int, default=0, help="dataset seed (default 0, the one the default model used)")
    p.add_argument("--size", type=int, default=96, help="image side in pixels (default 96)")
    p.add_argument("--classes", type=int, default=len(LABELS), help=f"number of classes (default {len(LABELS)})")
    a = p.parse_args(argv)
    if a.per_class < 1 or a.size < 8 or not 2 <= a.classes <= len(LABELS):
        p.error(f"need --per-class >= 1, --size >= 8 and 2 <= --classes <= {len(LABELS)}")
    try:
        paths = write_samples(a.write_samples, a.per_class, a.split, a.seed, a.size, a.classes)
    except OSError as e:
        print(f"{p.prog}: error: cannot write samples to {a.write_samples}: {e.strerror or e}", file=sys.stderr)
        return 2
    print(f"wrote {len(paths)} images to {a.write_samples}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
