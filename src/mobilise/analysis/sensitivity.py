"""Global sensitivity analysis: which uncertain assumptions move the outcomes.

Samples come from SALib (Morris elementary effects; Saltelli's scheme for Sobol
indices). Each sample is a sweep point of the experiment, so the runs go through
the same executors, resume and manifest as any batch. Indices are computed per
arm, and for each reform arm also on its paired effect against the baseline:
does the reforms' effect survive the uncertainty?
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from mobilise.running.design import Design, check_sweep_points
from mobilise.schema.experiment import Sensitivity
from mobilise.schema.levers import BASELINE
from mobilise.schema.ranges import integer_fields, place

INDEX_COLUMNS = ["arm", "outcome", "parameter", "index", "value", "ci"]


def problem(spec: Sensitivity) -> dict[str, Any]:
    """The SALib problem: names and bounds of the uncertain parameters."""
    return {
        "num_vars": len(spec.parameters),
        "names": list(spec.parameters),
        "bounds": [list(span.bounds) for span in spec.parameters.values()],
    }


def sample(spec: Sensitivity) -> np.ndarray:
    """The sample matrix, one row per point, deterministic for the spec's seed."""
    if spec.method == "morris":
        from SALib.sample import morris

        points = morris.sample(
            problem(spec), N=spec.samples, num_levels=spec.levels, seed=spec.seed
        )
        return np.asarray(points, dtype=float)
    from SALib.sample import sobol

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SALib warns when N is not a power of two
        points = sobol.sample(
            problem(spec), N=spec.samples, calc_second_order=False, seed=spec.seed
        )
    return np.asarray(points, dtype=float)


def with_samples(design: Design, spec: Sensitivity, source: str = "sensitivity") -> Design:
    """The design with one sweep point per sample row (integer fields rounded)."""
    matrix = sample(spec)
    base = next(iter(design.scenarios.values()))
    integer = integer_fields(base, spec.parameters, f"{source}: sensitivity.parameters")
    design.with_points(place(spec.parameters, matrix, integer), matrix)
    check_sweep_points(design, source)
    return design


def point_means(runs: pd.DataFrame, arm: str, outcome: str, points: int) -> np.ndarray:
    """Mean of ``outcome`` per sample point for ``arm``, over replications and missions.

    And over scenarios: a run's ``point`` counts on across them (:mod:`mobilise.running.design`).
    """
    rows = runs[runs["arm"] == arm]
    sample = rows["point"] % points
    values = rows.groupby(sample)[outcome].apply(lambda s: s.astype(float).mean())
    return values.reindex(range(points)).to_numpy(dtype=float)


def indices(runs: pd.DataFrame, design: Design, spec: Sensitivity) -> pd.DataFrame:
    """Morris mu*, sigma or Sobol S1, ST with confidence intervals, per arm and outcome."""
    matrix = design.matrix
    if matrix is None:
        raise ValueError("indices: the design has no sample matrix (not a sensitivity design)")
    points = len(matrix)
    rows: list[dict[str, Any]] = []
    arms = list(design.arms)
    for outcome in spec.outcomes:
        series = {arm: point_means(runs, arm, outcome, points) for arm in arms}
        for arm in arms:
            if arm != BASELINE:
                series[f"effect of {arm}"] = series[arm] - series[BASELINE]
        for name, y in series.items():
            if np.isnan(y).all():
                continue
            y = np.where(np.isnan(y), np.nanmean(y), y)  # a failed run: fill, do not drop
            rows += _analyse(spec, matrix, y, name, outcome)
    return pd.DataFrame(rows, columns=INDEX_COLUMNS)


def _analyse(
    spec: Sensitivity, matrix: np.ndarray, y: np.ndarray, arm: str, outcome: str
) -> list[dict[str, Any]]:
    names = list(spec.parameters)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if spec.method == "morris":
            from SALib.analyze import morris

            result = morris.analyze(
                problem(spec), matrix, y, num_levels=spec.levels, seed=spec.seed
            )
            pairs = [("mu_star", "mu_star_conf"), ("sigma", None), ("mu", None)]
        else:
            from SALib.analyze import sobol

            result = sobol.analyze(problem(spec), y, calc_second_order=False, seed=spec.seed)
            pairs = [("S1", "S1_conf"), ("ST", "ST_conf")]
    for i, name in enumerate(names):
        for index, conf in pairs:
            out.append(
                {
                    "arm": arm,
                    "outcome": outcome,
                    "parameter": name,
                    "index": index,
                    "value": float(result[index][i]),
                    "ci": float(result[conf][i]) if conf else float("nan"),
                }
            )
    return out
