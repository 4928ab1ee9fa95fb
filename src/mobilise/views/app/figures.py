"""Figures for a workshop: a comparison as the app shows it, the groups side by side, a network.

Charts are inline SVG (:func:`mobilise.views.plots.inline_svg`): sharp on a projector and
in print. :func:`compare_and_draw` is what a worker process runs for the app: the
comparison and its figures in one go, so the server's own thread draws nothing.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from mobilise.schema.actor_types import BUILT_IN
from mobilise.schema.levers import BASELINE
from mobilise.schema.missions import MISSIONS
from mobilise.views.figure_style import (
    ARM_COLOURS,
    BASELINE_LABEL,
    GREY,
    TEXT,
    draw_milestones,
    inline_svg,
    legend_below,
    metric_scale,
    new_figure,
    pretty,
    quarter_axis,
    suptitle,
    with_unit,
)
from mobilise.views.plots import engagement_by_type, fan_chart
from mobilise.views.workshop import WITH_REFORMS, Comparison, Request, compare

LAYOUTS = ("side by side", "overlaid")
"""How the key-metric chart shows the two arms: one panel each, or one panel for both."""


FIGURES = (*LAYOUTS, "engagement")
"""The figures of a comparison on the page: the key chart in each layout, and engagement."""


@dataclass
class Drawn:
    """A comparison with the figures drawn of it so far (inline SVG by name)."""

    comparison: Comparison
    figures: dict[str, str]


def figure(comparison: Comparison, name: str) -> str:
    """One of :data:`FIGURES` of a comparison, as inline SVG."""
    series = comparison.timeseries
    mission = str(series["mission"].iloc[0])
    if name == "engagement":
        return inline_svg(engagement_by_type(series, mission), "engaged share by actor type")
    if name == "side by side" and comparison.reforms:
        chart = fan_chart(series, mission, separate=True)
        return inline_svg(chart, "key metric over time, one arm per panel")
    chart = fan_chart(series, mission)
    chart.set_size_inches(10.0, 5.0)  # wide and low: the key chart fits above the fold
    return inline_svg(chart, "key metric over time")


def draw(job: tuple[Comparison, tuple[str, ...]]) -> Drawn:
    """Draw the named figures of a comparison (and its headline effect, in the worker)."""
    comparison, names = job
    if comparison.reforms:
        _ = comparison.headline_effect  # cached on the comparison, sent back with it
        _ = comparison.drivers  # likewise: what would settle it
    return Drawn(comparison, {name: figure(comparison, name) for name in names})


def compare_and_draw(job: tuple[Request, tuple[str, ...]]) -> Drawn:
    """Run a comparison and draw the named figures: what a worker process does for the app.

    The page asks for the key chart in its layout first and the other figures in a
    second, lower-priority job, so a full room sees every group's headline sooner.
    """
    request, names = job
    comparison = compare(
        request.scenario,
        request.reforms,
        replications=request.replications,
        seed=request.seed,
        timing=request.timing,
        mission=request.mission,
        ensemble=request.ensemble,
    )
    return draw((comparison, names))


def warm_up() -> None:
    """Draw once, so a worker's first real job does not also load the SVG machinery."""
    inline_svg(Figure(figsize=(1, 1)))


# --- the groups side by side ----------------------------------------------------------


