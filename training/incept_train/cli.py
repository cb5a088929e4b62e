# SPDX-License-Identifier: Apache-2.0
"""Command line of the trainer: `python3 -m incept_train` (see the package docstring for the recipe).

Run settings (architecture, data, optimizer, schedule, augmentation, seed) are fixed when a run starts and are
stored in its checkpoint; `--resume` takes them from there and refuses new values for them. Per-invocation
settings (--epochs, --out-dir, --device, --threads, --workers, --dist-backend, -q) may change on resume; a larger
--epochs continues a finished run. So may the number of processes: under `torchrun --nproc_per_node=N -m
incept_train ...` (distributed.py) --batch-size is the global batch, split over the N processes.

Every user-facing failure prints one line `incept-train: error: ...` to stderr and exits with 2; under torchrun
rank 0 prints it (and any process a failure of its own), and torchrun then reports the exit codes.
"""

import argparse
import os
import shlex
import sys
from pathlib import Path
from typing import List, Optional

from incept_convert.errors import ConvertError, one_line

from .world import RankError, World, world_from_env

PROG = "incept-train"
# Run settings and their defaults. None means "depends on another setting" (resolved in _resolve).
RUN_DEFAULTS = {
    "arch": None, "data": None, "synthetic": False, "classes": 12, "train_size": 6000, "val_size": 1200,
    "data_seed": 0, "input_size": None, "batch_size": 64, "opt": "sgd", "lr": None, "momentum": 0.9,
    "nesterov": False, "wd": 4e-5, "lr_decay": 0.94, "lr_step_epochs": 2.0, "warmup_epochs": 0.0,
    "label_smoothing": 0.1, "aux_weight": 0.3, "ema_decay": 0.999, "crop_pad": 8, "no_flip": False, "seed": 0,
}
DEFAULT_LR = {"sgd": 0.1, "rmsprop": 0.045}
DEFAULT_EPOCHS = 30


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):   # argparse prints usage + message; we promise one line
        print(f"{PROG}: error: {one_line(message)} (see --help)", file=sys.stderr)
        sys.exit(2)


def build_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python3 -m incept_train", description="Train a zoo network with the Inception recipe.")
    d = RUN_DEFAULTS
    run = p.add_argument_group("run settings (fixed at the start, stored in the checkpoint)")
    run.add_argument("--arch", help="zoo architecture, e.g. inception_small, googlenet, inception_v3")
    run.add_argument("--data", metavar="DIR", help="ImageFolder root with train/<class>/ and val/<class>/ images")
    run.add_argument("--synthetic", action="store_true", default=None, help="use the built-in synthetic dataset")
    run.add_argument("--classes", type=int, help=f"synthetic: number of classes (2-12, default {d['classes']})")
    run.add_argument("--train-size", type=int, help=f"synthetic: training images (default {d['train_size']})")
    run.add_argument("--val-size", type=int, help=f"synthetic: held-out images (default {d['val_size']})")
    run.add_argument("--data-seed", type=int, help=f"synthetic: dataset seed (default {d['data_seed']})")
    run.add_argument("--input-size", type=int, help="input side in pixels (default: the architecture's)")
    run.add_argument("--batch-size", type=int, help=f"default {d['batch_size']}")
    run.add_argument("--opt", choices=("sgd", "rmsprop"), help="sgd (default) or rmsprop (decay 0.9, eps 1.0)")
    run.add_argument("--lr", type=float, help="base learning rate (default 0.1 sgd, 0.045 rmsprop)")
    run.add_argument("--momentum", type=float, help=f"default {d['momentum']}")
    run.add_argument("--nesterov", action="store_true", default=None, help="Nesterov momentum (sgd)")
    run.add_argument("--wd", type=float, help=f"weight decay (default {d['wd']})")
    run.add_argument("--lr-decay", type=float, help=f"step decay factor (default {d['lr_decay']})")
    run.add_argument("--lr-step-epochs", type=float, help=f"epochs per decay step (default {d['lr_step_epochs']:g})")
    run.add_argument("--warmup-epochs", type=float, help="linear lr warm-up length in epochs (default 0)")
    run.add_argument("--label-smoothing", type=float, help=f"default {d['label_smoothing']}")
    run.add_argument("--aux-weight", type=float, help=f"aux classifier loss weight, 0 = no aux heads "
                                                      f"(default {d['aux_weight']})")
    run.add_argument("--ema-decay", type=float, help=f"weight EMA decay (default {d['ema_decay']})")
    run.add_argument("--crop-pad", type=int, help=f"random crop: reflect-pad by this many pixels, 0 = off "
                                                  f"(default {d['crop_pad']})")
    run.add_argument("--no-flip", action="store_true", default=None, help="no random horizontal flips")
    run.add_argument("--seed", type=int, help=f"seed of weights, order and augmentation (default {d['seed']})")
    inv = p.add_argument_group("per invocation")
    inv.add_argument("--epochs", type=int, help=f"train until this many epochs are done (default {DEFAULT_EPOCHS}; "
                                                "on --resume, the checkpoint's)")
    inv.add_argument("--out-dir", metavar="DIR", help="where checkpoint.pth, model.pth, labels.txt, train.json go "
                                                      "(default runs/ARCH)")
    inv.add_argument("--resume", metavar="CKPT", help="continue from a checkpoint.pth")
    inv.add_argument("--device", choices=("auto", "cpu", "cuda"), default="auto", help="default: cuda if available")
    inv.add_argument("--threads", type=int, help="CPU threads for PyTorch (default: PyTorch's choice)")
    inv.add_argument("--workers", type=int, help="image decoding processes for --data, per training process "
                                                 "(default: cores / processes on the node - 1, max 8)")
    inv.add_argument("--dist-backend", choices=("nccl", "gloo"), help="torchrun runs: the process group's backend "
                                                                      "(default: nccl on CUDA, gloo on CPU)")
    inv.add_argument("-q", "--quiet", action="store_true", help="no progress output")
    return p


