"""A pool of worker processes shared by every session of the app, with a visible queue.

A room of groups must not queue behind one Python thread: comparisons run in worker
processes (:class:`mobilise.running.executors.ProcessPoolExecutor`, whose workers die with the
server), at most one per worker at a time. Work waits in one first-come queue, so a
group can be told its place. Each session has at most one job waiting: a newer job
from the same session takes the older one's place (settings moved on; the old result
is no longer wanted), and an older job already running is marked superseded, so its
result is dropped instead of shown.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from mobilise.running.executors.local import ProcessPoolExecutor


@dataclass(eq=False)
class Ticket:
    """One job in the pool: wait for it, ask its place in the queue, or read its result."""

    owner: str
    fn: Callable[[Any], Any]
    argument: Any
    later: bool = False
    superseded: bool = False
    _done: threading.Event = field(default_factory=threading.Event)
    _future: futures.Future[Any] | None = None

    def wait(self, timeout: float) -> bool:
        """Whether the job is over (finished, failed or superseded) within ``timeout`` s."""
        return self._done.wait(timeout)

    def result(self) -> Any:
        """The job's return value (re-raising its exception); None if it was superseded."""
        if self.superseded or self._future is None:
            return None
        return self._future.result()

    def _supersede(self) -> None:
        self.superseded = True
        self._done.set()


@dataclass(frozen=True)
class Place:
    """Where a job stands: how many wait before it, and how many are running."""

    ahead: int
    running: int

    def sentence(self) -> str:
        """The place in words, for the page."""
        if self.ahead < 0:
            return "Running your comparison…"
        waiting = f"{self.ahead} comparison{'s' if self.ahead != 1 else ''}"
        return f"In the queue: {waiting} before yours, {self.running} running."


class WorkPool:
    """A first-come queue in front of ``workers`` processes; one waiting job per owner.

    Jobs submitted ``later`` wait behind every other job (figures a page can show after
    its headline), still first-come among themselves.
    """

    def __init__(self, workers: int, warm_up: Callable[[], None] | None = None) -> None:
        self.workers = workers
        self._executor = ProcessPoolExecutor(workers)
        self._lock = threading.Lock()
        self._queue: deque[Ticket] = deque()
        self._later: deque[Ticket] = deque()
        self._running: set[Ticket] = set()
        if warm_up is not None:  # each worker loads what jobs need before the first one
            for _ in range(workers):
                self._executor.submit(_call, warm_up)

    def submit(
        self, owner: str, fn: Callable[[Any], Any], argument: Any, *, later: bool = False
    ) -> Ticket:
        """Queue ``fn(argument)`` for ``owner``, replacing the owner's waiting or running job."""
        ticket = Ticket(owner, fn, argument, later)
        queue = self._later if later else self._queue
        with self._lock:
            for running in self._running:
                if running.owner == owner:
                    running._supersede()
            for other in (self._queue, self._later):
                for waiting in [t for t in other if t.owner == owner]:
                    waiting._supersede()
                    if other is queue:
                        other[other.index(waiting)] = ticket  # keeps the old job's place
                    else:
                        other.remove(waiting)
            if ticket not in queue:
                queue.append(ticket)
            self._dispatch()
        return ticket

    def withdraw(self, ticket: Ticket) -> None:
        """Drop a job that is no longer wanted (if it runs, its result is dropped)."""
        with self._lock:
            for queue in (self._queue, self._later):
                if ticket in queue:
                    queue.remove(ticket)
            ticket._supersede()

    def place(self, ticket: Ticket) -> Place:
        """The ticket's place: jobs before it in the queue (-1 once it runs) and running."""
        with self._lock:
            if ticket in self._queue:
                ahead = self._queue.index(ticket)
            elif ticket in self._later:
                ahead = len(self._queue) + self._later.index(ticket)
            else:
                ahead = -1
            return Place(ahead, len(self._running))

    def _dispatch(self) -> None:
        """Start waiting jobs while workers are free (the lock is held)."""
        while (self._queue or self._later) and len(self._running) < self.workers:
            ticket = (self._queue or self._later).popleft()
            self._running.add(ticket)
            ticket._future = self._executor.submit(ticket.fn, ticket.argument)
            ticket._future.add_done_callback(partial(self._finished, ticket))

    def _finished(self, ticket: Ticket, _: futures.Future[Any]) -> None:
        with self._lock:
            self._running.discard(ticket)
            self._dispatch()
        ticket._done.set()

    def close(self) -> None:
        """Stop the workers; waiting jobs are superseded."""
        with self._lock:
            for ticket in (*self._queue, *self._later):
                ticket._supersede()
            self._queue.clear()
            self._later.clear()
        self._executor.close()


def _call(fn: Callable[[], None]) -> None:
    fn()


_shared: dict[str, WorkPool] = {}
_shared_lock = threading.Lock()


def shared_pool(workers: int, warm_up: Callable[[], None] | None = None) -> WorkPool:
    """The server's one pool, started on first use and shared by every session.

    Module state on purpose: sessions are separate Solara kernels with nothing else
    in common, and one pool per process is what bounds the room's load to the cores.
    """
    with _shared_lock:
        if "pool" not in _shared:
            _shared["pool"] = WorkPool(workers, warm_up)
        return _shared["pool"]
