"""A comparison in words: the headline the room reads, and the row the log keeps.

Every number comes from the runs of the comparison (:class:`mobilise.views.workshop.Comparison`):
k of n runs that met the key milestone in each arm, the paired effect with its
interval, and a caution when the runs are too few to tell the arms apart.

Across plausible worlds (a calibrated ensemble's members, each run with the same seeds
in both arms) the effect is said as a workshop says it: "in 9 of 10 plausible worlds
and histories the reforms raise ...", with the 95% range over worlds and seeds; when
the worlds disagree on the direction, "we can't tell yet", and what would settle it
(the uncertain input behind most of the spread, from
:func:`mobilise.analysis.effects.effect_drivers`). The same words serve the brief.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd

from mobilise.schema.actor_types import BUILT_IN
from mobilise.schema.levers import BASELINE
from mobilise.schema.missions import Mission
from mobilise.schema.reforms import REFORMS
from mobilise.schema.scenario import Scenario
from mobilise.views.figure_style import (
    BASELINE_LABEL,
    Scale,
    arm_label,
    lower_first,
    metric_scale,
    pretty,
)
from mobilise.views.workshop import WITH_REFORMS, Comparison, Settings, milestone_name

GUESS_PREFIX = "guess_met_runs_"
"""Log columns of a group's guess, one per arm: ``guess_met_runs_with_reforms``."""

MIN_RUNS_PER_ARM = 10
"""Below this many runs per arm the headline warns that chance can decide a difference."""

UNSURE = (0.2, 0.8)
"""P(effect > 0) strictly between these: the worlds and histories disagree on the direction,
and the headline says "we can't tell yet" (and what would settle it)."""


# --- the headline in words ------------------------------------------------------------


@dataclass(frozen=True)
class Headline:
    """The result in words: the milestone, k of n runs per arm, the effect, and a caution."""

    milestone: str
    runs: int
    met: dict[str, int]
    effect: str
    caution: str
    chances: str = ""  # the milestone's chance in words, across plausible worlds
    settle: str = ""  # what drives the effect's spread across worlds: what would settle it
    worlds: int = 0  # plausible worlds run (0: the scenario as written, seed noise only)

    def sentence(self) -> str:
        """The key milestone and how many runs met it in each arm (and over how many worlds)."""
        counts = [f"{self.met[a]} of {self.runs} runs {_with(a)}" for a in self.met]
        seeds = self.runs // max(1, self.worlds)
        worlds = (
            f" ({self.worlds} plausible world{'s' if self.worlds != 1 else ''} × {seeds} "
            f"seed{'s' if seeds != 1 else ''})"
            if self.worlds
            else ""
        )
        return f"{self.milestone}: met in " + ", ".join(counts) + worlds + "."

    def lines(self) -> list[str]:
        """Every sentence of the headline, in the order the page and the brief show them."""
        return [s for s in (self.sentence(), self.chances, self.effect, self.settle,
                            self.caution) if s]  # fmt: skip


def _with(arm: str) -> str:
    return f"with {BASELINE_LABEL}" if arm == BASELINE else arm_label(arm)


def headline(
    comparison: Comparison, mission: Mission, scenario: Scenario | None = None
) -> Headline:
    """The headline of a comparison of ``mission``: every number from the runs on screen.

    ``scenario`` (the one run) names the uncertain inputs in what would settle it.
    """
    key = mission.key_milestone
    n = comparison.runs_per_arm()
    met = {arm: comparison.met_runs(arm) for arm in comparison.arms}
    worlds = comparison.worlds
    effect, caution, chances, settle = "", "", "", ""
    if worlds:
        shares = [met[arm] / n for arm in comparison.arms]
        chances = milestone_in_words(*shares)
    if comparison.reforms:
        row = comparison.headline_effect
        scale = metric_scale(mission)
        if worlds:
            effect = effect_in_words(row, scale, mission.metric, key.quarter)
            settle = settle_in_words(row, comparison.drivers, scenario)
        else:
            factor = scale.factor
            diff = row["mean_diff"] * factor
            low, high = row["t_low"] * factor, row["t_high"] * factor
            interval = (
                f" (95% interval {_signed(low)} to {_signed(high)})"
                if np.isfinite(low)
                else " (no interval from one run)"
            )
            effect = (
                f"Effect of the reforms on the {mission.metric} in {key.quarter}: "
                f"{_signed(diff)} {scale.diff_unit}{interval}, paired by seed. "
                f"Seed noise only: {SEED_ONLY}"
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
        chances=chances,
        settle=settle,
        worlds=worlds,
    )


SEED_ONLY = (
    "one set of assumptions (the preset as written), so the interval covers chance between "
    "runs, not what we don't know about how actors behave."
)
"""What a comparison without an ensemble says of its intervals."""


def of_ten(p: float) -> str:
    """A probability as a room says it: 'all', 'none', '9 of 10', 'more than 9 of 10'.

    Never rounds to 'all' or 'none' what is not: 0.97 is 'more than 9 of 10'.
    """
    if p >= 1:
        return "all"
    if p <= 0:
        return "none"
    tenths = round(p * 10)
    if tenths >= 10:
        return "more than 9 of 10"
    if tenths <= 0:
        return "fewer than 1 in 10"
    return f"{tenths} of 10"


def _in_worlds(p: float) -> str:
    """'in 9 of 10 plausible worlds and histories', 'in none of the ...', 'in all ...'."""
    words = of_ten(p)
    return f"in {words}{' of the' if words == 'none' else ''} plausible worlds and histories"


def can_tell(row: pd.Series) -> bool:
    """Whether the worlds and histories agree on the effect's direction (see :data:`UNSURE`)."""
    p = float(row["p_positive"])
    return not UNSURE[0] < p < UNSURE[1]


