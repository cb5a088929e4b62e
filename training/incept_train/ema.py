# SPDX-License-Identifier: Apache-2.0
"""Exponential moving average of a model's weights AND its BatchNorm buffers (running mean/var), as in the
Inception-v3 recipe (TensorFlow's ExponentialMovingAverage with num_updates). The averaged copy is what gets
evaluated and exported.

    ema = ModelEma(model, decay=0.999)
    ... optimizer.step(); ema.update(model)
    evaluate(ema.module)

Update n (0-based) uses d = min(decay, (1 + n) / (10 + n)): early on the average follows the model closely
(d = 0.1, 0.18, 0.25, ...), so short runs are not dominated by the random initial weights.
Floating-point entries: e = d * e + (1 - d) * w. Integer buffers (num_batches_tracked) are copied.
"""

import copy

import torch


def ema_decay(decay: float, updates: int) -> float:
    return min(decay, (1.0 + updates) / (10.0 + updates))


class ModelEma:
    def __init__(self, model: torch.nn.Module, decay: float):
        self.module = copy.deepcopy(model).eval()
        for p in self.module.parameters():
            p.requires_grad_(False)
        self.decay = decay
        self.updates = 0

    @torch.no_grad()
    def update(self, model: torch.nn.Module) -> None:
        d = ema_decay(self.decay, self.updates)
        current = model.state_dict()
        for name, avg in self.module.state_dict().items():
            w = current[name].detach()
            if avg.dtype.is_floating_point:
                avg.mul_(d).add_(w, alpha=1.0 - d)
            else:
                avg.copy_(w)
        self.updates += 1

    def state_dict(self) -> dict:
        return {"module": self.module.state_dict(), "updates": self.updates}

    def load_state_dict(self, state: dict) -> None:
        self.module.load_state_dict(state["module"])
        self.updates = int(state["updates"])
