# SPDX-License-Identifier: Apache-2.0
"""Whole networks without the C++ runtime: each converted file, run by the NumPy oracle (npref.py, float64),
matches PyTorch: max |diff| <= 1e-4 * max |logit| and identical top-5. Tests the converter on its own."""

import numpy as np
import pytest

from conftest import LARGE, SLOW, arch_source_params, compare_logits
from incept_convert.reader import read_model
import npref


@pytest.mark.parametrize("arch,source", arch_source_params())
def test_converted_model_matches_pytorch(artifacts, arch, source):
    if arch in LARGE and not SLOW:
        pytest.skip("the float64 NumPy oracle on a large net: INCEPT_SLOW=1 runs it")
    paths = artifacts.make(arch)
    model = read_model(artifacts.converted(arch, source).read_bytes())
    y = npref.run(model, np.load(paths["input"]))[0]
    ref = np.load(paths["reference"])
    diff, rel, top5 = compare_logits(y, ref)
    print(f"\n[npref] {arch} from {source}: max|diff| = {diff:.3e} ({rel:.3e} x max|logit|), top-5 identical: {top5}")
    assert rel <= 1e-4 and top5
