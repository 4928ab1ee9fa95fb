"""Contributions into progress: the CES aggregate and the step with the push-back (§7.5)."""

from __future__ import annotations

import numpy as np


def ces_aggregate(ratios: np.ndarray, weights: np.ndarray, sigma: float) -> float:
    """CES aggregate ``X = (sum w_k r_k^rho)^(1/rho)`` with ``rho = (sigma-1)/sigma``.

    Types with zero weight are ignored. With ``sigma <= 1`` a weighted type at
    zero gives ``X = 0`` exactly (its term diverges or the product vanishes);
    ``sigma == 1`` is Cobb-Douglas.
    """
    used = weights > 0
    w = weights[used]
    r = np.maximum(ratios[used], 0.0)
    if abs(sigma - 1.0) < 1e-9:
        if np.any(r == 0):
            return 0.0
        return float(np.exp(np.sum(w * np.log(r))))
    rho = (sigma - 1.0) / sigma
    if rho < 0 and np.any(r == 0):
        return 0.0
    return float(np.sum(w * r**rho) ** (1.0 / rho))


def progress_step(progress: float, x: float, rate: float, decay: float) -> float:
    """``P(t+1) = P + r X (1 - P) - d P``, kept in [0, 1].

    Sustained ``X`` holds progress at ``P* = r X / (r X + d)``: the problem pushes
    back, so how far a mission gets depends on how much is kept up, not only on
    how soon it starts.
    """
    return float(min(1.0, max(0.0, progress + rate * x * (1.0 - progress) - decay * progress)))


def roadmap_progress(start: float, target: float, key_step: int, step: int) -> float:
    """Progress the roadmap expects by ``step``: a straight line to ``target`` at ``key_step``."""
    if step <= 0:
        return start
    if key_step <= 0:  # the key milestone was due before the start
        return target
    return start + (target - start) * min(1.0, step / key_step)


def trend_progress(start: float, decay: float, step: int) -> float:
    """Where progress would be by ``step`` with nobody mobilised: the pre-mission trend."""
    return start * (1.0 - decay) ** max(step, 0)
