# SPDX-License-Identifier: Apache-2.0
"""PyTorch (float64) runs of .incept files: the graph as the file holds it, every op a torch.nn.functional
call, the weights as the reader widens them (float16 / int8 storage: the values the runtime computes with).

It is how narrow weight storage is checked against PyTorch: PyTorch on the same rounded (dequantized)
weights. Same op meanings as npref.py (schema/model.fbs), but PyTorch's kernels, and fast enough for the
large nets. test_weights.py checks it against the zoo nets' PyTorch logits on float32 files first.
The runner is the converter's own (incept_convert/quant/floatrun.py, which calibration runs in float32),
here in float64.
"""

import numpy as np
import torch

from incept_convert.quant import floatrun
from incept_convert.reader import ReadModel


def run(model: ReadModel, x_nchw: np.ndarray) -> list:
    """The graph outputs for an NCHW input, as float64 NumPy arrays in the file's layout (NHWC / [N, C])."""
    return floatrun.run(model.graph, x_nchw, dtype=torch.float64)
