# SPDX-License-Identifier: Apache-2.0
"""Data-parallel training under torchrun: one process per device, DistributedDataParallel, and a global batch
split evenly over the processes, so that N processes train the run that one process trains (up to rounding).

    torchrun --nproc_per_node=4 -m incept_train --arch inception_v3 --data DIR --batch-size 256 ...

Without torchrun's environment (WORLD_SIZE unset or 1) nothing here runs and training is what it was: one
process, no process group. Under it, every process runs the same program with the same options:

- Process group from the environment (torchrun's RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT): NCCL on CUDA, one
  device per process (LOCAL_RANK), gloo on CPU; `--dist-backend` overrides.
- Sampler (`shard`): every process draws the same shuffled epoch order (the seed is per epoch, not per
  process) and takes, from each global batch of B consecutive indices, its own B / N consecutive ones: the
  shards are disjoint, and together they are the global batch one process would have trained on at that step.
  `--batch-size` is the global batch; one not divisible by N is refused.
- Random numbers follow the sample, not the process. Augmentation draws the crop offsets and flips of the whole
  global batch from the epoch's generator and uses its shard's rows (data.augment); dropout (ShardedDropout)
  draws the global batch's mask from the epoch-seeded torch generator, the same on every process, and
  applies its shard's rows. One process draws exactly these numbers, so a sample is cropped, flipped and
  dropped out alike whatever the process count, and no two processes share masks (with nn.Dropout, equally
  seeded processes would draw identical masks for their different samples).
- BatchNorm is synchronised: its batch statistics are over the global batch, as in one process, so the
  process count does not change the recipe, and a run may resume on another count. On CUDA this is torch's
  SyncBatchNorm; on CPU (gloo), where torch 1.13 has none, CpuSyncBatchNorm. The price is an all-reduce per
  BatchNorm layer forward and backward. (Per-process statistics would be cheaper, but they are statistics of
  B / N samples: N processes would train another recipe than one, and no test could hold them to one.)
- DDP averages gradients, so every process takes the same optimizer step; the weight EMA is kept by every
  process from its unwrapped module (identical everywhere). Losses and accuracies are summed over processes
  for the progress output; evaluation, checkpoint.pth, model.pth and train.json are rank 0's, while the others
  wait at a barrier.
"""

from typing import List, Optional, Sequence

import torch

from incept_convert.errors import ConvertError

from .world import RankError, World


def init(world: World, device: torch.device, backend: Optional[str]) -> torch.device:
    """Joins the process group (distributed runs only); returns this process's device."""
    if not world.distributed:
        return device
    import torch.distributed as dist
    if device.type == "cuda":
        if world.local_rank >= torch.cuda.device_count():
            raise RankError(world, f"LOCAL_RANK {world.local_rank} has no CUDA device (this node has "
                                   f"{torch.cuda.device_count()}); start at most that many processes per node")
        torch.cuda.set_device(world.local_rank)
        device = torch.device("cuda", world.local_rank)
    backend = backend or ("nccl" if device.type == "cuda" else "gloo")
    if backend == "nccl" and device.type != "cuda":
        raise ConvertError("--dist-backend nccl needs CUDA devices; on CPU use gloo")
    try:
        dist.init_process_group(backend=backend)   # env://, from torchrun's variables
    except (RuntimeError, ValueError) as e:
        raise RankError(world, f"cannot join the {backend} process group ({' '.join(str(e).split())[:160]}); "
                               "start distributed runs with torchrun") from None
    return device


def shutdown(world: World) -> None:
    if world.distributed:
        import torch.distributed as dist
        if dist.is_initialized():
            dist.destroy_process_group()


def barrier(world: World) -> None:
    if world.distributed:
        torch.distributed.barrier()


def shard(order: torch.Tensor, batch: int, world: World) -> torch.Tensor:
    """This process's indices from an epoch `order` of whole global batches of `batch`: from each, the
    world.rank-th of world.size equal runs of consecutive indices. One process gets `order` itself."""
    if not world.distributed:
        return order
    local = batch // world.size
    return order.view(-1, batch)[:, world.rank * local:(world.rank + 1) * local].reshape(-1)


def sum_over_processes(values: Sequence[float], world: World, device: torch.device) -> List[float]:
    """Per-process numbers summed over all processes (float64); the numbers themselves in one process."""
    if not world.distributed:
        return list(values)
    t = torch.tensor(list(values), dtype=torch.float64, device=device)
    torch.distributed.all_reduce(t)
    return t.tolist()


class ShardedDropout(torch.nn.Module):
    """nn.Dropout for one shard of a global batch: draws the mask of the whole global batch (as nn.Dropout in
    one process would: bernoulli_(1 - p) of that shape, divided by 1 - p) and applies this process's rows."""

    def __init__(self, p: float, world: World):
        super().__init__()
        self.p, self.rank, self.size = p, world.rank, world.size

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0:
            return x
        n = x.shape[0]
        noise = torch.empty((n * self.size, *x.shape[1:]), dtype=x.dtype, device=x.device).bernoulli_(1 - self.p)
        noise.div_(1 - self.p)
        return x * noise[self.rank * n:(self.rank + 1) * n]

    def extra_repr(self) -> str:
        return f"p={self.p}, rank={self.rank} of {self.size}"


