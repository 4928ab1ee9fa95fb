"""Figures for a printed policy report: fan charts, forest plots, engagement, interactions.

Every function builds a :class:`matplotlib.figure.Figure` directly (no pyplot, no
global backend or rcParams change), so importing or calling this module has no
side effects and works headless. Colours are the Okabe-Ito palette (safe for
colour-blind readers and in greyscale print, with the baseline always black);
text is at least 9 pt on figures 8-10 inches wide. Labels and units come from
:mod:`mobilise.schema.outcomes` and the mission catalogue; a share is shown in % and a
difference of shares in percentage points.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from mobilise.analysis.effects import quantile_bands
from mobilise.schema.actor_types import BUILT_IN
from mobilise.schema.missions import MISSIONS, Mission
from mobilise.schema.outcomes import OUTCOMES_BY_NAME
from mobilise.vocabulary import quarter_index

OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky blue": "#56B4E9",
    "bluish green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish purple": "#CC79A7",
}
"""Okabe and Ito (2008) colour-blind-safe palette: the only colours used here."""

BASELINE_COLOUR = OKABE_ITO["black"]
ARM_COLOURS: tuple[str, ...] = tuple(
    OKABE_ITO[c]
    for c in ("orange", "blue", "bluish green", "vermillion", "reddish purple", "sky blue")
)
"""Reform arms in order; yellow is left out (too faint for lines on white paper)."""

GREY = "#666666"
OUTCOME_WHEN = {"milestone_metric": " when the milestone is due", "final_metric": " at the horizon"}
"""How a figure names the moment an effect is measured at."""

REACH_STYLE: dict[str, Any] = {"linestyle": (0, (2, 2)), "linewidth": 1.0, "alpha": 0.8}
"""How an actor type's reach (the most that can engage) is drawn above its engagement."""
TEXT = {"small": 9, "normal": 10, "title": 12}
"""Font sizes in points: nothing smaller than 9 pt, for print."""

WIDTH = 9.0
"""Figure width in inches."""

MAX_SINGLE_PANEL_ARMS = 6
"""Above this many arms (baseline included) a fan chart becomes small multiples."""


# --- labels, units and axes -----------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """How a mission's metric is shown: shares as %, differences in points."""

    factor: float
    metric: str
    level_unit: str
    diff_unit: str


def metric_scale(mission: str | Mission) -> Scale:
    """How ``mission``'s metric is shown (a catalogue name or an inline mission)."""
    spec = mission if isinstance(mission, Mission) else MISSIONS.get(mission)
    if spec is None:  # an inline mission: fall back on the generic outcome labels
        outcome = OUTCOMES_BY_NAME["metric"]
        return Scale(1.0, outcome.label, outcome.unit, outcome.unit)
    metric = spec.metric[:1].upper() + spec.metric[1:]
    if spec.unit == "share":
        return Scale(100.0, metric, "%", "percentage points")
    return Scale(1.0, metric, spec.unit, spec.unit)


def with_unit(text: str, unit: str) -> str:
    """'Metric (unit)'; 'Metric (RTT), unit' after brackets; no unit the text already names."""
    if unit.lower() in text.lower():
        return text
    return f"{text}, {unit}" if text.endswith(")") else f"{text} ({unit})"


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def plot_title(mission: str) -> str:
    """A figure's title for ``mission``: its catalogue title, or its name."""
    spec = MISSIONS.get(mission)
    return spec.title if spec else f"Mission: {mission}"


def pretty(name: str) -> str:
    """A readable label for an arm, reform or actor type ('a_b+c_d' -> 'a b + c d')."""
    return " + ".join(part.replace("_", " ") for part in str(name).split("+"))


BASELINE_LABEL = "government push alone"
"""The one name of the baseline arm (signal and money, no reforms) on charts and in text."""


