"""A comparison in words: the headline the room reads, and the row the log keeps.

Every number comes from the runs of the comparison (:class:`mobilise.views.workshop.Comparison`):
k of n runs that met the key milestone in each arm, the paired effect with its t
interval, and a caution when the runs are too few to tell the arms apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np

from mobilise.schema.levers import BASELINE
from mobilise.schema.missions import Mission
from mobilise.schema.reforms import REFORMS
from mobilise.views.figure_style import BASELINE_LABEL, arm_label, metric_scale
from mobilise.views.workshop import WITH_REFORMS, Comparison, Settings, milestone_name

MIN_RUNS_PER_ARM = 10
"""Below this many runs per arm the headline warns that chance can decide a difference."""


# --- the headline in words ------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """The result in words: the milestone, k of n runs per arm, the effect, and a caution."""

    milestone: str
    runs: int
    met: dict[str, int]
    effect: str
    caution: str

    def sentence(self) -> str:
        """The key milestone and how many runs met it in each arm."""
        counts = [f"{self.met[a]} of {self.runs} runs {_with(a)}" for a in self.met]
        return f"{self.milestone}: met in " + ", ".join(counts) + "."


def _with(arm: str) -> str:
    return f"with {BASELINE_LABEL}" if arm == BASELINE else arm_label(arm)


def headline(comparison: Comparison, mission: Mission) -> Headline:
    """The headline of a comparison of ``mission``: every number from the runs on screen."""
    key = mission.key_milestone
    n = comparison.runs_per_arm()
    met = {arm: comparison.met_runs(arm) for arm in comparison.arms}
    effect, caution = "", ""
    if comparison.reforms:
        row = comparison.headline_effect
        scale = metric_scale(mission)
        factor = scale.factor
        metric = mission.metric
        diff = row["mean_diff"] * factor
        low, high = row["t_low"] * factor, row["t_high"] * factor
        interval = (
            f" (95% interval {_signed(low)} to {_signed(high)})"
            if np.isfinite(low)
            else " (no interval from one run)"
        )
        effect = (
            f"Effect of the reforms on the {metric} in {key.quarter}: "
            f"{_signed(diff)} {scale.diff_unit}{interval}, paired by seed."
        )
        caution = _caution(n, row["diff_met_low"], row["diff_met_high"])
    elif n < MIN_RUNS_PER_ARM:
        caution = (
            f"With {n} run{'s' if n != 1 else ''}, each run moves the share meeting the "
            f"milestone by {100 / n:.0f} points: read it as a rough guide."
        )
    return Headline(
        milestone=f"Milestone {milestone_name(key)}, due {key.quarter}",
        runs=n,
        met=met,
        effect=effect,
        caution=caution,
    )


def _caution(n: int, low: float, high: float) -> str:
    """Why chance alone could give this difference, or '' when the runs can tell."""
    reasons = []
    if n < MIN_RUNS_PER_ARM:
        runs = f"{n} run{'s' if n != 1 else ''}"
        reasons.append(f"with {runs} per arm each run moves a share by {100 / n:.0f} points")
    if not np.isfinite(low):
        reasons.append("one pair of runs gives no interval for the difference")
    elif low <= 0 <= high:
        reasons.append(
            f"the 95% interval of the difference in runs meeting the milestone "
            f"({_signed(low * 100, 0)} to {_signed(high * 100, 0)} points) includes zero"
        )
    if not reasons:
        return ""
    return (
        "Too few runs to tell the arms apart: "
        + " and ".join(reasons)
        + f". Add replications (at least {MIN_RUNS_PER_ARM} per arm)."
    )


def _signed(value: float, decimals: int = 1) -> str:
    """'+3.1', '-0.4', and '0.0' (never '-0.0') for a difference."""
    rounded = round(value, decimals)
    return f"{0:.{decimals}f}" if rounded == 0 else f"{rounded:+.{decimals}f}"


# --- the workshop log -----------------------------------------------------------------


def log_entry(
    settings: Settings,
    comparison: Comparison,
    mission: Mission,
    *,
    group: str = "",
    guess: dict[str, float] | None = None,
) -> dict[str, Any]:
    """One row of the workshop log: when, who, the settings, the headline numbers, a guess."""
    line = headline(comparison, mission)
    entry: dict[str, Any] = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "group": group,
        "scenario": settings.preset,
        "mission": settings.mission,
        "replications": settings.replications,
        "seed": settings.seed,
        **{f"constraint_{k}": v for k, v in settings.constraints.items()},
        **{f"strength_{r}": settings.reforms.get(r, 0.0) for r in REFORMS},
        "key_milestone": mission.key_milestone.quarter,
        "runs_per_arm": line.runs,
        "met_runs_baseline": line.met[BASELINE],
        "met_runs_with_reforms": line.met.get(WITH_REFORMS),
    }
    for arm in comparison.arms:
        frame = comparison.runs[comparison.runs["arm"] == arm]
        entry[f"mean_milestone_metric_{arm.replace(' ', '_')}"] = float(
            frame["milestone_metric"].mean()
        )
    if comparison.reforms:
        row = comparison.headline_effect
        entry.update(
            effect=row["mean_diff"],
            effect_low=row["t_low"],
            effect_high=row["t_high"],
            diff_met=row["diff_met"],
            diff_met_low=row["diff_met_low"],
            diff_met_high=row["diff_met_high"],
        )
    for arm, value in (guess or {}).items():
        entry[f"guess_met_runs_{arm.replace(' ', '_')}"] = value
    return entry
