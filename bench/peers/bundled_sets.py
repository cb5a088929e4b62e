# SPDX-License-Identifier: Apache-2.0
"""The real-accuracy check's inputs: the bundled trained model (models/inception_small, 96 x 96, 12 classes)
exported to ONNX as the seeded nets are (BN folded, opset 13), the 100 training images scripts/demo.sh
calibrates incept on (every runtime quantises from them), the 1,200 held-out images with their labels (what
the model's 99.25 % was measured on: incept_train.evaluate) and PyTorch's float32 logits on them. Debian's Python.

    PYTHONPATH=converter:training /usr/bin/python3 bench/peers/bundled_sets.py \\
        --checkpoint models/inception_small/model.pth --onnx B.onnx --calibration CAL.npy --heldout X.npy \\
        --labels Y.npy --reference REF.npy
"""

import argparse

import numpy as np

ARCH, CLASSES, CALIBRATION, HELDOUT = "inception_small", 12, 100, 1200


def training_images(count, size, mean, std):
    """scripts/demo.sh's calibration set: the first `count` training images of seed 0, normalised, NCHW."""
    from incept_train import synthetic
    m, s = np.asarray(mean, np.float32).reshape(3, 1, 1), np.asarray(std, np.float32).reshape(3, 1, 1)
    return np.stack([(synthetic.sample(0, "train", i, size, CLASSES)[0].transpose(2, 0, 1).astype(np.float32) / 255.0
                      - m) / s for i in range(count)])


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--checkpoint", required=True)
    for k in ("onnx", "calibration", "heldout", "labels", "reference"):
        p.add_argument(f"--{k}", required=True)
    a = p.parse_args(argv)
    import torch
    from incept_convert import make_checkpoint, torch_import
    from incept_train import evaluate
    spec = torch_import.ARCHITECTURES[ARCH]
    state = torch_import.load_state_dict(a.checkpoint)
    model = torch_import.build_model(ARCH, num_classes=torch_import.class_count(ARCH, state, a.checkpoint))
    model.load_state_dict(torch_import.check_state_dict(ARCH, state, model.state_dict(), a.checkpoint))
    model.eval()
    with open(a.onnx, "wb") as f:
        f.write(make_checkpoint.export(model, spec.input_size, torch.onnx.TrainingMode.EVAL, fold=True))
    np.save(a.calibration, training_images(CALIBRATION, spec.input_size, spec.mean, spec.std))
    x, y = evaluate.heldout(HELDOUT, 0, spec.input_size, CLASSES, spec.mean, spec.std)
    np.save(a.heldout, x)
    np.save(a.labels, y)
    np.save(a.reference, evaluate.torch_logits(ARCH, a.checkpoint, x))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