def arm_label(arm: str, baseline: str = "baseline") -> str:
    """The name an arm goes by everywhere a reader sees it: the baseline is push alone."""
    return BASELINE_LABEL if arm == baseline else pretty(arm)


def _number_formatter(values: Iterable[float]) -> FuncFormatter:
    """Thousands separators for large numbers, no offset or scientific notation."""
    finite = [abs(v) for v in values if v is not None and np.isfinite(v)]
    big = bool(finite) and max(finite) >= 1000
    return FuncFormatter(lambda v, _: f"{v:,.0f}" if big else f"{v:g}")


def _decimals(values: Iterable[float]) -> int:
    """Decimals that show about three significant digits of the largest value."""
    finite = [abs(v) for v in values if np.isfinite(v) and v != 0]
    if not finite:
        return 2
    return int(min(4, max(0, 2 - math.floor(math.log10(max(finite))))))


def _fmt(value: float, decimals: int, sign: bool = True) -> str:
    if not np.isfinite(value):
        return "n/a"
    if round(value, decimals) == 0:
        return f"{0:.{decimals}f}"  # no '-0.00'
    return f"{value:{'+' if sign else ''},.{decimals}f}"


def quarter_axis(ax: Axes, quarters: pd.Series, max_ticks: int, years: bool = False) -> str:
    """Ticks at the first quarter of whole years (thinned), labelled '2026Q1' or '2026'.

    Year-only labels keep narrow panels from running their labels together; short
    runs (under four years) get quarter ticks. Returns the matching axis label.
    """
    steps = quarters.index.to_numpy()
    firsts = [s for s in steps if str(quarters.loc[s]).endswith("Q1")]
    candidates = firsts if len(firsts) >= 4 else list(steps)
    stride = max(1, math.ceil(len(candidates) / max_ticks))
    ticks = candidates[::stride]
    labels = [str(quarters.loc[s]) for s in ticks]
    by_year = years and candidates is firsts
    if by_year:
        labels = [label[:4] for label in labels]
    ax.set_xticks(ticks, labels)
    ax.set_xlim(steps.min(), steps.max())
    ax.tick_params(labelsize=TEXT["small"])
    return "Year (ticks at Q1)" if by_year else "Quarter"


def _arms(frame: pd.DataFrame, arms: Sequence[str] | None, baseline: str) -> list[str]:
    """Arms to draw: the baseline first, then in order of appearance."""
    present = list(dict.fromkeys(frame["arm"]))
    chosen = list(arms) if arms is not None else present
    unknown = [a for a in chosen if a not in present]
    if unknown:
        raise ValueError(f"no runs for arm(s) {', '.join(unknown)} (have {', '.join(present)})")
    return sorted(chosen, key=lambda a: (a != baseline, chosen.index(a)))


def arm_colours(arms: Sequence[str], baseline: str = "baseline") -> dict[str, str]:
    """A colour per arm: the baseline black, the others Okabe-Ito in turn."""
    others = [a for a in arms if a != baseline]
    colours = {a: ARM_COLOURS[i % len(ARM_COLOURS)] for i, a in enumerate(others)}
    return {baseline: BASELINE_COLOUR, **colours} if baseline in arms else colours


def _arm_style(arms: Sequence[str], baseline: str) -> dict[str, dict[str, Any]]:
    """Colour, width and dashes per arm, drawn in order from wide to narrow.

    Arms often coincide (a reform that does not touch a type); nested widths and
    alternate dashes keep every arm visible where lines overlap.
    """
    colours = arm_colours(arms, baseline)
    others = [a for a in arms if a != baseline]
    styles: dict[str, dict[str, Any]] = {
        baseline: {"color": BASELINE_COLOUR, "linestyle": "-", "linewidth": 4.2}
    }
    for i, arm in enumerate(others):
        styles[arm] = {
            "color": colours[arm],
            "linestyle": "-" if i % 2 == 0 else (0, (4, 1.5)),
            "linewidth": max(1.0, 3.2 - 0.8 * i),
        }
    return styles