def effect_in_words(
    row: pd.Series, scale: Scale, metric: str, quarter: str, who: str = "the reforms"
) -> str:
    """An effect across plausible worlds, as a workshop says it, from a row of effects.csv.

    ``p_positive`` says in how many worlds and histories the metric is higher with ``who``
    (the arm), ``mean_diff`` by how much on average, ``low``-``high`` the 95% range over
    worlds and seeds; between the :data:`UNSURE` bounds the sentence says "we can't tell yet".
    """
    p = float(row["p_positive"])
    f = scale.factor
    mean = f"{_signed(row['mean_diff'] * f)} {scale.diff_unit}"
    spread = (
        f"between {_signed(row['low'] * f)} and {_signed(row['high'] * f)} {scale.diff_unit} "
        "in 95 of 100 worlds and histories"
    )
    what = f"the {lower_first(metric)} in {quarter}"
    if row["low"] == row["high"] == 0:
        return f"In every plausible world and history {what} is the same with {who}."
    if can_tell(row):
        if p >= UNSURE[1]:
            return (
                f"{_in_worlds(p).capitalize()} {what} is higher with {who}: by {mean} on "
                f"average ({spread})."
            )
        return (
            f"{what.capitalize()} is higher with {who} only {_in_worlds(p)}: on average it "
            f"changes by {mean} ({spread})."
        )
    return (
        f"We can't tell yet whether {what} is higher with {who}: it is higher "
        f"{_in_worlds(p)}; on average by {mean} ({spread})."
    )


def milestone_in_words(baseline: float, reforms: float | None = None) -> str:
    """The chance of meeting the key milestone across plausible worlds, in words."""
    text = f"The milestone is met {_in_worlds(baseline)} with {BASELINE_LABEL}"
    if reforms is not None:
        text += f", and in {of_ten(reforms)} with the reforms"
    return text + "."


def settle_in_words(row: pd.Series, drivers: pd.DataFrame, scenario: Scenario | None) -> str:
    """How much of the spread is the worlds', and the input behind it: what would settle it.

    ``drivers`` are :func:`~mobilise.analysis.effects.effect_drivers`' rows for this
    effect (best first); an input that does not stand out from chance is said to, and
    fewer than five worlds cannot say which input matters.
    """
    share = float(row["parameter_share"])
    worlds = int(row["members"])
    source = ""
    if np.isfinite(share) and share > 0:
        parts = of_ten(share)
        source = (
            "All of this spread comes from which world is the true one. "
            if parts == "all"
            else f"About {parts} parts of this spread come from which world is the true one, "
            "the rest from chance. "
        )
    lead = "What would settle it" if not can_tell(row) else "What drives it across worlds"
    if drivers.empty:
        if can_tell(row):
            return source.strip()
        return (
            f"{source}{lead}: more plausible worlds (at least five) would show which "
            "uncertain input matters."
        )
    top = drivers.sort_values("rank").iloc[0]
    label = input_words(str(top["input"]), scenario)
    if not bool(top["beyond_noise"]):
        return (
            f"{source}{lead}: no single uncertain input stands out from chance across these "
            f"{worlds} worlds (the closest: {label}); more worlds would tell."
        )
    return (
        f"{source}{lead}: evidence on {label}, which accounts for about "
        f"{float(top['share']):.0%} of the differences between worlds."
    )


def input_words(path: str, scenario: Scenario | None = None) -> str:
    """An uncertain input in words a room reads, with its field path for the modeller.

    A reform's size, an actor type's trait, a mission's quantity, or the scenario
    schema's own description of the field; the path follows in brackets.
    """
    parts = path.split(".")
    words = " ".join(pretty(p) for p in parts[1:])
    if parts[0] == "reform_sizes" and len(parts) == 3:
        text = f"how much {pretty(parts[1])} does at full strength ({pretty(parts[2])})"
    elif parts[0] == "populations" and len(parts) >= 3:
        record = BUILT_IN.get(parts[1])
        who = record.label.lower() if record else pretty(parts[1])
        text = f"the {' '.join(pretty(p) for p in parts[2:])} of {who}"
    elif parts[0] == "mission":
        text = f"the mission's {words}"
    else:
        text = _described(path, scenario) or pretty(path.replace(".", " "))
    return f"{text} ({path})"


def _described(path: str, scenario: Scenario | None) -> str:
    """The schema's description of a section's field ('weight of the mission signal')."""
    if scenario is None or path.count(".") != 1:
        return ""
    section, name = path.split(".")
    model = getattr(scenario, section, None)
    fields = getattr(type(model), "model_fields", {})
    info = fields.get(name)
    text = (info.description or "") if info is not None else ""
    head, _, rest = text.partition(": ")
    text = rest if rest and len(head) <= 6 else text  # 'w_S: weight of ...' -> 'weight of ...'
    return text.split(" (")[0].split("; ")[0]  # the thing itself, not its asides


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
        "worlds": comparison.worlds,
        **{f"constraint_{k}": v for k, v in settings.constraints.items()},
        **{f"strength_{r}": settings.reforms.get(r, 0.0) for r in REFORMS},
        **{f"start_{r}": settings.starts[r] for r in settings.reforms if r in settings.starts},
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
            effect_p_positive=row["p_positive"],
            effect_world_low=row["low"],
            effect_world_high=row["high"],
            effect_parameter_share=row["parameter_share"],
        )
    if guess is not None:  # predict first: what the group guessed, arm by arm, or nothing
        entry["guess"] = "made" if guess else "no guess"
        for arm in comparison.arms:
            entry[f"{GUESS_PREFIX}{arm.replace(' ', '_')}"] = guess.get(arm)
    return entry
