# SPDX-License-Identifier: Apache-2.0
"""How busy the machine is around a measurement (bench/peers/peers.py): CPU time taken by anything
but our own finished children, and a wait for a quiet moment before measuring."""

import os
import resource
import time

from peers_report import BUSY_CORES  # noqa: E402  (same folder)


def cpu_sample():
    """(busy seconds of all CPUs incl. steal, CPU seconds of our finished children) for background_cores."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    busy = v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)   # user nice system irq softirq steal
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return busy / os.sysconf("SC_CLK_TCK"), ru.ru_utime + ru.ru_stime


def background_cores(before, after, wall_s: float) -> float:
    """Average number of CPUs that something other than our (finished) children kept busy: other
    processes, or the hypervisor stealing time. Above ~0.1 the timings are not to be trusted."""
    return max(0.0, ((after[0] - before[0]) - (after[1] - before[1])) / max(wall_s, 1e-3))


class QuietWaiter:
    """Before a measurement, waits (up to `per_wait_s`, and `budget_s` over the whole run) until other
    processes keep less than BUSY_CORES CPUs busy over a 0.5 s window. A shared box stays usable."""

    def __init__(self, budget_s: float, per_wait_s: float = 10.0):
        self.budget_s, self.per_wait_s, self.waited_s = budget_s, per_wait_s, 0.0

    def wait(self) -> float:
        t0 = time.monotonic()
        while True:
            c0, w0 = cpu_sample(), time.monotonic()
            time.sleep(0.5)
            bg = background_cores(c0, cpu_sample(), time.monotonic() - w0)
            spent = time.monotonic() - t0
            if bg <= BUSY_CORES or spent >= self.per_wait_s or self.waited_s + spent >= self.budget_s:
                self.waited_s += spent
                return bg
