"""The facilitator's view of a room: every group's choices and result, side by side.

Pure functions over saved sessions (:mod:`mobilise.views.app.sessions`): one row per group
with its reform package, its constraint settings and which it moved from its preset,
its effect with the 95% interval, and its latest guess; the same table as CSV; and
the groups' outcomes on one chart (:func:`mobilise.views.app.figures.groups_chart`).
"""

from __future__ import annotations

import math
from typing import Any, TypeGuard

import pandas as pd

from mobilise.schema.scenario import Scenario
from mobilise.views.app.sessions import Session
from mobilise.views.figure_style import arm_label, metric_scale, pretty
from mobilise.views.headline import GUESS_PREFIX, log_entry
from mobilise.views.workshop import Slider, workshop_scenario
from mobilise.vocabulary import ScenarioError

GUESS_COLUMNS = ("guess",)
"""Besides the per-arm guesses: 'made' or 'no guess' (predict first on), '' (off)."""


def group_row(session: Session, preset: Scenario | None) -> dict[str, Any]:
    """A group's row: the log entry of the result on its screen, plus what it moved."""
    settings = session.shown_settings or session.settings
    row: dict[str, Any] = {"group": session.group, "updated": session.updated}
    if session.comparison is None or preset is None:
        return {**row, "scenario": settings.preset, "mission": settings.mission}
    try:
        mission = workshop_scenario(preset, settings).mission_spec
    except ScenarioError:
        return {**row, "scenario": settings.preset, "mission": settings.mission}
    entry = log_entry(settings, session.comparison, mission, group=session.group)
    entry.pop("time")
    moved = settings.moved(preset)
    row.update(entry)
    row["reforms"] = "; ".join(f"{r}={s:g}" for r, s in settings.reforms.items())
    row["moved"] = "; ".join(f"{k}: {a:g} -> {b:g}" for k, (a, b) in moved.items())
    guessed = [
        r for r in session.log
        if r.get("guess") in ("made", "no guess")
        or any(str(k).startswith(GUESS_PREFIX) and _number(v) for k, v in r.items())
    ]  # fmt: skip
    if guessed:
        last = guessed[-1]
        row.update({k: v for k, v in last.items() if _is_guess(k)})
    return row


def _is_guess(column: object) -> bool:
    return str(column).startswith(GUESS_PREFIX) or column in GUESS_COLUMNS


def groups_table(sessions: list[Session], presets: dict[str, Scenario]) -> pd.DataFrame:
    """One row per saved group, in the order given (the CSV the facilitator downloads)."""
    rows = [group_row(s, presets.get((s.shown_settings or s.settings).preset)) for s in sessions]
    frame = pd.DataFrame(rows)
    first = [c for c in ("group", "scenario", "mission", "reforms", "moved") if c in frame]
    return frame[first + [c for c in frame.columns if c not in first]]


def describe_effect(row: dict[str, Any]) -> str:
    """'+1.9 [+0.2, +3.7] percentage points' for a row, in the mission's display unit."""
    if not isinstance(row.get("effect"), float) or math.isnan(row["effect"]):
        return "no reforms switched on" if row.get("runs_per_arm") else "no result yet"
    scale = metric_scale(str(row["mission"]))
    f = scale.factor
    low, high = row.get("effect_low", math.nan), row.get("effect_high", math.nan)
    interval = f" [{low * f:+.1f}, {high * f:+.1f}]" if not math.isnan(low) else ""
    return f"{row['effect'] * f:+.1f}{interval} {scale.diff_unit}"


def describe_reforms(row: dict[str, Any]) -> str:
    """'mission councils (1); pooled budgets (0.5)': a row's reforms as people name them."""
    named = [f"{pretty(reform)} ({strength})" for reform, strength in _items(row, "reforms", "=")]
    return "; ".join(named) or "none"


def describe_moves(row: dict[str, Any], sliders: list[Slider]) -> str:
    """The sliders a group moved from its preset, in words."""
    labels = {s.field: s.label for s in sliders}
    moves = _items(row, "moved", ": ")
    return "; ".join(f"{labels.get(f, pretty(f))} {c.replace('->', '→')}" for f, c in moves) or (
        "none"
    )


def describe_guess(row: dict[str, Any]) -> str:
    """A row's latest guess in words: 'with reforms: 5 of 6 runs', 'no guess', or '–'."""
    if row.get("guess") == "no guess":
        return "no guess"
    runs = row.get("runs_per_arm")
    of = f" of {int(runs)} runs" if _number(runs) else ""
    parts = [
        f"{arm_label(str(k).removeprefix(GUESS_PREFIX).replace('_', ' '))}: {int(v)}{of}"
        for k, v in row.items()
        if str(k).startswith(GUESS_PREFIX) and _number(v)
    ]
    return "; ".join(parts) or "–"


def _items(row: dict[str, Any], column: str, separator: str) -> list[tuple[str, str]]:
    """The items of a 'a=1; b=0.5' cell, each split once at ``separator``."""
    text = str(row.get(column) or "")
    return [(a, b) for a, _, b in (item.partition(separator) for item in text.split("; ") if item)]


def _number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not math.isnan(value)
