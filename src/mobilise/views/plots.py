"""Figures for a printed policy report: fan charts, forest plots, engagement, interactions.

Each is a :class:`matplotlib.figure.Figure` in the house style of
:mod:`mobilise.views.figure_style` (no pyplot, no global state). Labels and units come
from :mod:`mobilise.model.outcomes` and the mission catalogue.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from functools import partial
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
from mobilise.model.outcomes import OUTCOMES_BY_NAME
from mobilise.schema.actor_types import BUILT_IN
from mobilise.schema.missions import MISSIONS
from mobilise.views.drawing import Drawing, save_drawings
from mobilise.views.figure_style import (
    BASELINE_COLOUR,
    BASELINE_LABEL,
    GREY,
    OKABE_ITO,
    TEXT,
    WIDTH,
    arm_label,
    arm_style,
    bottom_xlabels,
    decimals_for,
    draw_milestones,
    format_value,
    legend_below,
    limits_once,
    lower_first,
    metric_scale,
    new_figure,
    number_formatter,
    plot_title,
    pretty,
    quarter_axis,
    suptitle,
    with_unit,
)
from mobilise.views.plots_pathways import pathway_chart, timed_arms
from mobilise.vocabulary import quarter_index, quarter_label

"""Okabe and Ito (2008) colour-blind-safe palette: the only colours used here."""

"""Reform arms in order; yellow is left out (too faint for lines on white paper)."""

OUTCOME_WHEN = {"milestone_metric": " when the milestone is due", "final_metric": " at the horizon"}
"""How a figure names the moment an effect is measured at."""

REACH_STYLE: dict[str, Any] = {"linestyle": (0, (2, 2)), "linewidth": 1.0, "alpha": 0.8}
"""How an actor type's reach (the most that can engage) is drawn above its engagement."""
"""Font sizes in points: nothing smaller than 9 pt, for print."""

"""Figure width in inches."""

MAX_SINGLE_PANEL_ARMS = 6
"""Above this many arms (baseline included) a fan chart becomes small multiples."""


# --- labels, units and axes -----------------------------------------------------------


"""The one name of the baseline arm (signal and money, no reforms) on charts and in text."""


def _arms(frame: pd.DataFrame, arms: Sequence[str] | None, baseline: str) -> list[str]:
    """Arms to draw: the baseline first, then in order of appearance."""
    present = list(frame["arm"].unique())
    chosen = list(arms) if arms is not None else present
    unknown = [a for a in chosen if a not in present]
    if unknown:
        raise ValueError(f"no runs for arm(s) {', '.join(unknown)} (have {', '.join(present)})")
    return sorted(chosen, key=lambda a: (a != baseline, chosen.index(a)))


