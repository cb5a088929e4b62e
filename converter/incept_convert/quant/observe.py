# SPDX-License-Identifier: Apache-2.0
"""Statistics of every activation tensor over the calibration inputs.

    stats = observe.collect(g, x, batch=8, progress=True)   # id(tensor) -> TensorStats

TensorStats holds min, max and a histogram of |x| with BINS bins over [0, edge]. `edge` is the first
batch's max |x|; when a later batch goes beyond it, the edge doubles (as often as needed) and adjacent bin
pairs merge, so every value ever seen lands in the histogram, no value is counted twice, and the result
depends only on the inputs and their order (never on timing). A tensor that was all zeros so far has
edge 0 and an empty histogram.

Calibration runs torch on one thread: how threads split a convolution's sums changes the last bits of the
activations, and with them the scales, so the same inputs give the same file whatever the thread count
(on the same CPU kind and torch build: other vector paths may round differently).
"""

from dataclasses import dataclass, field
from typing import Dict

import numpy as np
import torch

from .. import ir
from ..progress import Bar
from .floatrun import Runner

BINS = 2048


@dataclass
class TensorStats:
    min: float = float("inf")
    max: float = float("-inf")
    edge: float = 0.0                     # the histogram covers [0, edge]
    hist: np.ndarray = field(default_factory=lambda: np.zeros(BINS, np.float64))
    count: int = 0

    @property
    def absmax(self) -> float:
        return max(abs(self.min), abs(self.max))

    def add(self, y: torch.Tensor) -> None:
        a = y.detach().abs().reshape(-1).float()
        lo, hi = float(y.min()), float(y.max())
        self.min, self.max = min(self.min, lo), max(self.max, hi)
        self.count += int(a.numel())
        top = float(a.max()) if a.numel() else 0.0
        if top <= 0.0:
            self.hist[0] += a.numel()   # all zeros
            return
        if self.edge == 0.0:
            self.edge = top
        while top > self.edge:
            self.hist = np.concatenate([self.hist.reshape(-1, 2).sum(axis=1), np.zeros(BINS // 2)])
            self.edge *= 2.0
        self.hist += torch.histc(a, bins=BINS, min=0.0, max=self.edge).double().numpy()

    def bin_width(self) -> float:
        return self.edge / BINS


def collect(g: ir.Graph, x: np.ndarray, batch: int = 8, progress: bool = True) -> Dict[int, TensorStats]:
    """Runs every input of x (float32 NCHW [N, C, H, W]) through g in slices of `batch`; returns the statistics
    of each activation (graph input and every op output), keyed by id(tensor). A progress bar goes to stderr."""
    runner = Runner(g)
    stats: Dict[int, TensorStats] = {}

    def observe(t: ir.Tensor, y: torch.Tensor) -> None:
        stats.setdefault(id(t), TensorStats()).add(y)

    bar = Bar(total=len(x), desc="calibration", unit="img", quiet=not progress)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)   # torch's float sums depend on how threads split them; the file must not
    try:
        for i in range(0, len(x), batch):
            runner.run(x[i:i + batch], observe)
            bar.update(min(batch, len(x) - i))
    finally:
        torch.set_num_threads(threads)
    bar.close(f"{len(x)} inputs, {len(stats)} tensors observed")
    return stats
