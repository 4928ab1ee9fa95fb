"""Robustness of reform packages across states of the world: pure functions on run tables.

A *state of the world* is one draw of the uncertain assumptions (a sweep point); a
*package* is a set of reforms with strengths (an arm). A package's value in a state is
the mean over that state's replications of the key metric at the milestone date
(``milestone_metric``); the replications share seeds across packages (common random
numbers), so packages are compared on the same draws. From the package x state values,
the decision criteria reviewed by McPhail et al. (2018) are computed: Laplace's mean,
Wald's maximin, Hurwicz's optimism-pessimism rule, Savage's regret (its maximum and 90th
percentile) and Starr's domain criterion (the share of states where the milestone is
met, a satisficing measure). Intervals come from a bootstrap over replications: the same
resampled replications for every package and state, which keeps the pairing.

Every input is a runs table with at least ``arm`` (the package), ``point`` (the state),
``replication``, ``milestone_metric``, ``final_metric`` and ``milestone_met``: the
``runs.csv`` of a batch, or the rows of a toy evaluation in tests.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from mobilise.schema.criteria import (
    CRITERIA,
    CRITERIA_BY_NAME,
    DEFAULT_RANK_BY,
    HORIZON_OUTCOME,
    KEY_OUTCOME,
)


@dataclass(frozen=True)
class Outcomes:
    """Runs as arrays indexed [package, state, replication]; a missing run is NaN."""

    packages: list[str]
    states: list[int]
    replications: list[int]
    milestone: np.ndarray
    final: np.ndarray
    met: np.ndarray


def outcome_arrays(runs: pd.DataFrame, packages: Sequence[str] | None = None) -> Outcomes:
    """The runs table as package x state x replication arrays (packages in first-seen order)."""
    missing = [
        c
        for c in ("arm", "point", "replication", KEY_OUTCOME, HORIZON_OUTCOME, "milestone_met")
        if c not in runs
    ]
    if missing:
        raise ValueError(f"robustness: runs lack column(s) {', '.join(missing)}")
    names = list(packages) if packages is not None else list(dict.fromkeys(runs["arm"]))
    states = sorted(runs["point"].unique().tolist())
    reps = sorted(runs["replication"].unique().tolist())
    shape = (len(names), len(states), len(reps))
    rows = runs[runs["arm"].isin(names)]
    p = pd.Index(names).get_indexer(pd.Index(rows["arm"]))
    s = pd.Index(states).get_indexer(pd.Index(rows["point"]))
    r = pd.Index(reps).get_indexer(pd.Index(rows["replication"]))
    arrays = []
    for column in (KEY_OUTCOME, HORIZON_OUTCOME, "milestone_met"):
        values = np.full(shape, np.nan)
        values[p, s, r] = _as_float(rows[column]).to_numpy()
        arrays.append(values)
    return Outcomes(names, states, reps, *arrays)


def _as_float(series: pd.Series) -> pd.Series:
    """Booleans (also 'True'/'False' read back from CSV) as 1.0/0.0; empty cells as NaN."""
    if series.dtype == object:
        mapping = {True: 1.0, False: 0.0, "True": 1.0, "False": 0.0}
        return series.map(lambda v: mapping.get(v, math.nan) if not pd.isna(v) else math.nan)
    return series.astype(float)


# --- the criteria on arrays -----------------------------------------------------------


def quantile(values: np.ndarray, q: float) -> np.ndarray:
    """Quantile over the last axis ignoring NaN (numpy's linear method), vectorised.

    ``np.nanquantile`` loops in Python over every row; this sorts once (NaN last).
    """
    ordered = np.sort(values, axis=-1)
    count = (~np.isnan(values)).sum(axis=-1)
    position = np.maximum(count - 1, 0) * q
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, np.maximum(count - 1, 0))
    at_low = np.take_along_axis(ordered, low[..., None], axis=-1)[..., 0]
    at_high = np.take_along_axis(ordered, high[..., None], axis=-1)[..., 0]
    result = at_low + (position - low) * (at_high - at_low)
    return np.where(count > 0, result, np.nan)


def _weighted_mean(values: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Mean over replications for each weight row: (P, S, R) x (B, R) -> (B, P, S)."""
    present = ~np.isnan(values)
    total = np.einsum("psr,br->bps", np.where(present, values, 0.0), weights)
    count = np.einsum("psr,br->bps", present.astype(float), weights)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(count > 0, total / np.where(count > 0, count, 1.0), np.nan)


def criteria_arrays(
    outcomes: Outcomes,
    weights: np.ndarray,
    *,
    met_share: float = 0.5,
    hurwicz_alpha: float = 0.5,
    reference: np.ndarray | None = None,
) -> dict[str, np.ndarray]:
    """Every criterion for each weighting of the replications: name -> (B, P) array.

    ``weights`` (B, R) weights the replications (ones: the estimate; bootstrap counts: a
    resample). Regret is against the best package in each state, or against
    ``reference`` (S,), a fixed best value per state, when given (a search's yardstick).
    """
    value = _weighted_mean(outcomes.milestone, weights)
    final = _weighted_mean(outcomes.final, weights)
    met = _weighted_mean(outcomes.met, weights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices give NaN, as meant
        best = np.nanmax(value, axis=1, keepdims=True) if reference is None else reference
        regret = best - value
        met_in_state = np.where(np.isnan(met), np.nan, (met >= met_share - 1e-12).astype(float))
        worst, best_state = np.nanmin(value, axis=-1), np.nanmax(value, axis=-1)
        return {
            "satisficing": np.nanmean(met_in_state, axis=-1),
            "regret_p90": quantile(regret, 0.9),
            "minimax_regret": np.nanmax(regret, axis=-1),
            "maximin": worst,
            "hurwicz": hurwicz_alpha * best_state + (1 - hurwicz_alpha) * worst,
            "milestone_mean": np.nanmean(value, axis=-1),
            "milestone_p10": quantile(value, 0.1),
            "final_mean": np.nanmean(final, axis=-1),
            "final_p10": quantile(final, 0.1),
            "p_met": np.nanmean(met, axis=-1),
        }


def bootstrap_weights(replications: int, resamples: int, seed: int) -> np.ndarray:
    """Replication counts of ``resamples`` bootstrap draws (with replacement), (B, R)."""
    draws = np.random.default_rng(seed).integers(0, replications, size=(resamples, replications))
    counts: np.ndarray = (draws[..., None] == np.arange(replications)).sum(axis=1)
    return counts.astype(float)


# --- tables ---------------------------------------------------------------------------


def robustness_table(
    runs: pd.DataFrame,
    *,
    met_share: float = 0.5,
    hurwicz_alpha: float = 0.5,
    confidence: float = 0.95,
    resamples: int = 1000,
    seed: int = 0,
    rank_by: Sequence[str] = DEFAULT_RANK_BY,
    reference: np.ndarray | None = None,
) -> pd.DataFrame:
    """One row per package: every criterion with a percentile bootstrap interval, ranked.

    Columns: ``package, rank, states, replications`` then, for each criterion of
    :data:`CRITERIA`, its value and ``<name>_low``/``<name>_high``. With fewer than
    two replications (or ``resamples`` 0) the intervals are NaN.
    """
    outcomes = outcome_arrays(runs)

    def criteria(weights: np.ndarray) -> dict[str, np.ndarray]:
        return criteria_arrays(
            outcomes, weights, met_share=met_share, hurwicz_alpha=hurwicz_alpha, reference=reference
        )

    point = criteria(np.ones((1, len(outcomes.replications))))
    table = pd.DataFrame({"package": outcomes.packages})
    table["states"] = len(outcomes.states)
    table["replications"] = len(outcomes.replications)
    boot = None
    if resamples > 0 and len(outcomes.replications) > 1:
        weights = bootstrap_weights(len(outcomes.replications), resamples, seed)
        boot = criteria(weights)
    tail = (1 - confidence) / 2
    for criterion in CRITERIA:
        table[criterion.name] = point[criterion.name][0]
        if boot is None:
            low = high = np.full(len(table), np.nan)
        else:
            low, high = (
                quantile(boot[criterion.name].T, tail),
                quantile(boot[criterion.name].T, 1 - tail),
            )
        table[f"{criterion.name}_low"] = low
        table[f"{criterion.name}_high"] = high
    table.insert(1, "rank", ranks(table, rank_by))
    return table


def ranks(table: pd.DataFrame, rank_by: Sequence[str]) -> np.ndarray:
    """Ordinal ranks (1 = best) by ``rank_by`` criteria in turn; remaining ties by row order."""
    keys = []
    for name in reversed(rank_by):
        values = table[name].to_numpy(dtype=float)
        better_first = -values if CRITERIA_BY_NAME[name].higher_is_better else values
        keys.append(np.where(np.isnan(better_first), np.inf, better_first))
    order = np.lexsort([np.arange(len(table)), *keys]) if keys else np.arange(len(table))
    result = np.empty(len(table), dtype=int)
    result[order] = np.arange(1, len(table) + 1)
    return result


def state_table(
    runs: pd.DataFrame, *, met_share: float = 0.5, reference: np.ndarray | None = None
) -> pd.DataFrame:
    """One row per package and state: replication means, met or not, and regret.

    Columns: ``package, point, replications, milestone_metric, final_metric, p_met, met,
    regret``; regret as in :func:`criteria_arrays`.
    """
    outcomes = outcome_arrays(runs)
    ones = np.ones((1, len(outcomes.replications)))
    value = _weighted_mean(outcomes.milestone, ones)[0]
    final = _weighted_mean(outcomes.final, ones)[0]
    met = _weighted_mean(outcomes.met, ones)[0]
    count = (~np.isnan(outcomes.milestone)).sum(axis=-1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        best = np.nanmax(value, axis=0, keepdims=True) if reference is None else reference
    p, s = np.meshgrid(range(len(outcomes.packages)), range(len(outcomes.states)), indexing="ij")
    return pd.DataFrame(
        {
            "package": np.array(outcomes.packages, dtype=object)[p.ravel()],
            "point": np.array(outcomes.states)[s.ravel()],
            "replications": count.ravel(),
            KEY_OUTCOME: value.ravel(),
            HORIZON_OUTCOME: final.ravel(),
            "p_met": met.ravel(),
            "met": (met >= met_share - 1e-12).ravel() & ~np.isnan(met).ravel(),
            "regret": (best - value).ravel(),
        }
    )


def best_by_state(runs: pd.DataFrame) -> np.ndarray:
    """The best replication-mean key metric in each state over the packages in ``runs``."""
    outcomes = outcome_arrays(runs)
    value = _weighted_mean(outcomes.milestone, np.ones((1, len(outcomes.replications))))[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmax(value, axis=0)


def non_dominated(objectives: np.ndarray) -> np.ndarray:
    """Mask of the rows no other row dominates (every objective minimised)."""
    f = np.asarray(objectives, dtype=float)
    f = np.where(np.isnan(f), np.inf, f)
    no_worse = (f[:, None, :] <= f[None, :, :]).all(axis=-1)
    better = (f[:, None, :] < f[None, :, :]).any(axis=-1)
    dominates = no_worse & better  # [i, j]: row i dominates row j
    return ~dominates.any(axis=0)
