"""Contributions into progress, and progress against the roadmap (docs/model.md §7.5-7.7).

Every function takes one run's numbers or arrays with one entry (or row) per run;
a run's result never depends on the runs beside it.
"""

from __future__ import annotations

from typing import overload

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]

NO_EVIDENCE = 0.5
"""Delivery before the first observation: neither credit nor blame."""


@overload
def ces_aggregate(ratios: Array, weights: Array, sigma: float) -> float: ...
@overload
def ces_aggregate(ratios: Array, weights: Array, sigma: Array) -> Array: ...
def ces_aggregate(ratios: Array, weights: Array, sigma: float | Array) -> float | Array:
    """CES aggregate ``X = (sum w_k r_k^rho)^(1/rho)`` with ``rho = (sigma-1)/sigma``.

    One run (``ratios`` and ``weights`` of its K types, a float ``sigma``), or R runs
    (rows of ``ratios`` and ``weights``, a ``sigma`` per run). Types with zero weight
    are ignored. With ``sigma <= 1`` a weighted type at zero gives ``X = 0`` exactly
    (its term diverges or the product vanishes); ``sigma == 1`` is Cobb-Douglas.
    """
    if np.ndim(sigma) == 0:
        row = ces_aggregate(np.atleast_2d(ratios), np.atleast_2d(weights), np.array([sigma]))
        return float(row[0])
    sigma = np.asarray(sigma, dtype=float)
    used = weights > 0
    r = np.maximum(ratios, 0.0)
    starved = np.any(used & (r == 0), axis=1)  # a weighted type gives nothing
    cobb = np.abs(sigma - 1.0) < 1e-9
    rho = np.where(cobb, 1.0, (sigma - 1.0) / np.where(sigma == 0, 1.0, sigma))
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        terms = np.where(used, weights * r ** rho[:, None], 0.0)
        x = np.sum(terms, axis=1) ** (1.0 / rho)
        if cobb.any():
            logs = np.where(used & ~starved[:, None], weights * np.log(np.where(used, r, 1.0)), 0.0)
            x = np.where(cobb, np.exp(np.sum(logs, axis=1)), x)
    result: Array = np.where(starved & ((rho < 0) | cobb), 0.0, x)
    return result


@overload
def progress_step(progress: float, x: float, rate: float, decay: float) -> float: ...
@overload
def progress_step(progress: Array, x: Array, rate: Array, decay: Array) -> Array: ...
def progress_step(
    progress: float | Array, x: float | Array, rate: float | Array, decay: float | Array
) -> float | Array:
    """``P(t+1) = P + r X (1 - P) - d P``, kept in [0, 1]: one run's, or each of R runs'.

    Sustained ``X`` holds progress at ``P* = r X / (r X + d)``: the problem pushes
    back, so how far a mission gets depends on how much is kept up, not only on
    how soon it starts.
    """
    moved = progress + rate * x * (1.0 - progress) - decay * progress
    if isinstance(moved, np.ndarray):
        clipped: Array = np.clip(moved, 0.0, 1.0)
        return clipped
    return min(1.0, max(0.0, float(moved)))


def roadmap_progress(
    start: Array, target: Array, key_step: npt.NDArray[np.intp], step: int | npt.NDArray[np.intp]
) -> Array:
    """Progress the roadmap expects by ``step``: a straight line to ``target`` at ``key_step``.

    Before the start it is ``start``; a key milestone due before the start is ``target``.
    """
    share = np.minimum(1.0, np.asarray(step) / np.where(key_step > 0, key_step, 1))
    line = np.where(key_step > 0, start + (target - start) * share, target)
    result: Array = np.where(np.asarray(step) <= 0, start, line)
    return result


def trend_progress(start: Array, decay: Array, step: int | npt.NDArray[np.intp]) -> Array:
    """Where progress would be by ``step`` with nobody mobilised: the pre-mission trend."""
    result: Array = start * (1.0 - decay) ** np.maximum(step, 0)
    return result


def delivery_against_roadmap(
    observed: Array,
    start: Array,
    target: Array,
    decay: Array,
    key_step: npt.NDArray[np.intp],
    seen: npt.NDArray[np.intp],
) -> Array:
    """What each mission has changed, as a share of what its roadmap promised, by step ``seen``.

    Both are measured from the pre-mission trend, so halting a decline counts. Before
    any evidence (``seen <= 0``) delivery is neutral, 1/2; a roadmap that promised
    nothing is met (1); otherwise it is kept in [-1, 1] (worse than the trend is
    negative), so observation noise does not bias it.
    """
    trend = trend_progress(start, decay, seen)
    promised = roadmap_progress(start, target, key_step, seen) - trend
    with np.errstate(invalid="ignore", divide="ignore"):
        judged = np.clip((observed - trend) / promised, -1.0, 1.0)
    result: Array = np.where(seen <= 0, NO_EVIDENCE, np.where(promised > 0, judged, 1.0))
    return result
