# SPDX-License-Identifier: Apache-2.0
"""BN-Inception / Inception-v2 (Ioffe & Szegedy 2015, "Batch Normalization: Accelerating Deep Network
Training by Reducing Internal Covariate Shift", figure 5), with the flat parameter names of Cadene's
pretrainedmodels `BNInception` (a port of the Caffe model), so its state_dict loads with strict=True.

Every conv is biased and followed by BatchNorm (eps 1e-5) and ReLU; the conv is `<name>` and its
BatchNorm `<name>_bn`, e.g. `conv1_7x7_s2`, `conv1_7x7_s2_bn`, `inception_3a_double_3x3_2_bn`.
    stem: conv1_7x7_s2 (64) -> 3x3/2 max pool -> conv2_3x3_reduce (1x1, 64) -> conv2_3x3 (192)
          -> 3x3/2 max pool                                                             (224 -> 28x28)
    each module <m> concatenates  inception_<m>_1x1 | _3x3_reduce -> _3x3
                                  | _double_3x3_reduce -> _double_3x3_1 -> _double_3x3_2 | pool -> _pool_proj
    (GoogLeNet's 5x5 is factorised into the two "double" 3x3 convs), with, as in the paper's table:
      3a 3b 4a 4b 4c 4d 5a: 3x3 stride-1 average pool (counting padding) -> 1x1 pool_proj;
      5b: 3x3 stride-1 max pool -> pool_proj;
      3c, 4e (grid reductions 28->14->7): no 1x1 branch, the 3x3 and the second double 3x3 have stride 2,
          and the pool branch is a bare 3x3/2 max pool (no projection).
    then global average pool (Cadene's 7x7 pool at 224) and `last_linear` (1024 -> classes).
Max pools round up (ceil mode, as in Caffe). No dropout (the paper removed it) and no auxiliary
classifier (Cadene's definition has none, and the paper's BN-Inception is reported without).
Differences from Cadene's file that do not affect loading or eval results: BatchNorm momentum is PyTorch's
default 0.1 (Cadene's 0.9 is a Caffe-convention leftover), stride-1 pools have no ceil mode (same output),
and the final pool is adaptive (identical at 224, and works at other sizes).

Preprocessing of Cadene's weights: BGR channel order, pixels 0-255, mean (104, 117, 128), std 1; on the
[0, 1] scale of `Spec` that is mean (104, 117, 128) / 255 and std 1 / 255, listed in BGR order.
"""

from typing import Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import Spec, register

BN_EPS = 1e-5

# name, in channels, 1x1, (3x3 reduce, 3x3), (double 3x3 reduce, double 3x3), pool ("avg" | "max" | "reduce"),
# pool projection; "reduce" marks the stride-2 modules (no 1x1, no projection).
MODULES: Tuple[Tuple[str, int, int, Tuple[int, int], Tuple[int, int], str, int], ...] = (
    ("3a", 192, 64, (64, 64), (64, 96), "avg", 32),
    ("3b", 256, 64, (64, 96), (64, 96), "avg", 64),
    ("3c", 320, 0, (128, 160), (64, 96), "reduce", 0),
    ("4a", 576, 224, (64, 96), (96, 128), "avg", 128),
    ("4b", 576, 192, (96, 128), (96, 128), "avg", 128),
    ("4c", 576, 160, (128, 160), (128, 160), "avg", 128),
    ("4d", 608, 96, (128, 192), (160, 192), "avg", 128),
    ("4e", 608, 0, (128, 192), (192, 256), "reduce", 0),
    ("5a", 1056, 352, (192, 320), (160, 224), "avg", 128),
    ("5b", 1024, 352, (192, 320), (192, 224), "max", 128),
)


class BNInception(nn.Module):
    def __init__(self, num_classes: int = 1000):
        super().__init__()
        self._conv_bn("conv1_7x7_s2", 3, 64, 7, stride=2)
        self.pool1_3x3_s2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self._conv_bn("conv2_3x3_reduce", 64, 64, 1)
        self._conv_bn("conv2_3x3", 64, 192, 3)
        self.pool2_3x3_s2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        for name, cin, c1x1, (c3r, c3), (cdr, cd), pool, cproj in MODULES:
            p, stride = f"inception_{name}_", 2 if pool == "reduce" else 1
            if c1x1:
                self._conv_bn(p + "1x1", cin, c1x1, 1)
            self._conv_bn(p + "3x3_reduce", cin, c3r, 1)
            self._conv_bn(p + "3x3", c3r, c3, 3, stride=stride)
            self._conv_bn(p + "double_3x3_reduce", cin, cdr, 1)
            self._conv_bn(p + "double_3x3_1", cdr, cd, 3)
            self._conv_bn(p + "double_3x3_2", cd, cd, 3, stride=stride)
            if pool == "avg":
                self.add_module(p + "pool", nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=True))
            elif pool == "max":
                self.add_module(p + "pool", nn.MaxPool2d(3, stride=1, padding=1))
            else:
                self.add_module(p + "pool", nn.MaxPool2d(3, stride=2, ceil_mode=True))
            if cproj:
                self._conv_bn(p + "pool_proj", cin, cproj, 1)
        self.global_pool = nn.AdaptiveAvgPool2d(1)
        self.last_linear = nn.Linear(1024, num_classes)

    def _conv_bn(self, name: str, cin: int, cout: int, k: int, stride: int = 1) -> None:
        self.add_module(name, nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2))
        self.add_module(name + "_bn", nn.BatchNorm2d(cout, eps=BN_EPS))

    def _cbr(self, name: str, x: torch.Tensor) -> torch.Tensor:
        return F.relu(getattr(self, name + "_bn")(getattr(self, name)(x)), inplace=True)

    def _module(self, name: str, x: torch.Tensor) -> torch.Tensor:
        p = f"inception_{name}_"
        outs = [self._cbr(p + "1x1", x)] if hasattr(self, p + "1x1") else []
        outs.append(self._cbr(p + "3x3", self._cbr(p + "3x3_reduce", x)))
        d = self._cbr(p + "double_3x3_reduce", x)
        outs.append(self._cbr(p + "double_3x3_2", self._cbr(p + "double_3x3_1", d)))
        pooled = getattr(self, p + "pool")(x)
        outs.append(self._cbr(p + "pool_proj", pooled) if hasattr(self, p + "pool_proj") else pooled)
        return torch.cat(outs, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool1_3x3_s2(self._cbr("conv1_7x7_s2", x))
        x = self.pool2_3x3_s2(self._cbr("conv2_3x3", self._cbr("conv2_3x3_reduce", x)))
        for module in MODULES:
            x = self._module(module[0], x)
        return self.last_linear(self.global_pool(x).flatten(1))


def build(num_classes: int = 1000, aux_logits: bool = False) -> BNInception:
    """`aux_logits` is accepted for the common signature; this definition has no auxiliary head."""
    return BNInception(num_classes)


register("bn_inception", Spec(build=build, classifier="last_linear.weight", input_size=224, channel_order="BGR",
                              mean=(104 / 255, 117 / 255, 128 / 255), std=(1 / 255, 1 / 255, 1 / 255),
                              description="BN-Inception / Inception-v2 (2015), Cadene pretrainedmodels names; "
                                          "BGR input, mean/std in BGR order (Caffe 0-255 scale: 104/117/128, std 1)"))
