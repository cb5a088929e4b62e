# SPDX-License-Identifier: Apache-2.0
"""incept's Python API as a user meets it: metadata, run() in both layouts and into out=, the zero-copy views
of the arena and their lifetime after close(), invoke(), profile(), load_image() against incept-classify on
the bundled sample images, and the model from bytes."""
import gc
import json

import numpy as np
import pytest
import torch
from incept_py_support import (BIN, NOT_BUILT, REPO, SAMPLES, SMALL, incept, one_conv_model, run,
                               small_model_path)

pytestmark = pytest.mark.skipif(incept is None, reason=NOT_BUILT)


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    return small_model_path(tmp_path_factory)


@pytest.fixture(scope="module")
def one_conv(tmp_path_factory):
    return one_conv_model(tmp_path_factory)


@pytest.fixture
def interp(small_model):
    with incept.Interpreter(small_model) as it:
        yield it


def random_input(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape, dtype=np.float32)


def test_metadata(interp, small_model):
    assert incept.__version__.count(".") == 2
    assert interp.input_names == ["input"] and len(interp.output_names) == 1
    assert interp.input_shapes == [(1, 96, 96, 3)] and interp.output_shapes == [(1, 12)]
    assert interp.input_dtypes == [np.dtype(np.float32)] == interp.output_dtypes
    assert interp.labels == (SMALL / "labels.txt").read_text().split()
    assert interp.architecture == "inception_small" and interp.input_size == (96, 96)
    assert interp.channel_order == "rgb"
    assert np.allclose(interp.mean, (0.485, 0.456, 0.406)) and np.allclose(interp.std, (0.229, 0.224, 0.225))
    stats = interp.plan_stats
    assert interp.arena_bytes == stats["arena_bytes"] >= interp.lower_bound_bytes == stats["lower_bound_bytes"] > 0
    assert interp.packed_weights_bytes == stats["packed_weights_bytes"] > 0 and interp.weights_bytes > 0
    assert interp.gflop == pytest.approx(stats["gflop"]) and interp.gflop > 0.05
    assert (interp.backend, interp.threads, interp.winograd) == ("auto", 1, True)
    assert "auto" in incept.available_backends() and "ref" in incept.available_backends()
    ops = interp.ops
    assert len(ops) > 40 and {"index", "name", "kind", "backend", "kernel", "output_shape", "gflop"} <= set(ops[0])
    assert ops[-1]["output_shape"] == (1, 12)
    # The ISA is the suffix of the native kernels' names; None where no native kernel runs.
    native = [op["kernel"] for op in ops if op["backend"] == "native"]
    if native:
        assert interp.isa in ("amx", "avx512vnni", "avx512f", "avx2_fma", "neondot", "neon", "scalar")
        assert any(k.endswith("_" + interp.isa) for k in native)
    else:
        assert interp.isa is None
    with incept.Interpreter(small_model, backend="ref") as ref:
        assert ref.isa is None and {op["backend"] for op in ref.ops} <= {"ref", "view"}
    assert "inception_small" in repr(interp) and "[1, 96, 96, 3]" in repr(interp)


def test_run_matches_pytorch_in_both_layouts(interp, one_conv):
    path, net = one_conv
    x = random_input((1, 3, 8, 8))
    with torch.no_grad():
        ref = net(torch.from_numpy(x)).numpy()
    with incept.Interpreter(path) as it:
        assert it.input_shapes == [(1, 8, 8, 3)] and it.output_shapes == [(1, 8, 8, 4)]
        y_nchw = it.run(x, layout="nchw")   # a rank-4 output comes back in the layout asked for
        assert y_nchw.shape == (1, 4, 8, 8) and y_nchw.dtype == np.float32
        assert np.abs(y_nchw - ref).max() <= 1e-5
        y_nhwc = it.run(np.ascontiguousarray(x.transpose(0, 2, 3, 1)))
        assert np.array_equal(y_nhwc, y_nchw.transpose(0, 2, 3, 1))
        # any strides: a transposed view is read as it is, no copy needed first
        assert np.array_equal(it.run(x.transpose(0, 2, 3, 1)), y_nhwc)
        strided, flipped = y_nhwc[..., :3], y_nhwc[:, ::-1, :, 1:]
        assert np.array_equal(it.run(strided), it.run(strided.copy()))
        assert np.array_equal(it.run(flipped), it.run(flipped.copy()))
    x = random_input((1, 96, 96, 3))
    y = interp.run(x)
    assert np.array_equal(interp.run(np.ascontiguousarray(x.transpose(0, 3, 1, 2)), layout="nchw"), y)


