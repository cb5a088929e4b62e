# SPDX-License-Identifier: Apache-2.0
"""One training epoch and one evaluation pass, and the recipe's loss.

Loss (Inception-v3, section 7): cross-entropy against label-smoothed targets,
    q = (1 - eps) * onehot(y) + eps / K,   loss = -sum_k q_k log p_k = (1 - eps) * CE(p, y) + eps * mean_k(-log p_k),
plus each auxiliary classifier's loss (same smoothing) weighted by `aux_weight` (0.3, as GoogLeNet).
"""

import math
from dataclasses import dataclass
from typing import Iterable

import torch
import torch.nn.functional as F

from incept_convert.errors import ConvertError
from incept_convert.progress import Bar

from .data import Normalizer, augment
from .distributed import sum_over_processes
from .ema import ModelEma
from .schedule import StepDecay
from .world import World


def inception_loss(outputs, target: torch.Tensor, smoothing: float = 0.1, aux_weight: float = 0.3) -> torch.Tensor:
    """`outputs` is the logits tensor or a tuple (logits, aux_1, ...) (the zoo's training-mode contract)."""
    if isinstance(outputs, torch.Tensor):
        outputs = (outputs,)
    loss = F.cross_entropy(outputs[0], target, label_smoothing=smoothing)
    for aux in outputs[1:]:
        if aux is not None:
            loss = loss + aux_weight * F.cross_entropy(aux, target, label_smoothing=smoothing)
    return loss


@dataclass
class Recipe:
    """What one training step needs besides model and data."""
    smoothing: float = 0.1
    aux_weight: float = 0.3
    crop_pad: int = 8
    flip: bool = True


def train_one_epoch(model: torch.nn.Module, ema: ModelEma, batches: Iterable, steps: int,
                    optimizer: torch.optim.Optimizer, schedule: StepDecay, normalize: Normalizer,
                    recipe: Recipe, gen: torch.Generator, desc: str, quiet: bool,
                    world: World = World()) -> dict:
    """Trains over `batches` (`steps` of them); returns {"loss", "train_top1", "lr"} averaged over the epoch.

    Distributed (distributed.py): `model` is the DDP wrapper, `batches` this process's shards of the global
    batches; losses and accuracies are summed over the processes, so every process returns the global numbers."""
    model.train()
    module = model.module if world.distributed else model   # the EMA follows the unwrapped weights
    bar = Bar(steps, desc, unit="it", quiet=quiet)
    total_loss, correct, seen = 0.0, 0, 0
    for images, target in batches:
        lr = schedule.step()
        n = target.shape[0]
        x = augment(normalize(images), recipe.crop_pad, recipe.flip, gen, world.rank * n, world.size * n)
        x = x.contiguous(memory_format=torch.channels_last)
        target = target.to(normalize.device, non_blocking=True)
        outputs = model(x)
        loss = inception_loss(outputs, target, recipe.smoothing, recipe.aux_weight)
        logits = outputs[0] if isinstance(outputs, (tuple, list)) else outputs
        step_loss, step_correct, step_seen = sum_over_processes(
            [loss.item() * n, int((logits.argmax(1) == target).sum()), n], world, normalize.device)
        if not math.isfinite(step_loss):
            raise ConvertError(f"training diverged: the loss became {step_loss / step_seen} at lr {lr:.4g}; "
                               "lower --lr")
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        ema.update(module)
        total_loss += step_loss
        correct += int(step_correct)
        seen += int(step_seen)
        bar.update(1, loss=total_loss / seen, acc=f"{100.0 * correct / seen:.1f}%", lr=lr)
    stats = {"loss": total_loss / max(seen, 1), "train_top1": correct / max(seen, 1), "lr": schedule.lr}
    stats["train_s"] = bar.close(f"loss {stats['loss']:.4f}, train top-1 {100 * stats['train_top1']:.1f}%, "
                                 f"lr {stats['lr']:.4g}")
    return stats


@torch.no_grad()
def evaluate(model: torch.nn.Module, batches: Iterable, normalize: Normalizer) -> float:
    """Top-1 accuracy of the eval-mode `model` over `batches`."""
    model.eval()
    correct, seen = 0, 0
    for images, target in batches:
        logits = model(normalize(images).contiguous(memory_format=torch.channels_last))
        correct += int((logits.argmax(1).cpu() == target).sum())
        seen += target.shape[0]
    return correct / max(seen, 1)