def _select(frame: pd.DataFrame, mission: str, point: int, what: str) -> pd.DataFrame:
    selected = frame[(frame["mission"] == mission) & (frame["point"] == point)]
    if selected.empty:
        raise ValueError(f"{what}: no rows for mission {mission!r}, point {point}")
    return selected


def new_figure(height: float, width: float = WIDTH) -> Figure:
    """A figure of the house style (constrained layout, no pyplot state)."""
    return Figure(figsize=(width, height), layout="constrained")


def suptitle(fig: Figure, title: str, subtitle: str) -> None:
    """The title, and under it the subtitle (what is shown, from how many runs)."""
    fig.suptitle(f"{title}\n{subtitle}" if subtitle else title, fontsize=TEXT["title"])


def _bottom_xlabels(axes: Sequence[Axes], columns: int, text: str) -> None:
    """The x label under each column's lowest panel (a figure label hits the legend)."""
    for i, ax in enumerate(axes):
        if i + columns >= len(axes):
            ax.set_xlabel(text, fontsize=TEXT["normal"])
            ax.xaxis.set_tick_params(labelbottom=True)


def legend_below(fig: Figure, handles: Sequence[Artist], columns: int) -> None:
    """A legend under the panels, so it never covers data."""
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=max(1, min(columns, len(handles))),
        fontsize=TEXT["small"],
        frameon=False,
    )


# --- fan chart ------------------------------------------------------------------------


def _draw_fan(ax: Axes, band: pd.DataFrame, style: dict[str, Any], factor: float) -> None:
    x = band["step"].to_numpy()
    colour = style["color"]
    ax.fill_between(
        x, band["q05"] * factor, band["q95"] * factor, color=colour, alpha=0.10, linewidth=0
    )
    ax.fill_between(
        x, band["q25"] * factor, band["q75"] * factor, color=colour, alpha=0.25, linewidth=0
    )
    ax.plot(x, band["median"] * factor, **style)


MILESTONE_MARKERS = ("D", "s", "^", "v", "P", "X")


def draw_milestones(
    ax: Axes, spec: Mission | None, quarters: pd.Series, factor: float
) -> list[Line2D]:
    """Mark each milestone in range at its quarter and value; legend handles for them.

    The labels go in the legend, not next to the markers, where they would cover
    the fan; each milestone has its own marker shape.
    """
    if spec is None:
        return []
    first_step, first_quarter = quarters.index.min(), quarters.iloc[0]
    last_step = quarters.index.max()
    ordered = sorted(spec.milestones, key=lambda m: quarter_index(m.quarter))
    handles = []
    for milestone, marker in zip(ordered, MILESTONE_MARKERS * len(ordered), strict=False):
        step = first_step + quarter_index(milestone.quarter) - quarter_index(first_quarter)
        if not first_step <= step <= last_step:
            continue
        style: dict[str, Any] = {
            "marker": marker,
            "markersize": 9,
            "color": OKABE_ITO["vermillion"],
            "markeredgecolor": "white",
            "linestyle": "none",
        }
        ax.plot(step, milestone.value * factor, zorder=5, **style)
        text = f"{milestone.label or 'milestone'}, due {milestone.quarter}"
        handles.append(Line2D([], [], label=text, **style))
    return handles


