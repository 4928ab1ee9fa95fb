"""The robust study: which reform package holds up across the states of the world.

``run_robust`` takes a design whose experiment has ``levers`` and ``uncertainties``,
runs every package in every state through the batch runner (exhaustively, or
generation by generation of a search, each generation a batch of its own under
``search/gen-NNN/``), then writes, next to the runs:

- ``robustness.csv``: each package's criteria across states, with intervals, ranked
  (:mod:`mobilise.analysis.robustness`);
- ``package_states.csv``: each package's value, met or not, and regret in each state,
  with the state's uncertain values;
- ``failure_boxes.csv``: for the top packages (and push alone), the conditions under
  which each misses the milestone (PRIM on its missed states, :mod:`mobilise.analysis.discovery`);
- ``search.csv`` and ``convergence.csv`` for a search (the figures are the views':
  ``plots_robustness.write_figures``).

Everything after the runs is a pure function of the runs on disk, so a resumed study
ends with the same files as an uninterrupted one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mobilise.analysis.discovery import Box, box_condition, prim
from mobilise.analysis.robustness import robustness_table, state_table
from mobilise.analysis.search import SearchResult, evolve, objective_table, pareto_packages
from mobilise.running.batch import BatchResult, run_batch
from mobilise.running.design import Design, provenance
from mobilise.running.executors.base import Executor
from mobilise.running.export import now, write_json
from mobilise.schema.levers import BASELINE, Levers, Robustness
from mobilise.vocabulary import ScenarioError

SEARCH = "search"
"""The folder of a search's generations, under the study's output folder."""


@dataclass(frozen=True)
class Failure:
    """Where one package misses the milestone: its missed states and the PRIM box around them."""

    package: str
    rank: int
    states: int
    misses: int
    box: Box | None
    inside: int = 0  # states inside the box
    missed_inside: int = 0  # missed states inside the box

    def sentence(self) -> str:
        """One sentence a modeller can read out."""
        name = self.package.replace("_", " ")
        if self.misses == 0:
            return f"{name}: meets the milestone in all {self.states} states sampled"
        if self.misses == self.states:
            return f"{name}: misses the milestone in all {self.states} states sampled"
        head = f"{name}: misses the milestone in {self.misses} of {self.states} states"
        if self.box is None or not self.box.limits:
            return f"{head}; no simple condition separates them"
        where = " and ".join(box_condition(n, lo, hi) for n, (lo, hi) in self.box.limits.items())
        return (
            f"{head}, {self.missed_inside} of them where {where} "
            f"(a region of {self.inside} state{'s' if self.inside != 1 else ''})"
        )


@dataclass
class RobustResult:
    """What a robust study did and found."""

    out: Path
    method: str
    table: pd.DataFrame
    states: pd.DataFrame
    failures: list[Failure]
    search: SearchResult | None
    batches: list[BatchResult] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)

    @property
    def runs_total(self) -> int:
        """Runs the study needed."""
        return sum(b.total for b in self.batches)

    @property
    def runs_done(self) -> int:
        """Runs finished (now or before a resume)."""
        return sum(b.done for b in self.batches)

    @property
    def runs_failed(self) -> int:
        """Runs that raised (see each batch's failures.csv)."""
        return sum(b.failed for b in self.batches)

    @property
    def runs_resumed(self) -> int:
        """Runs found on disk from an earlier, interrupted study."""
        return sum(b.resumed for b in self.batches)


def check_robust(design: Design, source: str) -> tuple[Levers, Robustness]:
    """The levers and robustness options of a design, or one line saying what is missing."""
    experiment = design.experiment
    if experiment.levers is None:
        raise ScenarioError(f"{source}: levers: required for mobilise robust (the packages)")
    if experiment.uncertainties is None:
        raise ScenarioError(
            f"{source}: uncertainties: required for mobilise robust (the states of the world)"
        )
    return experiment.levers, experiment.robustness or Robustness()


def run_robust(
    design: Design,
    out: Path,
    executor: Executor,
    *,
    resume: bool = False,
    progress: bool = True,
    command: str = "",
) -> RobustResult:
    """Run every package in every state (or search), then judge, explain and draw."""
    source = str(design.path or design.experiment.name)
    levers, options = check_robust(design, source)
    started = now()
    method = levers.method()
    batches: list[BatchResult] = []
    search: SearchResult | None = None
    if method == "exhaustive":
        batches.append(_batch(design, out, executor, resume, progress, command))
        runs = pd.read_csv(out / "runs.csv")
        packages = dict(design.arms)
    else:
        if (out / SEARCH).exists() and not resume:
            raise ScenarioError(
                f"{out}: already holds a search; pass --resume to finish it or choose a new --out"
            )

        def evaluate(new: dict[str, dict[str, float]], generation: int) -> pd.DataFrame:
            folder = out / SEARCH / f"gen-{generation:03d}"
            generation_design = replace(design, arms=new)
            batch = _batch(generation_design, folder, executor, folder.exists(), progress, command)
            batches.append(batch)
            return pd.read_csv(folder / "runs.csv")

        search = evolve(levers, evaluate, options)
        runs, packages = search.runs, search.packages
    runs, points = world_states(runs, design)
    table = _package_table(runs, levers, packages, options, search)
    states = _states(runs, points, options)
    failures = explain_failures(states, points, table, options.top)
    result = RobustResult(out, method, table, states, failures, search, batches)
    result.files = _write(result)
    _write_manifest(result, design, started, command, executor)
    return result


def _batch(
    design: Design, out: Path, executor: Executor, resume: bool, progress: bool, command: str
) -> BatchResult:
    return run_batch(design, out, executor, resume=resume, progress=progress, command=command)


# --- tables ---------------------------------------------------------------------------


def _package_table(
    runs: pd.DataFrame,
    levers: Levers,
    packages: dict[str, dict[str, float]],
    options: Robustness,
    search: SearchResult | None,
) -> pd.DataFrame:
    """``robustness.csv``: criteria with intervals, plus what each package is and costs."""
    table = robustness_table(
        runs,
        met_share=options.met_share,
        hurwicz_alpha=options.hurwicz_alpha,
        confidence=options.confidence,
        resamples=options.resamples,
        seed=options.seed,
        rank_by=options.rank_by,
    )
    names = table["package"].tolist()
    texts = runs.groupby("arm", sort=False)["reforms"].first().fillna("")
    table.insert(2, "reforms", texts.reindex(names).fillna("").to_numpy())
    table.insert(3, "n_reforms", [sum(1 for s in packages[n].values() if s > 0) for n in names])
    position = 4
    if levers.costs:
        table.insert(position, "cost", [levers.cost(packages[n]) for n in names])
        position += 1
    if search is None:  # the exact front: regret against the best of every package
        objectives = objective_table(runs, levers, packages, options).set_index("package")
        pareto = pareto_packages(objectives.loc[names].reset_index(), levers.objectives())
    else:  # the front the search found, on its objectives (regret against its reference set)
        found = search.objectives.set_index("package")
        pareto = found.loc[names, "pareto"].to_numpy(dtype=bool)
        table.insert(position, "generation", found.loc[names, "generation"].to_numpy())
        position += 1
    table.insert(position, "pareto", pareto)
    return table.sort_values("rank", kind="stable", ignore_index=True)


def world_states(runs: pd.DataFrame, design: Design) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """States of the world: each sweep point crossed with each ensemble member.

    Without an ensemble they are the sweep points. With one, each (point, member) is a
    state (its replications share seeds across packages); its values are the point's
    and the member's inferred inputs, for scenario discovery to explain failures by.
    """
    if "member" not in runs or runs["member"].nunique() <= 1 or not design.ensembles:
        return runs, list(design.points)
    ensemble = next(iter(design.ensembles.values()))
    inferred = [c for c, col in ensemble.manifest.columns.items() if col.status == "inferred"]
    values = {m: v for m, v in zip(ensemble.members, ensemble.values, strict=True)}
    keys = sorted(runs[["point", "member"]].drop_duplicates().itertuples(index=False))
    index = {(int(p), int(m)): i for i, (p, m) in enumerate(keys)}
    states = runs.assign(
        member_point=runs["point"],
        point=[index[(int(p), int(m))] for p, m in zip(runs["point"], runs["member"], strict=True)],
    )
    points = [
        {
            **design.points[int(p)],
            "member": int(m),
            **{c: values[int(m)][c] for c in inferred if c in values[int(m)]},
        }
        for p, m in keys
    ]
    return states, points


def _states(runs: pd.DataFrame, points: list[dict[str, Any]], options: Robustness) -> pd.DataFrame:
    """``package_states.csv``: package x state values with the state's uncertain values."""
    states = state_table(runs, met_share=options.met_share)
    frame = pd.DataFrame(points)
    frame.insert(0, "point", range(len(frame)))
    return states.merge(frame, on="point", how="left", validate="many_to_one")


def explain_failures(
    states: pd.DataFrame, points: list[dict[str, Any]], table: pd.DataFrame, top: int
) -> list[Failure]:
    """For the ``top`` packages and push alone: PRIM boxes around the states each misses."""
    paths = [p for p in points[0] if p != "member"] if points else []
    chosen = [*table["package"].head(top)]
    if BASELINE in set(table["package"]) and BASELINE not in chosen:
        chosen.append(BASELINE)
    rank = dict(zip(table["package"], table["rank"], strict=True))
    failures = []
    for package in chosen:
        rows = states[states["package"] == package].sort_values("point", ignore_index=True)
        missed = ~rows["met"].to_numpy(dtype=bool)
        box, inside = None, np.zeros(len(rows), dtype=bool)
        if 0 < missed.sum() < len(missed) and paths:
            inputs = rows[paths].astype(float)
            box, _ = prim(inputs, missed, min_coverage=0.8)
            inside = _inside(inputs, box)
        failures.append(
            Failure(
                package,
                int(rank[package]),
                len(rows),
                int(missed.sum()),
                box,
                int(inside.sum()),
                int((inside & missed).sum()),
            )
        )
    return failures


def _inside(inputs: pd.DataFrame, box: Box) -> np.ndarray:
    inside = np.ones(len(inputs), dtype=bool)
    for name, (low, high) in box.limits.items():
        column = inputs[name].to_numpy(dtype=float)
        inside &= (column >= low) & (column <= high)
    return inside


def failure_frame(failures: list[Failure]) -> pd.DataFrame:
    """``failure_boxes.csv``: one row per package and restricted input of its box."""
    rows = []
    for f in failures:
        base = {
            "package": f.package,
            "rank": f.rank,
            "states": f.states,
            "misses": f.misses,
            "states_in_box": f.inside if f.box else np.nan,
            "misses_in_box": f.missed_inside if f.box else np.nan,
            "coverage": f.box.coverage if f.box else np.nan,
            "density": f.box.density if f.box else np.nan,
            "description": f.sentence(),
        }
        limits = f.box.limits if f.box and f.box.limits else {"": (np.nan, np.nan)}
        for name, (low, high) in limits.items():
            rows.append({**base, "input": name, "low": low, "high": high})
    return pd.DataFrame(rows)


# --- writing --------------------------------------------------------------------------


def _write(result: RobustResult) -> list[Path]:
    """The study's tables; its figures are the views' (``plots_robustness.write_figures``)."""
    out = result.out
    written = []
    frames = {
        "robustness.csv": result.table,
        "package_states.csv": result.states,
        "failure_boxes.csv": failure_frame(result.failures),
    }
    if result.search is not None:
        frames["search.csv"] = result.search.objectives
        frames["convergence.csv"] = result.search.convergence
    for name, frame in frames.items():
        frame.to_csv(out / name, index=False, float_format="%.10g")
        written.append(out / name)
    return written


def _write_manifest(
    result: RobustResult, design: Design, started: str, command: str, executor: Executor
) -> None:
    """Add the study to the batch's manifest (exhaustive) or write the search's own."""
    path = result.out / "manifest.json"
    manifest = json.loads(path.read_text()) if path.exists() else {}
    experiment = design.experiment
    if result.search is not None:
        manifest = {
            **provenance(design, command),
            "replications": experiment.replications,
            "states": design.points,
            "executor": executor.description,
            "generations": [
                f"{SEARCH}/gen-{g:03d}" for g in sorted(set(result.search.generation.values()))
            ],
            "started": started,
            "finished": now(),
        }
    manifest["robust"] = {
        "method": result.method,
        "levers": experiment.levers.model_dump(mode="json") if experiment.levers else None,
        "uncertainties": (
            experiment.uncertainties.model_dump(mode="json") if experiment.uncertainties else None
        ),
        "robustness": (experiment.robustness or Robustness()).model_dump(mode="json"),
        "pymoo": _version("pymoo") if result.search is not None else None,
        "packages": len(result.table),
        "runs_total": result.runs_total,
        "runs_done": result.runs_done,
        "runs_failed": result.runs_failed,
        "runs_resumed": result.runs_resumed,
        "files": sorted(str(p.relative_to(result.out)) for p in result.files),
        "finished": now(),
    }
    write_json(path, manifest)


def _version(package: str) -> str | None:
    from importlib import metadata

    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None
