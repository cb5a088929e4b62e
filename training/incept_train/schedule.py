# SPDX-License-Identifier: Apache-2.0
"""Learning-rate schedule of the Inception papers: step decay (lr *= gamma every `step_epochs` epochs), with an
optional linear warm-up. Set per iteration, so a fractional `step_epochs` or a warm-up shorter than an epoch works.

    sched = StepDecay(optimizer, base_lr=0.045, gamma=0.94, step_epochs=2, steps_per_epoch=len(loader))
    for batch in loader: sched.step(); ...                 # sets the lr of the coming iteration
"""

import math


def step_decay_lr(step: int, base_lr: float, gamma: float, step_epochs: float, steps_per_epoch: int,
                  warmup_epochs: float = 0.0) -> float:
    """The learning rate of iteration `step` (0-based), with epoch = step / steps_per_epoch:
    base_lr * gamma ** floor(epoch / step_epochs) * min(1, (step + 1) / warmup_steps)."""
    epoch = step / steps_per_epoch
    lr = base_lr * gamma ** math.floor(epoch / step_epochs + 1e-9)
    warmup_steps = warmup_epochs * steps_per_epoch
    if warmup_steps > 0:
        lr *= min(1.0, (step + 1) / warmup_steps)
    return lr


class StepDecay:
    """Sets the optimizer's lr before every iteration; its state (the iteration count) goes into checkpoints."""

    def __init__(self, optimizer, base_lr: float, gamma: float, step_epochs: float, steps_per_epoch: int,
                 warmup_epochs: float = 0.0):
        self.optimizer = optimizer
        self.args = (base_lr, gamma, step_epochs, steps_per_epoch, warmup_epochs)
        self.iteration = 0
        self.lr = self.lr_at(0)

    def lr_at(self, step: int) -> float:
        base_lr, gamma, step_epochs, steps_per_epoch, warmup_epochs = self.args
        return step_decay_lr(step, base_lr, gamma, step_epochs, steps_per_epoch, warmup_epochs)

    def step(self) -> float:
        """Sets and returns the lr of the next iteration."""
        self.lr = self.lr_at(self.iteration)
        for group in self.optimizer.param_groups:
            group["lr"] = self.lr
        self.iteration += 1
        return self.lr

    def state_dict(self) -> dict:
        return {"iteration": self.iteration}

    def load_state_dict(self, state: dict) -> None:
        self.iteration = int(state["iteration"])
