# SPDX-License-Identifier: Apache-2.0
"""The model zoo's PyTorch definitions: forward contract, checkpoint-compatible parameter names, parameter
counts against published figures, the details the runtime depends on (residual scales, average pools
excluding padding, LRN), and ONNX export (opset 13, eval mode).

Each net is built once (7 classes, with aux heads where it has them, seeded) and shared by the tests; inputs
are the smallest each net accepts. ONNX export time grows with the node count, so the three deepest nets
(Inception-v4, Inception-ResNet-v1/v2) are exported with each repeated block kept once: every op and wiring
pattern is still there, and the file stays within about half a minute of CPU time.
"""

import copy
import io
import warnings

import numpy as np
import onnx
import pytest
import torch
import torch.nn as nn
from onnx import numpy_helper

from incept_convert import zoo
from incept_convert.zoo.inception_resnet_blocks import ResidualBlock

CLASSES = 7
NETS = ("googlenet", "inception_v3", "googlenet_lrn", "bn_inception", "inception_v4", "inception_resnet_v2",
        "inception_resnet_v1")
# Smallest input each net accepts in eval mode (the stride-2 "VALID" stems of the TF-lineage nets need 75).
SMALL_INPUT = {"googlenet": 64, "inception_v3": 75, "googlenet_lrn": 64, "bn_inception": 64,
               "inception_v4": 75, "inception_resnet_v2": 75, "inception_resnet_v1": 75}

# Parameter counts at 1000 classes (without aux heads, with them), and where each figure comes from.
PUBLISHED_PARAMS = {
    # torchvision GoogLeNet_Weights.IMAGENET1K_V1 meta "num_params" (aux heads removed); models.googlenet()
    # with its default aux heads counts 13,004,888.
    "googlenet": (6_624_904, 13_004_888),
    # torchvision Inception_V3_Weights meta "num_params" is 27,161,264 with AuxLogits; the aux head is
    # 768*128 + 256 (conv0+bn) + 128*768*25 + 1536 (conv1+bn) + 768*1000 + 1000 (fc) = 3,326,696.
    "inception_v3": (23_834_568, 27_161_264),
    # Caffe bvlc_googlenet, derived from torchvision's 6,624,904: minus the BatchNorm's extra per-channel
    # parameter over a bias (7,280 conv channels), plus the real 5x5 convs (16 * 23,808 = 380,928 weights)
    # = 6,998,552 (keras-hub's inception_v1 preset gives the same). Aux: torchvision's 6,379,984 less the
    # two aux BatchNorms' extra 2 * 128.
    "googlenet_lrn": (6_998_552, 13_378_280),
    # imgclsmob (osmr) bninception, the same biased-conv + BN structure as Cadene's: 11,295,240.
    "bn_inception": (11_295_240, 11_295_240),
    # timm inception_v4 (42.68M); exact figure from keras-hub's inception_v4 preset and imgclsmob.
    "inception_v4": (42_679_816, 42_679_816),
    # timm inception_resnet_v2 (55.84M); exact figure from imgclsmob's inceptionresnetv2.
    "inception_resnet_v2": (55_843_464, 55_843_464),
    # imgclsmob inceptionresnetv1 (facenet's structure and 1792->512->BN1d->classes head): 23,995,624.
    "inception_resnet_v1": (23_995_624, 23_995_624),
}

