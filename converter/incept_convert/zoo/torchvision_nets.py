# SPDX-License-Identifier: Apache-2.0
"""torchvision's GoogLeNet and Inception-v3, as they are (their state_dicts load as is).

- `googlenet`: torchvision's BatchNorm variant of GoogLeNet (Szegedy et al. 2014). Note torchvision's
  "5x5" branch is a 3x3 conv (kept for its weights); the paper's original is `googlenet_lrn`. Two aux heads
  (`aux1` after 4a, `aux2` after 4d). Training-mode output is reordered to (logits, aux1, aux2), the order
  of `Spec.aux_prefixes`; torchvision itself returns (logits, aux2, aux1).
- `inception_v3`: torchvision's Inception3 (Szegedy et al. 2015, "Rethinking the Inception Architecture"),
  one aux head (`AuxLogits`, after Mixed_6e; it needs the 17x17 grid, i.e. input ~299, in training mode).
Both with transform_input=False (torchvision's default without pretrained weights): preprocessing is the
ImageNet mean/std of `Spec`'s defaults. init_weights=True (torchvision's truncated-normal init).
"""

import torch
import torchvision
from torchvision.models.googlenet import GoogLeNetOutputs

from . import Spec, register


class GoogLeNet(torchvision.models.GoogLeNet):
    """torchvision's GoogLeNet whose training-mode aux outputs come in the order aux1, aux2."""

    def forward(self, x: torch.Tensor):
        out = super().forward(x)
        if isinstance(out, GoogLeNetOutputs):
            return out.logits, out.aux_logits1, out.aux_logits2
        return out


def build_googlenet(num_classes: int = 1000, aux_logits: bool = False) -> GoogLeNet:
    return GoogLeNet(num_classes=num_classes, aux_logits=aux_logits, transform_input=False, init_weights=True)


def build_inception_v3(num_classes: int = 1000, aux_logits: bool = False) -> torchvision.models.Inception3:
    return torchvision.models.inception_v3(weights=None, num_classes=num_classes, aux_logits=aux_logits,
                                           transform_input=False, init_weights=True)


register("googlenet", Spec(build=build_googlenet, input_size=224, aux_prefixes=("aux1.", "aux2."),
                           description="GoogLeNet with BatchNorm, torchvision"))
register("inception_v3", Spec(build=build_inception_v3, input_size=299, aux_prefixes=("AuxLogits.",),
                              description="Inception-v3, torchvision"))
