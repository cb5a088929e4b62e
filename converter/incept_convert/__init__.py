# SPDX-License-Identifier: Apache-2.0
"""incept_convert: turns trained Inception checkpoints (.pth or .safetensors of a zoo architecture, .onnx,
or a Keras .h5 / .keras model) into incept model files (schema/model.fbs). Entry point:
`converter/incept-convert` or the installed `incept-convert` (cli.py).

Pipeline: torch_import (state_dict -> torchvision model -> in-memory ONNX) -> onnx_import (ONNX ->
graph IR, ir.py), or keras_import (Keras config + weights -> graph IR) -> passes (fold BatchNorm,
merge Pad, fuse ReLU, ...) -> writer (FlatBuffer + aligned weight section).
"""

__version__ = "0.1.0"
FORMAT_VERSION = 1   # kFormatVersion: Model.version written into every file
FILE_IDENTIFIER = b"INCP"
BUFFER_ALIGNMENT = 64
