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

GUESS_PREFIX = "guess_met_runs_"
"""Log columns of a group's guess, one per arm: ``guess_met_runs_with_reforms``."""

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
        caution = _caution(n, met, row["diff_met_low"], row["diff_met_high"])
    elif n < MIN_RUNS_PER_ARM:
        caution = (
            f"With only {n} run{'s' if n != 1 else ''}, one run more or less moves the share "
            f"meeting the milestone by {100 / n:.0f} points: read it as a rough guide."
        )
    return Headline(
        milestone=f"Milestone {milestone_name(key)}, due {key.quarter}",
        runs=n,
        met=met,
        effect=effect,
        caution=caution,
    )


def _caution(n: int, met: dict[str, int], low: float, high: float) -> str:
    """In plain words, why these runs cannot tell the arms apart; '' when they can.

    ``low`` and ``high`` bound the 95% interval of the difference in the share of runs
    that met the milestone (reforms minus push alone, as fractions).
    """
    if n == 1:
        return (
            "One run per arm cannot tell the arms apart: chance alone can decide a single run. "
            f"Add replications (at least {MIN_RUNS_PER_ARM} per arm)."
        )
    sentences = []
    counts = set(met.values())
    if low == high == 0 and counts == {0}:
        sentences.append(
            f"Neither arm met the milestone in any of its {n} runs, so these runs cannot show "
            "whether the reforms change the chance of meeting it."
        )
    elif low == high == 0 and counts == {n}:
        sentences.append(
            f"Both arms met the milestone in all {n} runs, so these runs cannot show whether "
            "the reforms change the chance of meeting it."
        )
    elif low == high == 0:
        sentences.append(
            "The reforms changed no run's outcome: the same runs met the milestone in both arms."
        )
    elif low <= 0 <= high:
        sentences.append(
            "With the reforms, the share of runs that meet the milestone "
            f"{_change_in_words(low * 100, high * 100)} (95% interval): chance alone could "
            "give this difference."
        )
    if n < MIN_RUNS_PER_ARM:
        sentences.append(
            f"With only {n} runs per arm, one run more or less moves the share by "
            f"{100 / n:.0f} points: add replications (at least {MIN_RUNS_PER_ARM} per arm) "
            "before reading a difference."
        )
    return " ".join(sentences)


def _change_in_words(low: float, high: float) -> str:
    """'could fall by 17 points or rise by 50', for an interval around zero (in points)."""
    fall, rise = f"fall by {-low:.0f} points", f"rise by {high:.0f} points"
    if round(low) == 0:
        return f"could stay the same or {rise}"
    if round(high) == 0:
        return f"could {fall} or stay the same"
    return f"could {fall} or {rise}"


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
    guess: dict[str, int] | None = None,
) -> dict[str, Any]:
    """One row of the workshop log: when, who, the settings, the headline numbers, a guess.

    ``guess`` is the group's guess of the runs that meet the milestone, by arm, when
    predict first hid the result (an empty dict: revealed without a guess, logged as
    "no guess"); None when predict first was off (no guess columns).
    """
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
    if guess is not None:  # predict first: what the group guessed, arm by arm, or nothing
        entry["guess"] = "made" if guess else "no guess"
        for arm in comparison.arms:
            entry[f"{GUESS_PREFIX}{arm.replace(' ', '_')}"] = guess.get(arm)
    return entry
