"""Figures for "which assumptions matter": sensitivity indices and scenario discovery.

They share the style of :mod:`mobilise.views.plots` (palette, font sizes, titles).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from mobilise.analysis.discovery import Box
from mobilise.views.figure_style import GREY, OKABE_ITO, TEXT, arm_label, new_figure, suptitle

SENSITIVITY_INDEX = {
    "morris": ("mu_star", "Morris mu* (mean |elementary effect|)"),
    "sobol": ("ST", "Sobol total-order index ST"),
}


def sensitivity_bars(indices: pd.DataFrame, outcome: str, method: str) -> Figure:
    """Ranked bars of each parameter's importance for ``outcome``, one panel per arm.

    Morris: mu* with its bootstrap interval; Sobol: total-order ST with its
    interval and first-order S1 as a dot (the gap is interaction).
    """
    index, label = SENSITIVITY_INDEX[method]
    frame = indices[(indices["outcome"] == outcome) & (indices["index"] == index)]
    if frame.empty:
        raise ValueError(f"sensitivity_bars: no {index} indices for {outcome}")
    arms = list(frame["arm"].unique())
    parameters = frame["parameter"].nunique()
    fig = new_figure(1.6 + 0.32 * parameters * len(arms) + 0.6 * len(arms))
    axes = fig.subplots(len(arms), 1, squeeze=False)[:, 0]
    for ax, arm in zip(axes, arms, strict=True):
        rows = frame[frame["arm"] == arm].sort_values("value")
        y = np.arange(len(rows))
        ax.barh(y, rows["value"], xerr=rows["ci"].fillna(0), color=OKABE_ITO["blue"], alpha=0.85)
        if method == "sobol":
            first = indices[(indices["outcome"] == outcome) & (indices["index"] == "S1")]
            first = first[first["arm"] == arm].set_index("parameter").reindex(rows["parameter"])
            ax.plot(first["value"], y, "o", color=OKABE_ITO["vermillion"], label="first order S1")
            ax.legend(fontsize=TEXT["small"], loc="lower right")
        ax.set_yticks(
            y, [p.replace("populations.", "").replace("_", " ") for p in rows["parameter"]]
        )
        ax.tick_params(labelsize=TEXT["small"])
        ax.set_title(arm_label(arm), fontsize=TEXT["normal"])
        ax.grid(axis="x", color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
    axes[-1].set_xlabel(f"{label} on {outcome.replace('_', ' ')}", fontsize=TEXT["normal"])
    suptitle(
        fig,
        "Which assumptions matter?",
        f"{outcome.replace('_', ' ')}; bars: {index} with 95% interval",
    )
    return fig


def coverage_density(trajectory: list[Box], chosen: Box, outcome: str) -> Figure:
    """PRIM's trade-off: each peeled box's coverage against its density; the chosen one marked."""
    fig = new_figure(5.0, 7.0)
    ax = fig.subplots()
    coverage = [b.coverage for b in trajectory]
    density = [b.density for b in trajectory]
    restricted = [len(b.limits) for b in trajectory]
    points = ax.scatter(coverage, density, c=restricted, cmap="viridis", s=30, zorder=2)
    ax.plot(coverage, density, color=GREY, linewidth=1, zorder=1)
    ax.plot(
        chosen.coverage,
        chosen.density,
        marker="*",
        markersize=16,
        color=OKABE_ITO["vermillion"],
        linestyle="none",
        label="chosen box (pasted)",
        zorder=3,
    )
    fig.colorbar(points, ax=ax, label="inputs restricted")
    ax.set_xlabel("Coverage: share of successes inside the box", fontsize=TEXT["normal"])
    ax.set_ylabel("Density: share of runs inside that succeed", fontsize=TEXT["normal"])
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.grid(color="#dddddd", linewidth=0.8)
    ax.legend(fontsize=TEXT["small"], loc="lower left")
    suptitle(fig, "Scenario discovery (PRIM)", f"{outcome.replace('_', ' ')}: peeling trajectory")
    return fig
