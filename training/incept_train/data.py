# SPDX-License-Identifier: Apache-2.0
"""Training data: the built-in synthetic dataset or an ImageFolder tree, as batches of uint8 NCHW images.

Both sources yield (uint8 [N, 3, S, S], int64 [N]) batches; `Normalizer` turns them into float input on the
training device, and `augment` applies the recipe's random crop (reflect-pad then crop back) and horizontal flip
per sample, vectorised, from an explicit generator. Keeping every random draw in the main process, from
generators seeded by (seed, epoch), is what makes runs reproducible and resumable bit for bit on CPU.

- synthetic: rendered once into memory (a uint8 tensor; 6000 images at 96x96 are 166 MB).
- ImageFolder: DIR/train/<class>/*.jpg and DIR/val/<class>/*.jpg (same classes), resized so the short side is S
  and centre-cropped to SxS, decoded by DataLoader workers.
"""

from pathlib import Path
from typing import Iterator, List, Optional, Sequence, Tuple

import torch

from incept_convert.errors import ConvertError
from incept_convert.progress import Bar

from . import synthetic

Batch = Tuple[torch.Tensor, torch.Tensor]


class TensorImages:
    """A split held in memory: uint8 images [N, 3, S, S] and int64 labels [N]."""

    def __init__(self, images: torch.Tensor, targets: torch.Tensor):
        self.images, self.targets = images, targets

    def __len__(self) -> int:
        return len(self.targets)

    def batches(self, batch_size: int, order: torch.Tensor = None) -> Iterator[Batch]:
        order = torch.arange(len(self)) if order is None else order
        for start in range(0, len(order), batch_size):
            idx = order[start:start + batch_size]
            yield self.images[idx], self.targets[idx]


def render_synthetic(split: str, length: int, size: int, classes: int, seed: int, quiet: bool) -> TensorImages:
    images = torch.empty((length, 3, size, size), dtype=torch.uint8)
    targets = torch.empty(length, dtype=torch.int64)
    bar = Bar(length, f"render {split}", unit="img", quiet=quiet)
    for i in range(length):
        image, label = synthetic.sample(seed, split, i, size, classes)
        images[i] = torch.from_numpy(image).permute(2, 0, 1)
        targets[i] = label
        bar.update(1)
    bar.close(f"{length} synthetic images, {classes} classes, {size}x{size}")
    return TensorImages(images, targets)


class FolderImages:
    """One ImageFolder split, decoded by DataLoader workers into uint8 batches."""

    def __init__(self, root: Path, size: int, workers: int):
        import torchvision.datasets as datasets
        import torchvision.transforms as T
        transform = T.Compose([T.Resize(size), T.CenterCrop(size), T.PILToTensor()])
        try:
            self.dataset = datasets.ImageFolder(str(root), transform=transform)
        except (FileNotFoundError, OSError) as e:
            raise ConvertError(f"--data: cannot use {root} as an image folder ({e}); expected "
                               f"{root}/<class>/<image> files") from None
        self.workers = workers

    def __len__(self) -> int:
        return len(self.dataset)

    @property
    def classes(self) -> List[str]:
        return list(self.dataset.classes)

    def batches(self, batch_size: int, order: torch.Tensor = None) -> Iterator[Batch]:
        source = self.dataset if order is None else torch.utils.data.Subset(self.dataset, order.tolist())
        loader = torch.utils.data.DataLoader(source, batch_size=batch_size, shuffle=False,
                                             num_workers=self.workers, persistent_workers=False)
        yield from loader


def load_folder(data_dir: str, size: int, workers: int) -> Tuple[FolderImages, FolderImages, List[str]]:
    root = Path(data_dir)
    if not root.is_dir():
        raise ConvertError(f"--data {data_dir} is not a directory; it must hold train/ and val/ image folders")
    for sub in ("train", "val"):
        if not (root / sub).is_dir():
            raise ConvertError(f"--data {data_dir} has no {sub}/ folder; expected {data_dir}/train/<class>/... and "
                               f"{data_dir}/val/<class>/...")
    train, val = FolderImages(root / "train", size, workers), FolderImages(root / "val", size, workers)
    if train.classes != val.classes:
        raise ConvertError(f"--data {data_dir}: train/ and val/ have different class folders "
                           f"({len(train.classes)} vs {len(val.classes)}); they must match")
    return train, val, train.classes


class Normalizer:
    """uint8 NCHW on any device -> float (x / 255 - mean) / std on `device`."""

    def __init__(self, mean: Sequence[float], std: Sequence[float], device: torch.device):
        self.device = device
        self.scale = (1.0 / (255.0 * torch.tensor(std, dtype=torch.float32))).view(1, 3, 1, 1).to(device)
        self.shift = (-torch.tensor(mean, dtype=torch.float32) / torch.tensor(std, dtype=torch.float32)
                      ).view(1, 3, 1, 1).to(device)

    def __call__(self, images: torch.Tensor) -> torch.Tensor:
        return images.to(self.device, non_blocking=True).float() * self.scale + self.shift


def augment(x: torch.Tensor, pad: int, flip: bool, gen: torch.Generator, first: int = 0,
            total: Optional[int] = None) -> torch.Tensor:
    """Per sample: a random SxS crop of the image reflect-padded by `pad` pixels, then a horizontal flip with
    probability 1/2. Random numbers come from `gen` (a CPU generator), whatever device `x` is on.

    `x` may be rows first..first+N of a global batch of `total` samples (default: x is the whole batch): the
    numbers of all `total` are drawn and x's rows used, so a sample is augmented the same whether one process
    holds the global batch or several hold a shard each (distributed.py)."""
    n, _, h, w = x.shape
    total = n if total is None else total
    mine = slice(first, first + n)
    if pad > 0:
        padded = torch.nn.functional.pad(x, (pad, pad, pad, pad), mode="reflect")
        dy = torch.randint(0, 2 * pad + 1, (total, 1), generator=gen)[mine].to(x.device)
        dx = torch.randint(0, 2 * pad + 1, (total, 1), generator=gen)[mine].to(x.device)
        rows = (dy + torch.arange(h, device=x.device)).view(n, 1, h, 1)
        cols = (dx + torch.arange(w, device=x.device)).view(n, 1, 1, w)
        batch = torch.arange(n, device=x.device).view(n, 1, 1, 1)
        chans = torch.arange(x.shape[1], device=x.device).view(1, -1, 1, 1)
        x = padded[batch, chans, rows, cols]
    if flip:
        mirror = (torch.rand(total, generator=gen) < 0.5)[mine].to(x.device).view(n, 1, 1, 1)
        x = torch.where(mirror, x.flip(3), x)
    return x
