"""Structures that move: pre-mission trends of structural constraints, and what mobilisation builds.

A scenario's ``constraints`` are where its structures stand at the start. Its
``structures`` section says how they move during a run (docs/model.md, Structures that
move): each constraint in :data:`STRUCTURAL` may follow a *trend* (a change per quarter,
fitted to rows of ``data/`` or stated as an assumption), and two slow feedbacks build
structure from mobilisation (:data:`RECRUITERS`): engaged unions recruit, and
volunteering begets volunteering. Reforms may move a trend like any other field
(:mod:`mobilise.schema.reforms`).

A trend that would take its constraint outside the constraint's bounds within the
horizon (a share below 0 or above 1) is refused in one line (:func:`check_trends`), and a
trend fitted to data rows must be their least-squares slope (:func:`check_trend_fits`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from pydantic import Field, field_validator, model_validator

from mobilise.schema.constraints import Constraints
from mobilise.schema.sources import DataRow, data_file, read_data
from mobilise.schema.strict import Strict
from mobilise.vocabulary import ScenarioError, unknown_name

STRUCTURAL: tuple[str, ...] = (
    "union_density",
    "volunteering_rate",
    "overseas_share",
    "holding_period_years",
    "foundation_ownership_share",
    "weekly_hours",
)
"""The constraints that are state during a run, in the order of their columns.

Each only sets reach (docs/model.md §7.4), so a run follows it quarter by quarter
without drawing anything again; the other constraints stay as built at the start.
"""

RECRUITERS: dict[str, tuple[str, str]] = {
    "union_density": ("union", "union_recruitment"),
    "volunteering_rate": ("volunteer", "volunteer_recruitment"),
}
"""Constraint -> (the actor type whose mobilisation builds it, the rate that says how fast)."""

FIT_TOLERANCE = 5e-7
"""How far a fitted trend's stated slope may be from its rows' slope (it is written rounded)."""


class Trend(Strict):
    """One constraint's change per quarter when nobody mobilises, and where it comes from."""

    per_quarter: float = Field(
        description="change per quarter, in the constraint's unit (a share: -0.0006 is "
        "-0.06 percentage points)"
    )
    data: list[str] = Field(
        default_factory=list,
        description="data files the rows are read from, together (e.g. stylised_facts.csv "
        "and structural_trends.csv)",
    )
    series: str | None = Field(None, description="the series fitted, in those files")
    years: list[int] | None = Field(
        None, description="the first and last year fitted (ordinary least squares, per year / 4)"
    )
    note: str = Field(
        "", description="how per_quarter follows from the fit when it is not its slope"
    )
    assumption: str | None = Field(None, description="the assumption, where no fit is given")

    @model_validator(mode="after")
    def _one_basis(self) -> Trend:
        fitted = self.series is not None
        if fitted != (self.years is not None) or fitted != bool(self.data):
            raise ValueError("a fitted trend gives data, series and years together")
        if fitted == (self.assumption is not None):
            raise ValueError("expected either a fit (data, series, years) or an assumption")
        if self.years is not None and (len(self.years) != 2 or self.years[0] >= self.years[1]):
            raise ValueError(f"years: expected [first, last] with first < last, found {self.years}")
        return self


class Structures(Strict):
    """How the structural constraints move during a run: trends, and what mobilisation builds.

    Without trends and with both recruitment rates 0, structures stay as the constraints
    set them: the model as it was before structures moved.
    """

    trends: dict[str, Trend] = Field(
        default_factory=dict,
        description="constraint -> its pre-mission trend (" + ", ".join(STRUCTURAL) + ")",
    )
    union_recruitment: float = Field(
        0.0003,
        ge=0,
        le=0.01,
        description="union density added per quarter when unions are fully mobilised "
        "(assumption: the recent best UK rise, 2017-2020; data/structure_dynamics_sources.md)",
    )
    volunteer_recruitment: float = Field(
        0.0005,
        ge=0,
        le=0.01,
        description="monthly formal volunteering added per quarter when volunteers are fully "
        "mobilised (assumption: a fifth of Denmark's 2020-24 rise; "
        "data/structure_dynamics_sources.md)",
    )
    decay: float = Field(
        0.03,
        ge=0,
        le=1,
        description="share of what mobilisation built that is lost each quarter (assumption: "
        "half-lives of 11 quarters or more; data/structure_dynamics_sources.md)",
    )

    @field_validator("trends")
    @classmethod
    def _structural(cls, value: dict[str, Trend]) -> dict[str, Trend]:
        for name in value:
            if name not in STRUCTURAL:
                raise unknown_name("structural constraint", name, STRUCTURAL)
        return value

    def slope(self, name: str) -> float:
        """The trend of ``name`` per quarter (0 without one)."""
        trend = self.trends.get(name)
        return 0.0 if trend is None else trend.per_quarter

    def rate(self, name: str) -> float:
        """How fast mobilisation builds ``name`` (0 for a constraint no type recruits to)."""
        return float(getattr(self, RECRUITERS[name][1])) if name in RECRUITERS else 0.0


