"""The executor interface and the factory the CLI uses."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol


class Executor(Protocol):
    """Maps ``fn`` over ``items``, yielding results in completion order."""

    workers: int
    description: str
    shares_disk: bool  # workers see this machine's files (they write the batch's parts)
    in_process: bool  # the runs run in this process (nothing else can run meanwhile)

    def imap_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """Yield ``fn(item)`` for each item as each finishes."""
        ...

    def close(self) -> None:
        """Stop workers and cancel pending work."""
        ...


def make_executor(workers: int = 1, scheduler: str | None = None) -> Executor:
    """A Dask executor for ``scheduler``, else a process pool, else in-process."""
    if scheduler:
        from mobilise.running.executors.dask import DaskExecutor

        return DaskExecutor(scheduler)
    from mobilise.running.executors.local import ProcessPoolExecutor, SequentialExecutor

    return SequentialExecutor() if workers <= 1 else ProcessPoolExecutor(workers)
