# SPDX-License-Identifier: Apache-2.0
"""Run by test_distributed.py under torchrun (2 processes, gloo): one training step of a small net with
BatchNorm2d, BatchNorm1d, max pooling and dropout, in float64, through distributed.wrap (CpuSyncBatchNorm,
ShardedDropout, DDP) on each process's half of a global batch, against the same step in one process (plain
BatchNorm and nn.Dropout on the whole batch). Rank 0 prints the largest difference of a gradient (relative to
the largest gradient entry: a bias right before a BatchNorm has a zero gradient, up to rounding) or of a
BatchNorm running statistic (relative to that statistic's largest entry)."""

import torch
from trainkit import CONVERTER_DIR, TRAINING_DIR  # noqa: F401 (puts both packages on sys.path)

from incept_train import distributed
from incept_train.world import world_from_env

BATCH = 8


def net() -> torch.nn.Module:
    torch.manual_seed(0)
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 8, 3), nn.BatchNorm2d(8, eps=1e-3), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(8, 16), nn.BatchNorm1d(16), nn.ReLU(), nn.Dropout(0.5),
                         nn.Linear(16, 5)).double().train()


def step(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.nn.Module:
    torch.manual_seed(7)   # the dropout masks
    torch.nn.functional.cross_entropy(model(x), y).backward()
    return model


def main() -> None:
    torch.set_num_threads(1)
    world = world_from_env()
    device = distributed.init(world, torch.device("cpu"), "gloo")
    g = torch.Generator().manual_seed(3)
    x = torch.randn(BATCH, 3, 12, 12, generator=g, dtype=torch.float64)
    y = torch.randint(0, 5, (BATCH,), generator=g)
    one = step(net(), x, y) if world.main else None
    local = BATCH // world.size
    mine = slice(world.rank * local, (world.rank + 1) * local)
    model = net()
    step(distributed.wrap(model, world, device), x[mine], y[mine])
    if world.main:
        scale = max(float(p.grad.abs().max()) for p in one.parameters())   # a bias before a BatchNorm has none
        worst = max(float((a.grad - b.grad).abs().max()) / scale for a, b in zip(one.parameters(), model.parameters()))
        for a, b in zip(one.buffers(), model.buffers()):
            if a.is_floating_point():
                worst = max(worst, float((a - b).abs().max() / a.abs().max()))
        print(f"largest relative difference: {worst:.3e}", flush=True)
    distributed.shutdown(world)


if __name__ == "__main__":
    main()
