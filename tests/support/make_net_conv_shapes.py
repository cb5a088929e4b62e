#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes tests/support/net_conv_shapes.h: every distinct conv of GoogLeNet, Inception-v3, Inception-v4 and
Inception-ResNet-v2 as the converter's zoo builds them (a forward hook on each Conv2d at the nets' input sizes),
with the height and width of the input capped at 17 (16 when even) so that an oracle of direct loops runs them
all in seconds: the channels, windows, strides and padding, which decide how a kernel tiles and gathers, are
the nets' own. A conv with a bias has no ReLU (Inception-ResNet's residual up-projections); the rest have one.

    /usr/bin/python3 tests/support/make_net_conv_shapes.py
"""
import os
import sys

import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "converter"))
from incept_convert import torch_import  # noqa: E402

NETS = [("googlenet", 224), ("inception_v3", 299), ("inception_v4", 299), ("inception_resnet_v2", 299)]


def cap(n: int) -> int:
    return n if n <= 17 else (17 if n % 2 else 16)


def main() -> None:
    seen = {}
    for arch, size in NETS:
        model = torch_import.build_model(arch).eval()

        def hook(mod, inputs, _out, name, arch=arch):
            x = inputs[0]
            key = (tuple(x.shape[2:]), x.shape[1], mod.out_channels, mod.kernel_size, mod.stride, mod.padding,
                   mod.bias is not None)
            seen.setdefault(key, f"{arch} {name}")

        for name, mod in model.named_modules():
            if isinstance(mod, torch.nn.Conv2d):
                mod.register_forward_hook(lambda m, i, o, name=name: hook(m, i, o, name))
        with torch.no_grad():
            model(torch.zeros(1, 3, size, size))
    rows = []
    for ((h, w), cin, cout, ks, st, pad, bias), label in seen.items():
        relu = "false" if bias else "true"
        rows.append(f'      {{"{label}", {{1, {cap(h)}, {cap(w)}, {cin}}}, conv({ks[0]}, {ks[1]}, {st[0]}, '
                    f'{{{pad[0]}, {pad[0]}, {pad[1]}, {pad[1]}}}, {relu}), {cout}}},')
    text = f"""// SPDX-License-Identifier: Apache-2.0
// Every distinct conv of GoogLeNet, Inception-v3, Inception-v4 and Inception-ResNet-v2 ({len(rows)}), inputs capped
// at 17x17. Written by tests/support/make_net_conv_shapes.py (its docstring says how); do not edit.
#pragma once

#include <vector>

#include "support/cases.h"

namespace incept::test {{

inline std::vector<ConvCase> net_conv_shapes() {{
  return {{
{chr(10).join(rows)}
  }};
}}

}}  // namespace incept::test
"""
    with open(os.path.join(ROOT, "tests", "support", "net_conv_shapes.h"), "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()
