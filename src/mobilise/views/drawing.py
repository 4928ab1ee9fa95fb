"""A report's figures drawn side by side, each in a forked process when there are several.

The figures of a finished batch are independent (each reads the finished tables), and
drawing them is most of a report's time on one core: on a machine with more, they are
drawn at once. Forked processes start with the tables and matplotlib already in memory;
where forking is unsafe (another Python thread running) or impossible, they are drawn
one after another, with the same files as the result.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from matplotlib.figure import Figure

from mobilise.running.executors.local import forking_quietly, freeze_inherited, may_fork
from mobilise.views.figure_style import save

Drawing = tuple[Callable[[], Figure], Path]
"""A figure to draw (a function of nothing) and where to save it, without a suffix."""

_pending: Sequence[Drawing] = ()  # what forked processes draw, by index


def save_drawings(drawings: Sequence[Drawing], workers: int | None = None) -> list[Path]:
    """Draw and save every figure (:func:`~mobilise.views.figure_style.save`); the files, in order.

    ``workers`` processes at most (default: every core); one, or a single figure,
    draws here.
    """
    global _pending
    processes = min(os.cpu_count() or 1 if workers is None else workers, len(drawings))
    if processes < 2 or not may_fork():
        return [path for draw, where in drawings for path in save(draw(), where)]
    _pending = drawings
    try:
        with (
            forking_quietly(),
            multiprocessing.get_context("fork").Pool(processes, start_drawing) as pool,
        ):
            done = pool.map(_save_pending, range(len(drawings)), chunksize=1)
    finally:
        _pending = ()
    return [path for paths in done for path in paths]


def start_drawing() -> None:
    """A forked figure process, first: what it inherits out of reach, and no collections.

    A matplotlib figure is a web of reference cycles, so the collector's passes over
    the ones drawn so far were a tenth of a report's drawing (``reform_comparison.yaml``
    on two processes: 5.2-5.5 s with the freezing alone, 4.9 s without them); each
    figure then leaves a few MiB behind (280 MiB at most against 262 MiB there),
    freed when the report is done.
    """
    freeze_inherited()
    gc.disable()


def _save_pending(index: int) -> list[Path]:
    draw, where = _pending[index]
    return save(draw(), where)
