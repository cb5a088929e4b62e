# SPDX-License-Identifier: Apache-2.0
"""Building blocks shared by the TensorFlow-lineage nets of the zoo (Inception-v4, Inception-ResNet-v1/v2).

Their PyTorch ports (timm, Cadene's pretrainedmodels, facenet-pytorch) agree on these module names, so the
blocks here produce the state_dict keys those checkpoints carry:

- `BasicConv2d`: `conv` (no bias) -> `bn` (BatchNorm, eps 1e-3 as in TF-slim) -> ReLU.
- `Concat`: runs named children on the same input and joins their outputs along channels in the order given,
  so a block is declared as `Concat(branch0=..., branch1=...)` (timm's `Mixed3a` uses `maxpool`/`conv`).
- `reduction_a`: the paper's Reduction-A (Szegedy et al. 2016, figure 7) with its k, l, m, n filter counts;
  Inception-v4 uses (192, 224, 256, 384), Inception-ResNet-v1 (192, 192, 256, 384), -v2 (256, 256, 384, 384).
- `avg_pool_3x3`: the 3x3 stride-1 branch pool, NOT counting padding (TF "SAME" average pooling).
"""

from typing import Tuple, Union

import torch
import torch.nn as nn

BN_EPS = 1e-3

Size = Union[int, Tuple[int, int]]

# (kernel, stride, padding) tails for `seq` tuples: "SAME"-padded 3x3 and the asymmetric 1xn / nx1 convs.
SAME3 = (3, 1, 1)
ROW3, COL3 = ((1, 3), 1, (0, 1)), ((3, 1), 1, (1, 0))
ROW7, COL7 = ((1, 7), 1, (0, 3)), ((7, 1), 1, (3, 0))


class BasicConv2d(nn.Module):
    """conv (bias-free) -> BatchNorm(eps 1e-3) -> ReLU; padding 0 ("VALID") unless given."""

    def __init__(self, in_ch: int, out_ch: int, kernel_size: Size, stride: int = 1, padding: Size = 0):
        super().__init__()
        self.conv = nn.Conv2d(in_ch, out_ch, kernel_size, stride=stride, padding=padding, bias=False)
        self.bn = nn.BatchNorm2d(out_ch, eps=BN_EPS)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.bn(self.conv(x)))


class Concat(nn.Module):
    """Feeds the input to every child (in declaration order) and concatenates the results on channels."""

    def __init__(self, **branches: nn.Module):
        super().__init__()
        for name, module in branches.items():
            self.add_module(name, module)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([branch(x) for branch in self.children()], 1)


def avg_pool_3x3() -> nn.AvgPool2d:
    return nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False)


def seq(*layers: Tuple) -> nn.Sequential:
    """A chain of BasicConv2d from (in, out, kernel[, stride[, padding]]) tuples."""
    return nn.Sequential(*(BasicConv2d(*layer) for layer in layers))


def reduction_a(in_ch: int, k: int, l_: int, m: int, n: int) -> Concat:
    """35x35 -> 17x17: 3x3/2 conv (n) | 1x1 (k) -> 3x3 (l) -> 3x3/2 (m) | 3x3/2 max pool; out = n + m + in."""
    return Concat(branch0=BasicConv2d(in_ch, n, 3, stride=2),
                  branch1=seq((in_ch, k, 1), (k, l_, *SAME3), (l_, m, 3, 2)),
                  branch2=nn.MaxPool2d(3, stride=2))
