# SPDX-License-Identifier: Apache-2.0
"""The model zoo: PyTorch definitions of the Inception family, with parameter names compatible with the
checkpoints people have (torchvision, timm, ...).

    from incept_convert import zoo
    model = zoo.build("inception_v4", num_classes=1000, aux_logits=False)
    spec = zoo.SPECS["inception_v4"]       # input size, aux-head key prefixes, preprocessing

Forward contract of every net: in eval mode, or without aux heads, `model(x)` returns the logits tensor
[N, classes]; in training mode with aux heads it returns a tuple (logits, aux_1, ...) whose aux entries
are logits of the auxiliary classifiers (weighted 0.3 each in the loss by the training recipe).
"""

from dataclasses import dataclass
from typing import Callable, Dict, Tuple


@dataclass(frozen=True)
class Spec:
    build: Callable                  # build(num_classes, aux_logits) -> torch.nn.Module
    input_size: int                  # default square input side
    aux_prefixes: Tuple[str, ...] = ()   # state_dict key prefixes of training-only heads
    mean: Tuple[float, float, float] = (0.485, 0.456, 0.406)
    std: Tuple[float, float, float] = (0.229, 0.224, 0.225)
    description: str = ""
    channel_order: str = "RGB"       # "RGB" or "BGR" (schema ChannelOrder); mean/std are listed in this order
    classifier: str = "fc.weight"    # the final classifier's weight key: its rows give a checkpoint's class count


SPECS: Dict[str, Spec] = {}


def register(name: str, spec: Spec) -> None:
    if name in SPECS:
        raise ValueError(f"zoo: '{name}' registered twice")
    SPECS[name] = spec


def build(name: str, num_classes: int = 1000, aux_logits: bool = False):
    if name not in SPECS:
        raise KeyError(f"unknown architecture '{name}'; choose one of: {', '.join(sorted(SPECS))}")
    return SPECS[name].build(num_classes=num_classes, aux_logits=aux_logits)


from . import small  # noqa: E402,F401  (registers inception_small)
from . import torchvision_nets  # noqa: E402,F401  (registers googlenet, inception_v3)
from . import googlenet_lrn  # noqa: E402,F401
from . import bn_inception  # noqa: E402,F401
from . import inception_v4  # noqa: E402,F401
from . import inception_resnet  # noqa: E402,F401  (registers inception_resnet_v1, inception_resnet_v2)
