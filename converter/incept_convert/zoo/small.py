# SPDX-License-Identifier: Apache-2.0
"""`inception_small`: a GoogLeNet-style network for 96x96 inputs, the bundled default model's architecture.

    stem   conv 3x3/2 (24) -> maxpool 3x3/2 -> conv 1x1 (32) -> conv 3x3 (64) -> maxpool 3x3/2   96 -> 12
    3a, 3b  Inception modules at 12x12                          -> maxpool 3x3/2                 12 -> 6
    4a, 4b, 4c  Inception modules at 6x6 (aux head after 4a, training only)
    global avg pool -> dropout 0.2 -> fc

Each Inception module has four branches joined by a channel concat (BN-Inception style: the 5x5 branch is
factorised into two 3x3): 1x1 | 1x1 -> 3x3 | 1x1 -> 3x3 -> 3x3 | maxpool 3x3/1 -> 1x1. Every conv is
Conv2d(bias=False) + BatchNorm2d(eps=1e-3) + ReLU; max pools round up (ceil_mode), as torchvision's GoogLeNet.
Only ops the incept runtime has. About 0.78M parameters (0.83M with the aux head), 50 MMAC per 96x96 image.
The aux head (`aux.` keys) is avgpool to 2x2 -> conv 1x1 (64) -> fc 128 -> dropout 0.5 -> fc.
"""

import torch
import torch.nn as nn

from . import Spec, register

AUX_PREFIXES = ("aux.",)


class BasicConv2d(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, kernel_size: int, stride: int = 1, padding: int = 0):
        super().__init__()
        self.conv = nn.Conv2d(in_channels, out_channels, kernel_size, stride=stride, padding=padding, bias=False)
        self.bn = nn.BatchNorm2d(out_channels, eps=1e-3)

    def forward(self, x):
        return torch.relu(self.bn(self.conv(x)))


class Inception(nn.Module):
    """Four branches: 1x1 (c1) | 1x1 (c3r) -> 3x3 (c3) | 1x1 (c5r) -> 3x3 (c5) -> 3x3 (c5) | pool -> 1x1 (pool)."""

    def __init__(self, in_channels: int, c1: int, c3r: int, c3: int, c5r: int, c5: int, pool: int):
        super().__init__()
        self.branch1 = BasicConv2d(in_channels, c1, 1)
        self.branch2 = nn.Sequential(BasicConv2d(in_channels, c3r, 1), BasicConv2d(c3r, c3, 3, padding=1))
        self.branch3 = nn.Sequential(BasicConv2d(in_channels, c5r, 1), BasicConv2d(c5r, c5, 3, padding=1),
                                     BasicConv2d(c5, c5, 3, padding=1))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True),
                                     BasicConv2d(in_channels, pool, 1))
        self.out_channels = c1 + c3 + c5 + pool

    def forward(self, x):
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class AuxHead(nn.Module):
    """Training-only classifier on the 6x6 (at 96x96 input) output of 4a; dropped at conversion."""

    def __init__(self, in_channels: int, num_classes: int):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(2)     # = avgpool 3x3/3 at 96x96 input
        self.conv = BasicConv2d(in_channels, 64, 1)
        self.fc1 = nn.Linear(64 * 2 * 2, 128)
        self.dropout = nn.Dropout(0.5)
        self.fc2 = nn.Linear(128, num_classes)

    def forward(self, x):
        x = torch.flatten(self.conv(self.pool(x)), 1)
        return self.fc2(self.dropout(torch.relu(self.fc1(x))))


class InceptionSmall(nn.Module):
    def __init__(self, num_classes: int = 12, aux_logits: bool = False, dropout: float = 0.2):
        super().__init__()
        self.conv1 = BasicConv2d(3, 24, 3, stride=2, padding=1)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.conv2 = BasicConv2d(24, 32, 1)
        self.conv3 = BasicConv2d(32, 64, 3, padding=1)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception3a = Inception(64, 32, 32, 48, 16, 24, 24)       # -> 128
        self.inception3b = Inception(128, 48, 48, 64, 24, 32, 32)      # -> 176
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception4a = Inception(176, 64, 64, 96, 24, 48, 48)      # -> 256
        self.inception4b = Inception(256, 96, 80, 128, 32, 64, 64)     # -> 352
        self.inception4c = Inception(352, 128, 96, 160, 32, 64, 64)    # -> 416
        self.aux = AuxHead(256, num_classes) if aux_logits else None
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(416, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, std=0.01)
                nn.init.zeros_(m.bias)

    def forward(self, x):
        x = self.maxpool1(self.conv1(x))
        x = self.maxpool2(self.conv3(self.conv2(x)))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        x = self.inception4a(x)
        aux = self.aux(x) if self.aux is not None and self.training else None
        x = self.inception4c(self.inception4b(x))
        x = self.fc(self.dropout(torch.flatten(self.avgpool(x), 1)))
        return (x, aux) if aux is not None else x


def build(num_classes: int = 12, aux_logits: bool = False) -> InceptionSmall:
    return InceptionSmall(num_classes=num_classes, aux_logits=aux_logits)


register("inception_small", Spec(build=build, input_size=96, aux_prefixes=AUX_PREFIXES,
                                 description="GoogLeNet-style, 5 Inception modules, 96x96; the bundled default model"))
