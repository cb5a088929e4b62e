# SPDX-License-Identifier: Apache-2.0
"""Small networks shared by the tests and fixtures/make_fixtures.py.

`fixture_tiny` is a zoo-style net (inception_small's layers and parameter names, ~20K parameters), so its
safetensors fixtures stay a few tens of KB; register_tiny() adds it to the zoo of this process only, for
in-process conversions (cli.main). OpsetNet is the ONNX test net of the opset 18-21 tests."""

import torch
import torch.nn as nn
import torch.nn.functional as F

TINY, TINY_SEED, TINY_SIZE, TINY_CLASSES = "fixture_tiny", 21, 32, 10


class TinyInception(nn.Module):
    """stem conv 3x3/2 (16) -> maxpool 3x3/2 -> Inception 3a (40) -> maxpool -> Inception 3b (72) -> avgpool -> fc."""

    def __init__(self, num_classes: int = TINY_CLASSES, aux_logits: bool = False):
        super().__init__()
        from incept_convert.zoo.small import BasicConv2d, Inception
        self.conv1 = BasicConv2d(3, 16, 3, stride=2, padding=1)
        self.maxpool1 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception3a = Inception(16, 8, 8, 16, 4, 8, 8)
        self.maxpool2 = nn.MaxPool2d(3, stride=2, ceil_mode=True)
        self.inception3b = Inception(40, 16, 16, 24, 8, 16, 16)
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(0.2)
        self.fc = nn.Linear(72, num_classes)

    def forward(self, x):
        x = self.maxpool2(self.inception3a(self.maxpool1(self.conv1(x))))
        return self.fc(self.dropout(torch.flatten(self.avgpool(self.inception3b(x)), 1)))


def register_tiny() -> None:
    from incept_convert import zoo
    if TINY not in zoo.SPECS:
        zoo.register(TINY, zoo.Spec(build=lambda num_classes, aux_logits: TinyInception(num_classes),
                                    input_size=TINY_SIZE, description="test-only tiny Inception"))


class OpsetNet(nn.Module):
    """Conv + BN + ReLU, ceil-mode max pool, a padded average pool (Pad + AveragePool), a concat, and the
    spatial mean as ReduceMean (x.mean((2, 3))) before the classifier. Input [1, 3, 17, 17]."""
    SHAPE = (1, 3, 17, 17)

    def __init__(self):
        super().__init__()
        torch.manual_seed(3)
        self.conv, self.bn, self.proj, self.fc = (nn.Conv2d(3, 8, 3), nn.BatchNorm2d(8), nn.Conv2d(8, 8, 1),
                                                  nn.Linear(16, 5))
        with torch.no_grad():
            self.bn.running_mean.normal_(0, 0.2)
            self.bn.running_var.uniform_(0.5, 2.0)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn(self.conv(x))), 3, 2, ceil_mode=True)
        y = torch.cat([self.proj(x), F.avg_pool2d(x, 3, 1, 1)], 1)
        return self.fc(y.mean((2, 3)))


# A graph with every int8 path: residual add, LRN, max pool into a concat, average pools (test_quantize*.py).
class MixedNet(nn.Module):
    SHAPE = (1, 3, 20, 20)

    def __init__(self):
        from incept_convert.zoo.googlenet_lrn import LRN
        super().__init__()
        torch.manual_seed(7)
        self.stem = nn.Conv2d(3, 8, 3, padding=1)
        self.up = nn.Conv2d(8, 8, 1)
        self.branch = nn.Conv2d(8, 6, 3, stride=2)
        self.post = nn.Conv2d(14, 12, 1)
        self.fc = nn.Linear(12, 5)
        self.lrn = LRN(3)

    def forward(self, x):
        a = F.relu(self.stem(x))
        r = F.relu(a + 0.2 * self.up(a))                                       # residual add, ReLU fused
        n = self.lrn(r)                                                        # float-only op
        c = torch.cat([self.branch(n), F.max_pool2d(n, 3, 2)], 1)            # an int8 branch and a pool
        y = F.avg_pool2d(F.relu(self.post(c)), 3, 1, 1, count_include_pad=False)
        return self.fc(y.mean((2, 3)))
