"""A progress line for batches: runs done, failed, rate and ETA, on stderr.

tqdm keeps the time, throttles the redraws and draws the bar; this module adds the
failed count and the line's wording. On a terminal the line is redrawn in place
every 0.2 s; elsewhere (a CI log, a file) a whole line is printed every 5 s and the
final state once, so a log reads line by line instead of one line of carriage returns.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

from tqdm.std import tqdm

LINE = "[{bar:24}] {n}/{total} runs, {failed} failed, {rate_text} runs/s, ETA {eta_text}"
"""What the line says: bar, counts, the mean rate since the start, and time to the end."""


class _Bar(tqdm):  # type: ignore[type-arg]  # generic in its stubs only: it iterates nothing here
    """tqdm with the failed count and the line's rate and ETA; whole lines off a terminal."""

    def __init__(self, total: int, stream: TextIO, *, enabled: bool) -> None:
        self.failed = 0
        self.lines = not stream.isatty()
        self._drawn: float = -1
        super().__init__(
            total=total,
            file=stream,
            disable=not enabled,
            bar_format=LINE,
            ascii=".#",  # empty and full cells
            mininterval=5.0 if self.lines else 0.2,
            miniters=1,
            smoothing=0,  # the mean rate since the start, not a moving one
            delay=1e-9 if self.lines else 0,  # off a terminal, no line before any run ends
            leave=not self.lines,
            dynamic_ncols=False,
        )

    @property
    def format_dict(self) -> dict[str, Any]:
        """The fields tqdm formats, and the failed count, rate and ETA as the line writes them."""
        fields = dict(super().format_dict)
        done, elapsed = fields["n"] or 0, max(fields["elapsed"] or 0.0, 1e-9)
        rate = done / elapsed
        remaining = (fields["total"] or 0) - done
        eta = f"{remaining / rate:5.0f}s" if rate > 0 else "    ?"
        return {**fields, "failed": self.failed, "rate_text": f"{rate:6.1f}", "eta_text": eta}

    def display(self, msg: str | None = None, pos: int | None = None) -> None:
        """On a terminal tqdm's redraw; elsewhere a whole line, never the same state twice."""
        if not self.lines:
            super().display(msg, pos)
        elif msg != "" and self.n != self._drawn:  # msg "": tqdm clearing the line at close
            self._drawn = self.n
            self.fp.write(str(self) + "\n")
            self.fp.flush()


class Progress:
    """The batch's progress line: ``update`` as chunks finish, ``close`` at the end."""

    def __init__(self, total: int, *, stream: TextIO | None = None, enabled: bool = True) -> None:
        self._bar = _Bar(total, stream or sys.stderr, enabled=enabled)

    def update(self, done: int, failed: int) -> None:
        """Add finished and failed runs; redraw if it is time."""
        self._bar.failed += failed
        self._bar.update(done)

    def close(self) -> None:
        """Draw the final state (once) and end the line."""
        if self._bar.lines and not self._bar.disable:
            self._bar.refresh()
        self._bar.close()

    def line(self) -> str:
        """The progress text: bar, counts, rate and ETA."""
        return str(self._bar)
