# SPDX-License-Identifier: Apache-2.0
"""A small text progress bar on stderr (no tqdm dependency).

    bar = Bar(total=len(loader), desc="epoch 3/30")
    for i, batch in enumerate(loader): ...; bar.update(1, loss=0.71)
    bar.close("loss 0.71 | val 93.2%")      # final line, always printed (unless quiet)

On a terminal the bar redraws in place (at most 5 times a second); elsewhere (logs, pipes) only the final line
is written, so logs stay readable.
"""

import sys
import time


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 else \
        f"{seconds // 60}:{seconds % 60:02d}"


class Bar:
    def __init__(self, total: int, desc: str, unit: str = "it", quiet: bool = False, stream=None, width: int = 24):
        self.total, self.desc, self.unit, self.width = max(total, 1), desc, unit, width
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.live = not quiet and self.stream.isatty()
        self.count = 0
        self.start = self.last_draw = time.monotonic()
        self.fields = {}

    def update(self, n: int = 1, **fields) -> None:
        self.count += n
        self.fields.update(fields)
        now = time.monotonic()
        if self.live and (now - self.last_draw >= 0.2 or self.count >= self.total):
            self.last_draw = now
            self._write("\r" + self._line(now) + "\x1b[K")

    def _line(self, now: float) -> str:
        elapsed = now - self.start
        filled = int(self.width * min(self.count, self.total) / self.total)
        rate = self.count / elapsed if elapsed > 0 else 0.0
        eta = (self.total - self.count) / rate if rate > 0 else 0.0
        extra = " ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in self.fields.items())
        head = f"{self.desc} [{'#' * filled}{'.' * (self.width - filled)}] {self.count}/{self.total}"
        return " ".join(filter(None, (head, extra, f"| {rate:.1f} {self.unit}/s {_clock(elapsed)}<{_clock(eta)}")))

    def close(self, summary: str = "") -> float:
        """Ends the bar with one final line `desc: summary (elapsed)`; returns the elapsed seconds."""
        elapsed = time.monotonic() - self.start
        if not self.quiet:
            self._write(("\r\x1b[K" if self.live else "") + f"{self.desc}: {summary} ({_clock(elapsed)})\n")
        return elapsed

    def _write(self, text: str) -> None:
        self.stream.write(text)
        self.stream.flush()
