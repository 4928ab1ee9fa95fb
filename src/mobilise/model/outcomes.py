"""Outcomes, each declared once with the function that computes it.

A step outcome is recorded every quarter (a run's time series): its function reads
the state of R runs (:class:`~mobilise.model.runs.Runs`) and gives a value per run,
or per run and actor type. A run outcome summarises a whole run (a row of
``runs.csv``): its function reads the run's recorded steps (:class:`RunSeries`).
The records, the summaries, the CSV columns, the labels of figures and the
reference in docs/model.md all follow from these declarations: a new metric is
one more entry below (as Mesa's model reporters, Starsim's results and EMA
Workbench's outcomes are declared with their function).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from mobilise.model.runs import Runs
from mobilise.schema.actor_types import ACTOR_TYPES
from mobilise.schema.missions import Mission
from mobilise.schema.reforms import REFORMS
from mobilise.schema.trends import STRUCTURAL
from mobilise.vocabulary import check_known, quarter_index, quarter_label

Array = npt.NDArray[np.float64]


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """One recorded quantity: its name, how it is shown, and what it means."""

    name: str
    label: str
    unit: str
    description: str
    per_type: bool = False  # a column for each of the scenario's actor types
    per_reform: bool = False  # a column for each reform of the catalogue
    per_structure: bool = False  # a column for each structural constraint, named as it

    def columns(self, types: Sequence[str] = ACTOR_TYPES) -> list[str]:
        """The columns this outcome fills."""
        if self.per_structure:
            return list(STRUCTURAL)
        if self.per_type:
            return [f"{self.name}_{t}" for t in types]
        if self.per_reform:
            return [f"{self.name}_{r}" for r in REFORMS]
        return [self.name]


@dataclass(frozen=True, kw_only=True)
class StepOutcome(Outcome):
    """Recorded every quarter: ``of(runs)`` is a value per run, (R,), or per type, (R, K)."""

    of: Callable[[Runs], Array] = field(repr=False)


@dataclass(frozen=True, kw_only=True)
class RunOutcome(Outcome):
    """One value per run, read off its recorded steps by ``of(run)`` (per type: a dict)."""

    of: Callable[[RunSeries], Any] = field(repr=False)
    effect: bool = False  # reported as a paired effect of each reform (effects.csv)
    numeric: bool = True  # False for labels (a quarter)
    binary: bool = False  # True/False per run: its mean is a share

    def cells(self, value: Any, types: Sequence[str]) -> dict[str, Any]:
        """The outcome's cells of a ``runs.csv`` row (a missing label is empty)."""
        if self.per_type:
            return {f"{self.name}_{t}": value[t] for t in types}
        if self.per_reform:  # missing (NaN, an empty cell) where the run has no such start
            return {f"{self.name}_{r}": value.get(r) or math.nan for r in REFORMS}
        return {self.name: "" if value is None and not self.numeric else value}


# --- step outcomes ------------------------------------------------------------------------


def _progress(runs: Runs) -> Array:
    return runs.progress


def _metric(runs: Runs) -> Array:
    return runs.metric(runs.progress)


def _observed_metric(runs: Runs) -> Array:
    return runs.metric(runs.owners.observed)


def _roadmap(runs: Runs) -> Array:
    return runs.metric(runs.roadmap(runs.step_count))


def _aggregate(runs: Runs) -> Array:
    return runs.aggregate


def _signal(runs: Runs) -> Array:
    return runs.owners.signal


def _credibility(runs: Runs) -> Array:
    return runs.owners.credibility


def _spend(runs: Runs) -> Array:
    spend: Array = runs.budget * runs.crowd.government_drive()
    return spend


def _portfolio_efficiency(runs: Runs) -> Array:
    return runs.owners.portfolio_efficiency


def _engaged(runs: Runs) -> Array:
    return runs.crowd.mean_engagement()


def _contribution(runs: Runs) -> Array:
    return runs.contribution


def _trust(runs: Runs) -> Array:
    return runs.crowd.type_means(runs.crowd.trust)


