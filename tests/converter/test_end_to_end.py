# SPDX-License-Identifier: Apache-2.0
"""Converter + C++ runtime against PyTorch, for every zoo net (seeded weights, perturbed BatchNorm statistics),
converted from the .pth checkpoint and from both ONNX exports (BatchNorm kept / folded by the exporter); the
largest nets' ONNX paths run with INCEPT_SLOW=1 only (conftest.LARGE).

`<bin>/incept-run M.incept --input X.npy --output Y.npy` with <bin> = $INCEPT_BIN_DIR or build/release/bin;
skipped when that binary is not built. Passes when max |diff| <= 1e-4 * max |logit| and top-5 is identical.
Run with `pytest -s` to see the measured differences.
"""

import json
import os
import subprocess

import numpy as np
import pytest

from conftest import LARGE, SLOW, arch_source_params, compare_logits

# Every backend on the nets whose ops differ: BN GoogLeNet, Inception-v3 (count-pad avg pools), LRN GoogLeNet,
# Inception-ResNet-v2 (in-place residual adds, exclude-pad avg pools; ref is slow on it: INCEPT_SLOW=1).
# The native family runs its best micro-kernel, and once capped to AVX2 (INCEPT_ISA) so that an AVX-512
# CPU runs both x86 kernels (on an AVX2-only CPU the two runs are the same).
BACKENDS = [("ref", 1, ""), ("eigen", 1, ""), ("eigen", 2, ""), ("xnnpack", 1, ""), ("xnnpack", 2, ""),
            ("native", 1, ""), ("native", 2, ""), ("native", 2, "avx2")]
BACKEND_PARAMS = [pytest.param(arch, b, t, isa, id=f"{arch}-{b}-{t}" + (f"-{isa}" if isa else ""),
                               marks=[pytest.mark.skipif(arch == "inception_resnet_v2" and b == "ref" and not SLOW,
                                                         reason="ref on a 13 GFLOP net: INCEPT_SLOW=1 runs it")])
                  for arch in ("googlenet", "inception_v3", "googlenet_lrn", "inception_resnet_v2")
                  for b, t, isa in BACKENDS]


def run_and_compare(incept_run, model, paths, tmp_path, what, flags=(), env=None):
    """incept-run on the net's input with `flags`: max |diff| <= 1e-4 x max |logit| and PyTorch's top-5.
    Returns the CompletedProcess of a run that failed only because its backend is not built here (else None)."""
    out = tmp_path / "y.npy"
    proc = subprocess.run([str(incept_run), str(model), "--input", str(paths["input"]), "--output", str(out), *flags],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300, env=env)
    if proc.returncode != 0 and "not available" in proc.stderr:
        return proc
    assert proc.returncode == 0, f"incept-run failed ({proc.returncode}): {proc.stderr.strip()}"
    y, ref = np.load(out), np.load(paths["reference"])
    assert y.dtype == np.float32 and y.shape == ref.shape, (y.dtype, y.shape)
    diff, rel, top5 = compare_logits(y, ref)
    print(f"\n[e2e] {what}: max|diff| = {diff:.3e} ({rel:.3e} x max|logit|), top-5 identical: {top5}")
    assert rel <= 1e-4, f"max|diff| {diff:.3e} = {rel:.3e} x max|logit| > 1e-4"
    assert top5, f"top-5 differ: {np.argsort(-y[0])[:5]} vs {np.argsort(-ref[0])[:5]}"
    return None


@pytest.mark.parametrize("arch,source", arch_source_params())
def test_incept_run_matches_pytorch(incept_run, artifacts, tmp_path, arch, source):
    paths = artifacts.make(arch)
    proc = run_and_compare(incept_run, artifacts.converted(arch, source), paths, tmp_path, f"{arch} from {source}")
    assert proc is None, proc.stderr


def ops_as_run(incept_run, model, flags, env=None):
    """Each op as incept-bench --profile --json reports it after prepare: kind, backend and kernel name."""
    bench = incept_run.parent / "incept-bench"
    proc = subprocess.run([str(bench), str(model), "--runs", "1", "--warmup", "0", "--profile", "--json", *flags],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=300, env=env)
    assert proc.returncode == 0, f"incept-bench failed ({proc.returncode}): {proc.stderr.strip()}"
    return json.loads(proc.stdout)["ops"]


# How each family's kernels are named (<op>_f32_<impl>[_<tile>_<isa>], ops/common/kernel.h).
FAMILY_SUFFIX = {"ref": "_ref", "eigen": "_eigen", "xnnpack": "_xnn"}


def best_native_isa():
    """The kernel-name suffix of the best ISA this CPU has for our own kernels, or None where unknown."""
    try:
        with open("/proc/cpuinfo") as f:
            flags = {w for line in f if line.startswith(("flags", "Features")) for w in line.split(":", 1)[1].split()}
    except OSError:
        return None
    if "avx512f" in flags:
        return "avx512f"
    if "avx2" in flags and "fma" in flags:
        return "avx2_fma"
    return "neon" if {"asimd", "neon"} & flags else None