def test_out_is_filled_in_place(interp):
    x = random_input((1, 96, 96, 3))
    y = interp.run(x)
    out = np.full((1, 12), np.nan, np.float32)
    assert interp.run(x, out=out) is out
    assert np.array_equal(out, y)
    big = np.zeros((2, 12), np.float32)
    assert interp.run(x, out=big[1:]) is not None   # a contiguous slice is fine
    assert np.array_equal(big[1:], y) and not big[0].any()


def test_input_and_output_are_views_of_the_arena(interp):
    v = interp.input
    details = interp.input_details[0]
    assert v.ctypes.data == details["address"] and v.nbytes == details["bytes"]
    assert v.shape == (1, 96, 96, 3) and v.dtype == np.float32 and v.flags.writeable and v.flags.c_contiguous
    assert interp.input.ctypes.data == v.ctypes.data          # every access is the same memory
    o = interp.output
    assert o.ctypes.data == interp.output_details[0]["address"] and not o.flags.writeable
    x = random_input((1, 96, 96, 3), seed=3)
    v[...] = x                                               # write in place ...
    interp.invoke()                                          # ... run on it ...
    y = o.copy()                                             # ... read in place
    assert np.array_equal(y, interp.run(x))
    interp.run(random_input((1, 96, 96, 3), seed=4))
    assert not np.array_equal(o, y)                          # the output view follows every run
    assert np.array_equal(v, random_input((1, 96, 96, 3), seed=4))   # run(x) copied x into the arena
    assert interp.run(interp.input) is not None              # x that is the input itself is not copied over itself
    assert [a.ctypes.data for a in interp.inputs] == [v.ctypes.data]
    assert [a.ctypes.data for a in interp.outputs] == [o.ctypes.data]


def test_views_keep_the_memory_alive_after_close(small_model):
    it = incept.Interpreter(small_model)
    x = random_input((1, 96, 96, 3), seed=5)
    y = it.run(x)
    v, o = it.input, it.output
    it.close()                       # close() marks it closed; the views still hold the native arena
    assert it.closed and "closed" in repr(it)
    it.close()                       # twice is fine
    del it
    gc.collect()
    assert np.array_equal(v, x) and np.array_equal(o, y)   # still readable: never freed memory
    v[...] = 0.0                                           # and writable
    assert not v.any()


def test_closed_interpreter_raises_value_error(small_model):
    it = incept.Interpreter(small_model)
    with it:
        pass
    assert it.closed
    x = random_input((1, 96, 96, 3))
    for call in (lambda: it.run(x), it.invoke, it.profile, lambda: it.input, lambda: it.output,
                 lambda: it.labels, lambda: it.arena_bytes, lambda: incept.load_image(SAMPLES[0], it)):
        with pytest.raises(ValueError, match="the interpreter is closed"):
            call()
    assert it.backend == "auto" and it.threads == 1   # the options it was made with stay readable


