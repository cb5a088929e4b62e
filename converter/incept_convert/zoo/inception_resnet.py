# SPDX-License-Identifier: Apache-2.0
"""Inception-ResNet-v1 and -v2 (Szegedy, Ioffe, Vanhoucke, Alemi 2016, "Inception-v4, Inception-ResNet and
the Impact of Residual Connections on Learning"). Blocks: inception_resnet_blocks.py.

`inception_resnet_v2` uses timm's parameter names (a timm / Cadene state_dict loads with strict=True):
    conv2d_1a .. conv2d_4a, maxpool_5a (stem, 35x35x192 at input 299), mixed_5b (-> 320 ch),
    repeat   = 10 x Block35 (scale 0.17),  mixed_6a = Reduction-A (k,l,m,n = 256,256,384,384) -> 17x17x1088,
    repeat_1 = 20 x Block17 (scale 0.10),  mixed_7a = Reduction-B -> 8x8x2080,
    repeat_2 =  9 x Block8  (scale 0.20),  block8 = Block8 with scale 1.0 and no ReLU,
    conv2d_7b (1x1, 1536), global average pool, dropout (the paper's keep-probability 0.8), classif.

`inception_resnet_v1` is the paper's smaller net (its own stem, same cost as Inception-v3) with
facenet-pytorch's parameter names:
    conv2d_1a .. conv2d_4a, conv2d_4b (3x3/2, 256) (stem, 35x35x256 at input 299),
    repeat_1 = 5 x Block35 (scale 0.17),   mixed_6a = Reduction-A (k,l,m,n = 192,192,256,384) -> 17x17x896,
    repeat_2 = 10 x Block17 (scale 0.10),  mixed_7a = Reduction-B -> 8x8x1792,
    repeat_3 = 5 x Block8 (scale 0.20),    block8 = Block8 with scale 1.0 and no ReLU,
    avgpool_1a, dropout (p 0.6, facenet's default),
    last_linear (1792 -> 512, no bias) -> last_bn (BatchNorm1d, eps 1e-3) -> logits (512 -> classes).
The head is facenet's `classify=True` path, so a facenet-pytorch checkpoint (VGGFace2 / CASIA-WebFace)
loads with strict=True; facenet's embedding output is the L2-normalised last_bn output, which this
definition does not produce. The default input is 299, the paper's ImageNet resolution (grids 35/17/8, as
in the family table of DESIGN.md); facenet's checkpoints were trained on 160x160 face crops, so convert
those with --input-size 160 (the net is fully convolutional up to the global pool; smallest input 75).
Preprocessing is facenet's fixed_image_standardization, (255 x - 127.5) / 128, i.e. mean 0.5 and std
128/255 on the [0, 1] scale (within 0.4% of the TF-slim [-1, 1] scaling).

Both: BatchNorm eps 1e-3, branch average pools do not count padding, no auxiliary classifier (the paper
has none for these nets).
"""

import torch
import torch.nn as nn

from . import Spec, register
from .inception_resnet_blocks import add_stem, block35, block_1xn, reduction_b
from .layers import SAME3, BasicConv2d, Concat, avg_pool_3x3, reduction_a, seq


def _body(net: nn.Module, names, x: torch.Tensor) -> torch.Tensor:
    for name in names:
        x = getattr(net, name)(x)
    return x


