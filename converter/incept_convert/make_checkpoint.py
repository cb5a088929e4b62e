# SPDX-License-Identifier: Apache-2.0
"""Seeded test checkpoints with non-trivial BatchNorm statistics, plus matching ONNX exports, input and
PyTorch reference logits. Used by tests/converter, the benchmarks (bench/) and scripts/demo.sh.
It belongs to the converter, not to the training package (training/incept_train): it needs only the zoo, and
none of its users trains, so the converter's tests and benchmarks run without the training package.

    python3 -m incept_convert.make_checkpoint --arch googlenet --seed 1 -o g.pth \\
        [--onnx-with-bn g_bn.onnx] [--onnx-folded g_folded.onnx] [--input x.npy --reference y.npy]

The zoo model is built with its auxiliary heads (so the checkpoint carries aux keys, as a trained one
does), then, from torch.manual_seed(seed): conv weights are re-drawn with Kaiming-normal scale (so
activations neither vanish nor explode through ~60-200 layers and the logits are well spread), FC
weights N(0, 1/in), biases N(0, 0.1), and every BatchNorm (2-D and 1-D) gets running_mean ~ N(0, 0.2),
running_var ~ U(0.5, 2.0), weight ~ U(0.5, 1.5), bias ~ N(0, 0.2): folding them wrongly shows.
Residual nets (Inception-ResNet) scale their branches by 0.1-0.2, so the Kaiming scale keeps them alive.
--onnx-with-bn keeps BatchNormalization nodes (TrainingMode.PRESERVE on the eval model, no constant
folding), --onnx-folded lets the exporter fold them (TrainingMode.EVAL, constant folding); both are
checked. --input is a seeded N(0, 1) NCHW float32 [1, 3, S, S] array, --reference the eval-mode logits.
"""

import argparse
import io
import sys
import warnings

import numpy as np


def build(arch: str, seed: int, num_classes: int = 1000):
    import torch
    from .torch_import import build_model
    torch.manual_seed(seed)
    model = build_model(arch, num_classes=num_classes, aux_logits=True)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.Conv2d):
                fan_in = m.in_channels // m.groups * m.kernel_size[0] * m.kernel_size[1]
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * (2.0 / fan_in) ** 0.5)
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
            elif isinstance(m, torch.nn.Linear):
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) / m.in_features ** 0.5)
                if m.bias is not None:
                    m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
            elif isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                c = m.num_features
                m.running_mean.copy_(torch.randn(c, generator=g) * 0.2)
                m.running_var.copy_(torch.rand(c, generator=g) * 1.5 + 0.5)
                m.weight.copy_(torch.rand(c, generator=g) + 0.5)
                m.bias.copy_(torch.randn(c, generator=g) * 0.2)
    return model.eval()


def export(model, size, training_mode, fold: bool) -> bytes:
    import torch
    f = io.BytesIO()
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(model, torch.zeros(1, 3, size, size), f, opset_version=13, input_names=["input"],
                          output_names=["logits"], training=training_mode, do_constant_folding=fold)
    return f.getvalue()


def _count_bn(data: bytes) -> int:
    import onnx
    return sum(n.op_type == "BatchNormalization" for n in onnx.load_model_from_string(data).graph.node)


def main(argv=None) -> int:
    import torch
    from .torch_import import ARCHITECTURES
    p = argparse.ArgumentParser(prog="python3 -m incept_convert.make_checkpoint", description=__doc__.split("\n\n")[0])
    p.add_argument("--arch", required=True, choices=sorted(ARCHITECTURES))
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--classes", type=int, default=1000, help="classifier rows (default 1000)")
    p.add_argument("-o", "--output", required=True, help="state_dict .pth to write")
    p.add_argument("--input-size", type=int, help="S for [1,3,S,S] exports and input (default: the zoo net's)")
    p.add_argument("--onnx-with-bn", metavar="A.onnx")
    p.add_argument("--onnx-folded", metavar="B.onnx")
    p.add_argument("--input", metavar="X.npy")
    p.add_argument("--reference", metavar="Y.npy")
    a = p.parse_args(argv)
    if (a.input is None) != (a.reference is None):
        p.error("--input and --reference go together")
    size = a.input_size or ARCHITECTURES[a.arch].input_size
    model = build(a.arch, a.seed, a.classes)
    torch.save(model.state_dict(), a.output)
    bn_2d = sum(isinstance(m, torch.nn.BatchNorm2d) for m in model.modules())
    if a.onnx_with_bn:
        data = export(model, size, torch.onnx.TrainingMode.PRESERVE, fold=False)
        if bn_2d and _count_bn(data) == 0:
            raise RuntimeError("the export meant to keep BatchNormalization nodes has none")
        with open(a.onnx_with_bn, "wb") as f:
            f.write(data)
    if a.onnx_folded:
        data = export(model, size, torch.onnx.TrainingMode.EVAL, fold=True)
        # The exporter folds every BatchNorm2d into its conv; a BatchNorm1d after a bias-free Linear
        # (Inception-ResNet-v1's last_bn) stays a node, and the converter folds it.
        if bn_2d and _count_bn(data) >= bn_2d:
            raise RuntimeError("the folded export kept its BatchNormalization nodes")
        with open(a.onnx_folded, "wb") as f:
            f.write(data)
    if a.input:
        rng = np.random.default_rng(a.seed)
        x = rng.standard_normal((1, 3, size, size)).astype(np.float32)
        with torch.no_grad():
            y = model(torch.from_numpy(x)).numpy().astype(np.float32)
        np.save(a.input, x)
        np.save(a.reference, y)
    return 0


if __name__ == "__main__":
    sys.exit(main())
