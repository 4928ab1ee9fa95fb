"""Evaluators for batches: in-process, a local process pool, or a Dask cluster.

Each maps a picklable function over chunks of runs and yields results as they
finish; the batch runner does the rest (writing, resuming, reporting). Results
do not depend on the executor: every run is seeded by its own spec.
"""

from mobilise.running.executors.base import Executor, make_executor
from mobilise.running.executors.local import ProcessPoolExecutor, SequentialExecutor

__all__ = ["Executor", "ProcessPoolExecutor", "SequentialExecutor", "make_executor"]