class InceptionResnetV2(nn.Module):
    BODY = ("conv2d_1a", "conv2d_2a", "conv2d_2b", "maxpool_3a", "conv2d_3b", "conv2d_4a", "maxpool_5a",
            "mixed_5b", "repeat", "mixed_6a", "repeat_1", "mixed_7a", "repeat_2", "block8", "conv2d_7b")

    def __init__(self, num_classes: int = 1000):
        super().__init__()
        add_stem(self)
        self.maxpool_5a = nn.MaxPool2d(3, stride=2)
        self.mixed_5b = Concat(branch0=BasicConv2d(192, 96, 1),
                               branch1=seq((192, 48, 1), (48, 64, 5, 1, 2)),
                               branch2=seq((192, 64, 1), (64, 96, *SAME3), (96, 96, *SAME3)),
                               branch3=nn.Sequential(avg_pool_3x3(), BasicConv2d(192, 64, 1)))
        self.repeat = nn.Sequential(*(block35(320, 32, (32, 32), (32, 48, 64), 0.17) for _ in range(10)))
        self.mixed_6a = reduction_a(320, 256, 256, 384, 384)
        self.repeat_1 = nn.Sequential(*(block_1xn(1088, 192, (128, 160, 192), 7, 0.10) for _ in range(20)))
        self.mixed_7a = reduction_b(1088, 384, 288, (288, 320))
        self.repeat_2 = nn.Sequential(*(block_1xn(2080, 192, (192, 224, 256), 3, 0.20) for _ in range(9)))
        self.block8 = block_1xn(2080, 192, (192, 224, 256), 3, 1.0, relu=False)
        self.conv2d_7b = BasicConv2d(2080, 1536, 1)
        self.global_pool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(0.2)
        self.classif = nn.Linear(1536, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.global_pool(_body(self, self.BODY, x)).flatten(1)
        return self.classif(self.dropout(x))


class InceptionResnetV1(nn.Module):
    BODY = ("conv2d_1a", "conv2d_2a", "conv2d_2b", "maxpool_3a", "conv2d_3b", "conv2d_4a", "conv2d_4b",
            "repeat_1", "mixed_6a", "repeat_2", "mixed_7a", "repeat_3", "block8")

    def __init__(self, num_classes: int = 1000):
        super().__init__()
        add_stem(self)
        self.conv2d_4b = BasicConv2d(192, 256, 3, stride=2)
        self.repeat_1 = nn.Sequential(*(block35(256, 32, (32, 32), (32, 32, 32), 0.17) for _ in range(5)))
        self.mixed_6a = reduction_a(256, 192, 192, 256, 384)
        self.repeat_2 = nn.Sequential(*(block_1xn(896, 128, (128, 128, 128), 7, 0.10) for _ in range(10)))
        self.mixed_7a = reduction_b(896, 384, 256, (256, 256))
        self.repeat_3 = nn.Sequential(*(block_1xn(1792, 192, (192, 192, 192), 3, 0.20) for _ in range(5)))
        self.block8 = block_1xn(1792, 192, (192, 192, 192), 3, 1.0, relu=False)
        self.avgpool_1a = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(0.6)
        self.last_linear = nn.Linear(1792, 512, bias=False)
        self.last_bn = nn.BatchNorm1d(512, eps=1e-3)
        self.logits = nn.Linear(512, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.dropout(self.avgpool_1a(_body(self, self.BODY, x)).flatten(1))
        return self.logits(self.last_bn(self.last_linear(x)))


def build_v2(num_classes: int = 1000, aux_logits: bool = False) -> InceptionResnetV2:
    """`aux_logits` is accepted for the common signature; the net has no auxiliary head."""
    return InceptionResnetV2(num_classes)


def build_v1(num_classes: int = 1000, aux_logits: bool = False) -> InceptionResnetV1:
    """`aux_logits` is accepted for the common signature; the net has no auxiliary head."""
    return InceptionResnetV1(num_classes)


register("inception_resnet_v2", Spec(build=build_v2, classifier="classif.weight", input_size=299,
                                     mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5),
                                     description="Inception-ResNet-v2 (2016), timm / TF-slim parameter names"))
register("inception_resnet_v1", Spec(build=build_v1, classifier="logits.weight", input_size=299, mean=(0.5, 0.5, 0.5),
                                     std=(128 / 255, 128 / 255, 128 / 255),
                                     description="Inception-ResNet-v1 (2016), facenet-pytorch parameter names "
                                                 "(classify head); facenet checkpoints expect input 160"))