class _SyncBatchNormFunction(torch.autograd.Function):
    """Training-mode BatchNorm over the global batch, every process holding `x`, its share of it. Forward: the
    mean from all-reduced per-channel sums, then the variance from all-reduced sums of squared deviations (two
    passes, as BatchNorm computes them). Backward: BatchNorm's own formula on all-reduced sums,
        dx = (dy - sum(dy) / n - (x - mean) * invstd^2 * sum(dy * (x - mean)) / n) * invstd * weight,
    as torch's CUDA SyncBatchNorm does: one all-reduce (of both sums) per backward, and no per-process terms
    that only cancel across processes, as differentiating through the forward's all-reduces would give (the
    variance's pull on the mean sums to zero over the global batch, not over one share). dweight and dbias are
    this process's shares: DDP averages them with the other gradients."""

    @staticmethod
    def forward(ctx, x, weight, bias, eps: float, world_size: int):
        dims = [0, *range(2, x.dim())]
        shape = [1, -1] + [1] * (x.dim() - 2)
        n = x.numel() // x.shape[1] * world_size
        total = x.sum(dims)
        torch.distributed.all_reduce(total)
        mean = total / n
        centred = x - mean.view(shape)
        squares = (centred * centred).sum(dims)
        torch.distributed.all_reduce(squares)
        var = squares / n
        invstd = torch.rsqrt(var + eps)
        y = centred * invstd.view(shape)
        if weight is not None:
            y = y * weight.view(shape) + bias.view(shape)
        ctx.save_for_backward(x, weight, mean, invstd)
        ctx.n = n
        ctx.mark_non_differentiable(mean, var)
        return y, mean, var

    @staticmethod
    def backward(ctx, dy, _dmean, _dvar):
        x, weight, mean, invstd = ctx.saved_tensors
        dims = [0, *range(2, x.dim())]
        shape = [1, -1] + [1] * (x.dim() - 2)
        centred = x - mean.view(shape)
        local = torch.stack([dy.sum(dims), (dy * centred).sum(dims)])
        dweight = local[1] * invstd if weight is not None else None
        dbias = local[0].clone() if weight is not None else None
        torch.distributed.all_reduce(local)
        sum_dy, sum_dy_centred = local[0] / ctx.n, local[1] / ctx.n
        scale = invstd if weight is None else invstd * weight
        dx = (dy - sum_dy.view(shape) - centred * (invstd * invstd * sum_dy_centred).view(shape)) * scale.view(shape)
        return dx, dweight, dbias, None, None


class CpuSyncBatchNorm(torch.nn.modules.batchnorm._BatchNorm):
    """SyncBatchNorm for CPU tensors (gloo), which torch 1.13 lacks (its SyncBatchNorm refuses CPU tensors, and
    DDP refuses it on CPU): statistics over the global batch (_SyncBatchNormFunction); every process holds the
    same number of samples. Eval mode is plain BatchNorm on the running statistics."""

    def _check_input_dim(self, x: torch.Tensor) -> None:
        if x.dim() < 2:
            raise ValueError(f"expected at least 2D input (got {x.dim()}D input)")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._check_input_dim(x)
        if not self.training:
            return torch.nn.functional.batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                                                  False, 0.0, self.eps)
        world_size = torch.distributed.get_world_size()
        y, mean, var = _SyncBatchNormFunction.apply(x, self.weight, self.bias, self.eps, world_size)
        if self.track_running_stats:
            with torch.no_grad():
                n = x.numel() // x.shape[1] * world_size
                self.num_batches_tracked.add_(1)
                f = 1.0 / float(self.num_batches_tracked) if self.momentum is None else self.momentum
                self.running_mean.mul_(1 - f).add_(mean, alpha=f)
                self.running_var.mul_(1 - f).add_(var * (n / max(n - 1, 1)), alpha=f)
        return y


def _convert(module: torch.nn.Module, world: World, device: torch.device) -> torch.nn.Module:
    """Module tree with every BatchNorm made a SyncBatchNorm (torch's on CUDA, CpuSyncBatchNorm on CPU) and every
    Dropout a ShardedDropout, sharing the original parameters and buffers: an optimizer made before still holds
    them, and state_dict keys stay."""
    sync_bn = torch.nn.SyncBatchNorm if device.type == "cuda" else CpuSyncBatchNorm
    if isinstance(module, torch.nn.modules.batchnorm._BatchNorm) and not isinstance(module, sync_bn):
        out = sync_bn(module.num_features, module.eps, module.momentum, module.affine, module.track_running_stats)
        if module.affine:
            out.weight, out.bias = module.weight, module.bias
        if module.track_running_stats:
            out.running_mean, out.running_var = module.running_mean, module.running_var
            out.num_batches_tracked = module.num_batches_tracked
        return out.train(module.training)
    if isinstance(module, torch.nn.Dropout):
        return ShardedDropout(module.p, world).train(module.training)
    for name, child in module.named_children():
        module.add_module(name, _convert(child, world, device))
    return module


def wrap(model: torch.nn.Module, world: World, device: torch.device) -> torch.nn.Module:
    """The model to train: `model` itself in one process; else `model` converted in place (see _convert) and
    wrapped in DistributedDataParallel. Weights, EMA and exports keep using `model`."""
    if not world.distributed:
        return model
    from torch.nn.parallel import DistributedDataParallel
    model = _convert(model, world, device)
    return DistributedDataParallel(model, device_ids=[device.index] if device.type == "cuda" else None)