def groups_chart(series_by_group: Mapping[str, pd.DataFrame]) -> Figure:
    """Each group's median key metric over time: solid with its reforms, dashed push alone.

    One panel per mission the groups chose, each in the mission's unit, with its
    milestones; a group keeps its colour across panels.
    """
    groups = list(series_by_group)
    colours = {g: ARM_COLOURS[i % len(ARM_COLOURS)] for i, g in enumerate(groups)}
    missions = list(dict.fromkeys(str(s["mission"].iloc[0]) for s in series_by_group.values()))
    fig = new_figure(1.6 + 3.2 * len(missions))
    axes = fig.subplots(len(missions), 1, squeeze=False)[:, 0]
    for ax, mission in zip(axes, missions, strict=True):
        scale = metric_scale(mission)
        quarters = None
        for group, series in series_by_group.items():
            if str(series["mission"].iloc[0]) != mission:
                continue
            medians = series.groupby(["arm", "step"])["metric"].median()
            quarters = series.groupby("step")["quarter"].first()
            for arm, dashes in ((WITH_REFORMS, "-"), (BASELINE, "--")):
                if arm in medians.index.get_level_values(0):
                    line = medians.loc[arm]
                    width = 2.4 if arm == WITH_REFORMS else 1.4
                    ax.plot(line.index, line.to_numpy() * scale.factor, linestyle=dashes,
                            color=colours[group], linewidth=width)  # fmt: skip
        handles = []
        if quarters is not None:
            handles = draw_milestones(ax, MISSIONS.get(mission), quarters, scale.factor)
            ax.set_xlabel(quarter_axis(ax, quarters, max_ticks=11), fontsize=TEXT["normal"])
        ax.set_ylabel(with_unit(scale.metric, scale.level_unit), fontsize=TEXT["normal"])
        ax.grid(axis="y", color="#dddddd", linewidth=0.8)
        ax.set_axisbelow(True)
        title = MISSIONS[mission].title if mission in MISSIONS else f"Mission: {mission}"
        ax.set_title(title, fontsize=TEXT["normal"])
        if handles:
            ax.legend(handles=handles, fontsize=TEXT["small"], loc="best", frameon=False)
    legend = [Line2D([], [], color=colours[g], linewidth=2.4, label=g) for g in groups]
    dashed = f"dashed: {BASELINE_LABEL}"
    legend += [
        Line2D([], [], color=GREY, linewidth=2.4, label=f"solid: {WITH_REFORMS}"),
        Line2D([], [], color=GREY, linewidth=1.4, linestyle="--", label=dashed),
    ]
    legend_below(fig, legend, columns=4)
    suptitle(fig, "The groups' comparisons side by side", "median of each group's runs")
    return fig


# --- the network, step by step ---------------------------------------------------------

NETWORK_SIZE = (800, 420)
"""Width and height of the network picture's drawing area (SVG units)."""


def _look(name: str) -> tuple[str, str]:
    """An actor type's marker shape and label: its record's, or a circle and its name."""
    record = BUILT_IN.get(name)
    return (record.marker, record.label) if record else ("circle", pretty(name).capitalize())


def _marker(shape: str, x: float, y: float, r: float) -> str:
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}"'
    shapes: dict[str, list[tuple[float, float]]] = {
        "square": [(-1, -1), (1, -1), (1, 1), (-1, 1)],
        "triangle": [(0, -1.2), (1.1, 0.9), (-1.1, 0.9)],
        "diamond": [(0, -1.3), (1.3, 0), (0, 1.3), (-1.3, 0)],
        "triangle-down": [(0, 1.2), (1.1, -0.9), (-1.1, -0.9)],
        "plus": [(-0.4, -1.2), (0.4, -1.2), (0.4, -0.4), (1.2, -0.4), (1.2, 0.4), (0.4, 0.4),
                 (0.4, 1.2), (-0.4, 1.2), (-0.4, 0.4), (-1.2, 0.4), (-1.2, -0.4), (-0.4, -0.4)],
    }  # fmt: skip
    points = shapes[shape]
    text = " ".join(f"{x + r * dx:.1f},{y + r * dy:.1f}" for dx, dy in points)
    return f'<polygon points="{text}"'


def _colour(value: float) -> str:
    red, green, blue, _ = colormaps["viridis"](float(np.clip(value, 0.0, 1.0)))
    return f"#{round(red * 255):02x}{round(green * 255):02x}{round(blue * 255):02x}"


