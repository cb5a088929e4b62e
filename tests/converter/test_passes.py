# SPDX-License-Identifier: Apache-2.0
"""Import + passes on small torch modules: weight layout, BatchNorm fold, fusions, pads, concat axis."""

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from conftest import import_module, roundtrip
from incept_convert import ir, passes
import npref


def kinds(g):
    return [op.kind for op in g.ops]


def _random_bn(bn: nn.BatchNorm2d, gen: torch.Generator) -> None:
    c = bn.num_features
    with torch.no_grad():
        bn.running_mean.copy_(torch.randn(c, generator=gen) * 0.5)
        bn.running_var.copy_(torch.rand(c, generator=gen) * 1.5 + 0.5)
        bn.weight.copy_(torch.rand(c, generator=gen) + 0.5)
        bn.bias.copy_(torch.randn(c, generator=gen) * 0.5)


def _check_numerics(module, shape, g, tol=1e-5):
    """The converted model run by the NumPy oracle matches torch (float32) on a random input."""
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        ref = module.eval()(x).numpy()
    _, model = roundtrip(g)
    y = npref.run(model, x.numpy())[0]
    ref_nhwc = ref.transpose(0, 2, 3, 1) if ref.ndim == 4 else ref
    assert np.abs(y - ref_nhwc).max() <= tol * max(1.0, np.abs(ref).max())


def test_conv_weights_are_ohwi():
    conv = nn.Conv2d(5, 7, kernel_size=(1, 3), padding=(0, 1), stride=(1, 2))
    g = import_module(conv, (1, 5, 9, 10))
    (op,) = g.ops
    assert op.kind == "Conv2D" and op.options.kernel == ir.Size2D(1, 3) and op.options.stride == ir.Size2D(1, 2)
    assert op.options.pad == ir.Pad2D(0, 0, 1, 1) and op.options.dilation == ir.Size2D(1, 1)
    _, model = roundtrip(g)
    w, b = model.graph.ops[0].inputs[1:]
    assert w.shape == [7, 1, 3, 5] and b.shape == [7]
    np.testing.assert_array_equal(w.data, conv.weight.detach().numpy().transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(b.data, conv.bias.detach().numpy())
    assert model.graph.inputs[0].shape == [1, 9, 10, 5] and model.graph.outputs[0].shape == [1, 9, 5, 7]
    _check_numerics(conv, (1, 5, 9, 10), g)


def test_conv_without_bias_gets_zero_bias():
    g = import_module(nn.Conv2d(3, 4, 3, bias=False), (1, 3, 8, 8))
    _, model = roundtrip(g)
    bias = model.graph.ops[0].inputs[2]
    assert bias is not None and bias.shape == [4] and not bias.data.any()


def test_batchnorm_fold_matches_torch_in_float64():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1, bias=False), nn.BatchNorm2d(6, eps=1e-3))
    _random_bn(net[1], torch.Generator().manual_seed(1))
    g = import_module(net, (1, 3, 11, 11), keep_bn=True)
    assert kinds(g) == ["Conv2D"]
    conv = g.ops[0]
    w = torch.from_numpy(conv.inputs[1].data.transpose(0, 3, 1, 2))   # OHWI -> OIHW, float64
    b = torch.from_numpy(conv.inputs[2].data)
    x = torch.randn(2, 3, 11, 11, dtype=torch.float64)
    folded = F.conv2d(x, w, b, padding=1)
    expected = net.double().eval()(x)
    # float64 fold: ~1e-11, limited by eps travelling as float32 in ONNX (a float32 fold would be ~1e-7)
    assert (folded - expected).abs().max().item() < 1e-9
    assert conv.inputs[1].data.dtype == np.float64