# A handful of exact state_dict keys per net, as the checkpoints people have spell them.
EXPECTED_KEYS = {
    "googlenet": ["conv1.conv.weight", "conv1.bn.running_var", "inception3a.branch3.1.conv.weight",
                  "inception5b.branch4.1.bn.bias", "aux1.conv.conv.weight", "aux2.fc2.bias", "fc.weight"],
    "inception_v3": ["Conv2d_1a_3x3.conv.weight", "Mixed_5b.branch_pool.bn.running_mean",
                     "Mixed_7c.branch3x3_2b.conv.weight", "AuxLogits.fc.weight", "fc.bias"],
    "googlenet_lrn": ["conv1.conv.weight", "conv1.conv.bias", "conv3.conv.bias", "inception3a.branch3.1.conv.weight",
                      "inception4e.branch4.1.conv.bias", "aux1.conv.conv.weight", "aux1.fc1.weight",
                      "aux2.fc2.bias", "fc.weight"],
    "bn_inception": ["conv1_7x7_s2.weight", "conv1_7x7_s2.bias", "conv1_7x7_s2_bn.running_mean",
                     "conv2_3x3_reduce_bn.weight", "inception_3a_1x1.weight", "inception_3a_double_3x3_2_bn.weight",
                     "inception_3c_double_3x3_2.bias", "inception_4e_3x3_bn.running_var",
                     "inception_5b_pool_proj_bn.bias", "last_linear.weight"],
    "inception_v4": ["features.0.conv.weight", "features.0.bn.running_var", "features.3.conv.conv.weight",
                     "features.4.branch1.3.bn.weight", "features.5.conv.bn.bias", "features.10.branch1.2.conv.weight",
                     "features.18.branch1.3.conv.weight", "features.21.branch1_1b.conv.weight",
                     "features.21.branch2_3a.bn.running_mean", "features.21.branch3.1.conv.weight",
                     "last_linear.weight", "last_linear.bias"],
    "inception_resnet_v2": ["conv2d_1a.conv.weight", "conv2d_4a.bn.running_var", "mixed_5b.branch1.1.conv.weight",
                            "mixed_5b.branch3.1.bn.weight", "repeat.0.conv2d.weight", "repeat.9.branch2.2.bn.bias",
                            "mixed_6a.branch1.2.conv.weight", "repeat_1.19.branch1.2.conv.weight",
                            "mixed_7a.branch2.2.bn.running_mean", "repeat_2.8.conv2d.bias", "block8.conv2d.bias",
                            "conv2d_7b.conv.weight", "classif.weight", "classif.bias"],
    "inception_resnet_v1": ["conv2d_1a.conv.weight", "conv2d_4b.bn.running_mean", "repeat_1.4.branch2.2.conv.weight",
                            "mixed_6a.branch0.conv.weight", "repeat_2.9.conv2d.weight",
                            "mixed_7a.branch2.2.conv.weight", "repeat_3.4.branch1.2.bn.weight", "block8.conv2d.bias",
                            "last_linear.weight", "last_bn.running_var", "logits.weight", "logits.bias"],
}

_MODELS = {}


def model(name: str) -> nn.Module:
    """The shared instance of `name` (CLASSES classes, aux heads if any), in eval mode."""
    if name not in _MODELS:
        torch.manual_seed(0)
        _MODELS[name] = zoo.build(name, num_classes=CLASSES, aux_logits=True)
    return _MODELS[name].eval()


def params_at_1000_classes(m: nn.Module, prefixes=()) -> int:
    """Parameter count of `m` rebuilt with 1000 classes (only the classifiers, the Linear layers with
    CLASSES outputs, depend on it), leaving out parameters under `prefixes`."""
    total = 0
    for name, module in m.named_modules():
        if name and any((name + ".").startswith(p) for p in prefixes):
            continue
        for p in module.parameters(recurse=False):
            total += p.numel()
        if isinstance(module, nn.Linear) and module.out_features == CLASSES:
            total += (1000 - CLASSES) * (module.in_features + (module.bias is not None))
    return total


def export(m: nn.Module, size: int) -> onnx.ModelProto:
    f = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(m.eval(), torch.zeros(1, 3, size, size), f, opset_version=13, input_names=["input"],
                          output_names=["logits"], do_constant_folding=False)
    return onnx.load_model_from_string(f.getvalue())     # torch.onnx.export has run the ONNX checker


def mul_constants(proto: onnx.ModelProto) -> list:
    """Scalar constants multiplied into a tensor (Constant nodes or initializers feeding a Mul)."""
    scalars = {n.output[0]: numpy_helper.to_array(n.attribute[0].t)
               for n in proto.graph.node if n.op_type == "Constant"}
    scalars.update({t.name: numpy_helper.to_array(t) for t in proto.graph.initializer})
    return sorted(round(float(scalars[i]), 6) for n in proto.graph.node if n.op_type == "Mul"
                  for i in n.input if i in scalars and scalars[i].size == 1)


