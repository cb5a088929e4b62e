# SPDX-License-Identifier: Apache-2.0
"""Inception-v4 (Szegedy, Ioffe, Vanhoucke, Alemi 2016, "Inception-v4, Inception-ResNet and the Impact of
Residual Connections on Learning", figures 3-9), with timm's parameter names so a timm `inception_v4`
state_dict (ported from TF-slim by Cadene) loads with strict=True.

Layout (input 299 -> grid): `features` is one Sequential,
    0-2   stem convs 3x3/2 (32), 3x3 (32), 3x3 "SAME" (64)                  149 -> 147
    3     Mixed3a: 3x3/2 max pool | 3x3/2 conv (96)                          -> 73, 160 ch
    4     Mixed4a: 1x1 -> 3x3 | 1x1 -> 1x7 -> 7x1 -> 3x3                     -> 71, 192 ch
    5     Mixed5a: 3x3/2 conv (192) | 3x3/2 max pool                         -> 35, 384 ch
    6-9   Inception-A x4 (384 ch)          10  Reduction-A (k,l,m,n = 192,224,256,384) -> 17, 1024 ch
    11-17 Inception-B x7 (1024 ch)         18  Reduction-B                              -> 8, 1536 ch
    19-21 Inception-C x3 (1536 ch)
then global average pool, dropout (the paper's keep-probability 0.8) and `last_linear`.
Every conv is BasicConv2d (bias-free conv, BatchNorm eps 1e-3, ReLU); branch average pools do NOT count
padding (count_include_pad=False), as TF's "SAME" pooling. No auxiliary classifier (the paper has none).
Preprocessing as timm's inception default: x in [0, 1], mean = std = 0.5 (i.e. scaled to [-1, 1]).
Smallest valid input: 75x75.
"""

import torch
import torch.nn as nn

from . import Spec, register
from .layers import COL3, COL7, ROW3, ROW7, SAME3, BasicConv2d, Concat, avg_pool_3x3, reduction_a, seq


def inception_a() -> Concat:
    return Concat(branch0=BasicConv2d(384, 96, 1),
                  branch1=seq((384, 64, 1), (64, 96, *SAME3)),
                  branch2=seq((384, 64, 1), (64, 96, *SAME3), (96, 96, *SAME3)),
                  branch3=nn.Sequential(avg_pool_3x3(), BasicConv2d(384, 96, 1)))


def inception_b() -> Concat:
    return Concat(branch0=BasicConv2d(1024, 384, 1),
                  branch1=seq((1024, 192, 1), (192, 224, *ROW7), (224, 256, *COL7)),
                  branch2=seq((1024, 192, 1), (192, 192, *COL7), (192, 224, *ROW7), (224, 224, *COL7),
                              (224, 256, *ROW7)),
                  branch3=nn.Sequential(avg_pool_3x3(), BasicConv2d(1024, 128, 1)))


def reduction_b() -> Concat:
    return Concat(branch0=seq((1024, 192, 1), (192, 192, 3, 2)),
                  branch1=seq((1024, 256, 1), (256, 256, *ROW7), (256, 320, *COL7), (320, 320, 3, 2)),
                  branch2=nn.MaxPool2d(3, stride=2))


class InceptionC(nn.Module):
    """8x8 block whose 3x3 paths end in a split: one tensor feeds both a 1x3 and a 3x1 conv."""

    def __init__(self):
        super().__init__()
        self.branch0 = BasicConv2d(1536, 256, 1)
        self.branch1_0 = BasicConv2d(1536, 384, 1)
        self.branch1_1a = BasicConv2d(384, 256, *ROW3)
        self.branch1_1b = BasicConv2d(384, 256, *COL3)
        self.branch2_0 = BasicConv2d(1536, 384, 1)
        self.branch2_1 = BasicConv2d(384, 448, *COL3)
        self.branch2_2 = BasicConv2d(448, 512, *ROW3)
        self.branch2_3a = BasicConv2d(512, 256, *ROW3)
        self.branch2_3b = BasicConv2d(512, 256, *COL3)
        self.branch3 = nn.Sequential(avg_pool_3x3(), BasicConv2d(1536, 256, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x1 = self.branch1_0(x)
        x2 = self.branch2_2(self.branch2_1(self.branch2_0(x)))
        return torch.cat((self.branch0(x), self.branch1_1a(x1), self.branch1_1b(x1),
                          self.branch2_3a(x2), self.branch2_3b(x2), self.branch3(x)), 1)


class InceptionV4(nn.Module):
    def __init__(self, num_classes: int = 1000):
        super().__init__()
        stem = [BasicConv2d(3, 32, 3, stride=2), BasicConv2d(32, 32, 3), BasicConv2d(32, 64, *SAME3),
                Concat(maxpool=nn.MaxPool2d(3, stride=2), conv=BasicConv2d(64, 96, 3, stride=2)),
                Concat(branch0=seq((160, 64, 1), (64, 96, 3)),
                       branch1=seq((160, 64, 1), (64, 64, *ROW7), (64, 64, *COL7), (64, 96, 3))),
                Concat(conv=BasicConv2d(192, 192, 3, stride=2), maxpool=nn.MaxPool2d(3, stride=2))]
        self.features = nn.Sequential(*stem, *(inception_a() for _ in range(4)), reduction_a(384, 192, 224, 256, 384),
                                      *(inception_b() for _ in range(7)), reduction_b(),
                                      *(InceptionC() for _ in range(3)))
        self.global_pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(0.2)
        self.last_linear = nn.Linear(1536, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.global_pool(self.features(x)).flatten(1)
        return self.last_linear(self.dropout(x))


def build(num_classes: int = 1000, aux_logits: bool = False) -> InceptionV4:
    """`aux_logits` is accepted for the common signature; Inception-v4 has no auxiliary head."""
    return InceptionV4(num_classes)


register("inception_v4", Spec(build=build, classifier="last_linear.weight", input_size=299,
                              mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5),
                              description="Inception-v4 (2016), timm / TF-slim parameter names"))