def network_svg(
    snapshot: dict[str, Any], positions: np.ndarray, engagement: np.ndarray, quarter: str
) -> str:
    """The sampled agents and their ties, coloured by engagement, as one SVG element.

    Drawn without matplotlib so that Play can redraw it every few hundred
    milliseconds; every agent carries its id and engagement as data attributes.
    """
    width, height = NETWORK_SIZE
    legend_width = 150
    span = positions.max(axis=0) - positions.min(axis=0)
    span[span == 0] = 1.0
    xy = (positions - positions.min(axis=0)) / span
    xy = np.column_stack([20 + xy[:, 0] * (width - 40), 30 + xy[:, 1] * (height - 50)])
    index = {int(node): i for i, node in enumerate(snapshot["nodes"])}
    parts = [
        f'<svg width="100%" viewBox="0 0 {width + legend_width} {height}" role="img" '
        f'aria-label="network sample, {quarter}" data-quarter="{quarter}" '
        'xmlns="http://www.w3.org/2000/svg" style="font-family: sans-serif">',
        f'<text x="20" y="18" font-size="14">A sample of {len(index)} agents and their ties, '
        f"{html.escape(quarter)}</text>",
        '<g stroke="#cccccc" stroke-width="0.6">',
    ]
    for a, b in snapshot["edges"]:
        (x1, y1), (x2, y2) = xy[index[int(a)]], xy[index[int(b)]]
        parts.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>')
    parts.append('</g><g stroke="#333333" stroke-width="0.4">')
    for i, node in enumerate(snapshot["nodes"]):
        value = float(engagement[i])
        shape, _ = _look(snapshot["names"][int(snapshot["kind"][i])])
        parts.append(
            _marker(shape, xy[i, 0], xy[i, 1], 4.5)
            + f' fill="{_colour(value)}" data-node="{int(node)}" data-engagement="{value:.6f}"/>'
        )
    parts.append("</g>")
    parts.append(_network_legend(width + 10, snapshot))
    parts.append("</svg>")
    return "".join(parts)


def _network_legend(left: float, snapshot: dict[str, Any]) -> str:
    kinds = sorted({int(k) for k in snapshot["kind"]})
    parts = [f'<text x="{left}" y="40" font-size="13">actor type</text>']
    for row, k in enumerate(kinds):
        y = 60 + 20 * row
        shape, label = _look(snapshot["names"][k])
        parts.append(_marker(shape, left + 8, y - 4, 5) + ' fill="#999999"/>')
        parts.append(f'<text x="{left + 20}" y="{y}" font-size="12">{html.escape(label)}</text>')
    top = 80 + 20 * len(kinds)
    stops = "".join(
        f'<stop offset="{v:.1f}" stop-color="{_colour(v)}"/>' for v in np.linspace(0, 1, 11)
    )
    parts += [
        f'<text x="{left}" y="{top}" font-size="13">engagement</text>',
        '<defs><linearGradient id="engagement-scale" x1="0" x2="1">',
        f"{stops}</linearGradient></defs>",
        f'<rect x="{left}" y="{top + 8}" width="120" height="12" fill="url(#engagement-scale)"/>',
        f'<text x="{left}" y="{top + 34}" font-size="11">0</text>',
        f'<text x="{left + 112}" y="{top + 34}" font-size="11">1</text>',
    ]
    return "".join(parts)


def spring_positions(snapshot: dict[str, Any], seed: int) -> np.ndarray:
    """A spring layout of the sample, fixed by ``seed`` (computed once per model)."""
    import networkx as nx

    graph = nx.Graph()
    graph.add_nodes_from(range(len(snapshot["nodes"])))
    index = {int(node): i for i, node in enumerate(snapshot["nodes"])}
    graph.add_edges_from((index[int(a)], index[int(b)]) for a, b in snapshot["edges"])
    layout = nx.spring_layout(graph, seed=seed, iterations=40)
    return np.array([layout[i] for i in range(len(snapshot["nodes"]))])
