"""The pathway figure: which reforms came into force when, and in what share of runs.

An adaptive pathway (Haasnoot et al. 2013) starts some reforms at once and others when a
signpost is crossed, so *when* a reform starts differs from run to run. The figure has a
lane per reform of each timed arm, like a line on a metro map: the lane fills, quarter by
quarter, with the share of runs in which the reform is in force by then (from
``runs.csv``'s ``start_<reform>`` columns), and says at its end in how many runs it came in
and the median quarter it did. The milestones are marked on the quarter axis.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from mobilise.schema.missions import MISSIONS
from mobilise.schema.reforms import REFORMS
from mobilise.views.figure_style import (
    ARM_COLOURS,
    GREY,
    OKABE_ITO,
    TEXT,
    arm_label,
    legend_below,
    new_figure,
    plot_title,
    pretty,
    quarter_axis,
    suptitle,
)
from mobilise.vocabulary import quarter_index, quarter_label

LANE = 0.8
"""Height of a lane filled by every run (lanes are one apart)."""


def timed_arms(runs: pd.DataFrame, first: str) -> list[str]:
    """Arms with a reform not in force from ``first`` (the runs' first quarter) in every run."""
    chosen = []
    for arm, part in runs.groupby("arm", sort=False):
        for reform in _reforms(part):
            if f"start_{reform}" not in part:
                continue  # runs from before reforms had timing
            starts = part[f"start_{reform}"].fillna("").astype(str)
            if (starts != first).any():
                chosen.append(str(arm))
                break
    return chosen


def in_force(starts: pd.Series, quarters: Sequence[str]) -> np.ndarray:
    """Share of runs in which a reform is in force by each quarter (an empty start: never)."""
    index = np.array([quarter_index(q) for q in quarters])
    started = np.array([quarter_index(s) if isinstance(s, str) and s else np.inf for s in starts])
    if not len(started):
        return np.zeros(len(index))
    share: np.ndarray = (started[None, :] <= index[:, None]).mean(axis=1)
    return share


def pathway_chart(
    runs: pd.DataFrame,
    mission: str,
    point: int,
    arms: Sequence[str],
    quarters: Sequence[str],
    *,
    note: str = "",
) -> Figure:
    """One panel per arm, one lane per reform: the share of runs with it in force, by quarter.

    ``quarters`` are the run's quarters (step 1 to the horizon); ``runs`` has a row per
    run with its ``start_<reform>`` and ``strength_<reform>`` columns.
    """
    chosen = runs[(runs["mission"] == mission) & (runs["point"] == point)]
    panels = [(arm, _reforms(chosen[chosen["arm"] == arm])) for arm in arms]
    panels = [(arm, reforms) for arm, reforms in panels if reforms]
    lanes = sum(len(reforms) for _, reforms in panels)
    fig = new_figure(height=1.6 + 0.55 * lanes + 0.5 * len(panels))
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    steps = pd.Series(list(quarters), index=range(1, len(quarters) + 1))
    x = steps.index.to_numpy()
    colours = dict(zip(REFORMS, ARM_COLOURS * 3, strict=False))
    for ax, (arm, reforms) in zip(axes, panels, strict=True):
        part = chosen[chosen["arm"] == arm]
        for lane, reform in enumerate(reversed(reforms)):
            share = in_force(part[f"start_{reform}"].fillna(""), quarters)
            ax.fill_between(x, lane, lane + LANE * share, step="post", color=colours[reform],
                            alpha=0.85, linewidth=0)  # fmt: skip
            ax.plot(x, np.full(len(x), lane), color=GREY, linewidth=0.6)
            ax.text(x[-1] + 0.4, lane + LANE / 2, _summary(part[f"start_{reform}"], share),
                    va="center", fontsize=TEXT["small"], clip_on=False)  # fmt: skip
        ax.set_yticks([lane + LANE / 2 for lane in range(len(reforms))],
                      [pretty(r) for r in reversed(reforms)], fontsize=TEXT["small"])  # fmt: skip
        ax.set_ylim(-0.15, len(reforms))
        ax.set_title(f"{arm_label(arm)} ({len(part)} runs)", fontsize=TEXT["normal"], loc="left")
        handles = _milestones(ax, mission, steps)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    axes[-1].set_xlabel(quarter_axis(axes[-1], steps, max_ticks=10), fontsize=TEXT["normal"])
    if handles:
        legend_below(fig, handles, columns=len(handles))
    suptitle(fig, plot_title(mission), "Share of runs with each reform in force, by quarter"
             + (f"; {note}" if note else ""))  # fmt: skip
    return fig


def _reforms(part: pd.DataFrame) -> list[str]:
    """The arm's reforms (strength above 0), in catalogue order."""
    return [r for r in REFORMS
            if f"strength_{r}" in part and bool((part[f"strength_{r}"] > 0).any())]  # fmt: skip


def _summary(starts: pd.Series, share: np.ndarray) -> str:
    """'62% of runs, median 2026Q2' at a lane's end."""
    labels = [s for s in starts.fillna("") if isinstance(s, str) and s]
    if not labels:
        return "in no run"
    median = quarter_label(int(np.median([quarter_index(s) for s in labels])))
    return f"{share[-1]:.0%} of runs, median {median}"


def _milestones(ax: Axes, mission: str, steps: pd.Series) -> list[Line2D]:
    """A vertical line at each milestone's quarter within the run; legend handles for them."""
    spec = MISSIONS.get(mission)
    if spec is None:
        return []
    first = quarter_index(str(steps.iloc[0]))
    handles = []
    ordered = sorted(spec.milestones, key=lambda m: quarter_index(m.quarter))
    for milestone, style in zip(ordered, MILESTONE_LINES * len(ordered), strict=False):
        step = 1 + quarter_index(milestone.quarter) - first
        if steps.index.min() <= step <= steps.index.max():
            label = f"milestone {milestone.quarter}: {milestone.label or milestone.value}"
            handles.append(ax.axvline(step, color=OKABE_ITO["vermillion"], linewidth=1.2,
                                      linestyle=style, label=label))  # fmt: skip
    return handles


MILESTONE_LINES = ((0, (3, 2)), (0, (1, 1)), (0, (6, 2, 1, 2)))
"""Each milestone's line style, in date order."""
