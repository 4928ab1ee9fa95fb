"""Outcomes, declared once: the name, label and unit drive columns, plots and docs."""

from __future__ import annotations

from dataclasses import dataclass

from mobilise.missions import ACTOR_TYPES


@dataclass(frozen=True)
class Outcome:
    """One recorded quantity; ``per_type`` outcomes get a column per actor type."""

    name: str
    label: str
    unit: str
    description: str
    per_type: bool = False

    def columns(self) -> list[str]:
        """The frame columns this outcome fills."""
        if self.per_type:
            return [f"{self.name}_{t}" for t in ACTOR_TYPES]
        return [self.name]


STEP_OUTCOMES: tuple[Outcome, ...] = (
    Outcome("progress", "Mission progress P", "share", "progress toward full delivery, in [0, 1]"),
    Outcome(
        "metric",
        "Key outcome metric",
        "mission unit",
        "baseline + P / P_target * (target - baseline)",
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
        "budget x government's engaged, de-siloed share",
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

STEP_COLUMNS: list[str] = ["step", "quarter"] + [c for o in STEP_OUTCOMES for c in o.columns()]

OUTCOMES_BY_NAME = {o.name: o for o in STEP_OUTCOMES}