def bounds(name: str) -> tuple[float, float, bool, bool]:
    """A constraint's bounds from its field: ``(low, high, low inclusive, high inclusive)``."""
    low, high, low_in, high_in = -math.inf, math.inf, True, True
    for item in Constraints.model_fields[name].metadata:
        for attr, is_low, inclusive in (("ge", True, True), ("gt", True, False),
                                        ("le", False, True), ("lt", False, False)):  # fmt: skip
            value = getattr(item, attr, None)
            if value is None:
                continue
            if is_low:
                low, low_in = float(value), inclusive
            else:
                high, high_in = float(value), inclusive
    return low, high, low_in, high_in


def check_trends(structures: Structures, constraints: Constraints, quarters: int) -> None:
    """Every trend keeps its constraint within the constraint's bounds up to the horizon.

    ValueError in one line naming the trend, where it ends and the bounds expected.
    """
    for name, trend in structures.trends.items():
        start = float(getattr(constraints, name))
        end = start + trend.per_quarter * quarters
        low, high, low_in, high_in = bounds(name)
        inside = (end >= low if low_in else end > low) and (end <= high if high_in else end < high)
        if not inside:
            expected = f"{'[' if low_in else '('}{low:g}, {high:g}{']' if high_in else ')'}"
            raise ValueError(
                f"structures.trends.{name}: per_quarter {trend.per_quarter:g} takes {name} from "
                f"{start:g} to {end:g} by quarter {quarters} (expected it to stay within "
                f"{expected} within the horizon)"
            )


def fitted_slope(rows: Mapping[int, float]) -> float:
    """The ordinary least-squares slope of ``year -> value`` rows, per quarter (per year / 4)."""
    years = np.array(sorted(rows), dtype=float)
    values = np.array([rows[int(y)] for y in years])
    if len(years) < 2:
        raise ValueError(f"a trend needs at least two years of data, found {len(years)}")
    centred = years - years.mean()
    return float(centred @ (values - values.mean()) / (centred @ centred)) / 4.0


def trend_rows(trend: Trend, base: Path) -> dict[int, float]:
    """The rows a fitted trend names: ``year -> value`` from its files, within its years."""
    assert trend.series is not None and trend.years is not None
    found: dict[int, float] = {}
    for name in trend.data:
        table: dict[tuple[str, int | str], DataRow] = read_data(data_file(name, base))
        for (series, year), row in table.items():
            if not isinstance(year, int):  # a survey year such as 2023/24 is not on this scale
                continue
            if series == trend.series and trend.years[0] <= year <= trend.years[1]:
                found[year] = row.value
    return found


def check_trend_fits(structures: Structures, source: str, base: Path) -> None:
    """Each fitted trend is the least-squares slope of its rows (or a note says how it follows).

    ``source`` names the scenario file in messages, ``base`` its folder (data files are
    found beside it first, then among the shipped ones). One line if not.
    """
    for name, trend in structures.trends.items():
        if trend.series is None or trend.years is None:
            continue
        where = f"{source}: structures.trends.{name}"
        try:
            rows = trend_rows(trend, base)
            slope = fitted_slope(rows)
        except (ScenarioError, ValueError) as exc:
            raise ScenarioError(f"{where}: {exc}") from None
        if not trend.note and abs(trend.per_quarter - slope) > FIT_TOLERANCE:
            raise ScenarioError(
                f"{where}: per_quarter is {trend.per_quarter:g} but the least-squares slope of "
                f"{trend.series} {trend.years[0]}-{trend.years[1]} is {slope:.7f} per quarter "
                "(expected the fit's slope, or a note saying how it follows)"
            )
