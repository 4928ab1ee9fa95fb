"""The model's equations as small pure functions over NumPy arrays.

Each works for one agent or a whole population at once, so the vectorised step
and the tests call the same code.
"""

from __future__ import annotations

import numpy as np


def patience(horizon: np.ndarray, payoff_lag: float) -> np.ndarray:
    """``1 - exp(-H / L)``: how much a payoff ``L`` quarters away counts at horizon ``H``."""
    return 1.0 - np.exp(-np.asarray(horizon, dtype=float) / payoff_lag)


def mobilisation(
    signal_term: np.ndarray,
    peer_share: np.ndarray,
    partner_share: np.ndarray,
    cost: np.ndarray,
    *,
    w_signal: float,
    w_peer: float,
    w_cross: float,
) -> np.ndarray:
    """``m_i = w_S S a_i tau_i patience_i + w_P pi_i + w_X chi_i - kappa_k``.

    ``signal_term`` is ``S a_i tau_i patience_i`` (the mission signal as agent i
    receives it).
    """
    return w_signal * signal_term + w_peer * peer_share + w_cross * partner_share - cost


def response(pressure: np.ndarray, threshold: np.ndarray, noise: float) -> np.ndarray:
    """Target engagement: ``logistic((m - theta) / s)``; a hard threshold when ``s == 0``."""
    gap = np.asarray(pressure, dtype=float) - threshold
    if noise == 0:
        return (gap >= 0).astype(float)
    return 0.5 * (1.0 + np.tanh(gap / (2.0 * noise)))  # logistic, overflow-free


def adjust(
    engagement: np.ndarray,
    target: np.ndarray,
    speed: float,
    exit_rate: np.ndarray | float = 0.0,
) -> np.ndarray:
    """Partial adjustment with exit: ``e + alpha (target - e) - exit_rate * e``.

    ``alpha = 1`` with no exit jumps to the target (Granovetter). ``exit_rate``
    is the staying cost: the share of its engagement an agent drops this quarter
    whatever its target (:func:`exit_rate`).
    """
    if speed == 1.0 and np.all(np.asarray(exit_rate) == 0):
        return np.asarray(target, dtype=float).copy()
    return engagement + speed * (target - engagement) - exit_rate * engagement


def exit_rate(trust: np.ndarray, fatigue: float) -> np.ndarray:
    """``phi (1 - tau_i)``: engaged agents leave faster the less they trust the mission."""
    return fatigue * (1.0 - trust)


def move_toward(
    value: np.ndarray, goal: np.ndarray | float, speed: np.ndarray | float
) -> np.ndarray:
    """Exponential smoothing toward ``goal``, kept in [0, 1] (trust, credibility)."""
    return np.clip(value + np.clip(speed, 0.0, 1.0) * (goal - value), 0.0, 1.0)
