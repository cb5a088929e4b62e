# SPDX-License-Identifier: Apache-2.0
"""Every way a caller can get it wrong raises, and nothing crashes the interpreter process: bad files (missing,
a directory, garbage, truncated, bit-flipped, from bytes too), bad options (threads 0, -1, huge; unknown
backend; wrong types), wrong inputs (type, dtype, shape, layout), bad out=, bad images, a closed interpreter,
and one interpreter entered from two threads at once. Runtime refusals are incept.Error (a RuntimeError) with
the runtime's message and code; wrong Python types TypeError; wrong values ValueError."""
import threading

import numpy as np
import pytest
from incept_py_support import NOT_BUILT, SAMPLES, incept, small_model_path

pytestmark = pytest.mark.skipif(incept is None, reason=NOT_BUILT)


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    return small_model_path(tmp_path_factory)


@pytest.fixture(scope="module")
def interp(small_model):
    with incept.Interpreter(small_model) as it:
        yield it


X = np.zeros((1, 96, 96, 3), np.float32)


def test_error_is_a_runtime_error_with_a_code():
    assert issubclass(incept.Error, RuntimeError)
    with pytest.raises(incept.Error) as e:
        incept.Interpreter("/nonexistent/model.incept")
    assert e.value.code == "i/o error" and "/nonexistent/model.incept" in str(e.value)


