"""The model's equations as small pure functions over NumPy arrays.

Each works for one agent, a whole population, or a block of runs at once (arrays
shaped (R, N), parameters as (R, 1) columns), so the single run, the block and
the tests call the same code.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
Value = Array | float
"""A scalar, or an array broadcast against the agents (a column per run in a block)."""


def patience(horizon: Value, payoff_lag: Value) -> Array:
    """``1 - exp(-H / L)``: how much a payoff ``L`` quarters away counts at horizon ``H``."""
    result: Array = 1.0 - np.exp(-np.asarray(horizon, dtype=float) / payoff_lag)
    return result


def mobilisation(
    signal_term: Array,
    peer_share: Array,
    partner_share: Array,
    cost: Array,
    *,
    w_signal: Value,
    w_peer: Value,
    w_cross: Value,
) -> Array:
    """``m_i = w_S S a_i tau_i patience_i + w_P pi_i + w_X chi_i - kappa_k``.

    ``signal_term`` is ``S a_i tau_i patience_i`` (the mission signal as agent i
    receives it).
    """
    return w_signal * signal_term + w_peer * peer_share + w_cross * partner_share - cost


def response(pressure: Value, threshold: Value, noise: Value) -> Array:
    """Target engagement: ``logistic((m - theta) / s)``; a hard threshold when ``s == 0``."""
    gap = np.asarray(pressure, dtype=float) - threshold
    if np.all(np.asarray(noise) == 0):
        return (gap >= 0).astype(float)
    result: Array = 0.5 * (1.0 + np.tanh(gap / (2.0 * noise)))  # logistic, overflow-free
    return result


def adjust(
    engagement: Array,
    target: Array,
    speed: Value,
    exit_rate: Value = 0.0,
    *,
    jump: bool = True,
) -> Array:
    """Partial adjustment with exit: ``e + alpha (target - e) - exit_rate * e``.

    ``alpha = 1`` with no exit jumps to the target (Granovetter). ``exit_rate``
    is the staying cost: the share of its engagement an agent drops this quarter
    whatever its target (:func:`exit_rate`). ``jump=False`` always uses the
    general form (a block decides the jump run by run).
    """
    if jump and np.all(np.asarray(speed) == 1.0) and np.all(np.asarray(exit_rate) == 0):
        return np.asarray(target, dtype=float).copy()
    result: Array = engagement + speed * (target - engagement) - exit_rate * engagement
    return result


def exit_rate(trust: Array, fatigue: Value) -> Array:
    """``phi (1 - tau_i)``: engaged agents leave faster the less they trust the mission."""
    return fatigue * (1.0 - trust)


def move_toward(value: Value, goal: Value, speed: Value) -> Array:
    """Exponential smoothing toward ``goal``, kept in [0, 1] (trust, credibility)."""
    result: Array = np.clip(value + np.clip(speed, 0.0, 1.0) * (goal - value), 0.0, 1.0)
    return result