def _reach(runs: Runs) -> Array:
    return runs.crowd.reach


def _structures(runs: Runs) -> Array:
    return runs.structures.values


STEP_OUTCOMES: tuple[StepOutcome, ...] = (
    StepOutcome(name="progress", label="Mission progress P", unit="share",
                description="0 at the metric's floor, P_T at target", of=_progress),
    StepOutcome(name="metric", label="Key outcome metric", unit="mission unit",
                description="floor + P / P_target * (target - floor)", of=_metric),
    StepOutcome(name="observed_metric", label="Metric as government sees it",
                unit="mission unit", description="lagged, noisy view", of=_observed_metric),
    StepOutcome(name="roadmap", label="Roadmap", unit="mission unit",
                description="where the metric must be: a straight path to the target by the "
                "key milestone's date", of=_roadmap),
    StepOutcome(name="aggregate", label="CES aggregate X", unit="ratio",
                description="combined contribution relative to need", of=_aggregate),
    StepOutcome(name="signal", label="Mission signal S", unit="index",
                description="clarity x credibility x salience", of=_signal),
    StepOutcome(name="credibility", label="Government credibility", unit="share",
                description="credibility of the mission owner", of=_credibility),
    StepOutcome(name="spend", label="Government spend", unit="GBP bn per quarter",
                description="budget x government's engaged share", of=_spend),
    StepOutcome(name="portfolio_efficiency", label="Portfolio efficiency", unit="index",
                description="1 = average initiative", of=_portfolio_efficiency),
    StepOutcome(name="engaged", label="Engaged share", unit="share",
                description="mean engagement of the type", per_type=True, of=_engaged),
    StepOutcome(name="contribution", label="Contribution / need", unit="ratio",
                description="Q_k / Q*_k", per_type=True, of=_contribution),
    StepOutcome(name="trust", label="Mean trust", unit="share",
                description="mean trust of the type", per_type=True, of=_trust),
    StepOutcome(name="reach", label="Reach", unit="share",
                description="share of the type that can engage at all, set by the constraints",
                per_type=True, of=_reach),
    StepOutcome(name="structures", label="Structural constraint", unit="the constraint's",
                description="where the constraint stands: its trend and what mobilisation "
                "built (a column named as in the scenario's constraints)", per_structure=True,
                of=_structures),
)  # fmt: skip
"""Recorded every step, in this order, after ``step`` and ``quarter``."""


# --- run outcomes -------------------------------------------------------------------------


@dataclass(frozen=True)
class RunSeries:
    """One run's recorded steps, as run outcomes read them.

    ``rows`` holds the run's steps in ``columns`` order, ``steps`` their numbers and
    ``quarters`` the index (:func:`mobilise.vocabulary.quarter_index`) of the quarter
    each ends; ``types`` are the scenario's actor types.
    """

    rows: Array
    columns: Mapping[str, int]
    steps: npt.NDArray[np.int64]
    quarters: npt.NDArray[np.int64]
    mission: Mission
    types: tuple[str, ...]
    starts: Mapping[str, int | None] = field(default_factory=dict)  # reform -> step in force
    doses: Mapping[str, float] = field(default_factory=dict)  # reform -> strength-quarters

    def __getitem__(self, name: str) -> Array:
        """One column over the run's steps."""
        column: Array = self.rows[:, self.columns[name]]
        return column

    def by_type(self, name: str) -> Array:
        """A per-type outcome's columns over the run's steps, (steps, K)."""
        values: Array = self.rows[:, [self.columns[f"{name}_{t}"] for t in self.types]]
        return values

    @cached_property
    def milestones(self) -> list[dict[str, Any]]:
        """Each milestone: met by its date or not, the first quarter it was met, assessable."""
        return milestones_met(self["metric"], self.quarters, self.mission)

    @cached_property
    def key_milestone(self) -> dict[str, Any]:
        """The key milestone's status (:attr:`milestones`)."""
        quarter = self.mission.key_milestone.quarter
        return next(m for m in self.milestones if m["quarter"] == quarter)


