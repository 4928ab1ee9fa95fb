"""Calibration to emergent facts: fit free behavioural parameters, check the fit.

Some facts are outputs, not inputs: with no mission signal, the share of the
volunteer pool engaged should match formal monthly volunteering. A scenario's
``calibration`` section lists such targets and the parameters free to fit; the
fit minimises the squared misses in units of each target's tolerance, averaged
over replications with fixed seeds (common random numbers make the objective
deterministic), with SciPy's bounded optimisers.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import optimize

from mobilise.analysis import patterns
from mobilise.analysis.patterns import PatternResult
from mobilise.running.export import now
from mobilise.schema.scenario import Calibration, Scenario


def _spec(scenario: Scenario) -> Calibration:
    if scenario.calibration is None:
        raise ValueError(f"scenario '{scenario.name}' has no calibration section")
    return scenario.calibration


def check(scenario: Scenario) -> list[PatternResult]:
    """Each target as a pattern: the model's mean and 5-95% band across replications."""
    spec = _spec(scenario)
    return patterns.check(
        scenario,
        replications=spec.replications,
        seed=spec.seed,
        patterns=[target.as_pattern() for target in spec.targets],
    )


def misfit(checks: list[PatternResult]) -> float:
    """Sum of squared misses, each in units of its target's tolerance."""
    return float(sum(c.pattern.misses_by(c.value) ** 2 for c in checks))


def objective(scenario: Scenario) -> float:
    """The misfit of the scenario as it stands: what the fit minimises."""
    return misfit(check(scenario))


def with_values(scenario: Scenario, values: dict[str, float]) -> Scenario:
    """The scenario with the free parameters set (integers rounded where the field is one)."""
    for path, value in values.items():
        scenario = scenario.updated(path, float(value))
    return scenario


def fit(scenario: Scenario) -> tuple[Scenario, dict[str, Any]]:
    """Fit the free parameters; return the calibrated scenario with the fit recorded in it."""
    spec = _spec(scenario)
    if not spec.parameters:
        raise ValueError(f"scenario '{scenario.name}': calibration lists no parameters to fit")
    names = list(spec.parameters)
    bounds = [spec.parameters[n].bounds for n in names]

    def loss(x: np.ndarray) -> float:
        return objective(with_values(scenario, dict(zip(names, x, strict=True))))

    if len(names) == 1:
        result = optimize.minimize_scalar(
            lambda v: loss(np.array([v])), bounds=bounds[0], method="bounded",
            options={"xatol": 1e-3 * (bounds[0][1] - bounds[0][0])},
        )  # fmt: skip
        best = np.array([result.x])
        evaluations = int(result.nfev)
    else:
        start = np.array([(low + high) / 2 for low, high in bounds])
        simplex = optimize.minimize(loss, start, method="Nelder-Mead", bounds=bounds)
        best = np.asarray(simplex.x, dtype=float)
        evaluations = int(simplex.nfev)
    values = {n: float(v) for n, v in zip(names, best, strict=True)}
    calibrated = with_values(scenario, values)
    checks = check(calibrated)
    record = {
        "method": "scipy.optimize.minimize_scalar (bounded)"
        if len(names) == 1
        else "scipy.optimize.minimize (Nelder-Mead, bounded)",
        "values": values,
        "objective": misfit(checks),
        "evaluations": evaluations,
        "replications": spec.replications,
        "targets": {c.pattern.name: {"model": c.value, "data": c.pattern.near} for c in checks},
        "date": now(),
    }
    new_spec = spec.model_copy(update={"fitted": record})
    return calibrated.model_copy(update={"calibration": new_spec}), record
