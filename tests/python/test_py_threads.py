# SPDX-License-Identifier: Apache-2.0
"""run() releases the GIL: two interpreters (1 thread each) in two Python threads run at once. Their outputs are
bit-identical to each used alone, and the wall time of both together is measured against the sum of each alone
(alternating rounds, medians), beside the same figure for a reference that surely runs without the GIL (hashlib
on large buffers) and the process's CPU time over the wall time (on free cores 1 alone and 2 together). The cores
are shared with other jobs, so the test asserts what holds however busy they are: the interpreters gain from the
second thread about as much as the reference does (ratio < the reference's + 0.3). The target, <= 0.6 x the sum
on 2 free cores, is asserted as < 0.9 only where the machine has 2 CPUs and is not busy (load average below
0.75 x CPUs, incept-bench's rule); elsewhere the figures are printed and that part skipped, saying why. That the GIL
is let go at all is checked apart from timing: with the GIL's switch interval at 5 s, the main thread gets the GIL
while a worker is still inside its runs (it could not if run() held the GIL). -s prints the figures."""
import hashlib
import os
import statistics
import sys
import threading
import time

import numpy as np
import pytest
from incept_py_support import NOT_BUILT, incept, small_model_path

pytestmark = pytest.mark.skipif(incept is None, reason=NOT_BUILT)


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    return small_model_path(tmp_path_factory)


ROUNDS = 5


def loop(interp, x, n, outputs):
    for _ in range(n):
        outputs.append(interp.run(x))


def timed(*works):
    """Wall time of running the callables, each in its own thread (one: in this thread), and the process's CPU
    time over that wall time."""
    t0, c0 = time.perf_counter(), time.process_time()
    if len(works) == 1:
        works[0]()
    else:
        threads = [threading.Thread(target=w) for w in works]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    wall = time.perf_counter() - t0
    return wall, (time.process_time() - c0) / wall


def hashing(data, n):
    """A reference that releases the GIL for sure: hashlib hashes large buffers without it."""
    return lambda: [hashlib.sha256(data).digest() for _ in range(n)]


def test_two_interpreters_run_at_once(small_model):
    rng = np.random.default_rng(11)
    xa, xb = (rng.standard_normal((1, 96, 96, 3), dtype=np.float32) for _ in range(2))
    data = bytes(16 << 20)
    with incept.Interpreter(small_model) as a, incept.Interpreter(small_model) as b:
        want_a, want_b = a.run(xa), b.run(xb)
        per_run, _ = timed(lambda: loop(a, xa, 20, []))
        n = max(20, int(0.25 / (per_run / 20)))   # about a quarter second each alone
        per_hash, _ = timed(hashing(data, 4))
        m = max(4, int(0.25 / (per_hash / 4)))
        fig = {k: [] for k in ("sum", "both", "cpu_alone", "cpu_both", "ref_sum", "ref_both")}
        for _ in range(ROUNDS):   # alternating: each alone, both at once, the reference alone and twice at once
            outs = {k: [] for k in ("a", "b", "par_a", "par_b")}
            ta, ca = timed(lambda: loop(a, xa, n, outs["a"]))
            tb, cb = timed(lambda: loop(b, xb, n, outs["b"]))
            tt, ct = timed(lambda: loop(a, xa, n, outs["par_a"]), lambda: loop(b, xb, n, outs["par_b"]))
            ra, _ = timed(hashing(data, m))
            rt, _ = timed(hashing(data, m), hashing(data, m))
            for k, v in (("sum", ta + tb), ("both", tt), ("cpu_alone", (ca + cb) / 2), ("cpu_both", ct),
                         ("ref_sum", 2 * ra), ("ref_both", rt)):
                fig[k].append(v)
            for k, want in (("a", want_a), ("par_a", want_a), ("b", want_b), ("par_b", want_b)):
                assert len(outs[k]) == n and all(np.array_equal(y, want) for y in outs[k])
    med = {k: statistics.median(v) for k, v in fig.items()}
    ratio, ref_ratio = med["both"] / med["sum"], med["ref_both"] / med["ref_sum"]
    load, cpus = os.getloadavg()[0], os.cpu_count() or 1
    figures = (f"two interpreters, {n} runs each: alone (sum) {med['sum'] * 1e3:.1f} ms, together "
               f"{med['both'] * 1e3:.1f} ms, ratio {ratio:.2f}; CPU time / wall time alone {med['cpu_alone']:.2f}, "
               f"together {med['cpu_both']:.2f}; reference (sha256, GIL released) ratio {ref_ratio:.2f} "
               f"(medians of {ROUNDS} alternating rounds; {cpus} CPUs, load average {load:.2f})")
    print("\n" + figures)
    # Whatever the machine gives two threads now, two interpreters get about as much as a GIL-free reference.
    assert ratio < ref_ratio + 0.3, f"two interpreters gain less from a second thread than the reference: {figures}"
    if cpus < 2 or load >= 0.75 * cpus:
        pytest.skip(f"the 0.9 bound is not asserted on a busy or single-CPU machine: {figures}")
    assert ratio < 0.9, f"two threads took {ratio:.2f} x the sum of each alone: {figures}"


def test_run_releases_the_gil(small_model):
    x = np.zeros((1, 96, 96, 3), np.float32)
    with incept.Interpreter(small_model) as it:
        outputs, n = [], 200
        old = sys.getswitchinterval()
        sys.setswitchinterval(5.0)   # the GIL changes hands only when its holder lets go
        try:
            t = threading.Thread(target=loop, args=(it, x, n, outputs))
            t.start()
            done_when_main_ran = len(outputs)   # main holds the GIL again: the worker let go inside run()
            t.join()
        finally:
            sys.setswitchinterval(old)
    assert len(outputs) == n
    assert done_when_main_ran < n // 2, f"the main thread waited for {done_when_main_ran} of {n} runs"