def milestones_met(
    metric: Array, quarters: npt.NDArray[np.int64], mission: Mission
) -> list[dict[str, Any]]:
    """Each milestone's status from the metric at each step and the quarter each step ends."""
    status = []
    for milestone in mission.milestones:
        due = quarter_index(milestone.quarter)
        reached = np.flatnonzero((metric >= milestone.value) & (quarters <= due))
        status.append(
            {
                "quarter": milestone.quarter,
                "value": milestone.value,
                "label": milestone.label,
                "met": bool(len(reached)),
                "met_quarter": quarter_label(int(quarters[reached[0]])) if len(reached) else None,
                "assessable": bool(due <= quarters[-1]),
            }
        )
    return status


def _number(value: float) -> float | None:
    """JSON-friendly: NaN (a type with no agents) becomes None."""
    return None if np.isnan(value) else float(value)


def _per_type(run: RunSeries, values: Array) -> dict[str, float | None]:
    return {t: _number(v) for t, v in zip(run.types, values, strict=True)}


def _final_metric(run: RunSeries) -> float:
    return float(run["metric"][-1])


def _final_progress(run: RunSeries) -> float:
    return float(run["progress"][-1])


def _milestone_metric(run: RunSeries) -> float | None:
    due = np.flatnonzero(run.quarters == quarter_index(run.mission.key_milestone.quarter))
    return float(run["metric"][due[0]]) if len(due) else None


def _milestone_met(run: RunSeries) -> bool:
    met: bool = run.key_milestone["met"]
    return met


def _milestone_quarter(run: RunSeries) -> str | None:
    quarter: str | None = run.key_milestone["met_quarter"]
    return quarter


def _milestone_step(run: RunSeries) -> int | None:
    quarter = run.key_milestone["met_quarter"]
    if quarter is None:
        return None
    return int(run.steps[np.flatnonzero(run.quarters == quarter_index(quarter))[0]])


def _peak_engaged(run: RunSeries) -> dict[str, float | None]:
    engaged = run.by_type("engaged")
    empty = np.isnan(engaged).all(axis=0)
    with np.errstate(all="ignore"):
        peak = np.where(empty, np.nan, np.nanmax(np.where(empty, -np.inf, engaged), axis=0))
    return _per_type(run, peak)


def _final_engaged(run: RunSeries) -> dict[str, float | None]:
    return _per_type(run, run.by_type("engaged")[-1])


def _final_reach(run: RunSeries) -> dict[str, float | None]:
    return _per_type(run, run.by_type("reach")[-1])


def _total_spend(run: RunSeries) -> float:
    return float(np.sum(run["spend"][1:]))  # step 0 is before the mission


def _starts(run: RunSeries) -> dict[str, str | None]:
    before = int(run.quarters[0] - run.steps[0])  # the quarter before step 1
    return {
        reform: None if step is None else quarter_label(before + step)
        for reform, step in run.starts.items()
    }


RUN_OUTCOMES: tuple[RunOutcome, ...] = (
    RunOutcome(name="final_metric", label="Key metric at the horizon", unit="mission unit",
               description="the last step", effect=True, of=_final_metric),
    RunOutcome(name="final_progress", label="Progress at the horizon", unit="share",
               description="P at the last step", of=_final_progress),
    RunOutcome(name="milestone_metric", label="Key metric when the milestone is due",
               unit="mission unit", description="the metric in the key milestone's quarter "
               "(empty if beyond the horizon)", effect=True, of=_milestone_metric),
    RunOutcome(name="milestone_met", label="Key milestone met", unit="true/false",
               description="whether the key milestone was met by its date", binary=True,
               of=_milestone_met),
    RunOutcome(name="milestone_quarter", label="Quarter the milestone was met",
               unit="quarter", description="first", numeric=False, of=_milestone_quarter),
    RunOutcome(name="milestone_step", label="Step the milestone was met", unit="quarters",
               description="first", of=_milestone_step),
    RunOutcome(name="peak_engaged", label="Peak engaged share", unit="share",
               description="over the run", per_type=True, of=_peak_engaged),
    RunOutcome(name="final_engaged", label="Final engaged share", unit="share",
               description="at the horizon", per_type=True, of=_final_engaged),
    RunOutcome(name="reach", label="Reach", unit="share",
               description="the most of the type that could engage", per_type=True,
               of=_final_reach),
    RunOutcome(name="total_spend", label="Government spend", unit="GBP bn",
               description="over the run", of=_total_spend),
    RunOutcome(name="start", label="Quarter the reform came into force", unit="quarter",
               description="the first quarter of its schedule (a trigger: after it fired); "
               "empty if not in force by the horizon or not in the arm", numeric=False,
               per_reform=True, of=_starts),
)  # fmt: skip
"""One row of ``runs.csv`` per run, in this order, after its identifying columns."""