def default_workers(world: World = World()) -> int:
    return min(8, max(1, (os.cpu_count() or 1) // world.local_size - 1))


def _run_settings(args) -> dict:
    return {k: getattr(args, k) for k in RUN_DEFAULTS}


def _check(cfg: dict, world: World) -> None:
    if cfg["batch_size"] % world.size:
        raise ConvertError(f"--batch-size {cfg['batch_size']} cannot be split evenly over {world.size} processes: "
                           "it is the global batch and must be a multiple of the process count")
    if (cfg["data"] is None) == (not cfg["synthetic"]):
        raise ConvertError("give either --data DIR or --synthetic")
    if cfg["data"] is not None and not Path(cfg["data"]).is_dir():
        raise ConvertError(f"--data {cfg['data']} does not exist or is not a directory; it must hold train/ and val/")
    from incept_convert import zoo   # imports torch: after the cheap checks
    if cfg["arch"] not in zoo.SPECS:
        raise ConvertError(f"unknown architecture '{cfg['arch']}'; choose one of: {', '.join(sorted(zoo.SPECS))}")
    rules = [("classes", 2 <= cfg["classes"] <= 12, "between 2 and 12"),
             ("train_size", cfg["train_size"] >= 2, ">= 2"), ("val_size", cfg["val_size"] >= 1, ">= 1"),
             ("batch_size", cfg["batch_size"] >= 2, ">= 2 (BatchNorm)"), ("lr", cfg["lr"] > 0, "> 0"),
             ("momentum", 0 <= cfg["momentum"] < 1, "in [0, 1)"), ("wd", cfg["wd"] >= 0, ">= 0"),
             ("lr_decay", 0 < cfg["lr_decay"] <= 1, "in (0, 1]"), ("lr_step_epochs", cfg["lr_step_epochs"] > 0, "> 0"),
             ("warmup_epochs", cfg["warmup_epochs"] >= 0, ">= 0"),
             ("label_smoothing", 0 <= cfg["label_smoothing"] < 1, "in [0, 1)"),
             ("aux_weight", cfg["aux_weight"] >= 0, ">= 0"), ("ema_decay", 0 < cfg["ema_decay"] < 1, "in (0, 1)"),
             ("crop_pad", cfg["crop_pad"] >= 0, ">= 0"), ("epochs", cfg["epochs"] >= 1, ">= 1"),
             ("threads", cfg["threads"] is None or cfg["threads"] >= 1, ">= 1"),
             ("workers", cfg["workers"] >= 0, ">= 0")]
    size = cfg["input_size"] or zoo.SPECS[cfg["arch"]].input_size
    rules.append(("input_size", 16 <= size <= 1024 and cfg["crop_pad"] < size, "in [16, 1024] and > --crop-pad"))
    for key, ok, rule in rules:
        if not ok:
            raise ConvertError(f"--{key.replace('_', '-')} must be {rule}, got {cfg[key]}")


def _command(argv: List[str], world: World) -> str:
    """The command line as recorded in the checkpoint and train.json."""
    if not world.distributed:
        return shlex.join(["python3", "-m", "incept_train", *argv])
    nodes = [f"--nnodes={world.size // world.local_size}"] if world.local_size != world.size else []
    return shlex.join(["torchrun", *nodes, f"--nproc_per_node={world.local_size}", "-m", "incept_train", *argv])


def _resolve(args, argv: List[str], world: World):
    """The run configuration and command history, from the command line or the --resume checkpoint."""
    given = {k: v for k, v in _run_settings(args).items() if v is not None}
    resume = None
    if args.resume:
        if given:
            flags = ", ".join("--" + k.replace("_", "-") for k in given)
            raise ConvertError(f"{flags}: run settings come from the --resume checkpoint and cannot change; "
                               "only --epochs, --out-dir, --device, --threads, --workers, --dist-backend and -q "
                               "may be given")
        from .checkpoint import load_checkpoint
        resume = load_checkpoint(args.resume)
        cfg, commands = dict(resume["config"]), list(resume["commands"])
    else:
        if args.arch is None:
            raise ConvertError("--arch NAME is required (or --resume CKPT)")
        cfg, commands = {**RUN_DEFAULTS, **given, "epochs": DEFAULT_EPOCHS}, []
        cfg["lr"] = cfg["lr"] if cfg["lr"] is not None else DEFAULT_LR[cfg["opt"]]
    out_dir = args.out_dir or (str(Path(args.resume).parent) if args.resume else f"runs/{cfg['arch']}")
    cfg.update(epochs=cfg["epochs"] if args.epochs is None else args.epochs, device=args.device, threads=args.threads,
               workers=args.workers if args.workers is not None else default_workers(world),
               dist_backend=args.dist_backend)
    commands.append(_command(argv, world))
    if Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise ConvertError(f"--out-dir {out_dir} exists and is not a directory")
    return cfg, commands, Path(out_dir), resume


def main(argv: Optional[List[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # OpenMP threads that spin while waiting burn the CPU that the other threads (and processes) on a shared
    # machine need: measured 2-3x slower steps with 2 threads on 2 busy cores. Must be set before torch loads.
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    args = build_parser().parse_args(argv)
    out_dir, world = None, World()
    try:
        world = world_from_env()
        cfg, commands, out_dir, resume = _resolve(args, argv, world)
        _check(cfg, world)
        from .run import train
        summary = train(cfg, out_dir, commands, resume, quiet=args.quiet, world=world)
    except ConvertError as e:
        if world.main or isinstance(e, RankError):   # the same error in every process: said once
            print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        hint = f"; continue with --resume {out_dir / 'checkpoint.pth'}" if out_dir else ""
        if world.main:
            print(f"{PROG}: interrupted{hint}", file=sys.stderr)
        return 130
    if summary is not None and not args.quiet:
        top1 = summary["heldout_top1"]
        print(f"{PROG}: wrote {out_dir}/model.pth: {summary['arch']}, {summary['classes']} classes, "
              f"held-out top-1 {100 * top1['ema']:.2f}% (EMA), {100 * top1['raw']:.2f}% (raw), "
              f"{summary['train_time_s']:.0f} s")
    return 0
