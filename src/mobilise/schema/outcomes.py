"""Outcomes, declared once: name, label and unit drive columns, plots, analyses and docs.

Step outcomes are recorded every quarter (the run's time series); run outcomes
summarise a whole run (one row of ``runs.csv``). An outcome ``per_type`` has a
column for each of the scenario's actor types.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mobilise.schema.actor_types import ACTOR_TYPES


@dataclass(frozen=True)
class Outcome:
    """One recorded quantity and what it is for."""

    name: str
    label: str
    unit: str
    description: str
    per_type: bool = False
    effect: bool = False  # reported as a paired effect of each reform (effects.csv)
    numeric: bool = True  # False for labels (a quarter)
    binary: bool = False  # True/False per run: its mean is a share

    def columns(self, types: Sequence[str] = ACTOR_TYPES) -> list[str]:
        """The frame columns this outcome fills."""
        if self.per_type:
            return [f"{self.name}_{t}" for t in types]
        return [self.name]


STEP_OUTCOMES: tuple[Outcome, ...] = (
    Outcome("progress", "Mission progress P", "share", "0 at the metric's floor, P_T at target"),
    Outcome(
        "metric",
        "Key outcome metric",
        "mission unit",
        "floor + P / P_target * (target - floor)",
    ),
    Outcome(
        "observed_metric", "Metric as government sees it", "mission unit", "lagged, noisy view"
    ),
    Outcome(
        "roadmap",
        "Roadmap",
        "mission unit",
        "where the metric must be: a straight path to the target by the key milestone's date",
    ),
    Outcome("aggregate", "CES aggregate X", "ratio", "combined contribution relative to need"),
    Outcome("signal", "Mission signal S", "index", "clarity x credibility x salience"),
    Outcome("credibility", "Government credibility", "share", "credibility of the mission owner"),
    Outcome(
        "spend",
        "Government spend",
        "GBP bn per quarter",
        "budget x government's engaged share",
    ),
    Outcome("portfolio_efficiency", "Portfolio efficiency", "index", "1 = average initiative"),
    Outcome("engaged", "Engaged share", "share", "mean engagement of the type", per_type=True),
    Outcome("contribution", "Contribution / need", "ratio", "Q_k / Q*_k", per_type=True),
    Outcome("trust", "Mean trust", "share", "mean trust of the type", per_type=True),
    Outcome(
        "reach",
        "Reach",
        "share",
        "share of the type that can engage at all, set by the constraints",
        per_type=True,
    ),
)
"""Recorded every step, in this order, after ``step`` and ``quarter``."""

RUN_OUTCOMES: tuple[Outcome, ...] = (
    Outcome(
        "final_metric", "Key metric at the horizon", "mission unit", "the last step", effect=True
    ),
    Outcome("final_progress", "Progress at the horizon", "share", "P at the last step"),
    Outcome(
        "milestone_metric",
        "Key metric when the milestone is due",
        "mission unit",
        "the metric in the key milestone's quarter (empty if beyond the horizon)",
        effect=True,
    ),
    Outcome(
        "milestone_met",
        "Key milestone met",
        "true/false",
        "whether the key milestone was met by its date",
        binary=True,
    ),
    Outcome(
        "milestone_quarter", "Quarter the milestone was met", "quarter", "first", numeric=False
    ),
    Outcome("milestone_step", "Step the milestone was met", "quarters", "first"),
    Outcome("peak_engaged", "Peak engaged share", "share", "over the run", per_type=True),
    Outcome("final_engaged", "Final engaged share", "share", "at the horizon", per_type=True),
    Outcome("reach", "Reach", "share", "the most of the type that could engage", per_type=True),
    Outcome("total_spend", "Government spend", "GBP bn", "over the run"),
)
"""One row of ``runs.csv`` per run, in this order, after its identifying columns."""

OUTCOMES_BY_NAME = {o.name: o for o in STEP_OUTCOMES}
RUN_OUTCOMES_BY_NAME = {o.name: o for o in RUN_OUTCOMES}

EFFECT_OUTCOMES: tuple[str, ...] = tuple(o.name for o in RUN_OUTCOMES if o.effect)
"""Run outcomes reported as each reform's paired effect: the horizon and the milestone."""

BINARY_OUTCOMES: tuple[str, ...] = tuple(o.name for o in RUN_OUTCOMES if o.binary)
"""Run outcomes that are true or false per run."""


def step_columns(types: Sequence[str] = ACTOR_TYPES) -> list[str]:
    """Columns of a run's time series for a scenario with actor ``types``."""
    return ["step", "quarter"] + [c for o in STEP_OUTCOMES for c in o.columns(types)]


def run_columns(types: Sequence[str] = ACTOR_TYPES, *, numeric: bool = False) -> list[str]:
    """Outcome columns of ``runs.csv`` (only the numeric ones with ``numeric``)."""
    chosen = [o for o in RUN_OUTCOMES if o.numeric or not numeric]
    return [c for o in chosen for c in o.columns(types)]


STEP_COLUMNS: list[str] = step_columns()
"""Time-series columns of a scenario with the six UK types."""