@pytest.mark.parametrize("case", ["directory", "empty", "garbage", "text", "truncated", "flipped"])
def test_bad_model_files(tmp_path, small_model, case):
    data = small_model.read_bytes()
    bad = {"empty": b"", "garbage": bytes(range(256)) * 64, "text": b"not a model\n" * 100,
           "truncated": data[: len(data) // 3], "flipped": data[:8] + bytes([data[8] ^ 0x40]) + data[9:]}
    path = tmp_path if case == "directory" else tmp_path / f"{case}.incept"
    if case != "directory":
        path.write_bytes(bad[case])
    with pytest.raises(incept.Error) as e:
        incept.Interpreter(path)
    assert e.value.code in ("invalid model", "i/o error") and str(e.value)
    if case != "directory":
        with pytest.raises(incept.Error):
            incept.Interpreter(bad[case])   # the same bytes from memory


def test_every_truncation_of_the_header_is_refused(small_model):
    data = small_model.read_bytes()
    for n in range(0, 600, 7):
        with pytest.raises(incept.Error, match=".") as e:
            incept.Interpreter(data[:n])
        assert e.value.code == "invalid model"


@pytest.mark.parametrize("model,exc", [(42, TypeError), (None, TypeError), (3.5, TypeError), ("a\0b", ValueError),
                                       (np.zeros(8, np.float32)[::2], ValueError)])
def test_model_argument_types(model, exc):
    with pytest.raises(exc):
        incept.Interpreter(model)


@pytest.mark.parametrize("threads", [0, -1, 1025, 10**6, 2**31 - 1])
def test_thread_counts_the_runtime_refuses(small_model, threads):
    with pytest.raises(incept.Error, match=r"threads must be in 1\.\.1024") as e:
        incept.Interpreter(small_model, threads=threads)
    assert e.value.code == "invalid argument"


@pytest.mark.parametrize("threads", [2**31, 2**64, -2**63, 1.0, "2", None])
def test_thread_counts_that_are_not_a_c_int(small_model, threads):
    with pytest.raises(TypeError):
        incept.Interpreter(small_model, threads=threads)


def test_other_options(small_model):
    with pytest.raises(ValueError, match="auto"):
        incept.Interpreter(small_model, backend="gpu")
    with pytest.raises(ValueError, match="NUL"):
        incept.Interpreter(small_model, backend="auto\0")
    with pytest.raises(TypeError):
        incept.Interpreter(small_model, backend=3)
    with pytest.raises(TypeError):
        incept.Interpreter(small_model, winograd="yes")
    with pytest.raises(ValueError, match="max_arena_bytes"):
        incept.Interpreter(small_model, max_arena_bytes=-1)
    with pytest.raises(incept.Error, match="arena") as e:
        incept.Interpreter(small_model, max_arena_bytes=4096)
    assert e.value.code == "arena too small"


def test_wrong_inputs(interp):
    with pytest.raises(TypeError, match=r"float32 numpy.ndarray of shape \[1, 96, 96, 3\] \(NHWC\).*got list"):
        interp.run(X.tolist())
    with pytest.raises(TypeError, match=r"\[1, 96, 96, 3\].*got a float64 array"):
        interp.run(X.astype(np.float64))
    for dtype in (np.float16, np.int32, np.uint8, np.dtype(">f4")):
        with pytest.raises(TypeError, match="float32"):
            interp.run(X.astype(dtype))
    with pytest.raises(ValueError, match=r"shape \[1, 96, 96, 3\] \(NHWC\).*got shape \[96, 96, 3\]"):
        interp.run(X[0])
    with pytest.raises(ValueError, match="that is the NCHW shape, pass layout='nchw'"):
        interp.run(np.zeros((1, 3, 96, 96), np.float32))
    with pytest.raises(ValueError, match=r"\[1, 3, 96, 96\] \(NCHW\).*that is the NHWC shape"):
        interp.run(X, layout="nchw")
    with pytest.raises(ValueError, match=r"got shape \[2, 96, 96, 3\]"):
        interp.run(np.zeros((2, 96, 96, 3), np.float32))
    with pytest.raises(ValueError, match="layout must be 'nhwc'.*or 'nchw'"):
        interp.run(X, layout="NHWC")
    with pytest.raises(TypeError):
        interp.run()
    with pytest.raises(ValueError, match="runs >= 1"):
        interp.profile(runs=0)
    with pytest.raises(TypeError, match=r"profile\(\) expects .*got a float64 array"):
        interp.profile(X.astype(np.float64))
    assert interp.run(X).shape == (1, 12)   # still fine after all that


def test_bad_out(interp):
    for out, exc, words in [([0.0] * 12, TypeError, "got list"),
                            (np.zeros((1, 12), np.float64), TypeError, "float64"),
                            (np.zeros((12,), np.float32), ValueError, r"got shape \[12\]"),
                            (np.zeros((1, 24), np.float32)[:, ::2], ValueError, "non-contiguous"),
                            (interp.output, ValueError, "read-only")]:
        with pytest.raises(exc, match=words):
            interp.run(X, out=out)


def test_bad_images(interp, tmp_path):
    with pytest.raises(incept.Error, match="missing.png") as e:
        incept.load_image(tmp_path / "missing.png", interp)
    assert e.value.code == "i/o error"
    (tmp_path / "not.png").write_bytes(b"GIF89a" + bytes(100))
    with pytest.raises(incept.Error, match="not.png") as e:
        incept.load_image(tmp_path / "not.png", interp)
    assert e.value.code == "invalid argument"
    (tmp_path / "cut.png").write_bytes(SAMPLES[0].read_bytes()[:100])
    with pytest.raises(incept.Error, match="cut.png"):
        incept.load_image(tmp_path / "cut.png", interp)
    with pytest.raises(incept.Error):
        incept.load_image(tmp_path, interp)
    with pytest.raises(ValueError, match="'crop' or 'stretch'"):
        incept.load_image(SAMPLES[0], interp, resize="fit")
    with pytest.raises(TypeError, match="incept.Interpreter"):
        incept.load_image(SAMPLES[0], "model.incept")
    with pytest.raises(TypeError):
        incept.load_image(42, interp)


def test_closed_interpreter(small_model):
    it = incept.Interpreter(small_model)
    it.close()
    for call in (lambda: it.run(X), it.invoke, it.profile, lambda: it.input, lambda: it.output, lambda: it.inputs,
                 lambda: it.input_names, lambda: it.ops, lambda: it.isa, lambda: it.plan_stats,
                 lambda: incept.load_image(SAMPLES[0], it)):
        with pytest.raises(ValueError, match="the interpreter is closed"):
            call()


def test_one_interpreter_from_two_threads_is_refused_not_corrupted(interp):
    """An Interpreter serves one thread at a time: a second caller while a run is in flight gets incept.Error
    (the runtime is never entered twice), and the runs that do happen give the right answer."""
    x = np.random.default_rng(7).standard_normal((1, 96, 96, 3), dtype=np.float32)
    want = interp.run(x)
    stop, results = threading.Event(), []

    def worker():
        while not stop.is_set():
            results.append(interp.run(x))

    t = threading.Thread(target=worker)
    t.start()
    refused = 0
    try:
        for _ in range(2000):
            try:
                interp.invoke()
            except incept.Error as e:
                assert "another thread" in str(e)
                refused += 1
                if refused >= 3:
                    break
    finally:
        stop.set()
        t.join()
    assert refused >= 1
    assert results and all(np.array_equal(r, want) for r in results)
