"""Scenario discovery: the conditions under which the milestone is met.

PRIM (Friedman and Fisher 1999) peels a box around the runs of interest: at each
step it cuts the ``alpha`` share of runs off one side of one input that most
raises the share of successes inside (density), tracing a trajectory from high
coverage (most successes inside) to high density; pasting then widens the chosen
box where that helps. A shallow scikit-learn decision tree is the alternative.
No well-kept PRIM library has light dependencies (EMA Workbench pulls in a
whole framework), so PRIM is written here; the tree is scikit-learn's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mobilise.schema.reforms import REFORMS


@dataclass(frozen=True)
class Box:
    """Limits on some inputs, with how well they pick out the successes."""

    limits: dict[str, tuple[float, float]]
    coverage: float  # share of all successes that fall inside
    density: float  # share of runs inside that are successes
    mass: float  # share of all runs inside

    def describe(self, outcome: str = "milestone met") -> str:
        """The box in words, e.g. 'union density >= 0.35 and mission councils on: ...'."""
        parts = [box_condition(name, low, high) for name, (low, high) in self.limits.items()]
        where = " and ".join(parts) if parts else "any conditions"
        return (
            f"{where}: {outcome} in {self.density:.0%} of runs, "
            f"covering {self.coverage:.0%} of successes"
        )


def box_condition(name: str, low: float, high: float) -> str:
    """A box limit in words: ``strength of X ≥ 0.4``, ``union density in [0.1, 0.3]``."""
    label = name.removeprefix("strength_").removeprefix("constraints.").replace("_", " ")
    if name.startswith("strength_") and low > 0:
        return f"{label} on" if high >= 1 else f"{label} in [{low:g}, {high:g}]"
    if name.startswith("strength_") and high < 0.5:  # below any strength a reform is used at
        return f"{label} off"
    if np.isinf(low):
        return f"{label} <= {high:.3g}"
    if np.isinf(high):
        return f"{label} >= {low:.3g}"
    return f"{low:.3g} <= {label} <= {high:.3g}"


def _stats(inside: np.ndarray, y: np.ndarray) -> tuple[float, float, float]:
    total = y.sum()
    hits = y[inside].sum()
    coverage = hits / total if total else 0.0
    density = hits / inside.sum() if inside.any() else 0.0
    return float(coverage), float(density), float(inside.mean())


def peel(
    inputs: pd.DataFrame, y: np.ndarray, *, alpha: float = 0.05, min_mass: float = 0.05
) -> list[Box]:
    """The PRIM peeling trajectory, from the whole space to the densest small box."""
    x = inputs.to_numpy(dtype=float)
    y = np.asarray(y, dtype=bool)
    names = list(inputs.columns)
    inside = np.ones(len(y), dtype=bool)
    limits = {n: (-np.inf, np.inf) for n in names}
    trajectory = [Box({}, *_stats(inside, y))]
    while inside.mean() > min_mass:
        best: tuple[float, float, int, str, np.ndarray, float] | None = None
        for j in range(len(names)):
            values = x[inside, j]
            for side in ("low", "high"):
                keep = _cut(x[:, j], values, inside, side, alpha)
                if keep is None:
                    continue
                score = (y[keep].mean(), keep.sum())
                if best is None or score > (best[0], best[1]):
                    bound = x[keep, j].min() if side == "low" else x[keep, j].max()
                    best = (score[0], score[1], j, side, keep, bound)
        if best is None or best[0] <= y[inside].mean():
            break
        _, _, j, side, inside, bound = best
        low, high = limits[names[j]]
        limits[names[j]] = (bound, high) if side == "low" else (low, bound)
        trajectory.append(Box(_restricted(limits), *_stats(inside, y)))
    return trajectory


def _cut(
    column: np.ndarray, values: np.ndarray, inside: np.ndarray, side: str, alpha: float
) -> np.ndarray | None:
    """Runs kept after peeling ``alpha`` off one side; None if nothing or all would go."""
    if side == "low":
        threshold = np.quantile(values, alpha)
        keep = inside & (column > threshold)
        if keep.sum() == inside.sum():
            keep = inside & (column > values.min())
    else:
        threshold = np.quantile(values, 1 - alpha)
        keep = inside & (column < threshold)
        if keep.sum() == inside.sum():
            keep = inside & (column < values.max())
    if not keep.any() or keep.sum() == inside.sum():
        return None
    return np.asarray(keep, dtype=bool)


def _restricted(limits: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
    return {n: b for n, b in limits.items() if np.isfinite(b[0]) or np.isfinite(b[1])}


def paste(box: Box, inputs: pd.DataFrame, y: np.ndarray, alpha: float = 0.05) -> Box:
    """Widen each limit of ``box`` while that raises its density (PRIM's pasting)."""
    y = np.asarray(y, dtype=bool)
    limits = dict(box.limits)
    improved = True
    while improved:
        improved = False
        current = _inside(inputs, limits)
        density = y[current].mean()
        for name, (low, high) in list(limits.items()):
            column = inputs[name].to_numpy(dtype=float)
            outside = column[~current]
            for side in ("low", "high"):
                candidates = outside[outside < low] if side == "low" else outside[outside > high]
                if not len(candidates):
                    continue
                step = max(1, int(alpha * current.sum()))
                ordered = np.sort(candidates)
                bound = ordered[-step] if side == "low" else ordered[step - 1]
                trial = dict(limits)
                trial[name] = (bound, high) if side == "low" else (low, bound)
                trial_inside = _inside(inputs, trial)
                if y[trial_inside].mean() > density:
                    limits, improved = trial, True
                    break
            if improved:
                break
    return Box(limits, *_stats(_inside(inputs, limits), y))


def _inside(inputs: pd.DataFrame, limits: dict[str, tuple[float, float]]) -> np.ndarray:
    inside = np.ones(len(inputs), dtype=bool)
    for name, (low, high) in limits.items():
        column = inputs[name].to_numpy(dtype=float)
        inside &= (column >= low) & (column <= high)
    return inside


DENSITY_TOLERANCE = 0.02
"""Boxes this close to the densest count as equally dense when choosing."""


def prim(
    inputs: pd.DataFrame,
    y: np.ndarray,
    *,
    min_coverage: float = 0.8,
    alpha: float = 0.05,
    min_mass: float = 0.05,
) -> tuple[Box, list[Box]]:
    """The densest box on the trajectory with coverage >= ``min_coverage``, pasted."""
    trajectory = peel(inputs, y, alpha=alpha, min_mass=min_mass)
    eligible = [b for b in trajectory if b.coverage >= min_coverage] or trajectory[:1]
    densest = max(b.density for b in eligible)
    # within a hair of the best density, prefer the simpler box that covers more:
    # the last peels often buy a point of density with a spurious restriction
    near = [b for b in eligible if b.density >= densest - DENSITY_TOLERANCE]
    chosen = max(near, key=lambda b: (b.coverage, -len(b.limits)))
    return paste(chosen, inputs, y, alpha), trajectory


def tree_boxes(
    inputs: pd.DataFrame, y: np.ndarray, *, depth: int = 3, min_leaf: float = 0.05
) -> list[Box]:
    """Leaves of a shallow decision tree as boxes, densest first."""
    from sklearn.tree import DecisionTreeClassifier

    y = np.asarray(y, dtype=bool)
    model = DecisionTreeClassifier(
        max_depth=depth, min_samples_leaf=max(1, int(min_leaf * len(y))), random_state=0
    ).fit(inputs.to_numpy(dtype=float), y)
    tree = model.tree_
    boxes: list[Box] = []

    def walk(node: int, limits: dict[str, tuple[float, float]]) -> None:
        if tree.children_left[node] == -1:
            boxes.append(Box(dict(limits), *_stats(_inside(inputs, limits), y)))
            return
        name, cut = inputs.columns[tree.feature[node]], tree.threshold[node]
        low, high = limits.get(name, (-np.inf, np.inf))
        walk(tree.children_left[node], {**limits, name: (low, min(high, cut))})
        walk(
            tree.children_right[node], {**limits, name: (max(low, np.nextafter(cut, np.inf)), high)}
        )

    walk(0, {})
    return sorted(boxes, key=lambda b: (-b.density, -b.coverage))


def discovery_inputs(runs: pd.DataFrame, manifest: dict[str, Any] | None = None) -> pd.DataFrame:
    """The inputs that vary across runs: swept scenario fields and reform strengths."""
    sweep = set()
    for point in (manifest or {}).get("sweep_points", []) or []:
        sweep |= set(point)
    columns = [c for c in runs.columns if c in sweep and runs[c].nunique() > 1]
    inputs = runs[columns].astype(float)
    # reforms switched on together (a bundle) are one input, not eleven copies of it
    groups: dict[tuple[float, ...], list[str]] = {}
    for reform in REFORMS:
        column = f"strength_{reform}"
        if column in runs and runs[column].nunique() > 1:
            groups.setdefault(tuple(runs[column].round(12)), []).append(reform)
    for reforms in groups.values():
        name = "+".join(reforms) if len(reforms) <= 3 else f"{len(reforms)} reforms together"
        inputs[f"strength_{name}"] = runs[f"strength_{reforms[0]}"].astype(float)
    if inputs.empty or not len(inputs.columns):
        raise ValueError("no input varies across these runs: nothing to discover")
    return inputs


def boxes_frame(boxes: list[Box], chosen: Box) -> pd.DataFrame:
    """One row per box and restricted input: the CSV researchers get."""
    rows = []
    for number, box in enumerate(boxes):
        base = {
            "box": number,
            "chosen": box == chosen,
            "coverage": box.coverage,
            "density": box.density,
            "mass": box.mass,
            "description": box.describe(),
        }
        for name, (low, high) in box.limits.items() or {"": (np.nan, np.nan)}.items():
            rows.append({**base, "input": name, "low": low, "high": high})
    return pd.DataFrame(rows)
