"""In-process and process-pool executors."""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import sys
import threading
import warnings
from collections.abc import Callable, Iterable, Iterator
from concurrent import futures
from typing import Any


def freeze_inherited() -> None:
    """In a forked worker, first: put all it inherited out of the collector's reach.

    Its full collections then skip the parent's objects, which it keeps alive anyway
    (about half of a figure process's ~0.4 s of full collections, measured), and leave
    their pages shared. The parent is left as it was.
    """
    gc.freeze()


def _start_worker() -> None:
    freeze_inherited()
    _die_with_parent()


def _die_with_parent() -> None:
    """Ask Linux to end this worker if the batch process dies (``kill -9``, OOM).

    Without it a killed batch leaves its workers waiting forever for work. Elsewhere
    this does nothing; the workers then end when their queue breaks.
    """
    if sys.platform != "linux":
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: nothing to save once the batch is gone
    except OSError:
        pass


def may_fork() -> bool:
    """Whether this process may fork: on Linux, with no other Python thread running.

    Another Python thread could hold a lock mid-fork; NumPy's BLAS threads are fork-safe.
    """
    return sys.platform == "linux" and threading.active_count() == 1


@contextlib.contextmanager
def forking_quietly() -> Iterator[None]:
    """Fork without Python's multi-threaded warning, when only BLAS threads run besides.

    Python counts NumPy's BLAS threads too, which are fork-safe; callers fork only
    when :func:`may_fork` says so.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
        yield


class SequentialExecutor:
    """Runs everything in this process, in order: the reference for determinism."""

    workers = 1
    description = "sequential (in-process)"
    shares_disk = True
    in_process = True

    def imap_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """Yield ``fn(item)`` in order."""
        for item in items:
            yield fn(item)

    def close(self) -> None:
        """Nothing to stop."""


class ProcessPoolExecutor:
    """A pool started once; workers take chunks of runs as they free up.

    Forked workers (where the platform allows) start in milliseconds with
    mobilise already imported, unlike ``mesa.batch_run``'s per-call pools.
    """

    shares_disk = True
    in_process = False

    def __init__(self, workers: int) -> None:
        self.workers = workers
        # Fork where it is safe (may_fork), else forkserver.
        method = "fork" if may_fork() else "forkserver"
        if sys.platform != "linux":
            method = "spawn"
        self._quiet_fork = method == "fork"
        context = multiprocessing.get_context(method)
        if method == "forkserver":  # workers fork from a server that has mobilise imported
            context.set_forkserver_preload(["mobilise.running.runs"])
        self.description = f"process pool ({workers} workers, {method})"
        self._pool = futures.ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_start_worker
        )

    def submit(self, fn: Callable[[Any], Any], item: Any) -> futures.Future[Any]:
        """Submit one call and return its future (for callers that queue work themselves)."""
        with forking_quietly() if self._quiet_fork else contextlib.nullcontext():
            return self._pool.submit(fn, item)

    def imap_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """Submit every item; yield results as they complete."""
        pending = {self.submit(fn, item) for item in items}
        try:
            for done in futures.as_completed(pending):
                yield done.result()
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        """Stop the workers; pending chunks are dropped (they are re-run on resume)."""
        self._pool.shutdown(wait=True, cancel_futures=True)
