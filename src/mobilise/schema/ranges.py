"""One range type over numeric scenario fields, for sweeps, sensitivity, calibration, robustness.

A range is written ``[low, high]`` against a dotted field path (``influence.signal:
[0.75, 2.25]``). Every experiment that samples or searches fields uses the same
checks (the path names a numeric field; both ends make a valid scenario) and the
same placement of unit-cube samples onto values (integer fields rounded).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, Self

import numpy as np
from pydantic import model_serializer, model_validator

from mobilise.schema.strict import Strict
from mobilise.vocabulary import ScenarioError


class Fields(Protocol):
    """What ranges are checked against: a scenario's dotted fields, read and set."""

    def value_at(self, path: str) -> Any:
        """The value of the dotted field ``path``."""
        ...

    def updated(self, path: str, value: Any) -> Self:
        """A validated copy with ``path`` set to ``value``."""
        ...


class Range(Strict):
    """A closed interval ``[low, high]`` of finite numbers, ``low <= high``."""

    low: float
    high: float

    @model_validator(mode="before")
    @classmethod
    def _from_pair(cls, data: Any) -> Any:
        if isinstance(data, list | tuple):
            if len(data) != 2:
                raise ValueError(f"expected [low, high], found {list(data)!r}")
            return {"low": data[0], "high": data[1]}
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.low > self.high:
            raise ValueError(f"expected low <= high, found [{self.low:g}, {self.high:g}]")
        return self

    @model_serializer
    def _as_pair(self) -> list[float]:
        return [self.low, self.high]

    @property
    def bounds(self) -> tuple[float, float]:
        """``(low, high)``, for optimisers and samplers."""
        return (self.low, self.high)

    def at(self, unit: np.ndarray) -> np.ndarray:
        """Values at positions ``unit`` in [0, 1] along the range."""
        return self.low + np.asarray(unit, dtype=float) * (self.high - self.low)


Ranges = dict[str, Range]
"""Field path -> range: what a sweep, a sensitivity analysis or a calibration varies."""


def require_width(ranges: Mapping[str, Range]) -> None:
    """ValueError in one line for a range with ``low == high`` (nothing to vary)."""
    for path, span in ranges.items():
        if not span.low < span.high:
            raise ValueError(
                f"range of '{path}' must have low < high, found [{span.low:g}, {span.high:g}]"
            )


def integer_fields(
    scenario: Fields, ranges: Mapping[str, Range], where: str = "ranges"
) -> set[str]:
    """The paths of ``ranges`` that hold integers, after checking every path and both ends.

    Each path must name a numeric field of ``scenario`` and each end must make a
    valid scenario; a problem is one line naming ``where``, the path, expected and found.
    """
    integer = set()
    for path, span in ranges.items():
        try:
            current = scenario.value_at(path)
        except ScenarioError as exc:
            raise ScenarioError(
                f"{where}.{path}: {exc} (expected a dotted path to a numeric scenario "
                "field, e.g. influence.signal)"
            ) from None
        if isinstance(current, bool) or not isinstance(current, int | float):
            raise ScenarioError(
                f"{where}.{path}: expected a numeric scenario field, "
                f"found {type(current).__name__} {current!r}"
            )
        if isinstance(current, int):
            integer.add(path)
        for end in span.bounds:
            try:
                scenario.updated(path, round(end) if path in integer else end)
            except ScenarioError as exc:
                raise ScenarioError(f"{where}.{path}: {exc}") from None
    return integer


def scale(ranges: Mapping[str, Range], unit: np.ndarray) -> np.ndarray:
    """Unit-cube rows (one column per range, in [0, 1]) as field values."""
    unit = np.asarray(unit, dtype=float).reshape(len(unit), len(ranges))
    return np.column_stack([span.at(unit[:, i]) for i, span in enumerate(ranges.values())])


def place(
    ranges: Mapping[str, Range], values: np.ndarray, integer: set[str] | None = None
) -> list[dict[str, Any]]:
    """Rows of field ``values`` (one column per range) as sweep points, integer fields rounded."""
    return [
        {
            path: round(float(v)) if integer and path in integer else float(v)
            for path, v in zip(ranges, row, strict=True)
        }
        for row in np.asarray(values, dtype=float).reshape(len(values), len(ranges))
    ]


def latin_hypercube(dimensions: int, samples: int, seed: int) -> np.ndarray:
    """``samples`` points of scipy's Latin hypercube in the unit cube, one column each."""
    from scipy.stats import qmc

    return qmc.LatinHypercube(d=dimensions, seed=seed).random(samples)
