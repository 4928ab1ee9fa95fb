"""Figures for "which package holds up": trade-off, parallel coordinates, convergence.

The regret-satisficing trade-off, parallel coordinates of the criteria, and a
search's convergence. They share the style of :mod:`mobilise.views.plots` (palette, font
sizes, titles, units: a share metric in %, a difference of shares in points).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from mobilise.schema.criteria import CRITERIA_BY_NAME
from mobilise.schema.levers import BASELINE
from mobilise.views.figure_style import (
    ARM_COLOURS,
    BASELINE_COLOUR,
    GREY,
    OKABE_ITO,
    TEXT,
    metric_scale,
    new_figure,
    plot_title,
    pretty,
    save,
    suptitle,
)

if TYPE_CHECKING:
    from mobilise.analysis.robust import RobustResult

PARALLEL_AXES = (
    "satisficing",
    "p_met",
    "milestone_mean",
    "milestone_p10",
    "maximin",
    "hurwicz",
    "regret_p90",
    "minimax_regret",
    "final_mean",
    "final_p10",
)
"""Criteria drawn as parallel axes, left to right."""

SHARE_CRITERIA = {"satisficing", "p_met"}
REGRET_CRITERIA = {"regret_p90", "minimax_regret"}


def _size_colour(n_reforms: int) -> str:
    return BASELINE_COLOUR if n_reforms == 0 else ARM_COLOURS[(n_reforms - 1) % len(ARM_COLOURS)]


def _highlighted(table: pd.DataFrame, top: int) -> pd.DataFrame:
    """The top packages by rank, and push alone."""
    chosen = table.sort_values("rank").head(top)
    baseline = table[table["package"] == BASELINE]
    return pd.concat([chosen, baseline]).drop_duplicates("package")


def _factor(name: str, mission: str) -> float:
    return 100.0 if name in SHARE_CRITERIA else metric_scale(mission).factor


def tradeoff_plot(table: pd.DataFrame, mission: str, *, top: int = 5) -> Figure:
    """Each package's share of states meeting the milestone against its 90th-percentile regret.

    Up and right is better for satisficing, down for regret; colour is the number of
    reforms; ringed points are non-dominated on the search objectives; the top
    packages and push alone are labelled, with their bootstrap intervals.
    """
    scale = metric_scale(mission)
    fig = new_figure(6.4 + 0.2 * min(top + 1, len(table)))
    ax = fig.subplots()
    x = table["satisficing"].to_numpy(float) * 100
    y = table["regret_p90"].to_numpy(float) * scale.factor
    sizes = table["n_reforms"].to_numpy(int)
    # a small, fixed horizontal spread so packages on the same share stay visible
    jitter = (np.arange(len(table)) % 7 - 3) * 0.25
    for n in sorted(set(sizes)):
        mask = sizes == n
        ax.scatter(
            x[mask] + jitter[mask],
            y[mask],
            s=22,
            color=_size_colour(n),
            alpha=0.75,
            label="government push alone" if n == 0 else f"{n} reform{'s' if n > 1 else ''}",
            zorder=2,
        )
    if "pareto" in table:
        front = table["pareto"].to_numpy(bool)
        ax.scatter(
            x[front] + jitter[front],
            y[front],
            s=70,
            facecolors="none",
            edgecolors=OKABE_ITO["vermillion"],
            linewidths=1.4,
            label="non-dominated",
            zorder=3,
        )
    key = []
    for j, row in enumerate(_highlighted(table, top).itertuples()):
        i = table.index[table["package"] == row.package][0]
        xs = np.array([row.satisficing_low, row.satisficing_high]) * 100
        ys = np.array([row.regret_p90_low, row.regret_p90_high]) * scale.factor
        colour = _size_colour(int(str(row.n_reforms)))
        if np.isfinite(xs).all():
            ax.plot(xs, [y[i], y[i]], color=colour, linewidth=1.2, zorder=2)
        if np.isfinite(ys).all():
            ax.plot([x[i] + jitter[i]] * 2, ys, color=colour, linewidth=1.2, zorder=2)
        # rank numbers alternate sides, so neighbours on one share stay legible
        ax.annotate(
            str(row.rank),
            (x[i] + jitter[i], y[i]),
            xytext=(9 if j % 2 == 0 else -9, 0),
            textcoords="offset points",
            ha="left" if j % 2 == 0 else "right",
            va="center",
            fontsize=TEXT["small"],
            fontweight="bold",
            zorder=4,
        )
        key.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="none",
                color=colour,
                label=f"{row.rank}. {pretty(str(row.package))}",
            )
        )
    ax.set_xlabel("Share of states where the milestone is met (%)", fontsize=TEXT["normal"])
    unit = scale.diff_unit
    ax.set_ylabel(f"90th-percentile regret ({unit})", fontsize=TEXT["normal"])
    ax.set_xlim(max(-4.0, np.nanmin(x) - 8), min(108.0, np.nanmax(x) + 8))
    ax.grid(color="#dddddd", linewidth=0.8)
    ax.set_axisbelow(True)
    ax.legend(fontsize=TEXT["small"], loc="upper right", frameon=True)
    fig.legend(
        handles=key,
        loc="outside lower left",
        ncols=1,
        fontsize=TEXT["small"],
        frameon=False,
        title="ranked (numbers on the points)",
        title_fontsize=TEXT["small"],
    )
    states = int(table["states"].iloc[0])
    reps = int(table["replications"].iloc[0])
    suptitle(
        fig,
        f"Which package holds up? {plot_title(mission)}",
        f"{len(table)} packages x {states} states x {reps} replications; better is right "
        "and down\nnumbered: the top ranked and push alone, with bootstrap intervals",
    )
    return fig


def parallel_plot(table: pd.DataFrame, mission: str, *, top: int = 5) -> Figure:
    """Parallel coordinates of the criteria, each scaled so that up is better.

    Every package is a grey line; the top packages and push alone are coloured. Each
    axis is labelled with its best (top) and worst (bottom) value across packages.
    """
    axes_names = [n for n in PARALLEL_AXES if n in table]
    fig = new_figure(6.0, 11.0)
    ax = fig.subplots()
    scaled = {}
    for name in axes_names:
        values = table[name].to_numpy(float)
        low, high = np.nanmin(values), np.nanmax(values)
        span = high - low if high > low else 1.0
        good = (values - low) / span
        scaled[name] = good if CRITERIA_BY_NAME[name].higher_is_better else 1 - good
    matrix = np.column_stack([scaled[n] for n in axes_names])
    positions = np.arange(len(axes_names))
    for row in matrix:
        ax.plot(positions, row, color="#bbbbbb", linewidth=0.6, alpha=0.6, zorder=1)
    handles = []
    highlighted = _highlighted(table, top)
    others = iter(ARM_COLOURS)
    for row in highlighted.itertuples():
        i = table.index[table["package"] == row.package][0]
        baseline = row.package == BASELINE
        colour = BASELINE_COLOUR if baseline else next(others, GREY)
        ax.plot(positions, matrix[i], color=colour, linewidth=2.6 if baseline else 2.0, zorder=3)
        handles.append(
            Line2D(
                [], [], color=colour, linewidth=2, label=f"{row.rank}. {pretty(str(row.package))}"
            )
        )
    for position, name in zip(positions, axes_names, strict=True):
        ax.axvline(float(position), color=GREY, linewidth=0.8, zorder=0)
        values = table[name].to_numpy(float) * _factor(name, mission)
        best, worst = (
            (np.nanmax(values), np.nanmin(values))
            if CRITERIA_BY_NAME[name].higher_is_better
            else (np.nanmin(values), np.nanmax(values))
        )
        for y, value, va in ((1.0, best, "bottom"), (0.0, worst, "top")):
            ax.text(
                float(position),
                y + (0.02 if va == "bottom" else -0.02),
                f"{value:.3g}",
                ha="center",
                va=va,
                fontsize=TEXT["small"],
            )
    ax.set_xticks(positions, [_axis_label(n, mission) for n in axes_names], fontsize=TEXT["small"])
    ax.set_yticks([])
    ax.set_ylim(-0.12, 1.12)
    ax.set_xlim(-0.4, len(axes_names) - 0.6)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=min(2, len(handles)),
        fontsize=TEXT["small"],
        frameon=False,
    )
    suptitle(
        fig,
        f"Packages on every criterion: {plot_title(mission)}",
        "each axis scaled to the packages' range, better up (regret axes inverted); "
        "numbers: best at the top, worst at the bottom",
    )
    return fig


def _axis_label(name: str, mission: str) -> str:
    scale = metric_scale(mission)
    label = CRITERIA_BY_NAME[name].label
    if name in SHARE_CRITERIA:
        unit = "%"
    elif name in REGRET_CRITERIA:
        unit = scale.diff_unit
    else:
        unit = scale.level_unit
    words = label.replace(" across states", "").split()
    lines, line = [], ""
    for word in words:
        if len(line) + len(word) > 14 and line:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join([*lines, f"({unit})"])


def convergence_plot(convergence: pd.DataFrame) -> Figure:
    """Hypervolume of the non-dominated set by generation, and packages evaluated so far."""
    fig = new_figure(4.6, 8.0)
    ax = fig.subplots()
    ax.plot(
        convergence["generation"],
        convergence["hypervolume"],
        marker="o",
        color=OKABE_ITO["blue"],
        label="hypervolume",
    )
    ax.set_xlabel("Generation", fontsize=TEXT["normal"])
    ax.set_ylabel("Hypervolume (normalised objectives)", fontsize=TEXT["normal"])
    ax.grid(color="#dddddd", linewidth=0.8)
    right = ax.twinx()
    right.step(
        convergence["generation"],
        convergence["evaluated"],
        where="mid",
        color=OKABE_ITO["orange"],
        label="packages evaluated",
    )
    right.set_ylabel("Packages evaluated (cumulative)", fontsize=TEXT["normal"])
    handles = [*ax.get_legend_handles_labels()[0], *right.get_legend_handles_labels()[0]]
    ax.legend(handles=handles, fontsize=TEXT["small"], loc="lower right")
    suptitle(
        fig,
        "Search convergence",
        "hypervolume of each generation's non-dominated packages (pymoo), reference point 1.1",
    )
    return fig


def write_figures(result: RobustResult, mission: str, top: int) -> list[Path]:
    """The trade-off, parallel-coordinates and (for a search) convergence figures."""
    figures = result.out / "figures"
    written = save(tradeoff_plot(result.table, mission, top=top), figures / "tradeoff")
    written += save(parallel_plot(result.table, mission, top=top), figures / "parallel")
    if result.search is not None:
        written += save(convergence_plot(result.search.convergence), figures / "convergence")
    return written
