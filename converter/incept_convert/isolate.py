# SPDX-License-Identifier: Apache-2.0
"""Runs a parser written in C or C++ (libhdf5 through h5py, ONNX's checker and shape inference) on untrusted
bytes in a forked child process, so a crash, a hang or a runaway allocation inside the library becomes a
ConvertError instead of killing the converter.

    value = isolate.run(read_file, (path,), f"cannot read {path}", "it must be a complete .h5 file", budget=4 << 30)
The child runs func(*args) under RLIMIT_AS (its address space when forked plus `budget` bytes, or a lower
limit already set) and an alarm
(BASE_SECONDS plus one second per SECONDS_PER_BYTE bytes of `size`), and pickles back the value, or the
ConvertError it raised. Without os.fork (Windows) func runs in this process.
"""

import os
import pickle
import signal
import sys

from .errors import ConvertError, short_reason

BASE_SECONDS = 60
BYTES_PER_SECOND = 20 << 20


def _address_space() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _child(func, args, budget: int, seconds: int, w: int) -> None:
    """In the forked child: limits, func(*args), the pickled outcome to `w`; never returns."""
    status = 0
    try:
        quiet = os.open(os.devnull, os.O_WRONLY)   # a library's own messages (an abort's) would break the one line
        os.dup2(quiet, 1)
        os.dup2(quiet, 2)
        for sig in (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGILL, signal.SIGFPE):
            signal.signal(sig, signal.SIG_DFL)   # a crash ends the child at once, whatever handlers were inherited
        signal.signal(signal.SIGALRM, signal.SIG_DFL)   # past the alarm the child is killed
        signal.alarm(seconds)
        space = _address_space()
        if budget and space:
            import resource
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            if soft == resource.RLIM_INFINITY or space + budget < soft:   # only ever lowered
                resource.setrlimit(resource.RLIMIT_AS, (space + budget, hard))
        try:
            outcome = ("ok", func(*args))
        except ConvertError as e:
            outcome = ("convert", str(e))
        except MemoryError:
            outcome = ("error", "it needs more memory than the converter allows for it")
        except Exception as e:   # noqa: BLE001 - the caller wraps any failure of the library
            outcome = ("error", f"{type(e).__name__}: {short_reason(e, 160)}")
        try:
            data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        except Exception as e:   # noqa: BLE001 - e.g. a value nested too deeply to pickle
            data = pickle.dumps(("error", f"its content cannot be passed on: {type(e).__name__}: "
                                          f"{short_reason(e, 100)}"))
        with os.fdopen(w, "wb") as f:
            f.write(data)
    except BaseException:   # noqa: BLE001 - nothing may escape a forked child
        status = 1
    finally:
        os._exit(status)


def run(func, args, what: str, hint: str, budget: int = 0, size: int = 0):
    """func(*args) in a child process; its value. A ConvertError of func is raised again as it was; any other
    failure as ConvertError(f"{what} (reason); {hint}"): `what` says what failed and names the file, `hint`
    what to do."""
    if not hasattr(os, "fork"):
        return func(*args)
    seconds = BASE_SECONDS + size // BYTES_PER_SECOND
    r, w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        os.close(r)
        _child(func, args, budget, seconds, w)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status) or not data:
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0
        why = (f"the parser did not finish within {seconds} s" if sig == signal.SIGALRM else
               f"the parser crashed on it: {signal.Signals(sig).name}" if sig else "the parser failed")
        raise ConvertError(f"{what} ({why}); {hint}")
    kind, value = pickle.loads(data)
    if kind == "ok":
        return value
    raise ConvertError(value if kind == "convert" else f"{what} ({value}); {hint}")
