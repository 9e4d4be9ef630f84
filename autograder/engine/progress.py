"""A progress bar on stderr, shared by the long-running verbs (grade, experiment).

``bar(done, total)`` redraws one line on a terminal; elsewhere (CI logs, pipes) it prints a
plain line at every quarter, so logs stay short.  No dependency.
"""
from __future__ import annotations

import sys
import time
from typing import TextIO


class ProgressBar:
    """``progress(done, total)`` drawn as one self-overwriting line on a terminal.

    When the stream is not a terminal (CI logs, pipes) it prints a plain line at every
    quarter instead, so logs stay short.
    """

    def __init__(self, label: str, stream: TextIO | None = None, width: int = 30, min_interval: float = 0.1):
        self.label, self.width, self.min_interval = label, width, min_interval
        self.stream = stream if stream is not None else sys.stderr
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.started = time.monotonic()
        self._last_draw = float("-inf")
        self._last_quarter = -1

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        finished = done >= total
        if self.tty:
            if finished or now - self._last_draw >= self.min_interval:
                self._last_draw = now
                self.stream.write("\r" + self.line(done, total, now) + ("\n" if finished else ""))
                self.stream.flush()
        else:
            quarter = 4 * done // max(total, 1)
            if quarter > self._last_quarter:
                self._last_quarter = quarter
                self.stream.write(self.line(done, total, now) + "\n")
                self.stream.flush()

    def line(self, done: int, total: int, now: float) -> str:
        """e.g. ``init-compare [#########.....................]  31%  620/2000  4.1 s``"""
        frac = done / total if total else 1.0
        filled = int(round(self.width * frac))
        return (f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {100 * frac:4.0f}% "
                f"{done:>{len(str(total))}}/{total}  {now - self.started:.1f} s")
