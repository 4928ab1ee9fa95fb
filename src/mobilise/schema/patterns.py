"""Patterns a scenario claims the model reproduces: declared in the scenario file.

A pattern names a run output, where in the run to read it, how to summarise it
across replications, under which conditions, and what value or range to expect,
with the source of that expectation. ``mobilise check`` runs them
(:mod:`mobilise.analysis.patterns`); a calibration target is the special case "near a
data value, within a tolerance, at the horizon".
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from mobilise.schema.reforms import check_reform
from mobilise.schema.strict import Strict
from mobilise.vocabulary import UnknownNameError

NOT_OUTPUTS = ("step", "quarter")
"""Columns of a run's frame that label a step rather than measure it."""


def check_output_name(name: str) -> str:
    """``name`` if it can name an output (an identifier, not a step's label); one line if not.

    Which outputs exist is the model's to say (its declared outcomes): a pattern's
    output is checked against them before it runs (:func:`mobilise.model.outcomes.check_output`).
    """
    if not name.isidentifier() or name in NOT_OUTPUTS:
        raise UnknownNameError(
            f"unknown output '{name}' (expected a step outcome's column, e.g. metric or "
            "engaged_union, or milestone_met)"
        )
    return name


def check_reforms(
    strengths: dict[str, float], info: ValidationInfo | None = None
) -> dict[str, float]:
    """``strengths`` if every reform is known and in [0, 1]; ValueError in one line if not.

    Known: the built-in reforms, or those of the scenario being validated (its
    :meth:`~mobilise.schema.scenario.Scenario.with_reforms` catalogue, passed as context).
    """
    context = info.context if info is not None and isinstance(info.context, dict) else {}
    catalogue = context.get("reforms")
    for name, strength in strengths.items():
        if catalogue is None:
            check_reform(name, strength)
        else:
            check_reform(name, strength, catalogue)
    return strengths


class Versus(Strict):
    """The other arm of a paired comparison: same seeds, different settings."""

    scenario: str | None = Field(
        None, description="another scenario file, relative to this one (default: this one)"
    )
    conditions: dict[str, Any] = Field(default_factory=dict)
    reforms: dict[str, float] = Field(default_factory=dict)

    @field_validator("reforms")
    @classmethod
    def _known_reforms(cls, value: dict[str, float], info: ValidationInfo) -> dict[str, float]:
        return check_reforms(value, info)


class Pattern(Strict):
    """One claim about the model: output, read-out, statistic, conditions, expectation, source."""

    name: str = Field(description="short label, e.g. 'P1 no-signal volunteering'")
    claim: str = Field("", description="the claim in words")
    output: str = Field(description="a step column (read at `at`) or milestone_met")
    minus: str | None = Field(
        None, description="another output subtracted run by run (e.g. engagement minus reach)"
    )
    at: Literal["horizon", "milestone"] | int = Field(
        "horizon", description="the step read: the horizon, the key milestone's quarter, or a step"
    )
    statistic: Literal["mean", "sd", "min", "max"] = Field(
        "mean", description="how runs are summarised (the mean of milestone_met is a share)"
    )
    conditions: dict[str, Any] = Field(
        default_factory=dict, description="scenario fields set for this pattern, e.g. no signal"
    )
    reforms: dict[str, float] = Field(default_factory=dict, description="reform -> strength")
    versus: Versus | None = Field(
        None, description="compare with another arm run by run (paired by seed)"
    )
    scale: Literal["gap"] | None = Field(
        None, description="'gap': in shares of the mission's baseline-to-target gap"
    )
    ratio_to: str | None = Field(
        None,
        description="another scenario file (relative to this one): the measured mean is "
        "divided by the same pattern's mean there (e.g. one mission's effect over another's)",
    )
    above: float | None = Field(None, description="expected strictly above this")
    below: float | None = Field(None, description="expected strictly below this")
    at_least: float | None = None
    at_most: float | None = None
    near: float | None = Field(None, description="expected within `tolerance` of this")
    tolerance: float | None = Field(None, gt=0)
    source: str = Field("", description="where the expectation comes from")

    @field_validator("output", "minus")
    @classmethod
    def _known_output(cls, value: str | None) -> str | None:
        return None if value is None else check_output_name(value)

    @field_validator("reforms")
    @classmethod
    def _known_reforms(cls, value: dict[str, float], info: ValidationInfo) -> dict[str, float]:
        return check_reforms(value, info)

    @model_validator(mode="after")
    def _has_expectation(self) -> Pattern:
        bounds = (self.above, self.below, self.at_least, self.at_most, self.near)
        if all(b is None for b in bounds):
            raise ValueError(
                f"pattern '{self.name}': expected one of above, below, at_least, at_most, near"
            )
        if (self.near is None) != (self.tolerance is None):
            raise ValueError(f"pattern '{self.name}': near and tolerance go together")
        if isinstance(self.at, int) and self.at < 0:
            raise ValueError(f"pattern '{self.name}': at must be a step >= 0, found {self.at}")
        if self.ratio_to is not None and self.statistic != "mean":
            raise ValueError(f"pattern '{self.name}': ratio_to compares means (statistic: mean)")
        return self

    def expected(self) -> str:
        """The expectation in words: ``in (0.02, 0.85)``, ``>= 0.8``, ``0.16 +/- 0.03``."""
        parts = []
        if self.near is not None:
            parts.append(f"{self.near:g} +/- {self.tolerance:g}")
        if self.above is not None and self.below is not None:
            parts.append(f"in ({self.above:g}, {self.below:g})")
        elif self.above is not None:
            parts.append(f"> {self.above:g}")
        elif self.below is not None:
            parts.append(f"< {self.below:g}")
        if self.at_least is not None:
            parts.append(f">= {self.at_least:g}")
        if self.at_most is not None:
            parts.append(f"<= {self.at_most:g}")
        return " and ".join(parts)

    def misses_by(self, value: float) -> float:
        """How far ``value`` is from ``near``, in tolerances (0 without a ``near``)."""
        if self.near is None or self.tolerance is None:
            return 0.0
        return (value - self.near) / self.tolerance

    def holds(self, value: float) -> bool:
        """Whether a measured statistic meets every stated expectation."""
        checks = [
            self.above is None or value > self.above,
            self.below is None or value < self.below,
            self.at_least is None or value >= self.at_least,
            self.at_most is None or value <= self.at_most,
            self.near is None or abs(value - self.near) <= (self.tolerance or 0.0),
        ]
        return all(checks)
