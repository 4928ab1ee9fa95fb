"""The model's equations as small pure functions over NumPy arrays.

Each works for one agent, a whole population, or the agents of many runs at once
(one value per agent, parameters as a number or an array of the agents' own), so
the engine and the tests call the same code.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
Value = Array | float
"""A number, or an array broadcast against the agents."""


def patience(horizon: Value, payoff_lag: Value) -> Array:
    """``1 - exp(-H / L)``: how much a payoff ``L`` quarters away counts at horizon ``H``."""
    result: Array = 1.0 - np.exp(-np.asarray(horizon, dtype=float) / payoff_lag)
    return result


def mobilisation(
    signal_term: Array,
    peer_share: Array,
    partner_share: Array,
    cost: Value,
    *,
    w_signal: Value,
    w_peer: Value,
    w_cross: Value,
) -> Array:
    """``m_i = w_S S a_i tau_i patience_i + w_P pi_i + w_X chi_i - kappa_k``.

    ``signal_term`` is ``S a_i tau_i patience_i`` (the mission signal as agent i
    receives it).
    """
    result: Array = w_signal * signal_term + w_peer * peer_share + w_cross * partner_share - cost
    return result


def response(pressure: Value, threshold: Value, noise: Value) -> Array:
    """Target engagement: ``logistic((m - theta) / s)``; a hard threshold when ``s == 0``."""
    gap: Array = np.subtract(pressure, threshold, dtype=float)
    if np.all(np.asarray(noise) == 0):
        return (gap >= 0).astype(float)
    # the logistic as 1/2 + tanh(gap / 2s) / 2: overflow-free, worked in place in gap
    gap *= 0.5 / np.asarray(noise, dtype=float)
    np.tanh(gap, out=gap)
    gap *= 0.5
    gap += 0.5
    return gap


def adjust(engagement: Array, target: Array, speed: Value, exit_rate: Value = 0.0) -> Array:
    """Partial adjustment with exit: ``e + alpha (target - e) - exit_rate * e``.

    ``exit_rate`` is the staying cost: the share of its engagement an agent drops
    this quarter whatever its target (:func:`exit_rate`). With ``alpha = 1`` it is
    ``target - exit_rate * e``, computed so: without exit, agents jump exactly to
    their target (Granovetter's model).
    """
    leaving = 0.0 if np.ndim(exit_rate) == 0 and exit_rate == 0 else exit_rate * engagement
    if np.all(np.asarray(speed) == 1.0):
        jumped: Array = np.asarray(target - leaving, dtype=float)
        return jumped
    result: Array = engagement + speed * (target - engagement) - leaving
    return result


def exit_rate(trust: Value, fatigue: Value) -> Value:
    """``phi (1 - tau_i)``: engaged agents leave faster the less they trust the mission."""
    if np.ndim(fatigue) == 0 and fatigue == 0:
        return 0.0  # nobody tires: no term to compute
    result: Array = fatigue * (1.0 - np.asarray(trust))
    return result


def move_toward(value: Value, goal: Value, speed: Value) -> Array:
    """Exponential smoothing toward ``goal``, kept in [0, 1] (trust, credibility)."""
    result: Array = np.clip(value + np.clip(speed, 0.0, 1.0) * (goal - value), 0.0, 1.0)
    return result


def trust_goal(credibility: Array, delivery: Array, progress_weight: Value) -> Array:
    """What trust moves toward: credibility and observed delivery, weighted."""
    goal: Array = (1.0 - progress_weight) * credibility + progress_weight * delivery
    return goal
