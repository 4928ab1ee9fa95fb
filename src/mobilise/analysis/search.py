"""Many-objective search over reform packages, for when there are too many to run them all.

Decision variables are the lever reforms' strengths in [0, 1]. A repair step snaps each
strength to the nearest allowed level (0 = off, or one of ``levers.strengths``) and keeps
at most ``max_reforms`` reforms (those with the largest unsnapped strengths), so every
candidate is a package the levers allow and equal packages are recognised and never run
twice. The first population is drawn sparse: a number of reforms from 0 to the budget,
then which, then their levels. NSGA-II (Deb et al. 2002) or NSGA-III (Deb and Jain 2014)
from pymoo (Blank and Deb 2020) evolve the population; the objectives are robustness
criteria and the package's size or cost, all turned into minimisation.

Regret needs a yardstick that does not move while the search runs, or a package's
objectives would change from one generation to the next: it is measured against the
best, in each state, of a fixed *reference set* evaluated first (government push alone,
each lever reform alone at its top strength, and the named packages). A package that
beats every reference package in a state has a negative regret there.

The search is deterministic given its seed and the evaluations; ``evaluate`` is called
once per generation with the packages not yet evaluated, so a caller that caches each
generation's runs on disk gets an interrupted search back, generation by generation, to
identical results. The convergence trace is the hypervolume (pymoo's indicator) of each
generation's non-dominated set, with objectives normalised by the range over every
package evaluated in the whole search and the reference point 1.1 in each.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from mobilise.analysis.robustness import (
    best_by_state,
    non_dominated,
    robustness_table,
)
from mobilise.schema.criteria import CRITERIA_BY_NAME
from mobilise.schema.levers import Levers, Robustness, package_name

if TYPE_CHECKING:
    from pymoo.core.algorithm import Algorithm
    from pymoo.core.repair import Repair
    from pymoo.core.sampling import Sampling

Evaluate = Callable[[dict[str, dict[str, float]], int], pd.DataFrame]
"""``evaluate(packages, generation)`` -> their runs (columns as in ``runs.csv``)."""


@dataclass
class SearchResult:
    """What a search evaluated and found."""

    runs: pd.DataFrame
    packages: dict[str, dict[str, float]]
    generation: dict[str, int]
    objectives: pd.DataFrame  # package, generation, objective values as searched, pareto
    convergence: pd.DataFrame  # generation, new_packages, evaluated, front, hypervolume
    reference: np.ndarray = field(repr=False)


def objective_table(
    runs: pd.DataFrame,
    levers: Levers,
    packages: dict[str, dict[str, float]],
    options: Robustness,
    reference: np.ndarray | None = None,
) -> pd.DataFrame:
    """Each package's objective values (natural direction): criteria, reforms and cost."""
    table = robustness_table(
        runs,
        met_share=options.met_share,
        hurwicz_alpha=options.hurwicz_alpha,
        resamples=0,
        rank_by=options.rank_by,
        reference=reference,
    ).set_index("package")
    names = list(packages)
    frame = pd.DataFrame({"package": names})
    frame["reforms"] = [sum(1 for s in packages[n].values() if s > 0) for n in names]
    frame["cost"] = [levers.cost(packages[n]) for n in names]
    for name in levers.objectives():
        if name in CRITERIA_BY_NAME:
            frame[name] = table.loc[names, name].to_numpy()
    return frame[["package", *levers.objectives()]]


def minimised(frame: pd.DataFrame, objectives: list[str]) -> np.ndarray:
    """The objective matrix with higher-is-better criteria negated (all minimised)."""
    columns = []
    for name in objectives:
        values = frame[name].to_numpy(dtype=float)
        better_high = name in CRITERIA_BY_NAME and CRITERIA_BY_NAME[name].higher_is_better
        columns.append(-values if better_high else values)
    return np.column_stack(columns)


def pareto_packages(frame: pd.DataFrame, objectives: list[str]) -> np.ndarray:
    """Mask of the packages in ``frame`` no other package dominates on ``objectives``."""
    return non_dominated(minimised(frame, objectives))


def snap(x: np.ndarray, levels: list[float], budget: int) -> np.ndarray:
    """Strengths snapped to {0} and ``levels``, at most ``budget`` non-zero per row.

    Over budget, the reforms with the largest unsnapped strengths stay (ties: catalogue
    order), so the repair follows what crossover and mutation proposed.
    """
    grid = np.array([0.0, *levels])
    x = np.clip(np.asarray(x, dtype=float), 0, 1)
    snapped: np.ndarray = grid[np.abs(x[..., None] - grid).argmin(axis=-1)]
    for row in range(len(snapped)):
        on = np.flatnonzero(snapped[row] > 0)
        if len(on) > budget:
            keep = on[np.argsort(-x[row, on], kind="stable")[:budget]]
            snapped[row, np.setdiff1d(on, keep)] = 0.0
    return snapped


def hypervolumes(fronts: list[np.ndarray], every: np.ndarray) -> list[float]:
    """Hypervolume of each front, normalised by the range of ``every`` evaluated point."""
    from pymoo.indicators.hv import HV

    ideal, nadir = every.min(axis=0), every.max(axis=0)
    span = np.where(nadir > ideal, nadir - ideal, 1.0)
    indicator = HV(ref_point=np.full(every.shape[1], 1.1))
    return [float(indicator((front - ideal) / span)) for front in fronts]