def fan_chart(
    timeseries: pd.DataFrame,
    mission: str,
    point: int = 0,
    arms: Sequence[str] | None = None,
    *,
    baseline: str = "baseline",
    note: str = "",
    separate: bool = False,
) -> Figure:
    """The key metric over time per arm: median, 50% and 90% bands, roadmap, milestones.

    Up to :data:`MAX_SINGLE_PANEL_ARMS` arms share one panel; beyond that each arm
    gets its own panel against the baseline, so bands do not pile up. ``separate``
    puts every arm, baseline included, alone in its own panel (side by side, same
    scale). ``note`` is added to the subtitle (e.g. the sweep setting of ``point``).
    """
    ts = _select(timeseries, mission, point, "fan_chart")
    arms = _arms(ts, arms, baseline)
    ts = ts[ts["arm"].isin(arms)]
    scale = metric_scale(mission)
    spec = MISSIONS.get(mission)
    bands = quantile_bands(ts, "metric", by=("arm",))
    quarters = ts.groupby("step")["quarter"].first()
    roadmap = ts.groupby("step")["roadmap"].median() if "roadmap" in ts else None
    styles = _arm_style(arms, baseline)
    # small multiples: one reform per panel, so one colour will do
    panel_styles: dict[bool, dict[str, Any]] = {
        True: {"color": BASELINE_COLOUR, "linestyle": "-", "linewidth": 2.0},
        False: {"color": OKABE_ITO["blue"], "linestyle": "-", "linewidth": 2.0},
    }
    runs_per_arm = ts.groupby("arm")["run_id"].nunique() if "run_id" in ts else None
    n_text = (
        f"median of {int(runs_per_arm.min())} runs per arm"
        if runs_per_arm is not None
        else "median over runs"
    )
    subtitle = f"{n_text}; shading: middle 50% and 90% of runs" + (f"; {note}" if note else "")

    panels = [a for a in arms if a != baseline] if len(arms) > MAX_SINGLE_PANEL_ARMS else [None]
    if separate:
        panels = list(arms)
    columns = 1 if len(panels) == 1 else (2 if len(panels) <= 4 else 3)
    rows = math.ceil(len(panels) / columns)
    fig = new_figure(
        5.6 if rows == 1 and columns == 1 else 1.2 + 2.4 * rows, WIDTH + 1.0 * (rows > 1)
    )
    axes = fig.subplots(rows, columns, sharex=True, sharey=True, squeeze=False).ravel()
    for extra in axes[len(panels) :]:
        fig.delaxes(extra)
    ylabel = with_unit(scale.metric, scale.level_unit)
    for ax, panel in zip(axes, panels, strict=False):
        drawn = arms if panel is None else [a for a in (baseline, panel) if a in arms]
        if separate and panel is not None:  # every panel is an arm
            drawn = [panel]
        if roadmap is not None:
            ax.plot(
                roadmap.index, roadmap * scale.factor, linestyle="--", color=GREY, linewidth=1.5
            )
        for arm in drawn:
            style = styles[arm] if panel is None or separate else panel_styles[arm == baseline]
            _draw_fan(ax, bands[bands["arm"] == arm], style, scale.factor)
        milestone_handles = draw_milestones(ax, spec, quarters, scale.factor)
        xlabel = quarter_axis(ax, quarters, max_ticks=11 if columns == 1 else 4, years=columns > 1)
        ax.yaxis.set_major_formatter(_number_formatter(bands["q95"] * scale.factor))
        ax.grid(axis="y", color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
        if panel is not None:
            ax.set_title(arm_label(panel, baseline), fontsize=TEXT["normal"])
    if panels == [None]:
        axes[0].set_xlabel(xlabel, fontsize=TEXT["normal"])
        axes[0].set_ylabel(ylabel, fontsize=TEXT["normal"])
    else:
        _bottom_xlabels(list(axes[: len(panels)]), columns, xlabel)
        fig.supylabel(ylabel, fontsize=TEXT["normal"])
    suptitle(fig, plot_title(mission), subtitle)
    handles: list[Artist]
    if panels == [None] or separate:
        handles = [Line2D([], [], label=arm_label(a, baseline), **styles[a]) for a in arms]
    else:
        handles = [
            Line2D([], [], label=BASELINE_LABEL, **panel_styles[True]),
            Line2D([], [], label="reform arm named above the panel", **panel_styles[False]),
        ]
    if roadmap is not None:
        handles.append(Line2D([], [], linestyle="--", color=GREY, label="roadmap"))
    handles += [
        Patch(color=GREY, alpha=0.45, linewidth=0, label="middle 50% of runs"),
        Patch(color=GREY, alpha=0.18, linewidth=0, label="middle 90% of runs"),
    ]
    legend_below(fig, [*handles, *milestone_handles], columns=3)
    return fig


# --- forest plot ----------------------------------------------------------------------


def forest_plot(
    effects: pd.DataFrame,
    mission: str | None = None,
    *,
    point_labels: Mapping[int, str] | None = None,
) -> Figure:
    """Each arm's paired effect on the key metric with its t interval, sorted by size.

    One panel per mission (each in its own unit); rows are arms, and sweep points
    when there are several (named by ``point_labels``, e.g. 'union_density = 0.3',
    else 'point 2'). Intervals that exclude zero are drawn in blue.
    """
    frame = effects if mission is None else effects[effects["mission"] == mission]
    if frame.empty:
        raise ValueError(f"forest_plot: no effects{'' if mission is None else ' for ' + mission}")
    confidence = effects.attrs.get("confidence", 0.95)
    missions = list(dict.fromkeys(frame["mission"]))
    sizes = [int((frame["mission"] == m).sum()) for m in missions]
    fig = new_figure(sum(0.42 * s + 1.5 for s in sizes) + 0.6)
    axes = fig.subplots(len(missions), 1, squeeze=False, height_ratios=[s + 2 for s in sizes])
    for ax, name in zip(axes[:, 0], missions, strict=True):
        rows = frame[frame["mission"] == name].sort_values("mean_diff", kind="stable")
        scale = metric_scale(name)
        mean = rows["mean_diff"].to_numpy(float) * scale.factor
        low = rows["t_low"].to_numpy(float) * scale.factor
        high = rows["t_high"].to_numpy(float) * scale.factor
        several_points = rows["point"].nunique() > 1
        labels = [
            arm_label(a)
            + (f" ({(point_labels or {}).get(p) or f'point {p}'})" if several_points else "")
            for a, p in zip(rows["arm"], rows["point"], strict=True)
        ]
        y = np.arange(len(rows))
        clear = (low > 0) | (high < 0)
        for i in range(len(rows)):
            colour = OKABE_ITO["blue"] if clear[i] else GREY
            if np.isfinite(low[i]):
                ax.plot([low[i], high[i]], [y[i], y[i]], color=colour, linewidth=2.2)
            ax.plot(mean[i], y[i], marker="o", markersize=7, color=colour)
        ax.axvline(0.0, color="black", linewidth=1.0)
        ax.set_yticks(y, labels)
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.tick_params(labelsize=TEXT["small"])
        decimals = _decimals(np.concatenate([low, high, mean]))
        right = ax.secondary_yaxis("right")
        right.set_yticks(
            y,
            [
                f"{_fmt(m, decimals)}  [{_fmt(lo, decimals)}, {_fmt(hi, decimals)}]  n={n}"
                for m, lo, hi, n in zip(mean, low, high, rows["n"], strict=True)
            ],
        )
        right.tick_params(labelsize=TEXT["small"], length=0)
        ax.xaxis.set_major_formatter(_number_formatter(np.concatenate([low, high, mean])))
        ax.grid(axis="x", color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.set_xlabel(
            with_unit(f"Effect on {_lower(scale.metric)}", scale.diff_unit)
            + f"\nreform arm minus {BASELINE_LABEL}",
            fontsize=TEXT["normal"],
        )
        ax.set_title(plot_title(name), fontsize=TEXT["normal"])
    suptitle(
        fig,
        "Effect of each reform on the key metric"
        + OUTCOME_WHEN.get(str(effects.attrs.get("outcome")), ""),
        f"mean paired difference (same seeds) with {confidence:.0%} t interval, blue if it "
        "excludes zero;\nat right: effect [interval] and number of paired runs",
    )
    return fig


# --- engagement -----------------------------------------------------------------------


def actor_type_label(name: str) -> str:
    """How an actor type is named on a chart: its record's label, else its name."""
    return BUILT_IN[name].label if name in BUILT_IN else pretty(name).capitalize()


def engagement_by_type(
    timeseries: pd.DataFrame,
    mission: str,
    point: int = 0,
    arms: Sequence[str] | None = None,
    *,
    baseline: str = "baseline",
    note: str = "",
) -> Figure:
    """Median engaged share of each actor type over time, one panel per type present."""
    ts = _select(timeseries, mission, point, "engagement_by_type")
    arms = _arms(ts, arms, baseline)
    ts = ts[ts["arm"].isin(arms)]
    types = [  # the types the runs had, in their column order (a scenario may add its own)
        c.removeprefix("engaged_")
        for c in ts.columns
        if c.startswith("engaged_") and ts[c].notna().any()
    ]
    if not types:
        raise ValueError("engagement_by_type: no engaged_<type> columns with data")
    styles = _arm_style(arms, baseline)
    quarters = ts.groupby("step")["quarter"].first()
    columns = min(3, len(types))
    rows = math.ceil(len(types) / columns)
    fig = new_figure(1.6 + 2.5 * rows)
    axes = fig.subplots(rows, columns, sharex=True, sharey=True, squeeze=False).ravel()
    for extra in axes[len(types) :]:
        fig.delaxes(extra)
    for ax, actor_type in zip(axes, types, strict=False):
        medians = ts.groupby(["arm", "step"])[f"engaged_{actor_type}"].median()
        has_reach = f"reach_{actor_type}" in ts
        reach = ts.groupby(["arm", "step"])[f"reach_{actor_type}"].median() if has_reach else None
        for arm in arms:
            line = medians.loc[arm]
            ax.plot(line.index, line.to_numpy() * 100, **styles[arm])
            if reach is not None:  # the ceiling structure sets: nobody engages beyond reach
                ceiling = reach.loc[arm]
                ax.plot(ceiling.index, ceiling.to_numpy() * 100, **{**styles[arm], **REACH_STYLE})
        ax.set_title(actor_type_label(actor_type), fontsize=TEXT["normal"])
        ax.set_ylim(0, 100)
        xlabel = quarter_axis(ax, quarters, max_ticks=4, years=True)
        ax.grid(axis="y", color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
    _bottom_xlabels(list(axes[: len(types)]), columns, xlabel)
    fig.supylabel(f"{OUTCOMES_BY_NAME['engaged'].label} (%)", fontsize=TEXT["normal"])
    runs = ts.groupby("arm")["run_id"].nunique().min() if "run_id" in ts else None
    suptitle(
        fig,
        "Who mobilises: engaged share by actor type",
        f"{plot_title(mission)}; "
        + (f"median of {runs} runs per arm" if runs else "median over runs")
        + (f"; {note}" if note else ""),
    )
    handles = [Line2D([], [], label=arm_label(a, baseline), **styles[a]) for a in arms]
    if any(f"reach_{t}" in ts for t in types):
        handles.append(Line2D([], [], label="reach (ceiling)", color=GREY, **REACH_STYLE))
    legend_below(fig, handles, 4)
    return fig


# --- interactions ---------------------------------------------------------------------


def interaction_heatmap(
    interactions: pd.DataFrame, mission: str, point: int = 0, *, note: str = ""
) -> Figure:
    """Main effects (diagonal) and two-way interactions (off-diagonal) of a 2^k design.

    Values are annotated with their t interval; the diverging colours are centred
    on zero. Interactions follow the 2^k convention of :mod:`mobilise.analysis.effects`
    (half the difference-in-differences).
    """
    sel = _select(interactions, mission, point, "interaction_heatmap")
    main = sel[sel["kind"] == "main"]
    reforms = list(main["term"])
    if not reforms:
        raise ValueError("interaction_heatmap: no main effects")
    k = len(reforms)
    scale = metric_scale(mission)
    est, low, high = (np.full((k, k), np.nan) for _ in range(3))
    for _, row in sel[sel["kind"].isin(["main", "interaction"])].iterrows():
        a, _, b = str(row["term"]).partition(":")
        i, j = reforms.index(a), reforms.index(b or a)
        for matrix, column in ((est, "estimate"), (low, "low"), (high, "high")):
            matrix[i, j] = matrix[j, i] = row[column] * scale.factor
    limit = np.nanmax(np.abs(est)) if np.isfinite(est).any() else 1.0
    limit = limit if limit > 0 else 1.0
    side = max(6.5, 1.6 * k + 3.0)
    fig = new_figure(side * 0.85, min(10.0, side + 1.5))
    ax = fig.subplots()
    image = ax.imshow(est, cmap="RdBu", vmin=-limit, vmax=limit)
    for i in range(k):
        for j in range(k):
            if not np.isfinite(est[i, j]):
                continue
            decimals = _decimals([est[i, j], low[i, j], high[i, j]])  # small interactions too
            colour = "white" if abs(est[i, j]) > 0.6 * limit else "black"
            ax.text(
                j, i, f"{_fmt(est[i, j], decimals)}\n[{_fmt(low[i, j], decimals)}, "
                f"{_fmt(high[i, j], decimals)}]",
                ha="center", va="center", fontsize=TEXT["small"], color=colour,
            )  # fmt: skip
    labels = [pretty(r) for r in reforms]
    ax.set_xticks(range(k), labels, rotation=25, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(k), labels)
    ax.tick_params(labelsize=TEXT["small"])
    colourbar = fig.colorbar(image, ax=ax, shrink=0.85)
    colourbar.set_label(f"Effect ({scale.diff_unit})", fontsize=TEXT["normal"])
    colourbar.ax.tick_params(labelsize=TEXT["small"])
    colourbar.ax.yaxis.set_major_formatter(_number_formatter([limit]))
    n = int(sel["n"].min())
    suptitle(
        fig,
        "Main effects of reforms (diagonal) and their two-way interactions",
        f"{plot_title(mission)}\n{with_unit(f'Effect on {_lower(scale.metric)}', scale.diff_unit)}",
    )
    fig.supxlabel(
        "Main effect: mean over cells with the reform on minus off. Interaction: half the "
        "difference-in-differences,\naveraged over the other reforms. Brackets: "
        f"{interactions.attrs.get('confidence', 0.95):.0%} t interval over {n} paired "
        "replications" + (f"; {note}" if note else "") + ".",
        fontsize=TEXT["small"],
        color=GREY,
    )
    return fig


# --- output ---------------------------------------------------------------------------


def save(fig: Figure, path_without_suffix: str | Path) -> list[Path]:
    """Write ``<path>.png`` (150 dpi, for documents) and ``<path>.svg`` (for editing)."""
    base = Path(path_without_suffix)
    base.parent.mkdir(parents=True, exist_ok=True)
    written = []
    formats: tuple[tuple[str, dict[str, Any]], ...] = ((".png", {"dpi": 150}), (".svg", {}))
    for suffix, options in formats:
        path = base.with_name(base.name + suffix)
        fig.savefig(path, format=suffix[1:], facecolor="white", **options)
        written.append(path)
    return written


def inline_svg(fig: Figure, title: str = "") -> str:
    """The figure as an ``<svg>`` element for a page: sharp at any size, text kept as text.

    Vector output stays sharp on a 1920x1080 projector and in print, where a PNG drawn
    for a laptop is stretched and blurred. Text is left as text (searchable, small) with
    sans-serif fallbacks; fixed ids and no date make the same figure the same bytes.
    """
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "mobilise"}):
        fig.savefig(buffer, format="svg", facecolor="white", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", text, count=1)
    label = f' role="img" aria-label="{html.escape(title)}"' if title else ' role="img"'
    text = text.replace("<svg", f'<svg width="100%"{label}', 1)
    return re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.DOTALL)


def _sweep_note(runs: pd.DataFrame | None, mission: str, point: int) -> str:
    """'union density = 0.3' for the sweep columns (scenario field paths) of a point."""
    if runs is None or runs.empty:
        return ""
    fields = [c for c in runs.columns if "." in c]
    rows = runs[(runs["mission"] == mission) & (runs["point"] == point)]
    if not fields or rows.empty:
        return ""
    return ", ".join(f"{pretty(f.rsplit('.', 1)[-1])} = {rows[f].iloc[0]:g}" for f in fields)


def write_batch_figures(out: str | Path, *, baseline: str = "baseline") -> list[Path]:
    """Every figure of a finished batch folder, from its runs, time series and tables."""
    from mobilise.analysis.report import read_batch

    out = Path(out)
    runs, series = read_batch(out)
    if not len(runs) or not len(series):
        return []
    effects = pd.read_csv(out / "effects.csv") if (out / "effects.csv").exists() else None
    if effects is not None:
        effects.attrs.update(confidence=0.95)  # a forest plot per outcome: milestone and horizon
    path = out / "interactions.csv"
    interactions = pd.read_csv(path) if path.exists() else None
    return write_report(runs, series, effects, interactions, out, baseline=baseline)


def write_report(
    runs: pd.DataFrame | None,
    timeseries: pd.DataFrame,
    effects: pd.DataFrame | None,
    interactions: pd.DataFrame | None,
    out_dir: str | Path,
    *,
    baseline: str = "baseline",
    max_points: int = 3,
) -> list[Path]:
    """Write every figure that applies to ``out_dir/figures/`` and return the files.

    Per mission: a fan chart and an engagement chart for each sweep point when
    there are at most ``max_points`` (else the first point only); one forest plot
    of all effects; an interaction heatmap per (mission, point) with a factorial.
    """
    figures = Path(out_dir) / "figures"
    written: list[Path] = []
    arm_order = list(dict.fromkeys(runs["arm"] if runs is not None else timeseries["arm"]))
    for mission in dict.fromkeys(timeseries["mission"]):
        points = sorted(timeseries.loc[timeseries["mission"] == mission, "point"].unique())
        for point in points if len(points) <= max_points else points[:1]:
            selected = _select(timeseries, mission, point, "write_report")
            arms = [a for a in arm_order if a in set(selected["arm"])]
            note = _sweep_note(runs, mission, point)
            stem = f"{mission}_p{point}"
            written += save(
                fan_chart(timeseries, mission, point, arms, baseline=baseline, note=note),
                figures / f"fan_{stem}",
            )
            written += save(
                engagement_by_type(timeseries, mission, point, arms, baseline=baseline, note=note),
                figures / f"engagement_{stem}",
            )
    if effects is not None and not effects.empty:
        labels = {
            p: _sweep_note(runs, m, p) for m, p in effects[["mission", "point"]].itertuples(False)
        }
        by_outcome = (
            effects.groupby("outcome", sort=False)
            if "outcome" in effects
            else [(effects.attrs.get("outcome"), effects)]
        )
        for outcome, part in by_outcome:  # when the milestone is due, and at the horizon
            part = part.drop(columns="outcome", errors="ignore")
            part.attrs = {**effects.attrs, "outcome": outcome}
            stem = "forest" if outcome != "final_metric" else "forest_horizon"
            written += save(forest_plot(part, point_labels=labels), figures / stem)
    if interactions is not None and not interactions.empty:
        for (mission, point), _ in interactions.groupby(["mission", "point"], sort=False):
            written += save(
                interaction_heatmap(
                    interactions,
                    str(mission),
                    int(str(point)),
                    note=_sweep_note(runs, str(mission), int(str(point))),
                ),
                figures / f"interactions_{mission}_p{point}",
            )
    return written
