"""The house style of every figure: palette, text sizes, scales and labels, axes, saving.

Figures are built as :class:`matplotlib.figure.Figure` directly (no pyplot, no global
backend or rcParams change), so importing or calling this module has no side effects
and works headless. Colours are the Okabe-Ito palette (safe for colour-blind readers and
in greyscale print, with the baseline always black); text is at least 9 pt on figures
8-10 inches wide. A share is shown in % and a difference of shares in percentage points.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter

from mobilise.model.outcomes import OUTCOMES_BY_NAME
from mobilise.schema.missions import MISSIONS, Mission
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
BASELINE_COLOUR = OKABE_ITO["black"]
ARM_COLOURS: tuple[str, ...] = tuple(
    OKABE_ITO[c]
    for c in ("orange", "blue", "bluish green", "vermillion", "reddish purple", "sky blue")
)
GREY = "#666666"
TEXT = {"small": 9, "normal": 10, "title": 12}
WIDTH = 9.0


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


def lower_first(text: str) -> str:
    """``text`` with its first letter in lower case, for use mid-sentence ("Effect on ...")."""
    return text[:1].lower() + text[1:]


def plot_title(mission: str) -> str:
    """A figure's title for ``mission``: its catalogue title, or its name."""
    spec = MISSIONS.get(mission)
    return spec.title if spec else f"Mission: {mission}"


def pretty(name: str) -> str:
    """A readable label for an arm, reform or actor type ('a_b+c_d' -> 'a b + c d')."""
    return " + ".join(part.replace("_", " ") for part in str(name).split("+"))


BASELINE_LABEL = "government push alone"


def arm_label(arm: str, baseline: str = "baseline") -> str:
    """The name an arm goes by everywhere a reader sees it: the baseline is push alone."""
    return BASELINE_LABEL if arm == baseline else pretty(arm)


def number_formatter(values: Iterable[float]) -> FuncFormatter:
    """Thousands separators for large numbers, no offset or scientific notation."""
    finite = [abs(v) for v in values if v is not None and np.isfinite(v)]
    big = bool(finite) and max(finite) >= 1000
    return FuncFormatter(lambda v, _: f"{v:,.0f}" if big else f"{v:g}")


def decimals_for(values: Iterable[float]) -> int:
    """Decimals that show about three significant digits of the largest value."""
    finite = [abs(v) for v in values if np.isfinite(v) and v != 0]
    if not finite:
        return 2
    return int(min(4, max(0, 2 - math.floor(math.log10(max(finite))))))


def format_value(value: float, decimals: int, sign: bool = True) -> str:
    """A value with ``decimals`` decimals (signed unless ``sign`` is false); n/a if not finite."""
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
    label_of = {s: str(q) for s, q in zip(steps.tolist(), quarters.tolist(), strict=True)}
    firsts = [s for s, label in label_of.items() if label.endswith("Q1")]
    candidates = firsts if len(firsts) >= 4 else list(label_of)
    stride = max(1, math.ceil(len(candidates) / max_ticks))
    ticks = candidates[::stride]
    labels = [label_of[s] for s in ticks]
    by_year = years and candidates is firsts
    if by_year:
        labels = [label[:4] for label in labels]
    ax.set_xticks(ticks, labels)
    ax.set_xlim(steps.min(), steps.max())
    ax.tick_params(labelsize=TEXT["small"])
    return "Year (ticks at Q1)" if by_year else "Quarter"


def arm_colours(arms: Sequence[str], baseline: str = "baseline") -> dict[str, str]:
    """A colour per arm: the baseline black, the others Okabe-Ito in turn."""
    others = [a for a in arms if a != baseline]
    colours = {a: ARM_COLOURS[i % len(ARM_COLOURS)] for i, a in enumerate(others)}
    return {baseline: BASELINE_COLOUR, **colours} if baseline in arms else colours


def arm_style(arms: Sequence[str], baseline: str) -> dict[str, dict[str, Any]]:
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


def new_figure(height: float, width: float = WIDTH) -> Figure:
    """A figure of the house style (constrained layout, no pyplot state)."""
    return Figure(figsize=(width, height), layout="constrained")


def suptitle(fig: Figure, title: str, subtitle: str) -> None:
    """The title, and under it the subtitle (what is shown, from how many runs)."""
    fig.suptitle(f"{title}\n{subtitle}" if subtitle else title, fontsize=TEXT["title"])


@contextmanager
def limits_once(
    axes: Iterable[Axes], autoscale: Literal["x", "y", "both"] | None = None
) -> Iterator[None]:
    """Draw into shared panels with their limits worked out once, at the end.

    Before adding each band, matplotlib brings every sharing panel's limits up to date
    from the data so far: with a dozen panels, about a fifth of drawing a fan chart. The
    body sets any limits it fixes itself; ``autoscale`` ("x", "y" or "both") names
    those left to the data, worked out from all of it when the figure is drawn: the
    same limits, and the same files, as before.
    """
    panels = list(axes)
    for ax in panels:
        ax.set_autoscale_on(False)
    yield
    if autoscale is not None:
        for ax in panels:
            ax.autoscale(True, axis=autoscale)


def bottom_xlabels(axes: Sequence[Axes], columns: int, text: str) -> None:
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


SVG_SETTINGS: Any = {"svg.fonttype": "none", "svg.hashsalt": "mobilise"}
"""Text kept as text (editable, searchable, a third of the size, and faster to write than
glyph outlines; sans-serif fallbacks), and fixed ids: with no date, the same figure is the
same bytes."""


def save(fig: Figure, path_without_suffix: str | Path) -> list[Path]:
    """Write ``<path>.png`` (150 dpi, for documents) and ``<path>.svg`` (for editing).

    The layout is worked out once, for the PNG, and the SVG keeps it (a fifth to a
    third of each later save is the constrained layout recomputing the same places).
    Neither file carries a date, so the same figure is the same bytes.
    """
    import matplotlib

    base = Path(path_without_suffix)
    base.parent.mkdir(parents=True, exist_ok=True)
    written = []
    formats: tuple[tuple[str, dict[str, Any]], ...] = (
        (".png", {"dpi": 150}),
        (".svg", {"metadata": {"Date": None}}),
    )
    engine = fig.get_layout_engine()
    try:
        for suffix, options in formats:
            path = base.with_name(base.name + suffix)
            with matplotlib.rc_context(SVG_SETTINGS):
                fig.savefig(path, format=suffix[1:], facecolor="white", **options)
            written.append(path)
            fig.set_layout_engine("none")  # laid out: later formats keep these places
    finally:
        fig.set_layout_engine(engine)
    return written


def inline_svg(fig: Figure, title: str = "") -> str:
    """The figure as an ``<svg>`` element for a page: sharp at any size, text kept as text.

    Vector output stays sharp on a 1920x1080 projector and in print, where a PNG drawn
    for a laptop is stretched and blurred. Text is left as text (searchable, small) with
    sans-serif fallbacks; fixed ids and no date make the same figure the same bytes.
    """
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context(SVG_SETTINGS):
        fig.savefig(buffer, format="svg", facecolor="white", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r"<svg\1", text, count=1)
    label = f' role="img" aria-label="{html.escape(title)}"' if title else ' role="img"'
    text = text.replace("<svg", f'<svg width="100%"{label}', 1)
    return re.sub(r"\s*<metadata>.*?</metadata>", "", text, count=1, flags=re.DOTALL)
