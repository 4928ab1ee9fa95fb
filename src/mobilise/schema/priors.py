"""Uncertain inputs: every number nobody knows, declared once with a range and its reason.

A priors file lists the scenario fields that are uncertain (behavioural weights,
noise, speeds, costs, degrees, CES weights and elasticities, push-back rates, each
reform's size at full strength), each with the range it may take and why: a source,
or ``assumption:`` and the reasoning. Scenarios that share the quantities share the
file (the UK scenarios name one). A quantity of some missions only (a mission's
elasticity or push-back, a new taskforce's starting credibility) says which missions
it belongs to, so one field path can hold the NHS mission's value and the vaccine
mission's, each declared once.

Levers (reforms and their strengths) and targets (observed facts) live elsewhere:
this file holds only what nobody controls and nobody has measured.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, field_validator, model_validator

from mobilise.schema.files import read_yaml, validated
from mobilise.schema.missions import check_missions
from mobilise.schema.ranges import Range, integer_fields
from mobilise.schema.scenario import Scenario
from mobilise.schema.strict import Strict

REASON_PREFIXES = ("source:", "assumption:")
"""How a reason begins: where the range comes from, or that it is an assumption."""


def check_reason(reason: str) -> str:
    """``reason`` if it says ``source: ...`` or ``assumption: ...`` with words after."""
    text = reason.strip()
    for prefix in REASON_PREFIXES:
        if text.startswith(prefix) and text[len(prefix) :].strip():
            return text
    raise ValueError(
        "expected 'source: <where the range comes from>' or 'assumption: <the reasoning>', "
        f"found {reason!r}"
    )


class UncertainInput(Strict):
    """One uncertain scenario field: its range, why, and the missions it belongs to."""

    field: str = Field(description="dotted scenario path, e.g. influence.signal")
    range: Range = Field(description="[low, high]: the values it may take")
    reason: str = Field(description="'source: ...' or 'assumption: ...'")
    missions: list[str] = Field(
        default_factory=list,
        description="the missions of the scenarios whose quantity this is (a mission's own "
        "elasticity, or a taskforce's credibility); empty: every scenario's",
    )

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        return check_reason(value)

    @field_validator("missions")
    @classmethod
    def _missions(cls, value: list[str]) -> list[str]:
        return check_missions(value)

    @model_validator(mode="after")
    def _wide(self) -> UncertainInput:
        if not self.range.low < self.range.high:
            raise ValueError(
                f"range of '{self.field}' must have low < high, found "
                f"[{self.range.low:g}, {self.range.high:g}]"
            )
        return self

    @property
    def key(self) -> str:
        """A name unique in its file: the field, with its missions when it has any."""
        return f"{self.field}@{'+'.join(self.missions)}" if self.missions else self.field

    def applies_to(self, mission: str) -> bool:
        """Whether this input is a quantity of a scenario running ``mission``."""
        return not self.missions or mission in self.missions


class Priors(Strict):
    """A priors file: the uncertain inputs a set of scenarios shares."""

    name: str
    description: str = ""
    inputs: list[UncertainInput] = Field(min_length=1)

    @model_validator(mode="after")
    def _declared_once(self) -> Priors:
        seen: dict[str, set[str]] = {}
        for i, entry in enumerate(self.inputs):
            scopes = seen.setdefault(entry.field, set())
            mine = set(entry.missions) or {"*"}
            if "*" in scopes or ("*" in mine and scopes) or scopes & mine:
                raise ValueError(
                    f"inputs[{i}]: '{entry.field}' is declared twice for the same missions"
                )
            scopes |= mine
        return self

    def for_mission(self, mission: str) -> list[UncertainInput]:
        """The inputs that are quantities of a scenario running ``mission``, in file order."""
        return [entry for entry in self.inputs if entry.applies_to(mission)]

    def check_against(self, scenario: Scenario, source: str) -> set[str]:
        """Each input for the scenario's mission names a numeric field valid at both ends.

        Returns the fields that hold integers (they are rounded when set); a problem is
        one line naming ``source``, the field, expected and found.
        """
        ranges = {e.field: e.range for e in self.for_mission(scenario.mission_spec.name)}
        return integer_fields(scenario, ranges, f"{source}: inputs")


def parse_priors(data: Any, source: str = "<priors>") -> Priors:
    """Validate parsed data as a priors file (one line on a problem)."""
    return validated(Priors, data, source, "priors")


def load_priors(path: str | Path) -> Priors:
    """Load and validate a priors file."""
    return parse_priors(read_yaml(path), str(path))