@pytest.mark.parametrize("bias", ["absent", "left out"])
def test_batchnorm_folds_into_a_conv_without_bias(bias):
    """A conv with no bias (None, or only two inputs: opspec makes the bias optional) gets one from the fold."""
    net = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1, bias=False), nn.BatchNorm2d(6, eps=1e-3))
    _random_bn(net[1], torch.Generator().manual_seed(4))
    g = import_module(net, (1, 3, 11, 11), keep_bn=True, run_passes=False)
    conv = g.ops[0]
    assert conv.kind == "Conv2D" and not conv.inputs[2].data.any()   # the importer's zero bias, dropped here
    conv.inputs = conv.inputs[:2] + [None] if bias == "absent" else conv.inputs[:2]
    passes.run_all(g)
    assert kinds(g) == ["Conv2D"] and len(conv.inputs) == 3
    assert conv.inputs[2].name == f"{conv.name}.bias" and conv.inputs[2].dtype == ir.DType.FLOAT32
    _check_numerics(net, (1, 3, 11, 11), g)


def test_batchnorm_eps_comes_from_the_node():
    gen = torch.Generator().manual_seed(2)
    for eps in (1e-3, 1e-5, 0.1):
        net = nn.Sequential(nn.Conv2d(2, 3, 1), nn.BatchNorm2d(3, eps=eps))
        _random_bn(net[1], gen)
        with torch.no_grad():
            net[1].running_var.fill_(0.01)   # makes eps matter
        g = import_module(net, (1, 2, 4, 4), keep_bn=True)
        x = torch.randn(1, 2, 4, 4, dtype=torch.float64)
        w = torch.from_numpy(g.ops[0].inputs[1].data.transpose(0, 3, 1, 2))
        y = F.conv2d(x, w, torch.from_numpy(g.ops[0].inputs[2].data))
        assert (y - net.double().eval()(x)).abs().max().item() < 1e-6   # a wrong eps is off by ~1e-2


