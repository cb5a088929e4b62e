# SPDX-License-Identifier: Apache-2.0
"""incept_train: the training recipe of the Inception papers for any zoo network, on CUDA when present, CPU
otherwise; the built-in synthetic dataset; the held-out check of a trained checkpoint against its conversion.

    python3 -m incept_train --arch inception_small --synthetic --epochs 30 --out-dir runs/small
    python3 -m incept_train --arch googlenet --data ~/imagenet --opt rmsprop --lr 0.045 --epochs 100
    python3 -m incept_train --resume runs/small/checkpoint.pth --epochs 40
    torchrun --nproc_per_node=4 -m incept_train --arch inception_v3 --data ~/imagenet --batch-size 256 ...

Recipe: SGD (momentum 0.9, optional Nesterov) or RMSProp (decay 0.9, epsilon 1.0, momentum 0.9); step decay
(lr *= 0.94 every 2 epochs by default, optional linear warm-up); cross-entropy with label smoothing 0.1; each
auxiliary classifier's loss weighted 0.3; an exponential moving average of the weights and BatchNorm statistics
(decay 0.999) that is evaluated and exported; random crop (reflect-pad 8 px) and horizontal flip.

One process (no torchrun) trains as the recipe always has; under torchrun, N processes train the same run
data-parallel, up to rounding (distributed.py: DDP, a sampler of global-batch shards, synchronised BatchNorm,
per-sample randomness that does not depend on the process count).

Modules: cli (options, errors), run (driver, checkpoints, export), loop (loss, epoch, evaluation), data (sources,
normalisation, augmentation), ema, schedule, world and distributed (torchrun),
synthetic (the built-in dataset), evaluate (`python3 -m incept_train.evaluate`: held-out top-1 of a checkpoint
in PyTorch and of its incept file).

Beside the converter, not inside it: this package imports `incept_convert.zoo` (the networks, with the
parameter names the converter reads) and `incept_convert.errors` (one-line user errors), and the converter
imports nothing of it, so converting needs no training code. `evaluate` lives here because it scores a
checkpoint on the synthetic dataset's held-out split, which is this package's; `incept_convert.make_checkpoint`
stays in the converter because it needs only the zoo and serves the converter's tests, the benchmarks and the
demo, none of which train.
"""

__version__ = "0.1.0"
