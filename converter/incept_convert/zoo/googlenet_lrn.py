# SPDX-License-Identifier: Apache-2.0
"""The original GoogLeNet (Szegedy et al. 2014, "Going Deeper with Convolutions", table 1), as in Caffe's
bvlc_googlenet: biased convs with ReLU and no BatchNorm, Local Response Normalization, a real 5x5 branch.

Parameter names follow torchvision's GoogLeNet, without the BatchNorm (`conv1.conv.weight`,
`conv1.conv.bias`, `inception3a.branch3.1.conv.weight`, `aux1.fc1.weight`, `fc.weight`, ...):
    conv1 (7x7/2, 64) -> maxpool1 (3x3/2) -> lrn1 -> conv2 (1x1, 64) -> conv3 (3x3, 192) -> lrn2
    -> maxpool2 -> inception3a, 3b -> maxpool3 -> inception4a..4e -> maxpool4 -> inception5a, 5b
    -> global average pool -> dropout 0.4 -> fc
Each inception module concatenates branch1 (1x1) | branch2 (1x1 -> 3x3) | branch3 (1x1 -> 5x5)
| branch4 (3x3/1 max pool -> 1x1). All max pools round up (ceil mode, as Caffe). LRN: across 5 channels,
alpha 1e-4, beta 0.75, k 1 (Caffe's alpha is divided by the size, as in PyTorch and ONNX); it exports to
ONNX as one LRN node. The global pool is adaptive (Caffe's 7x7 pool at 224).
Aux heads (training only; the paper weights their losses by 0.3): `aux1` on 4a, `aux2` on 4d, each
5x5/3 average pool -> conv (1x1, 128, ReLU) -> fc1 (1024, ReLU) -> dropout 0.7 -> fc2; they need the 14x14
grid, i.e. input 224 (up to ~239). Init as Caffe's train prototxt: Xavier weights, conv biases 0.2.
"""

import warnings

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import Spec, register


class _LRNExport(torch.autograd.Function):
    """Exports as one ONNX LRN node (F.local_response_norm traces to ~40 ops). Used only while exporting."""

    @staticmethod
    def forward(ctx, x, size: int, alpha: float, beta: float, k: float):
        return F.local_response_norm(x, size, alpha, beta, k)

    @staticmethod
    def symbolic(g, x, size, alpha, beta, k):
        with warnings.catch_warnings():    # torch 1.13 flags Graph.op as deprecated; 2.x passes a GraphContext
            warnings.simplefilter("ignore", FutureWarning)
            return g.op("LRN", x, size_i=size, alpha_f=alpha, beta_f=beta, bias_f=k)