def test_every_net_is_registered():
    assert set(NETS) <= set(zoo.SPECS)
    assert zoo.SPECS["googlenet"].aux_prefixes == ("aux1.", "aux2.") == zoo.SPECS["googlenet_lrn"].aux_prefixes
    assert zoo.SPECS["inception_v3"].aux_prefixes == ("AuxLogits.",)
    for name in ("bn_inception", "inception_v4", "inception_resnet_v2", "inception_resnet_v1"):
        assert zoo.SPECS[name].aux_prefixes == (), name
    assert {n: zoo.SPECS[n].input_size for n in NETS} == {
        "googlenet": 224, "inception_v3": 299, "googlenet_lrn": 224, "bn_inception": 224, "inception_v4": 299,
        "inception_resnet_v2": 299, "inception_resnet_v1": 299}


def test_preprocessing_specs():
    for name in ("inception_v4", "inception_resnet_v2"):
        assert zoo.SPECS[name].mean == (0.5,) * 3 and zoo.SPECS[name].std == (0.5,) * 3
    v1 = zoo.SPECS["inception_resnet_v1"]      # facenet: (255 x - 127.5) / 128
    assert v1.mean == (0.5,) * 3 and np.allclose(v1.std, 128 / 255)
    bn = zoo.SPECS["bn_inception"]             # Cadene: BGR, 0-255, mean (104, 117, 128), std 1
    assert bn.channel_order == "BGR"
    assert np.allclose(np.array(bn.mean) * 255, (104, 117, 128)) and np.allclose(np.array(bn.std) * 255, 1)
    assert all(zoo.SPECS[n].channel_order == "RGB" for n in NETS if n != "bn_inception")


@pytest.mark.parametrize("name", NETS)
def test_parameter_counts_match_published_figures(name):
    m = model(name)
    without_aux, with_aux = PUBLISHED_PARAMS[name]
    assert params_at_1000_classes(m, zoo.SPECS[name].aux_prefixes) == without_aux
    assert params_at_1000_classes(m) == with_aux


@pytest.mark.parametrize("name", NETS)
def test_state_dict_names(name):
    keys = set(model(name).state_dict())
    missing = [k for k in EXPECTED_KEYS[name] if k not in keys]
    assert not missing, f"{name}: {missing} not in the state_dict"
    for prefix in zoo.SPECS[name].aux_prefixes:
        assert any(k.startswith(prefix) for k in keys), prefix


@pytest.mark.parametrize("name", NETS)
def test_eval_forward_gives_logits(name):
    size = SMALL_INPUT[name]
    with torch.no_grad():
        y = model(name)(torch.randn(2, 3, size, size, generator=torch.Generator().manual_seed(1)))
    assert isinstance(y, torch.Tensor) and y.shape == (2, CLASSES) and torch.isfinite(y).all()


@pytest.mark.parametrize("name,size", [("googlenet", 64), ("googlenet_lrn", 224), ("inception_v3", 299),
                                       ("bn_inception", 64)])
def test_training_forward_contract(name, size):
    """Training mode: (logits, aux_1, ...) for nets with aux heads (inputs their aux heads need), logits otherwise."""
    m = model(name)
    m.train()
    try:
        with torch.no_grad():
            out = m(torch.randn(2, 3, size, size, generator=torch.Generator().manual_seed(2)))
    finally:
        m.eval()
    heads = len(zoo.SPECS[name].aux_prefixes)
    if heads == 0:
        assert isinstance(out, torch.Tensor) and out.shape == (2, CLASSES)
    else:
        assert isinstance(out, tuple) and len(out) == 1 + heads
        assert all(o.shape == (2, CLASSES) for o in out)


def test_without_aux_heads_no_aux_parameters():
    for name in ("googlenet", "googlenet_lrn"):
        keys = zoo.build(name, num_classes=CLASSES, aux_logits=False).state_dict()
        assert not [k for k in keys if k.startswith(zoo.SPECS[name].aux_prefixes)], name


def test_residual_scales_are_plain_floats():
    expected = {"inception_resnet_v2": {"repeat": (10, 0.17), "repeat_1": (20, 0.10), "repeat_2": (9, 0.20)},
                "inception_resnet_v1": {"repeat_1": (5, 0.17), "repeat_2": (10, 0.10), "repeat_3": (5, 0.20)}}
    for name, stages in expected.items():
        m = model(name)
        for stage, (count, scale) in stages.items():
            blocks = list(getattr(m, stage))
            assert len(blocks) == count, (name, stage)
            for block in blocks:
                assert isinstance(block, ResidualBlock) and type(block.scale) is float and block.scale == scale
                assert block.relu is not None
                assert block.conv2d.bias is not None and block.conv2d.kernel_size == (1, 1)
        assert m.block8.scale == 1.0 and m.block8.relu is None, name   # the last block: no ReLU
        assert len([b for b in m.modules() if isinstance(b, ResidualBlock)]) == sum(c for c, _ in stages.values()) + 1


