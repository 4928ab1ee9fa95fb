"""Targets: what was observed, with an error and a source, and how the model is read for it.

A target is a fact from the record that the model must be able to reproduce
without being told it: a level (formal volunteering with no mission signal), a
point of a time series (the NHS 18-week share falling with no mission), or an
episode (the Vaccine Taskforce's first doses). Each names the run it is read from
(a base scenario, the conditions of the time, any reforms), the output and the
quarter, the observed value and the error a model value may be off by and still
count as meeting it, and the source. A target without an error or a source is
refused: it could not fail honestly.

``use: calibrate`` targets enter the calibration's distance; ``use: validate`` targets
are held out and reported beside them (the posterior predictive check), so the
calibration can be judged on facts it was not fitted to.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from mobilise.schema.files import read_yaml, validated
from mobilise.schema.patterns import check_output_name, check_reforms
from mobilise.schema.sources import ROW, DataRow, When, cited_row
from mobilise.schema.strict import Strict
from mobilise.vocabulary import quarter_index

NAME = re.compile(r"[a-z][a-z0-9_]*")


class Target(Strict):
    """One observed fact, how to read the model for it, and how far off may count as met."""

    name: str = Field(description="a short identifier, e.g. nhs_rtt_2024")
    claim: str = Field("", description="the fact in words")
    kind: Literal["level", "series", "episode"] = Field(
        description="a level, a point of a time series, or a point of an episode"
    )
    use: Literal["calibrate", "validate"] = Field(
        "calibrate", description="calibrate: in the distance; validate: held out, reported"
    )
    observed: float = Field(description="the observed value")
    error: float = Field(
        gt=0, description="how far the model may be from the observed value and still meet it"
    )
    source: str = Field(min_length=1, description="where the observed value comes from")
    data: str | None = Field(
        None,
        description="the data row it comes from, 'file.csv:series,year' (a month: 2021-03); "
        "loading the file checks the row is there and sourced",
    )
    scenario: str | None = Field(
        None, description="base scenario file, relative to the targets file"
    )
    conditions: dict[str, Any] = Field(
        default_factory=dict, description="scenario fields set for the run (the time's)"
    )
    reforms: dict[str, float] = Field(default_factory=dict, description="reform -> strength")
    output: str = Field(description="a step column of the run, or milestone_met")
    at: int | str = Field(
        "horizon", description="where the run is read: 'horizon', a step, or a quarter (2024Q3)"
    )

    @field_validator("name")
    @classmethod
    def _name(cls, value: str) -> str:
        if not NAME.fullmatch(value):
            raise ValueError(f"expected lower-case letters, digits and _, found {value!r}")
        return value

    @field_validator("source")
    @classmethod
    def _source(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a target needs its source, found an empty one")
        return value

    @field_validator("data")
    @classmethod
    def _data(cls, value: str | None) -> str | None:
        if value is not None and not ROW.fullmatch(value):
            raise ValueError(f"expected a data row like 'file.csv:series,2019', found {value!r}")
        return value

    @field_validator("output")
    @classmethod
    def _output(cls, value: str) -> str:
        return check_output_name(value)

    @field_validator("reforms")
    @classmethod
    def _reforms(cls, value: dict[str, float]) -> dict[str, float]:
        return check_reforms(value)

    @field_validator("at")
    @classmethod
    def _at(cls, value: int | str) -> int | str:
        if isinstance(value, int):
            if value < 0:
                raise ValueError(f"expected a step >= 0, found {value}")
        elif value != "horizon":
            quarter_index(value)
        return value

    def step(self, start: str, quarters: int) -> int:
        """The step the target is read at, for a run starting ``start`` of ``quarters``."""
        if self.at == "horizon":
            return quarters
        if isinstance(self.at, int):
            step = self.at
        else:
            step = quarter_index(self.at) - quarter_index(start) + 1
        if not 0 <= step <= quarters:
            raise ValueError(
                f"target '{self.name}': {self.at} is not within the run "
                f"({start}, {quarters} quarters)"
            )
        return step

    def meets(self, value: float) -> bool:
        """Whether a model value is within the target's error of the observed value."""
        return abs(value - self.observed) <= self.error

    def arm_key(self) -> tuple[str | None, str, str]:
        """What targets read from the same runs share: scenario, conditions, reforms."""
        return (
            self.scenario,
            repr(sorted(self.conditions.items())),
            repr(sorted(self.reforms.items())),
        )


class Targets(Strict):
    """A targets file: the observed facts a calibration is held to."""

    name: str
    description: str = ""
    targets: list[Target] = Field(min_length=1)

    @model_validator(mode="after")
    def _distinct(self) -> Targets:
        names = [t.name for t in self.targets]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise ValueError(f"targets[{i}]: the name '{name}' is used twice")
        if not any(t.use == "calibrate" for t in self.targets):
            raise ValueError("targets: at least one target needs use: calibrate")
        return self

    @property
    def calibrating(self) -> list[Target]:
        """The targets in the distance, in file order."""
        return [t for t in self.targets if t.use == "calibrate"]


def parse_targets(data: Any, source: str = "<targets>") -> Targets:
    """Validate parsed data as a targets file (one line on a problem)."""
    return validated(Targets, data, source, "targets")


def load_targets(path: str | Path) -> Targets:
    """Load and validate a targets file; each cited data row must be there (one line if not)."""
    path = Path(path)
    targets = parse_targets(read_yaml(path), str(path))
    files: dict[str, dict[tuple[str, When], DataRow]] = {}
    for i, target in enumerate(targets.targets):
        if target.data is not None:
            cited_row(target.data, path.parent, f"{path}: targets[{i}].data", files)
    return targets