def test_profile_lists_every_op(interp):
    prof = interp.profile(random_input((1, 96, 96, 3)), runs=3)
    assert [p["index"] for p in prof] == list(range(len(interp.ops)))
    assert [p["kernel"] for p in prof] == [op["kernel"] for op in interp.ops]
    assert all(p["ms"] >= 0 for p in prof) and sum(p["ms"] for p in prof) > 0
    assert sum(p["share"] for p in prof) == pytest.approx(1.0) and prof[-1]["cumulative"] == pytest.approx(1.0)
    conv = next(p for p in prof if p["kind"] == "Conv2D")
    assert conv["gflop"] > 0 and conv["gflops"] == pytest.approx(conv["gflop"] / conv["ms"] * 1e3, rel=1e-6)
    held = interp.input.copy()
    assert len(interp.profile(runs=1, warmup=0)) == len(prof)   # on what the input holds, which it leaves alone
    assert np.array_equal(interp.input, held)
    assert len(interp.profile(interp.input, runs=1)) == len(prof) and np.array_equal(interp.input, held)


def test_load_image_matches_incept_classify(interp, small_model):
    """Same decoder, resize and normalisation as incept-classify (the module runs its code): same top-1 and the
    same logits on every bundled sample, each its own class."""
    classify = BIN / "incept-classify"
    if not classify.exists():
        pytest.skip(f"{classify} not built (needs libstb-dev)")
    r = run(classify, small_model, *SAMPLES, "--json", "--top", "all", "-q")
    assert r.returncode == 0, r.stderr
    tool = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(tool) == len(SAMPLES) == 12
    for path, t in zip(SAMPLES, tool):
        x = incept.load_image(path, interp)
        assert x.shape == (1, 96, 96, 3) and x.dtype == np.float32
        logits = interp.run(x)[0]
        assert interp.labels[int(logits.argmax())] == t["top"][0]["label"] == path.stem
        by_class = {e["class"]: e["logit"] for e in t["top"]}
        assert np.allclose(logits, [by_class[c] for c in range(12)], rtol=1e-5, atol=1e-5)
        assert np.array_equal(incept.load_image(path, interp, layout="nchw"), x.transpose(0, 3, 1, 2))
    stretched = incept.load_image(SAMPLES[0], interp, resize="stretch")
    assert stretched.shape == (1, 96, 96, 3)


def test_model_from_bytes(small_model):
    data = small_model.read_bytes()
    x = random_input((1, 96, 96, 3))
    with incept.Interpreter(small_model) as a, incept.Interpreter(data) as b, \
            incept.Interpreter(bytearray(data)) as c, incept.Interpreter(memoryview(data)[0:]) as d:
        y = a.run(x)
        assert all(np.array_equal(i.run(x), y) for i in (b, c, d))
        assert b.labels == a.labels


def test_threads_backend_and_winograd_options(small_model):
    x = random_input((1, 96, 96, 3))
    with incept.Interpreter(small_model) as one:
        y = one.run(x)
    for backend in incept.available_backends():
        for threads in (1, 2):
            with incept.Interpreter(small_model, threads=threads, backend=backend, winograd=False) as it:
                assert it.threads == threads and it.backend == backend and not it.winograd
                assert np.abs(it.run(x) - y).max() <= 1e-4 * np.abs(y).max()


def test_the_converter_and_the_binding_share_a_process():
    """The converter's generated schema code is the package `incept.fb` (the schema's namespace); loading it in a
    process that has imported the binding, or importing the binding after it, leaves `import incept` the binding."""
    import importlib
    import subprocess
    import sys
    for order in ("binding first", "converter first"):
        script = ("import importlib, sys\n"
                  f"sys.path[:0] = [{str(REPO / 'converter')!r}, {str(incept.__file__.rsplit('/', 2)[0])!r}]\n"
                  "first = importlib.import_module('incept') if sys.argv[1] == 'binding first' else None\n"
                  "from incept_convert import fbs\n"
                  "fb = fbs.load()\n"
                  "import incept\n"
                  "assert first is None or incept is first\n"
                  "assert hasattr(incept, 'Interpreter') and fb.Model.Model.__name__ == 'Model'\n"
                  "assert importlib.import_module('incept.fb.Tensor') is fb.Tensor\n")
        r = subprocess.run([sys.executable, "-c", script, order], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, f"{order}: {r.stderr}"
    assert importlib.import_module("incept") is incept