def _select(frame: pd.DataFrame, mission: str, point: int, what: str) -> pd.DataFrame:
    selected = frame[(frame["mission"] == mission) & (frame["point"] == point)]
    if selected.empty:
        raise ValueError(f"{what}: no rows for mission {mission!r}, point {point}")
    return selected


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
    styles = arm_style(arms, baseline)
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
    roadmap_line = None if roadmap is None else roadmap * scale.factor  # every panel draws it
    with limits_once(axes[: len(panels)], autoscale="y"):  # the x limits are the quarters'
        for ax, panel in zip(axes, panels, strict=False):
            drawn = arms if panel is None else [a for a in (baseline, panel) if a in arms]
            if separate and panel is not None:  # every panel is an arm
                drawn = [panel]
            if roadmap_line is not None:
                ax.plot(roadmap_line.index, roadmap_line, linestyle="--", color=GREY, linewidth=1.5)
            for arm in drawn:
                style = styles[arm] if panel is None or separate else panel_styles[arm == baseline]
                _draw_fan(ax, bands[bands["arm"] == arm], style, scale.factor)
            milestone_handles = draw_milestones(ax, spec, quarters, scale.factor)
            xlabel = quarter_axis(
                ax, quarters, max_ticks=11 if columns == 1 else 4, years=columns > 1
            )
            ax.yaxis.set_major_formatter(number_formatter(bands["q95"] * scale.factor))
            ax.grid(axis="y", color="#dddddd", linewidth=0.8)
            ax.set_axisbelow(True)
            if panel is not None:
                ax.set_title(arm_label(panel, baseline), fontsize=TEXT["normal"])
    if panels == [None]:
        axes[0].set_xlabel(xlabel, fontsize=TEXT["normal"])
        axes[0].set_ylabel(ylabel, fontsize=TEXT["normal"])
    else:
        bottom_xlabels(list(axes[: len(panels)]), columns, xlabel)
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
    """Each arm's paired effect on the key metric with its intervals, sorted by size.

    Across plausible worlds (``low``/``high`` in the table): a thin line for the 95%
    interval over members and seeds, and inside it a thick line for the interval seeds
    alone would give (``seed_low``/``seed_high``): the gap between them is what we do
    not know about parameters. Tables from before ensembles draw the t interval of the
    mean. One panel per mission (each in its own unit); rows are arms, and sweep points
    when there are several (named by ``point_labels``). Blue where the whole interval
    is on one side of zero.
    """
    frame = effects if mission is None else effects[effects["mission"] == mission]
    if frame.empty:
        raise ValueError(f"forest_plot: no effects{'' if mission is None else ' for ' + mission}")
    confidence = effects.attrs.get("confidence", 0.95)
    worlds = "low" in frame and frame["low"].notna().any()
    missions = list(frame["mission"].unique())
    sizes = [int((frame["mission"] == m).sum()) for m in missions]
    fig = new_figure(sum(0.42 * s + 1.5 for s in sizes) + 0.6)
    axes = fig.subplots(len(missions), 1, squeeze=False, height_ratios=[s + 2 for s in sizes])
    for ax, name in zip(axes[:, 0], missions, strict=True):
        rows = frame[frame["mission"] == name].sort_values("mean_diff", kind="stable")
        scale = metric_scale(name)
        mean = rows["mean_diff"].to_numpy(float) * scale.factor
        low = rows["low" if worlds else "t_low"].to_numpy(float) * scale.factor
        high = rows["high" if worlds else "t_high"].to_numpy(float) * scale.factor
        inner_low = rows["seed_low"].to_numpy(float) * scale.factor if worlds else low
        inner_high = rows["seed_high"].to_numpy(float) * scale.factor if worlds else high
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
                ax.plot([low[i], high[i]], [y[i], y[i]], color=colour, linewidth=1.2)
            if worlds and np.isfinite(inner_low[i]):
                ax.plot(
                    [inner_low[i], inner_high[i]],
                    [y[i], y[i]],
                    color=colour,
                    linewidth=5.0,
                    alpha=0.45,
                    solid_capstyle="butt",
                )
            ax.plot(mean[i], y[i], marker="o", markersize=7, color=colour)
        ax.axvline(0.0, color="black", linewidth=1.0)
        ax.set_yticks(y, labels)
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.tick_params(labelsize=TEXT["small"])
        decimals = decimals_for(np.concatenate([low, high, mean]))
        at_right = ax.get_yaxis_transform()  # x in axes fractions, y in rows
        extra = rows["p_positive"] if worlds else rows["n"]
        for row, m, lo, hi, x in zip(y, mean, low, high, extra, strict=True):
            interval = f"[{format_value(lo, decimals)}, {format_value(hi, decimals)}]"
            tail = f"P(>0) {x:.0%}" if worlds else f"n={x}"
            ax.annotate(
                f"{format_value(m, decimals)}  {interval}  {tail}",
                (1.0, row),
                xycoords=at_right,
                xytext=(4, 0),  # points: an SVG collapses leading spaces
                textcoords="offset points",
                fontsize=TEXT["small"],
                va="center_baseline",  # as tick labels sit
                ha="left",
            )
        ax.xaxis.set_major_formatter(number_formatter(np.concatenate([low, high, mean])))
        ax.grid(axis="x", color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
        ax.set_xlabel(
            with_unit(f"Effect on {lower_first(scale.metric)}", scale.diff_unit)
            + f"\nreform arm minus {BASELINE_LABEL}",
            fontsize=TEXT["normal"],
        )
        ax.set_title(plot_title(name), fontsize=TEXT["normal"])
    if worlds:
        members = int(frame["members"].max())
        note = (
            f"mean over {members} plausible worlds x seeds; thin: 95% of worlds and seeds, "
            "thick: seeds alone;\nblue if the thin line excludes zero; at right: mean "
            "[95%] and P(effect > 0)"
        )
    else:
        note = (
            f"mean paired difference (same seeds) with {confidence:.0%} t interval, blue if it "
            "excludes zero;\nat right: effect [interval] and number of paired runs"
        )
    suptitle(
        fig,
        "Effect of each reform on the key metric"
        + OUTCOME_WHEN.get(str(effects.attrs.get("outcome")), ""),
        note,
    )
    return fig


def rank_plot(ranks: pd.DataFrame, outcome: str) -> Figure:
    """How often each arm has the largest effect, over plausible worlds and seeds.

    One panel per mission (and sweep point): a bar per arm, the share of (world, seed)
    pairs in which its paired effect is the largest of the arms compared.
    """
    frame = ranks[ranks["outcome"] == outcome]
    if frame.empty:
        raise ValueError(f"rank_plot: no ranks for {outcome}")
    groups = list(frame.groupby(["mission", "point"], sort=False))
    sizes = [len(g) for _, g in groups]
    fig = new_figure(sum(0.4 * s + 1.3 for s in sizes) + 0.6)
    axes = fig.subplots(len(groups), 1, squeeze=False, height_ratios=[s + 2 for s in sizes])
    for ax, ((mission, point), rows) in zip(axes[:, 0], groups, strict=True):
        rows = rows.sort_values("p_first", kind="stable")
        y = np.arange(len(rows))
        share = rows["p_first"].to_numpy(float)
        ax.barh(y, share, color=OKABE_ITO["blue"], height=0.6)
        for row, value in zip(y, share, strict=True):
            ax.annotate(
                f"{value:.0%}",
                (value, row),
                xytext=(4, 0),
                textcoords="offset points",
                fontsize=TEXT["small"],
                va="center",
            )
        ax.set_yticks(y, [arm_label(a) for a in rows["arm"]])
        ax.set_xlim(0, 1.08)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:.0%}"))
        ax.tick_params(labelsize=TEXT["small"])
        ax.grid(axis="x", color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
        title = plot_title(str(mission)) + (
            f" (point {point})" if frame["point"].nunique() > 1 else ""
        )
        ax.set_title(title, fontsize=TEXT["normal"])
        ax.set_xlabel("share of plausible worlds x seeds", fontsize=TEXT["normal"])
    n = int(frame["n"].max())
    suptitle(
        fig,
        "Which reform does most" + OUTCOME_WHEN.get(outcome, ""),
        f"share of {n} (world, seed) pairs in which each arm's effect on the key metric is the "
        "largest; ties split",
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
    styles = arm_style(arms, baseline)
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
    bottom_xlabels(list(axes[: len(types)]), columns, xlabel)
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
            decimals = decimals_for([est[i, j], low[i, j], high[i, j]])  # small interactions too
            colour = "white" if abs(est[i, j]) > 0.6 * limit else "black"
            ax.text(
                j, i, f"{format_value(est[i, j], decimals)}\n[{format_value(low[i, j], decimals)}, "
                f"{format_value(high[i, j], decimals)}]",
                ha="center", va="center", fontsize=TEXT["small"], color=colour,
            )  # fmt: skip
    labels = [pretty(r) for r in reforms]
    ax.set_xticks(range(k), labels, rotation=25, ha="right", rotation_mode="anchor")
    ax.set_yticks(range(k), labels)
    ax.tick_params(labelsize=TEXT["small"])
    colourbar = fig.colorbar(image, ax=ax, shrink=0.85)
    colourbar.set_label(f"Effect ({scale.diff_unit})", fontsize=TEXT["normal"])
    colourbar.ax.tick_params(labelsize=TEXT["small"])
    colourbar.ax.yaxis.set_major_formatter(number_formatter([limit]))
    n = int(sel["n"].min())
    suptitle(
        fig,
        "Main effects of reforms (diagonal) and their two-way interactions",
        f"{plot_title(mission)}\n"
        + with_unit(f"Effect on {lower_first(scale.metric)}", scale.diff_unit),
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


def _sweep_note(runs: pd.DataFrame | None, mission: str, point: int) -> str:
    """'union density = 0.3' for the sweep columns (scenario field paths) of a point."""
    if runs is None or runs.empty:
        return ""
    fields = [c for c in runs.columns if "." in c]
    rows = runs[(runs["mission"] == mission) & (runs["point"] == point)]
    if not fields or rows.empty:
        return ""
    return ", ".join(f"{pretty(f.rsplit('.', 1)[-1])} = {rows[f].iloc[0]:g}" for f in fields)


def _run_quarters(selected: pd.DataFrame) -> list[str]:
    """The quarters of a run's steps 1 to the horizon (a kept step names the rest)."""
    if selected.empty:
        return []
    row = selected.iloc[0]
    before = quarter_index(str(row["quarter"])) - int(row["step"])  # step 0's quarter
    last = int(selected["step"].max())
    return [quarter_label(before + step) for step in range(1, last + 1)]


def write_batch_figures(
    out: str | Path, *, baseline: str = "baseline", workers: int | None = None
) -> list[Path]:
    """Every figure of a finished batch folder, from its runs, time series and tables.

    Drawn by ``workers`` processes at once (default: every core; see
    :func:`mobilise.views.drawing.save_drawings`).
    """
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
    path = out / "ranks.csv"
    ranks = pd.read_csv(path) if path.exists() and path.stat().st_size > 1 else None
    return write_report(
        runs, series, effects, interactions, out, baseline=baseline, workers=workers, ranks=ranks
    )


def write_report(
    runs: pd.DataFrame | None,
    timeseries: pd.DataFrame,
    effects: pd.DataFrame | None,
    interactions: pd.DataFrame | None,
    out_dir: str | Path,
    *,
    baseline: str = "baseline",
    max_points: int = 3,
    workers: int | None = 1,
    ranks: pd.DataFrame | None = None,
) -> list[Path]:
    """Write every figure that applies to ``out_dir/figures/`` and return the files.

    Per mission: a fan chart and an engagement chart for each sweep point when
    there are at most ``max_points`` (else the first point only); one forest plot
    of all effects; a rank figure (which arm does most) when ``ranks`` compares two or
    more arms; an interaction heatmap per (mission, point) with a factorial.
    ``workers`` processes draw them (``None``: every core), the tables' figures first:
    a forest plot covers every mission, the largest, so no process is left drawing one
    alone at the end.
    """
    figures = Path(out_dir) / "figures"
    drawings: list[Drawing] = []
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
            drawings.append((partial(forest_plot, part, point_labels=labels), figures / stem))
    if ranks is not None and ranks.groupby(["mission", "point"]).size().max() > 1:
        for outcome in ranks["outcome"].unique():
            stem = "ranks" if outcome != "final_metric" else "ranks_horizon"
            drawings.append((partial(rank_plot, ranks, str(outcome)), figures / stem))
    if interactions is not None and not interactions.empty:
        for (mission, point), _ in interactions.groupby(["mission", "point"], sort=False):
            drawings.append((
                partial(interaction_heatmap, interactions, str(mission), int(str(point)),
                        note=_sweep_note(runs, str(mission), int(str(point)))),
                figures / f"interactions_{mission}_p{point}",
            ))  # fmt: skip
    arm_order = list((runs["arm"] if runs is not None else timeseries["arm"]).unique())
    for mission in timeseries["mission"].unique():
        points = sorted(timeseries.loc[timeseries["mission"] == mission, "point"].unique())
        for point in points if len(points) <= max_points else points[:1]:
            selected = _select(timeseries, mission, point, "write_report")
            present = set(selected["arm"].unique())  # not row by row: Arrow strings iterate slowly
            arms = [a for a in arm_order if a in present]
            note = _sweep_note(runs, mission, point)
            stem = f"{mission}_p{point}"
            quarters = _run_quarters(selected)
            timed = timed_arms(runs, quarters[0]) if runs is not None and quarters else []
            if runs is not None and timed:  # reforms that start later, or at a signpost
                drawings.append((
                    partial(pathway_chart, runs, mission, point, timed, quarters, note=note),
                    figures / f"pathways_{stem}",
                ))  # fmt: skip
            drawings.append((
                partial(fan_chart, timeseries, mission, point, arms, baseline=baseline, note=note),
                figures / f"fan_{stem}",
            ))  # fmt: skip
            drawings.append((
                partial(engagement_by_type, timeseries, mission, point, arms, baseline=baseline,
                        note=note),
                figures / f"engagement_{stem}",
            ))  # fmt: skip
    return save_drawings(drawings, workers)