class LRN(nn.LocalResponseNorm):
    """LocalResponseNorm exporting as one ONNX LRN node. Only for an odd size: for an even one ONNX's window
    ([c - (size-1)//2, c + size//2]) is one channel above PyTorch's ([c - size//2, c + (size-1)//2]), so
    those export as PyTorch's own decomposition instead."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if torch.onnx.is_in_onnx_export() and self.size % 2 == 1:
            return _LRNExport.apply(x, self.size, self.alpha, self.beta, self.k)
        return super().forward(x)


class BasicConv(nn.Module):
    """Biased conv -> ReLU (torchvision's BasicConv2d without the BatchNorm)."""

    def __init__(self, in_ch: int, out_ch: int, kernel_size: int, stride: int = 1):
        super().__init__()
        self.conv = nn.Conv2d(in_ch, out_ch, kernel_size, stride=stride, padding=kernel_size // 2)
        self.relu = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu(self.conv(x))


class Inception(nn.Module):
    def __init__(self, in_ch: int, c1x1: int, c3x3red: int, c3x3: int, c5x5red: int, c5x5: int, pool_proj: int):
        super().__init__()
        self.branch1 = BasicConv(in_ch, c1x1, 1)
        self.branch2 = nn.Sequential(BasicConv(in_ch, c3x3red, 1), BasicConv(c3x3red, c3x3, 3))
        self.branch3 = nn.Sequential(BasicConv(in_ch, c5x5red, 1), BasicConv(c5x5red, c5x5, 5))
        self.branch4 = nn.Sequential(nn.MaxPool2d(3, stride=1, padding=1, ceil_mode=True),
                                     BasicConv(in_ch, pool_proj, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x), self.branch4(x)], 1)


class AuxHead(nn.Module):
    def __init__(self, in_ch: int, num_classes: int):
        super().__init__()
        self.pool = nn.AvgPool2d(5, stride=3)
        self.conv = BasicConv(in_ch, 128, 1)
        self.fc1 = nn.Linear(128 * 4 * 4, 1024)
        self.dropout = nn.Dropout(0.7)
        self.fc2 = nn.Linear(1024, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.conv(self.pool(x)).flatten(1)
        return self.fc2(self.dropout(F.relu(self.fc1(x), inplace=True)))


class GoogLeNetLRN(nn.Module):
    def __init__(self, num_classes: int = 1000, aux_logits: bool = False):
        super().__init__()
        self.conv1 = BasicConv(3, 64, 7, stride=2)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.lrn1 = LRN(5, alpha=1e-4, beta=0.75, k=1.0)
        self.conv2 = BasicConv(64, 64, 1)
        self.conv3 = BasicConv(64, 192, 3)
        self.lrn2 = LRN(5, alpha=1e-4, beta=0.75, k=1.0)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception3a = Inception(192, 64, 96, 128, 16, 32, 32)
        self.inception3b = Inception(256, 128, 128, 192, 32, 96, 64)
        self.maxpool3 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception4a = Inception(480, 192, 96, 208, 16, 48, 64)
        self.inception4b = Inception(512, 160, 112, 224, 24, 64, 64)
        self.inception4c = Inception(512, 128, 128, 256, 24, 64, 64)
        self.inception4d = Inception(512, 112, 144, 288, 32, 64, 64)
        self.inception4e = Inception(528, 256, 160, 320, 32, 128, 128)
        self.maxpool4 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception5a = Inception(832, 256, 160, 320, 32, 128, 128)
        self.inception5b = Inception(832, 384, 192, 384, 48, 128, 128)
        self.aux1 = AuxHead(512, num_classes) if aux_logits else None
        self.aux2 = AuxHead(528, num_classes) if aux_logits else None
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(0.4)
        self.fc = nn.Linear(1024, num_classes)
        for m in self.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                nn.init.xavier_uniform_(m.weight)
                nn.init.constant_(m.bias, 0.2 if isinstance(m, nn.Conv2d) else 0.0)

    def forward(self, x: torch.Tensor):
        x = self.lrn1(self.maxpool1(self.conv1(x)))
        x = self.maxpool2(self.lrn2(self.conv3(self.conv2(x))))
        x = self.maxpool3(self.inception3b(self.inception3a(x)))
        x = self.inception4a(x)
        aux1 = self.aux1(x) if self.aux1 is not None and self.training else None
        x = self.inception4d(self.inception4c(self.inception4b(x)))
        aux2 = self.aux2(x) if self.aux2 is not None and self.training else None
        x = self.maxpool4(self.inception4e(x))
        x = self.inception5b(self.inception5a(x))
        logits = self.fc(self.dropout(self.avgpool(x).flatten(1)))
        return logits if aux1 is None else (logits, aux1, aux2)


def build(num_classes: int = 1000, aux_logits: bool = False) -> GoogLeNetLRN:
    return GoogLeNetLRN(num_classes, aux_logits)


register("googlenet_lrn", Spec(build=build, input_size=224, aux_prefixes=("aux1.", "aux2."),
                               description="GoogLeNet as in the paper / Caffe bvlc_googlenet: LRN, no BatchNorm"))
