"""Reforms in time: when a reform starts, how fast it ramps up, when it ends, what switches it on.

A reform stays a pure transform of the scenario at a strength (:mod:`mobilise.schema.reforms`);
its *timing* is data beside it, and the run applies it through a schedule of strengths, one
per quarter (:mod:`mobilise.model.schedule`). Without timing a reform is in force at its
strength from the first quarter, as it always was.

A *trigger* makes the start adaptive (Haasnoot et al. 2013, dynamic adaptive policy
pathways; Kwakkel, Walker and Marchau 2010): a *signpost* (an indicator the mission
owner monitors) crossing a threshold switches the reform on, or scales it up from the
strength it had before.

Quarters are written as labels (``2027Q1``) or as quarter numbers of the run (1 is its
first quarter, the scenario's ``start``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import Field, field_validator, model_validator

from mobilise.schema.reforms import REFORMS, check_reform
from mobilise.schema.strict import Strict
from mobilise.vocabulary import QUARTER_PATTERN, quarter_index, unknown_name

Quarter = str | int
"""A quarter: a label like ``2027Q1``, or a quarter number of the run (1 = its first)."""

INDICATORS: dict[str, str] = {
    "observed_metric": "the key metric as the mission owner sees it (lagged, noisy)",
    "credibility": "the mission owner's credibility, in [0, 1]",
    "engaged_<type>": "the engaged share of an actor type, in [0, 1]",
    "milestone_missed": "a milestone not met by its date (decided in its quarter)",
}
"""The signposts a trigger can watch, and what each means."""

MILESTONE_MISSED = "milestone_missed"
ENGAGED = "engaged_"


def check_indicator(name: str) -> str:
    """``name`` if a trigger can watch it; one line naming the known indicators if not."""
    if name in INDICATORS and "<" not in name:
        return name
    if name.startswith(ENGAGED) and name[len(ENGAGED) :].isidentifier():
        return name
    raise unknown_name("indicator", name, INDICATORS)


def _check_quarter(value: Quarter | None) -> Quarter | None:
    if isinstance(value, str):
        if not QUARTER_PATTERN.fullmatch(value):
            raise ValueError(f"expected a quarter like 2027Q1 or a quarter number, found {value!r}")
    elif value is not None and value < 1:
        raise ValueError(f"a quarter number counts from 1 (the run's first quarter), found {value}")
    return value


class Trigger(Strict):
    """A signpost and its threshold: when it is crossed, the reform starts (or scales up)."""

    indicator: str = Field(description="what is watched: " + "; ".join(INDICATORS))
    below: float | None = Field(None, description="fires when the indicator falls below this")
    above: float | None = Field(None, description="fires when the indicator rises above this")
    milestone: str | None = Field(
        None, description="milestone_missed: the milestone's quarter (default: the key milestone)"
    )
    watch_from: Quarter | None = Field(
        None, alias="from", description="the first quarter watched (default: the first)"
    )
    delay: int = Field(
        0, ge=0, description="quarters from the signal to the start (0: the next quarter)"
    )

    @field_validator("indicator")
    @classmethod
    def _indicator(cls, value: str) -> str:
        return check_indicator(value)

    @field_validator("watch_from")
    @classmethod
    def _from(cls, value: Quarter | None) -> Quarter | None:
        return _check_quarter(value)

    @field_validator("milestone")
    @classmethod
    def _milestone(cls, value: str | None) -> str | None:
        if value is not None:
            quarter_index(value)
        return value

    @model_validator(mode="after")
    def _one_threshold(self) -> Trigger:
        given = [name for name in ("below", "above") if getattr(self, name) is not None]
        if self.indicator == MILESTONE_MISSED:
            if given:
                raise ValueError(f"{MILESTONE_MISSED} takes no threshold, found {given[0]}")
        else:
            if len(given) != 1:
                raise ValueError(f"{self.indicator}: give one threshold, below or above")
            if self.milestone is not None:
                raise ValueError(f"milestone is for {MILESTONE_MISSED}, not {self.indicator}")
        return self


class Timing(Strict):
    """When one reform is in force: a start (or a trigger), a ramp, an optional end."""

    start: Quarter | None = Field(
        None, description="first quarter in force (default: the run's first)"
    )
    ramp: int = Field(
        0, ge=0, description="quarters after the start until full strength (0: at once)"
    )
    end: Quarter | None = Field(None, description="first quarter no longer in force (optional)")
    trigger: Trigger | None = Field(
        None, description="a signpost that starts the reform when crossed (instead of start)"
    )
    before: float = Field(
        0.0, ge=0, le=1, description="strength before the start (a trigger scales up from it)"
    )

    @field_validator("start", "end")
    @classmethod
    def _quarters(cls, value: Quarter | None) -> Quarter | None:
        return _check_quarter(value)

    @model_validator(mode="after")
    def _start_or_trigger(self) -> Timing:
        if self.trigger is not None and self.start is not None:
            raise ValueError(
                "give a start or a trigger, not both (a trigger's 'from' says when watching starts)"
            )
        return self

    @property
    def is_static(self) -> bool:
        """In force at full strength from the first quarter to the horizon, as without timing."""
        return (
            self.trigger is None
            and self.start in (None, 1)
            and self.ramp == 0
            and (self.end is None and self.before == 0)
        )


Schedule = dict[str, Timing]
"""Reform name -> its timing, for the reforms of one arm or scenario."""


def step_of(quarter: Quarter, start: str) -> int:
    """The run's quarter number (step) of ``quarter`` in a run whose first quarter is ``start``."""
    if isinstance(quarter, int):
        return quarter
    return quarter_index(quarter) - quarter_index(start) + 1


