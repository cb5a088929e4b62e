# SPDX-License-Identifier: Apache-2.0
"""Blocks shared by Inception-ResNet-v1 and -v2 (Szegedy et al. 2016, figures 10-19), parameterised by
their filter counts; module names follow timm's / facenet-pytorch's ports of the TF-slim nets.

A residual block (`ResidualBlock`; the paper's Inception-ResNet-A/B/C, timm's Block35/Block17/Block8) is

    out = relu(x + scale * conv2d(cat(branch0(x), branch1(x), ...)))

where `conv2d` is the linear 1x1 "up" projection back to the block's width: a biased conv without
BatchNorm or ReLU. `scale` (0.17 / 0.10 / 0.20 in both nets, 1.0 in the final block) is a plain float
attribute so the converter can fold it into the up conv's weights and bias; the final block has no ReLU
(`relu` is None).
"""

from typing import Sequence, Tuple

import torch
import torch.nn as nn

from .layers import COL3, COL7, ROW3, ROW7, SAME3, BasicConv2d, Concat, seq


class ResidualBlock(nn.Module):
    def __init__(self, branches: Sequence[nn.Module], concat_ch: int, channels: int, scale: float,
                 relu: bool = True):
        super().__init__()
        self.scale = float(scale)
        self.num_branches = len(branches)
        for i, branch in enumerate(branches):
            self.add_module(f"branch{i}", branch)
        self.conv2d = nn.Conv2d(concat_ch, channels, kernel_size=1)
        self.relu = nn.ReLU(inplace=True) if relu else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        up = self.conv2d(torch.cat([getattr(self, f"branch{i}")(x) for i in range(self.num_branches)], 1))
        out = up * self.scale + x
        return out if self.relu is None else self.relu(out)


def block35(channels: int, b0: int, b1: Tuple[int, int], b2: Tuple[int, int, int], scale: float) -> ResidualBlock:
    """35x35 Inception-ResNet-A: 1x1 | 1x1 -> 3x3 | 1x1 -> 3x3 -> 3x3."""
    return ResidualBlock([BasicConv2d(channels, b0, 1),
                          seq((channels, b1[0], 1), (b1[0], b1[1], *SAME3)),
                          seq((channels, b2[0], 1), (b2[0], b2[1], *SAME3), (b2[1], b2[2], *SAME3))],
                         b0 + b1[1] + b2[2], channels, scale)


def block_1xn(channels: int, b0: int, b1: Tuple[int, int, int], n: int, scale: float,
              relu: bool = True) -> ResidualBlock:
    """Inception-ResNet-B (n = 7, 17x17) and -C (n = 3, 8x8): 1x1 | 1x1 -> 1xn -> nx1."""
    row, col = {3: (ROW3, COL3), 7: (ROW7, COL7)}[n]
    return ResidualBlock([BasicConv2d(channels, b0, 1),
                          seq((channels, b1[0], 1), (b1[0], b1[1], *row), (b1[1], b1[2], *col))],
                         b0 + b1[2], channels, scale, relu)


def reduction_b(channels: int, c0: int, c1: int, c2: Tuple[int, int]) -> Concat:
    """17x17 -> 8x8 (timm's Mixed_7a): each conv branch starts with a 1x1 (256) and ends in a 3x3/2 conv,
    plus a 3x3/2 max pool; out = c0 + c1 + c2[1] + channels."""
    return Concat(branch0=seq((channels, 256, 1), (256, c0, 3, 2)),
                  branch1=seq((channels, 256, 1), (256, c1, 3, 2)),
                  branch2=seq((channels, 256, 1), (256, c2[0], *SAME3), (c2[0], c2[1], 3, 2)),
                  branch3=nn.MaxPool2d(3, stride=2))


def add_stem(net: nn.Module) -> None:
    """The stem both nets share up to 71x71x192 (input 299): conv2d_1a (3x3/2, 32), conv2d_2a (3x3, 32),
    conv2d_2b (3x3 "SAME", 64), maxpool_3a (3x3/2), conv2d_3b (1x1, 80), conv2d_4a (3x3, 192)."""
    net.conv2d_1a = BasicConv2d(3, 32, 3, stride=2)
    net.conv2d_2a = BasicConv2d(32, 32, 3)
    net.conv2d_2b = BasicConv2d(32, 64, *SAME3)
    net.maxpool_3a = nn.MaxPool2d(3, stride=2)
    net.conv2d_3b = BasicConv2d(64, 80, 1)
    net.conv2d_4a = BasicConv2d(80, 192, 3)