def check_kernels_of(ops, backend, isa):
    """The named family really ran: a silent fall-back to the reference kernels must fail. Every conv and fully
    connected layer (each family has kernels for both, and takes every one of these nets') runs on it, under its
    family's kernel names; any other op runs on it or on ref (a family may lack an op: then ref takes it), a concat
    may be a view and an Add fused into the conv before it (native). Native kernels carry the ISA: INCEPT_ISA=avx2
    leaves no AVX-512 kernel, and without a cap the convs run on the best ISA of this CPU."""
    assert ops, "incept-bench reported no ops"
    for op in ops:
        where = f"op {op['index']} {op['name']!r} ({op['kind']}) ran {op['kernel']} on {op['backend']}"
        assert op["backend"] in (backend, "ref", "view", "fused"), f"--backend {backend}, yet {where}"
        if op["kind"] in ("Conv2D", "FullyConnected"):
            assert op["backend"] == backend, f"--backend {backend}, yet {where}"
        if op["backend"] == backend and backend in FAMILY_SUFFIX:
            assert op["kernel"].endswith(FAMILY_SUFFIX[backend]), where
        if op["backend"] == "ref":
            assert op["kernel"].endswith("_ref"), where
        if op["backend"] == "native":
            assert not op["kernel"].endswith(tuple(FAMILY_SUFFIX.values())), where
            if isa == "avx2":
                assert op["kernel"].endswith("_avx2_fma"), f"INCEPT_ISA=avx2, yet {where}"
            elif op["kind"] == "Conv2D" and best_native_isa() is not None:
                assert op["kernel"].endswith("_" + best_native_isa()), f"this CPU has {best_native_isa()}, yet {where}"


@pytest.mark.parametrize("arch,backend,threads,isa", BACKEND_PARAMS)
def test_every_backend_matches_pytorch(incept_run, artifacts, tmp_path, arch, backend, threads, isa):
    """Whole-network parity of each kernel family (and the thread pool) on the .pth conversion, with the kernels
    that ran checked by name (incept-bench --json), so a silent fall-back to the reference kernels fails."""
    paths = artifacts.make(arch)
    model = artifacts.converted(arch, "pth")
    flags = ["--backend", backend, "--threads", str(threads)]
    env = {**os.environ, "INCEPT_ISA": isa} if isa else None
    proc = run_and_compare(incept_run, model, paths, tmp_path,
                           f"{arch} --backend {backend} --threads {threads}{' INCEPT_ISA=' + isa if isa else ''}",
                           flags, env=env)
    if proc is not None:
        pytest.skip(f"backend {backend} is not built here: {proc.stderr.strip()}")
    check_kernels_of(ops_as_run(incept_run, model, flags, env), backend, isa)


# Winograd (ops/conv2d/conv2d_winograd.h) on and off, at 1 and 2 threads, from the .pth and from ONNX, on the
# four nets whose layers it takes: the end-to-end half of its accuracy rule. incept-bench --json names each
# op's kernel: with Winograd on some conv must have run it (else this would test nothing), off none.
WINOGRAD_NETS = ("googlenet", "inception_v3", "inception_v4", "inception_resnet_v2")
WINOGRAD_PARAMS = [
    pytest.param(arch, source, threads, winograd, id=f"{arch}-{source}-{threads}-{'on' if winograd else 'off'}",
                 marks=[pytest.mark.skipif(arch in LARGE and source != "pth" and not SLOW,
                                           reason="large net, ONNX path: INCEPT_SLOW=1 runs it")])
    for arch in WINOGRAD_NETS for source in ("pth", "onnx_bn") for threads in (1, 2) for winograd in (True, False)]


@pytest.mark.parametrize("arch,source,threads,winograd", WINOGRAD_PARAMS)
def test_winograd_on_and_off_match_pytorch(incept_run, artifacts, tmp_path, arch, source, threads, winograd):
    paths = artifacts.make(arch)
    model = artifacts.converted(arch, source)
    flags = ["--threads", str(threads)] + ([] if winograd else ["--no-winograd"])
    proc = run_and_compare(incept_run, model, paths, tmp_path,
                           f"{arch} from {source}, {threads} thread(s), Winograd {'on' if winograd else 'off'}", flags)
    assert proc is None, proc.stderr

    kernels = [op["kernel"] for op in ops_as_run(incept_run, model, flags)]
    ran = [k for k in kernels if "winograd" in k]
    if not winograd:
        assert not ran, f"--no-winograd, yet {ran[:3]} ran"
    elif any(k.startswith("conv2d_f32_gemm") for k in kernels):   # a CPU with native kernels
        assert ran, f"no conv of {arch} ran Winograd: {sorted(set(kernels))}"
