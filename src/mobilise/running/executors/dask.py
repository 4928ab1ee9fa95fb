"""Run a batch on an existing Dask cluster (``--scheduler tcp://host:port``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from mobilise.vocabulary import require_extra


class DaskExecutor:
    """Submits chunks to a ``dask.distributed`` scheduler; results as they finish.

    Its workers may be other machines: they send results back and this process
    writes the parts.
    """

    shares_disk = False
    in_process = False

    def __init__(self, address: str) -> None:
        require_extra("dask", "--scheduler")
        from distributed import Client

        self._client = Client(address, timeout="10s")  # type: ignore[no-untyped-call]
        self.workers = max(1, len(self._client.scheduler_info().get("workers", {})))
        self.description = f"dask ({address}, {self.workers} workers)"

    def imap_unordered(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        """Map over the cluster; yield each result as its future completes."""
        from distributed import as_completed

        jobs = self._client.map(fn, list(items), pure=False)
        try:
            for future in as_completed(jobs):  # type: ignore[no-untyped-call]
                yield future.result()
        finally:
            self._client.cancel(jobs)  # type: ignore[no-untyped-call]

    def close(self) -> None:
        """Disconnect (the cluster keeps running)."""
        self._client.close()  # type: ignore[no-untyped-call]