def test_relu_fused_into_conv_and_pool():
    net = nn.Sequential(nn.Conv2d(3, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.ReLU())
    g = import_module(net, (1, 3, 10, 10))
    assert kinds(g) == ["Conv2D", "MaxPool2D"]
    assert g.ops[0].options.activation == ir.Activation.RELU
    assert g.ops[1].options.activation == ir.Activation.RELU
    _check_numerics(net, (1, 3, 10, 10), g)


class _ConcatRelu(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Conv2d(3, 4, 1), nn.Conv2d(3, 5, 3, padding=1)

    def forward(self, x):
        return F.relu(torch.cat([self.a(x), self.b(x)], 1))


def test_concat_axis_3_and_relu_pushed_into_branches():
    net = _ConcatRelu()
    g = import_module(net, (1, 3, 6, 6))
    assert kinds(g) == ["Conv2D", "Conv2D", "Concat"]
    assert g.ops[2].options.axis == 3 and g.ops[2].outputs[0].shape == [1, 6, 6, 9]
    assert all(op.options.activation == ir.Activation.RELU for op in g.ops[:2])
    _check_numerics(net, (1, 3, 6, 6), g)


class _Pool(nn.Module):
    def __init__(self, **kw):
        super().__init__()
        self.kw = kw

    def forward(self, x):
        return F.avg_pool2d(x, **self.kw)


def test_pad_then_averagepool_becomes_one_avgpool_counting_pad():
    net = _Pool(kernel_size=3, stride=1, padding=1)   # torchvision Inception-v3 branch_pool
    raw = import_module(net, (1, 4, 7, 7), run_passes=False)
    assert "Pad" in kinds(raw)   # torch exports count_include_pad=True as Pad + AveragePool
    g = import_module(net, (1, 4, 7, 7))
    (op,) = g.ops
    assert op.kind == "AvgPool2D" and op.options.pad == ir.Pad2D(1, 1, 1, 1) and op.options.count_include_pad
    _, model = roundtrip(g)
    assert model.graph.ops[0].options.count_include_pad is True
    _check_numerics(net, (1, 4, 7, 7), g)


def test_count_include_pad_false_is_recorded():
    net = _Pool(kernel_size=3, stride=1, padding=1, count_include_pad=False)
    g = import_module(net, (1, 4, 7, 7))
    (op,) = g.ops
    assert op.kind == "AvgPool2D" and op.options.pad == ir.Pad2D(1, 1, 1, 1)
    _, model = roundtrip(g)
    assert model.graph.ops[0].options.count_include_pad is False
    _check_numerics(net, (1, 4, 7, 7), g)


@pytest.mark.parametrize("kw", [dict(kernel_size=3, stride=2, ceil_mode=True),
                                dict(kernel_size=3, stride=2, padding=1, ceil_mode=True),
                                dict(kernel_size=2, stride=2, ceil_mode=True)])
def test_maxpool_ceil_mode(kw):
    net = nn.MaxPool2d(**kw)
    g = import_module(net, (1, 2, 14, 14))
    (op,) = g.ops
    assert op.kind == "MaxPool2D" and op.options.ceil_mode
    _check_numerics(net, (1, 2, 14, 14), g)


def test_avgpool_ceil_mode_with_padding():
    net = _Pool(kernel_size=3, stride=2, padding=1, ceil_mode=True, count_include_pad=True)
    g = import_module(net, (1, 2, 10, 10))
    assert kinds(g) == ["AvgPool2D"] and g.ops[0].options.ceil_mode
    _check_numerics(net, (1, 2, 10, 10), g)


class _Head(nn.Module):
    def __init__(self, use_linear=True):
        super().__init__()
        self.conv, self.fc = nn.Conv2d(3, 8, 3), nn.Linear(8, 5)

    def forward(self, x):
        x = F.adaptive_avg_pool2d(self.conv(x), 1)
        return torch.softmax(self.fc(torch.flatten(x, 1)), dim=1)


def test_global_pool_flatten_gemm_softmax():
    net = _Head()
    g = import_module(net, (1, 3, 9, 9))
    assert kinds(g) == ["Conv2D", "GlobalAvgPool", "FullyConnected", "Softmax"]
    assert g.ops[1].outputs[0].shape == [1, 8] and g.ops[2].inputs[1].shape == [5, 8]
    assert g.outputs[0].name == "out"
    _check_numerics(net, (1, 3, 9, 9), g, tol=1e-6)


class _MatMulAdd(nn.Module):
    def __init__(self):
        super().__init__()
        self.w, self.b = nn.Parameter(torch.randn(6, 4)), nn.Parameter(torch.randn(4))

    def forward(self, x):
        return torch.flatten(F.adaptive_avg_pool2d(x, 1), 1) @ self.w + self.b


def test_matmul_plus_add_becomes_fully_connected():
    net = _MatMulAdd()
    g = import_module(net, (1, 6, 5, 5))
    assert kinds(g) == ["GlobalAvgPool", "FullyConnected"]
    np.testing.assert_allclose(g.ops[1].inputs[1].data, net.w.detach().numpy().T)
    np.testing.assert_allclose(g.ops[1].inputs[2].data, net.b.detach().numpy())


class _Residual(nn.Module):
    def __init__(self):
        super().__init__()
        self.a, self.b = nn.Conv2d(4, 4, 3, padding=1), nn.Conv2d(4, 4, 1)

    def forward(self, x):
        return F.relu(self.b(F.relu(self.a(x))) + x)


def test_add_with_fused_relu_and_dropout_removed():
    net = nn.Sequential(_Residual(), nn.Dropout(0.5))
    g = import_module(net, (1, 4, 6, 6))
    assert kinds(g) == ["Conv2D", "Conv2D", "Add"]
    assert g.ops[2].options.activation == ir.Activation.RELU
    _check_numerics(net, (1, 4, 6, 6), g)


class _ScaledResidual(nn.Module):   # Inception-ResNet style: relu(x + 0.17 * conv(x))
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(4, 4, 3, padding=1)

    def forward(self, x):
        return F.relu(x + self.conv(x) * 0.17)


def test_residual_scale_folded_into_conv():
    net = _ScaledResidual()
    g = import_module(net, (1, 4, 5, 5))
    assert kinds(g) == ["Conv2D", "Add"] and g.ops[1].options.activation == ir.Activation.RELU
    np.testing.assert_allclose(g.ops[0].inputs[2].data, net.conv.bias.detach().numpy() * 0.17, rtol=1e-6)
    _check_numerics(net, (1, 4, 5, 5), g)


def test_batchnorm_without_conv_is_refused():
    from incept_convert.errors import UnsupportedOp
    net = nn.Sequential(nn.BatchNorm2d(3))
    with pytest.raises(UnsupportedOp, match=r"BatchNormalization.*must directly follow a Conv"):
        import_module(net, (1, 3, 4, 4))


def test_exports_carry_batchnorm_eps_1e3(artifacts):
    import onnx
    for arch in ("googlenet", "inception_v3"):
        paths = artifacts.make(arch)
        bn = [n for n in onnx.load(str(paths["onnx_bn"])).graph.node if n.op_type == "BatchNormalization"]
        eps = {a.f for n in bn for a in n.attribute if a.name == "epsilon"}
        assert len(bn) in (57, 94) and len(eps) == 1 and abs(eps.pop() - 1e-3) < 1e-9
        assert not any(n.op_type == "BatchNormalization" for n in onnx.load(str(paths["onnx_folded"])).graph.node)


def test_onnx_with_external_data(tmp_path):
    import onnx
    from conftest import export_onnx, run_convert
    from incept_convert.reader import read_model
    model = onnx.load_model_from_string(export_onnx(nn.Conv2d(3, 8, 3), (1, 3, 6, 6)))
    onnx.save_model(model, str(tmp_path / "ext.onnx"), save_as_external_data=True, all_tensors_to_one_file=True,
                    location="ext.data", size_threshold=0)
    out = tmp_path / "ext.incept"
    proc = run_convert("--onnx", tmp_path / "ext.onnx", "-o", out, "-q")
    assert proc.returncode == 0, proc.stderr
    assert read_model(out.read_bytes()).graph.ops[0].inputs[1].shape == [8, 3, 3, 3]


class _MiniInception(nn.Module):
    """The patterns of an Inception block: BN'd convs, 1x3/3x1 branches, avgpool counting padding, concat,
    ceil-mode maxpool, global pool, dropout, FC."""

    def __init__(self):
        super().__init__()

        def cbr(i, o, k, p):
            return nn.Sequential(nn.Conv2d(i, o, k, padding=p, bias=False), nn.BatchNorm2d(o, eps=1e-3), nn.ReLU())
        self.stem = cbr(3, 8, 3, 1)
        self.b1, self.b2, self.b3 = cbr(8, 4, 1, 0), cbr(8, 4, (1, 3), (0, 1)), cbr(8, 4, (3, 1), (1, 0))
        self.pool_proj = cbr(8, 4, 1, 0)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(16, 10))
        gen = torch.Generator().manual_seed(5)
        for m in self.modules():
            if isinstance(m, nn.BatchNorm2d):
                _random_bn(m, gen)

    def forward(self, x):
        x = F.max_pool2d(self.stem(x), 3, 2, ceil_mode=True)
        pool = self.pool_proj(F.avg_pool2d(x, 3, 1, 1))
        return self.head(torch.cat([self.b1(x), self.b2(x), self.b3(x), pool], 1))


@pytest.mark.parametrize("opset", [11, 13, 17])
def test_opsets_11_to_17(opset):
    import onnx
    from conftest import export_onnx
    from incept_convert import onnx_import, passes
    net = _MiniInception().eval()
    model = onnx.load_model_from_string(export_onnx(net, (1, 3, 15, 15), keep_bn=True, opset=opset))
    g = passes.run_all(onnx_import.import_onnx(model, f"opset {opset}"))
    assert sorted(kinds(g)) == sorted(["Conv2D", "MaxPool2D", "Conv2D", "Conv2D", "Conv2D", "AvgPool2D", "Conv2D",
                                       "Concat", "GlobalAvgPool", "FullyConnected"])
    _check_numerics(net, (1, 3, 15, 15), g)


def test_old_opset_is_refused():
    import onnx
    from conftest import export_onnx
    from incept_convert import onnx_import
    from incept_convert.errors import ConvertError
    model = onnx.load_model_from_string(export_onnx(nn.Conv2d(3, 4, 3), (1, 3, 8, 8), opset=9))
    with pytest.raises(ConvertError, match="opset 9 is not supported"):
        onnx_import.import_onnx(model, "old")
