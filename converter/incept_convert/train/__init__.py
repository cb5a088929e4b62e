# SPDX-License-Identifier: Apache-2.0
"""The training recipe of the Inception papers, for any zoo network, on CUDA when present, CPU otherwise.

    python3 -m incept_convert.train --arch inception_small --synthetic --epochs 30 --out-dir runs/small
    python3 -m incept_convert.train --arch googlenet --data ~/imagenet --opt rmsprop --lr 0.045 --epochs 100
    python3 -m incept_convert.train --resume runs/small/checkpoint.pth --epochs 40

Recipe: SGD (momentum 0.9, optional Nesterov) or RMSProp (decay 0.9, epsilon 1.0, momentum 0.9); step decay
(lr *= 0.94 every 2 epochs by default, optional linear warm-up); cross-entropy with label smoothing 0.1; each
auxiliary classifier's loss weighted 0.3; an exponential moving average of the weights and BatchNorm statistics
(decay 0.999) that is evaluated and exported; random crop (reflect-pad 8 px) and horizontal flip.

Modules: cli (options, errors), run (driver, checkpoints, export), loop (loss, epoch, evaluation), data (sources,
normalisation, augmentation), ema, schedule, progress (text progress bar).
"""