def evolve(levers: Levers, evaluate: Evaluate, options: Robustness) -> SearchResult:
    """Search packages with NSGA-II/III; ``evaluate`` runs each generation's new packages."""
    from pymoo.core.evaluator import Evaluator
    from pymoo.core.problem import Problem
    from pymoo.problems.static import StaticProblem

    reforms = levers.lever_reforms()
    spec = levers.search
    objectives = levers.objectives()
    packages = dict(levers.reference())
    generation_of = dict.fromkeys(packages, 0)
    runs = [evaluate(dict(packages), 0)]
    reference = best_by_state(runs[0])

    problem = Problem(n_var=len(reforms), n_obj=len(objectives), xl=0.0, xu=1.0)
    algorithm = _algorithm(levers, len(objectives))
    algorithm.setup(problem, termination=("n_gen", spec.generations), seed=spec.seed)
    trace: list[dict[str, float]] = []
    fronts: list[np.ndarray] = []
    generation = 0
    while algorithm.has_next():
        generation += 1
        population = algorithm.ask()
        proposed = [
            {r: float(s) for r, s in zip(reforms, row, strict=True) if s > 0}
            for row in population.get("X")
        ]
        names = [package_name(p) for p in proposed]
        new = {n: p for n, p in zip(names, proposed, strict=True) if n not in packages}
        if new:
            runs.append(evaluate(new, generation))
            packages.update(new)
            generation_of.update(dict.fromkeys(new, generation))
        everything = pd.concat(runs, ignore_index=True)
        table = objective_table(everything, levers, packages, options, reference).set_index(
            "package"
        )
        values = minimised(table.loc[names].reset_index(), objectives)
        Evaluator().eval(StaticProblem(problem, F=values), population)
        algorithm.tell(infills=population)
        fronts.append(algorithm.opt.get("F"))
        trace.append(
            {"generation": generation, "new_packages": len(new), "evaluated": len(packages)}
        )

    everything = pd.concat(runs, ignore_index=True)
    table = objective_table(everything, levers, packages, options, reference)
    table.insert(1, "generation", [generation_of[n] for n in table["package"]])
    table["pareto"] = pareto_packages(table, objectives)
    every = minimised(table, objectives)
    convergence = pd.DataFrame(trace)
    convergence["front"] = [len(front) for front in fronts]
    convergence["hypervolume"] = hypervolumes(fronts, every)
    return SearchResult(everything, packages, generation_of, table, convergence, reference)


def _algorithm(levers: Levers, objectives: int) -> Algorithm:
    """NSGA-II or NSGA-III with sparse sampling and the snapping repair."""
    from pymoo.operators.crossover.sbx import SBX
    from pymoo.operators.mutation.pm import PM

    spec = levers.search
    operators = {
        "sampling": _sparse_sampling(levers),
        "repair": _snapping_repair(levers),
        # wide steps (eta 3), as pymoo advises for variables that are rounded afterwards
        "crossover": SBX(prob=0.9, eta=3.0),
        "mutation": PM(prob=1.0, eta=3.0),
        "eliminate_duplicates": True,
    }
    if spec.algorithm == "nsga3":
        from pymoo.algorithms.moo.nsga3 import NSGA3
        from pymoo.util.ref_dirs import get_reference_directions

        partitions = _partitions(objectives, spec.population)
        directions = get_reference_directions("das-dennis", objectives, n_partitions=partitions)
        return NSGA3(ref_dirs=directions, pop_size=spec.population, **operators)
    from pymoo.algorithms.moo.nsga2 import NSGA2

    return NSGA2(pop_size=spec.population, **operators)


def _partitions(objectives: int, population: int) -> int:
    """The most Das-Dennis partitions whose reference directions fit in the population."""
    partitions = 1
    while math.comb(partitions + 1 + objectives - 1, objectives - 1) <= population:
        partitions += 1
    return partitions


def _snapping_repair(levers: Levers) -> Repair:
    from pymoo.core.repair import Repair

    levels, budget = list(levers.strengths), levers.budget()

    class SnapToLevers(Repair):  # type: ignore[misc]  # pymoo ships no type information
        """Snap strengths to the allowed levels and enforce the reform budget."""

        def _do(self, problem: Any, X: np.ndarray, **kwargs: Any) -> np.ndarray:  # noqa: N803
            return snap(X, levels, budget)

    return SnapToLevers()


def _sparse_sampling(levers: Levers) -> Sampling:
    from pymoo.core.sampling import Sampling

    levels, budget, n = list(levers.strengths), levers.budget(), len(levers.lever_reforms())

    class SparsePackages(Sampling):  # type: ignore[misc]  # pymoo ships no type information
        """Packages of 1..budget reforms at random levels (push alone is in the reference)."""

        def _do(
            self,
            problem: Any,
            n_samples: int,
            *args: Any,
            random_state: np.random.Generator | None = None,
            **kwargs: Any,
        ) -> np.ndarray:
            rng = random_state or np.random.default_rng(levers.search.seed)
            x = np.zeros((n_samples, n))
            for row in range(n_samples):
                size = int(rng.integers(1, budget + 1))
                chosen = rng.choice(n, size=size, replace=False)
                x[row, chosen] = rng.choice(levels, size=size)
            return x

    return SparsePackages()