OUTCOMES_BY_NAME = {o.name: o for o in STEP_OUTCOMES}
RUN_OUTCOMES_BY_NAME = {o.name: o for o in RUN_OUTCOMES}

EFFECT_OUTCOMES: tuple[str, ...] = tuple(o.name for o in RUN_OUTCOMES if o.effect)
"""Run outcomes reported as each reform's paired effect: the horizon and the milestone."""

BINARY_OUTCOMES: tuple[str, ...] = tuple(o.name for o in RUN_OUTCOMES if o.binary)
"""Run outcomes that are true or false per run."""


def step_columns(
    types: Sequence[str] = ACTOR_TYPES, outcomes: Sequence[StepOutcome] = STEP_OUTCOMES
) -> list[str]:
    """Columns of a run's time series for a scenario with actor ``types``."""
    return ["step", "quarter"] + [c for o in outcomes for c in o.columns(types)]


def run_columns(types: Sequence[str] = ACTOR_TYPES, *, numeric: bool = False) -> list[str]:
    """Outcome columns of ``runs.csv`` (only the numeric ones with ``numeric``)."""
    chosen = [o for o in RUN_OUTCOMES if o.numeric or not numeric]
    return [c for o in chosen for c in o.columns(types)]


STEP_COLUMNS: list[str] = step_columns()
"""Time-series columns of a scenario with the six UK types."""


def summarise_series(run: RunSeries) -> dict[str, Any]:
    """A run's headline: its mission, every run outcome, and each milestone's status."""
    mission = run.mission
    summary: dict[str, Any] = {
        "mission": mission.name,
        "metric": mission.metric,
        "unit": mission.unit,
        "baseline": mission.baseline,
    }
    summary.update({o.name: o.of(run) for o in RUN_OUTCOMES})
    summary["milestones"] = run.milestones
    summary["doses"] = dict(run.doses)  # each reform's strength summed over the quarters
    return summary


def run_cells(summary: Mapping[str, Any], types: Sequence[str]) -> dict[str, Any]:
    """A run's outcome cells of ``runs.csv``, in :data:`RUN_OUTCOMES` order, from its summary.

    With several missions, every mission's cells, qualified (:func:`mission_column`).
    """
    if MISSIONS_KEY in summary:
        return {
            mission_column(column, name): value
            for name, own in summary[MISSIONS_KEY].items()
            for column, value in run_cells(own, types).items()
        }
    cells: dict[str, Any] = {}
    for outcome in RUN_OUTCOMES:
        cells.update(outcome.cells(summary[outcome.name], types))
    return cells


# --- several missions at once ---------------------------------------------------------------

MISSION_SEPARATOR = ":"
"""Between an outcome's column and the mission it belongs to: ``metric:nhs``."""

MISSIONS_KEY = "missions"
"""The key of a summary of several missions: mission -> that mission's summary."""


def mission_column(column: str, mission: str) -> str:
    """The column of ``column`` for ``mission`` in a run of several missions: ``metric:nhs``.

    Every output a run of one mission has, a run of several has once per mission, so
    time series, ``runs.csv`` and patterns name them all by this one rule.
    """
    return f"{column}{MISSION_SEPARATOR}{mission}"


