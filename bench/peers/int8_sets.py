# SPDX-License-Identifier: Apache-2.0
"""The int8 comparison's inputs for one net: the calibration set every runtime quantises with (100 seeded N(0, 1)
preprocessed inputs, seed 101, as bench/quant_accuracy.py calibrates the seeded nets), the test set every
runtime's int8 logits are scored on (100 others, seed 202) and PyTorch's float32 logits on it. Debian's Python.

    PYTHONPATH=converter /usr/bin/python3 bench/peers/int8_sets.py --arch NET --checkpoint NET.pth --size S \\
        --calibration CAL.npy --test TEST.npy --reference REF.npy
"""

import argparse

import numpy as np
import torch

from incept_convert import make_checkpoint

CALIBRATION_SEED, TEST_SEED, COUNT = 101, 202, 100


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--arch", required=True)
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--size", type=int, required=True)
    p.add_argument("--count", type=int, default=COUNT)
    p.add_argument("--calibration", required=True)
    p.add_argument("--test", required=True)
    p.add_argument("--reference", required=True)
    a = p.parse_args(argv)
    shape = (a.count, 3, a.size, a.size)
    np.save(a.calibration, np.random.default_rng(CALIBRATION_SEED).standard_normal(shape).astype(np.float32))
    test = np.random.default_rng(TEST_SEED).standard_normal(shape).astype(np.float32)
    np.save(a.test, test)
    model = make_checkpoint.build(a.arch, 0)
    model.load_state_dict(torch.load(a.checkpoint))
    model.eval()
    with torch.no_grad():
        ref = torch.cat([model(torch.from_numpy(test[i:i + 10])) for i in range(0, len(test), 10)])
    np.save(a.reference, ref.numpy())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