def test_pools_and_batchnorm_details():
    for name in ("inception_v4", "inception_resnet_v2"):
        pools = [p for p in model(name).modules() if isinstance(p, nn.AvgPool2d)]
        assert pools and all(p.count_include_pad is False for p in pools), name
    for name in ("inception_v4", "inception_resnet_v2", "inception_resnet_v1"):
        norms = [b for b in model(name).modules() if isinstance(b, nn.modules.batchnorm._BatchNorm)]
        assert norms and all(b.eps == 1e-3 for b in norms), name
    bn = model("bn_inception")
    assert all(b.eps == 1e-5 for b in bn.modules() if isinstance(b, nn.BatchNorm2d))
    assert all(p.count_include_pad for p in bn.modules() if isinstance(p, nn.AvgPool2d))
    assert isinstance(bn.inception_5b_pool, nn.MaxPool2d) and bn.inception_3c_pool.stride == 2
    assert not hasattr(bn, "inception_3c_1x1") and not hasattr(bn, "inception_4e_pool_proj")
    lrn = model("googlenet_lrn")
    assert not any(isinstance(b, nn.BatchNorm2d) for b in lrn.modules())
    assert all(c.bias is not None for c in lrn.modules() if isinstance(c, nn.Conv2d))
    assert all(p.ceil_mode for p in lrn.modules() if isinstance(p, nn.MaxPool2d))
    assert [c.kernel_size for c in lrn.inception3a.branch3.modules() if isinstance(c, nn.Conv2d)] == [(1, 1), (5, 5)]


def test_googlenet_lrn_exports_lrn_nodes():
    proto = export(model("googlenet_lrn"), SMALL_INPUT["googlenet_lrn"])
    lrn = [n for n in proto.graph.node if n.op_type == "LRN"]
    assert len(lrn) == 2
    attrs = {a.name: onnx.helper.get_attribute_value(a) for a in lrn[0].attribute}
    assert attrs["size"] == 5 and np.isclose(attrs["alpha"], 1e-4) and attrs["beta"] == 0.75 and attrs["bias"] == 1.0


@pytest.mark.parametrize("name", ["googlenet", "inception_v3", "bn_inception"])
def test_onnx_export(name):
    proto = export(model(name), SMALL_INPUT[name])
    assert {n.op_type for n in proto.graph.node} >= {"Conv", "Concat", "Relu", "MaxPool"}


def _shortened(name: str) -> nn.Module:
    """A copy of the net with every repeated block kept once: the same ops and wiring in a fraction of
    the ONNX export time (which grows with the node count)."""
    m = copy.deepcopy(model(name))
    if name == "inception_v4":
        m.features = nn.Sequential(*(m.features[i] for i in (0, 1, 2, 3, 4, 5, 6, 10, 11, 18, 19)))
    for stage in ("repeat", "repeat_1", "repeat_2", "repeat_3"):
        if hasattr(m, stage):
            setattr(m, stage, getattr(m, stage)[:1])
    return m


@pytest.mark.parametrize("name,scales", [("inception_v4", []), ("inception_resnet_v2", [0.1, 0.17, 0.2, 1.0]),
                                         ("inception_resnet_v1", [0.1, 0.17, 0.2, 1.0])])
def test_onnx_export_deep_nets(name, scales):
    proto = export(_shortened(name), SMALL_INPUT[name])
    ops = [n.op_type for n in proto.graph.node]
    assert mul_constants(proto) == scales              # the residual scale: one Mul by a constant per block
    assert ops.count("Add") == len(scales)
    for node in proto.graph.node:
        if node.op_type == "AveragePool":
            attrs = {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}
            assert attrs.get("count_include_pad", 0) == 0, node.name
    assert ("AveragePool" in ops) == (name != "inception_resnet_v1")