def split_column(name: str) -> tuple[str, str | None]:
    """``metric:nhs`` -> (``metric``, ``nhs``); a column of one mission -> (it, None)."""
    column, separator, mission = name.partition(MISSION_SEPARATOR)
    return (column, mission) if separator else (name, None)


def summarise_missions(series: Mapping[str, RunSeries]) -> dict[str, Any]:
    """A run of several missions: each mission's headline, and the doses of its reforms.

    A reform's dose is its largest over the missions (one reform, however many it serves).
    """
    missions = {name: summarise_series(run) for name, run in series.items()}
    doses: dict[str, float] = {}
    for own in missions.values():
        for reform, dose in own["doses"].items():
            doses[reform] = max(doses.get(reform, 0.0), dose)
    return {MISSIONS_KEY: missions, "mission": "+".join(missions), "doses": doses}


def mission_frame(frame: pd.DataFrame, mission: str) -> pd.DataFrame:
    """One mission's part of a run's frame of several missions, its columns unqualified."""
    own = [c for c in frame.columns if split_column(c)[1] == mission]
    if not own:
        raise ValueError(f"the run has no mission '{mission}'")
    part = frame[["step", "quarter", *own]]
    return part.rename(columns=lambda c: split_column(c)[0])


def by_mission(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows of runs of several missions as one row per run and mission, columns unqualified.

    A batch's ``runs.csv`` or time series: a run of several missions (its ``mission`` is
    their names joined by '+') becomes one row per mission, labelled with the mission,
    holding that mission's columns under their plain names, beside every column no mission
    qualifies. Rows of single-mission runs are kept as they are; a frame with none of
    several missions is returned unchanged. Effects, figures and tables read it as they
    read runs of one mission each.
    """
    qualified = [c for c in frame.columns if split_column(c)[1] is not None]
    if not qualified:
        return frame
    plain = [c for c in frame.columns if split_column(c)[1] is None]
    bases = {split_column(c)[0] for c in qualified}
    shared = [c for c in plain if c not in bases]  # a single mission's outcomes left out
    several = frame["mission"].astype(str).str.contains("+", regex=False)
    parts = [frame.loc[~several, plain]] if (~several).any() else []
    names = list(dict.fromkeys(split_column(c)[1] for c in qualified))
    rows = frame.loc[several]
    for name in names:
        own = [c for c in qualified if split_column(c)[1] == name]
        part = rows[shared].copy()
        part["mission"] = name
        values = rows[own].rename(columns=lambda c: split_column(c)[0])
        parts.append(pd.concat([part, values], axis=1))
    return pd.concat(parts, ignore_index=True)


def check_output(name: str) -> str:
    """``name`` if it is an output a pattern can read; ValueError in one line if not.

    A step column (a per-type outcome may name any actor type, ``engaged_<type>``:
    whether the scenario has that type is checked when the pattern runs), or a
    true/false run outcome; either may name a mission, ``metric:nhs``.
    """
    column, mission = split_column(name)
    if mission is not None:
        return mission_column(check_output(column), mission)
    for outcome in STEP_OUTCOMES:
        if name == outcome.name and not (outcome.per_type or outcome.per_structure):
            return name
        prefix = f"{outcome.name}_"
        if outcome.per_type and name.startswith(prefix) and name[len(prefix) :].isidentifier():
            return name
    return check_known("output", name, [*STEP_COLUMNS[2:], *BINARY_OUTCOMES])


def reference(outcomes: Sequence[Outcome]) -> str:
    """A markdown table of ``outcomes``: column, meaning, unit (for the docs)."""
    lines = ["| column | label | meaning | unit |", "|---|---|---|---|"]
    for o in outcomes:
        column = f"`{o.name}_<type>`" if o.per_type else f"`{o.name}`"
        column = f"`{o.name}_<reform>`" if o.per_reform else column
        column = "`<constraint>` (" + ", ".join(STRUCTURAL) + ")" if o.per_structure else column
        lines.append(f"| {column} | {o.label} | {o.description} | {o.unit} |")
    return "\n".join(lines) + "\n"
