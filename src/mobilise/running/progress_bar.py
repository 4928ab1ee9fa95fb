"""A progress line for batches: runs done, failed, rate and ETA, on stderr."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """Redraws one line on a terminal; prints a line every few seconds otherwise."""

    def __init__(self, total: int, *, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.total = total
        self.done = 0
        self.failed = 0
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = self.stream.isatty()
        self.started = time.perf_counter()
        self._last = 0.0
        self._drawn_done = -1

    def update(self, done: int, failed: int) -> None:
        """Add finished and failed runs; redraw if it is time."""
        self.done += done
        self.failed += failed
        now = time.perf_counter()
        if now - self._last >= (0.2 if self.tty else 5.0) or self.done >= self.total:
            self._last = now
            self._draw(final=False)

    def close(self) -> None:
        """Draw the final state and end the line."""
        self._draw(final=True)

    def line(self) -> str:
        """The progress text: bar, counts, rate and ETA."""
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        rate = self.done / elapsed
        remaining = self.total - self.done
        eta = remaining / rate if rate > 0 else float("nan")
        width = 24
        filled = int(width * self.done / self.total) if self.total else width
        bar = "#" * filled + "." * (width - filled)
        eta_text = f"{eta:5.0f}s" if eta == eta else "    ?"
        return (
            f"[{bar}] {self.done}/{self.total} runs, {self.failed} failed, "
            f"{rate:6.1f} runs/s, ETA {eta_text}"
        )

    def _draw(self, *, final: bool) -> None:
        if not self.enabled or (final and not self.tty and self._drawn_done == self.done):
            return
        self._drawn_done = self.done
        if self.tty:
            self.stream.write("\r" + self.line() + ("\n" if final else ""))
        else:
            self.stream.write(self.line() + "\n")
        self.stream.flush()
