"""Figures of a calibration: prior against posterior, targets against the members, conflicts.

Drawn from the tables :func:`mobilise.analysis.calibration.calibrate` returns (and
writes), in the house style of :mod:`mobilise.views.figure_style`.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from mobilise.views.drawing import Drawing, save_drawings
from mobilise.views.figure_style import GREY, OKABE_ITO, TEXT, new_figure, suptitle

if TYPE_CHECKING:
    from mobilise.analysis.calibration import CalibrationResult

SHOWN_DRAWN = 12
"""Besides the inferred inputs, how many of the others the prior/posterior figure shows
(those the data narrowed most)."""


def prior_posterior(posterior: pd.DataFrame) -> Figure:
    """Each input's members within its prior range: where the data moved and narrowed it.

    One row per input, its range scaled to [0, 1] (the grey bar: the uniform prior);
    the members' median (dot) and 5-95% (line). The inferred inputs first, then the
    others the data narrowed most.
    """
    inferred = posterior[posterior["status"] == "inferred"]
    others = posterior[posterior["status"] != "inferred"].sort_values("narrowing", ascending=False)
    rows = pd.concat([inferred, others.head(SHOWN_DRAWN)], ignore_index=True)[::-1]
    fig = new_figure(0.32 * len(rows) + 1.8)
    ax = fig.subplots()
    width = (rows["high"] - rows["low"]).to_numpy(float)
    low = rows["low"].to_numpy(float)

    def scaled(column: str) -> np.ndarray:
        values: np.ndarray = (rows[column].to_numpy(float) - low) / width
        return values

    y = np.arange(len(rows))
    ax.barh(y, np.ones(len(rows)), color="#eeeeee", height=0.7)
    colours = [OKABE_ITO["blue"] if status == "inferred" else GREY for status in rows["status"]]
    for i, (q05, q50, q95) in enumerate(
        zip(scaled("q05"), scaled("q50"), scaled("q95"), strict=True)
    ):
        ax.plot([q05, q95], [y[i], y[i]], color=colours[i], linewidth=2.2)
        ax.plot(q50, y[i], marker="o", markersize=6, color=colours[i])
    labels = [
        f"{name} [{lo:g}, {hi:g}]"
        for name, lo, hi in zip(rows["input"], rows["low"], rows["high"], strict=True)
    ]
    ax.set_yticks(y, labels)
    ax.tick_params(labelsize=TEXT["small"])
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel("position in the prior range (0 = low, 1 = high)", fontsize=TEXT["normal"])
    suptitle(
        fig,
        "Uncertain inputs: prior range against the ensemble",
        "grey bar: the uniform prior; dot and line: the members' median and 5-95%; blue: "
        "inferred by ABC-SMC,\ngrey: drawn from the prior with each simulation (the most "
        "narrowed shown)",
    )
    return fig


def predictive(table: pd.DataFrame) -> Figure:
    """Every target against the members: model minus observed, in units of its error.

    The band [-1, 1] is "meets the target"; a member's value is its mean over seeds.
    Held-out targets (not in the calibration) are marked.
    """
    rows = table[::-1].reset_index(drop=True)
    fig = new_figure(0.34 * len(rows) + 1.8)
    ax = fig.subplots()
    error = rows["error"].to_numpy(float)
    observed = rows["observed"].to_numpy(float)

    def miss(column: str) -> np.ndarray:
        values: np.ndarray = (rows[column].to_numpy(float) - observed) / error
        return values

    y = np.arange(len(rows))
    ax.axvspan(-1, 1, color="#e8f1f8")
    ax.axvline(0, color="black", linewidth=1.0)
    held = (rows["use"] == "validate").to_numpy()
    for i, (q05, q50, q95) in enumerate(
        zip(miss("model_q05"), miss("model_median"), miss("model_q95"), strict=True)
    ):
        colour = GREY if held[i] else OKABE_ITO["blue"]
        ax.plot([q05, q95], [y[i], y[i]], color=colour, linewidth=2.2)
        ax.plot(q50, y[i], marker="o", markersize=6, color=colour)
        ax.annotate(
            f"met by {rows['members_meeting'].iloc[i]:.0%}",
            (1.0, y[i]),
            xycoords=ax.get_yaxis_transform(),
            xytext=(4, 0),
            textcoords="offset points",
            fontsize=TEXT["small"],
            va="center",
        )
    labels = [
        f"{name}{' (held out)' if h else ''}" for name, h in zip(rows["target"], held, strict=True)
    ]
    ax.set_yticks(y, labels)
    ax.tick_params(labelsize=TEXT["small"])
    ax.set_xlabel("(model - observed) / error", fontsize=TEXT["normal"])
    suptitle(
        fig,
        "Posterior predictive check: each target against the members",
        "dot and line: the members' median and 5-95%; shaded: within the target's error; "
        "grey: held out\nat right: the share of members meeting the target",
    )
    return fig


def conflicts(table: pd.DataFrame) -> Figure:
    """Which targets pull against each other: correlations of their squared misses.

    Across the first generation's particles (spread over the prior): negative (orange)
    means the settings that fit one target tend to miss the other.
    """
    names = list(dict.fromkeys([*table["target_a"], *table["target_b"]]))
    matrix = np.eye(len(names))
    index = {n: i for i, n in enumerate(names)}
    pairs = zip(table["target_a"], table["target_b"], table["early"].astype(float), strict=True)
    for first, second, value in pairs:
        a, b = index[first], index[second]
        matrix[a, b] = matrix[b, a] = value
    fig = new_figure(0.45 * len(names) + 2.2)
    ax = fig.subplots()
    image = ax.imshow(matrix, cmap="PuOr", vmin=-1, vmax=1)
    ax.set_xticks(range(len(names)), names, rotation=60, ha="right")
    ax.set_yticks(range(len(names)), names)
    ax.tick_params(labelsize=TEXT["small"])
    for a in range(len(names)):
        for b in range(len(names)):
            if a != b:
                ax.text(b, a, f"{matrix[a, b]:+.1f}", ha="center", va="center", fontsize=7)
    fig.colorbar(image, ax=ax, shrink=0.7)
    suptitle(
        fig,
        "Which targets pull against each other",
        "Spearman correlation of squared misses across the first generation's particles: "
        "negative (orange), fitting one tends to miss the other",
    )
    return fig


def write_calibration_figures(result: CalibrationResult, workers: int | None = 1) -> list[Path]:
    """The three figures of a calibration, in ``result.out/figures/`` (PNG and SVG)."""
    figures = result.out / "figures"
    drawings: list[Drawing] = [
        (partial(prior_posterior, result.posterior), figures / "prior_posterior"),
        (partial(predictive, result.predictive), figures / "predictive"),
    ]
    if not result.conflicts.empty:
        drawings.append((partial(conflicts, result.conflicts), figures / "conflicts"))
    return save_drawings(drawings, workers)