def check_schedule(
    schedule: Mapping[str, Timing],
    reforms: Mapping[str, float],
    *,
    start: str,
    quarters: int,
    types: Sequence[str],
    milestones: Iterable[str],
    catalogue: Iterable[str] = REFORMS,
) -> None:
    """Every timing fits its run: a known reform of the arm, quarters within the run.

    ValueError in one line naming the reform and field otherwise: a start before the
    run or after its end, an end not after the start, a trigger on a type the scenario
    lacks or a milestone the mission does not have.
    """
    last = quarter_index(start) + quarters - 1
    known = list(catalogue)
    for name, timing in schedule.items():
        check_reform(name, catalogue=known)
        if name not in reforms:
            raise ValueError(f"timing.{name}: '{name}' is not one of the reforms it times")
        for field in ("start", "end"):
            value = getattr(timing, field)
            if value is None:
                continue
            step = step_of(value, start)
            if not 1 <= step <= quarters:
                raise ValueError(
                    f"timing.{name}.{field}: {_quarter_text(value, start)} is "
                    f"{'before the run' if step < 1 else 'after its end'} "
                    f"(the run is {start} to {_label(last)}, quarters 1 to {quarters})"
                )
        if timing.end is not None and step_of(timing.end, start) <= step_of(
            timing.start or 1, start
        ):
            raise ValueError(f"timing.{name}.end: must come after its start")
        trigger = timing.trigger
        if trigger is None:
            continue
        if trigger.watch_from is not None:
            step = step_of(trigger.watch_from, start)
            if not 1 <= step <= quarters:
                raise ValueError(
                    f"timing.{name}.trigger.from: {_quarter_text(trigger.watch_from, start)} is "
                    f"{'before the run' if step < 1 else 'after its end'}"
                )
        if trigger.indicator.startswith(ENGAGED) and trigger.indicator[len(ENGAGED) :] not in types:
            raise ValueError(
                f"timing.{name}.trigger.indicator: "
                + str(unknown_name("actor type", trigger.indicator[len(ENGAGED) :], types))
            )
        if trigger.milestone is not None and trigger.milestone not in milestones:
            raise ValueError(
                f"timing.{name}.trigger.milestone: "
                + str(unknown_name("milestone", trigger.milestone, milestones))
            )


def _label(index: int) -> str:
    return f"{index // 4}Q{index % 4 + 1}"


def _quarter_text(value: Quarter, start: str) -> str:
    return value if isinstance(value, str) else f"quarter {value}"


def parse_start(text: str) -> Quarter:
    """A start given on the command line: a quarter label, or a quarter number."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    if QUARTER_PATTERN.fullmatch(text):
        return text
    raise ValueError(f"expected a start like 2027Q1 or a quarter number, found {text!r}")


def schedule_key(timing: Mapping[str, Timing]) -> tuple[Any, ...]:
    """A hashable key of a schedule (for grouping runs by arm)."""
    return tuple(sorted((name, t.model_dump_json()) for name, t in timing.items()))


class TimedReform(Timing):
    """A reform of an arm with its strength and timing (an experiment's bundle entry)."""

    strength: float = Field(1.0, ge=0, le=1, description="full strength, reached after the ramp")


BUDGET = "budget"
"""The key of a bundle that scales the scenario's budget (not a reform)."""


def check_budget(factor: float, where: str = BUDGET) -> float:
    """``factor`` if it can scale a budget: a finite number >= 0; ValueError in one line if not."""
    if not factor >= 0 or factor == float("inf"):  # NaN fails every comparison
        raise ValueError(f"{where} must be a finite number >= 0, found {factor!r}")
    return factor


def budget_arm(factor: float) -> str:
    """The name of the arm that scales the budget by ``factor`` (``budget_x1.5``)."""
    return f"{BUDGET}_x{factor:g}"


def describe_timing(timing: Timing | None) -> str:
    """A reform's timing in words: 'from the start', 'from 2027Q1 over 4 quarters', a signpost."""
    if timing is None or timing.is_static:
        return "from the start"
    if timing.trigger is not None:
        trigger = timing.trigger
        if trigger.indicator == MILESTONE_MISSED:
            what = f"if the {trigger.milestone or 'key'} milestone is missed"
        else:
            name = trigger.indicator.replace("_", " ")
            side = "below" if trigger.below is not None else "above"
            value = trigger.below if trigger.below is not None else trigger.above
            what = f"when {name} is {side} {value:g}"
            if trigger.watch_from is not None:
                what += f" (watched from {_quarter_text(trigger.watch_from, '')})"
        text = what + (f", {trigger.delay} quarters later" if trigger.delay else "")
    else:
        text = f"from {_quarter_text(timing.start or 1, '')}"
    if timing.ramp:
        text += f", full strength {timing.ramp} quarters on"
    if timing.end is not None:
        text += f", until {_quarter_text(timing.end, '')}"
    return text
