"""A one-line progress bar on stderr (no dependency; silent when stderr is not a terminal)."""
from __future__ import annotations

import sys
import time


class Progress:
    """``with Progress(total, "grading") as bar: ... bar.advance()``"""

    def __init__(self, total: int, label: str = "", stream=None, force: bool | None = None, width: int = 30):
        self.total, self.label, self.width = max(total, 0), label, width
        self.stream = stream or sys.stderr
        self.enabled = force if force is not None else getattr(self.stream, "isatty", lambda: False)()
        self.done = 0
        self.started = time.monotonic()
        self._last_draw = 0.0

    def advance(self, n: int = 1, note: str = "") -> None:
        self.done += n
        now = time.monotonic()
        if self.enabled and (now - self._last_draw > 0.1 or self.done >= self.total):
            self._last_draw = now
            self._draw(note)

    def _draw(self, note: str) -> None:
        frac = self.done / self.total if self.total else 1.0
        filled = int(round(self.width * frac))
        elapsed = time.monotonic() - self.started
        eta = elapsed / self.done * (self.total - self.done) if self.done else 0.0
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{self.label} [{bar}] {self.done}/{self.total} {elapsed:5.1f}s eta {eta:4.0f}s {note[:30]:30s}")
        self.stream.flush()

    def __enter__(self) -> "Progress":
        if self.enabled:
            self._draw("")
        return self

    def __exit__(self, *exc) -> None:
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()
