"""Outcomes declared once: the columns of a run's frame and of runs.csv follow from them."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobilise.schema.actor_types import ACTOR_TYPES
from mobilise.schema.outcomes import (
    BINARY_OUTCOMES,
    EFFECT_OUTCOMES,
    OUTCOMES_BY_NAME,
    RUN_OUTCOMES,
    RUN_OUTCOMES_BY_NAME,
    STEP_COLUMNS,
    STEP_OUTCOMES,
    Outcome,
    run_columns,
    step_columns,
)

SCALAR_STEP = [
    "progress",
    "metric",
    "observed_metric",
    "roadmap",
    "aggregate",
    "signal",
    "credibility",
    "spend",
    "portfolio_efficiency",
]


def test_step_columns_for_two_types():
    assert step_columns(("a", "b")) == [
        "step",
        "quarter",
        *SCALAR_STEP,
        "engaged_a",
        "engaged_b",
        "contribution_a",
        "contribution_b",
        "trust_a",
        "trust_b",
        "reach_a",
        "reach_b",
    ]


def test_run_columns_for_one_type_and_only_the_numeric_ones():
    every = [
        "final_metric",
        "final_progress",
        "milestone_metric",
        "milestone_met",
        "milestone_quarter",
        "milestone_step",
        "peak_engaged_a",
        "final_engaged_a",
        "reach_a",
        "total_spend",
    ]
    assert run_columns(("a",)) == every
    assert run_columns(("a",), numeric=True) == [c for c in every if c != "milestone_quarter"]


def test_without_types_the_per_type_outcomes_have_no_columns():
    assert step_columns(()) == ["step", "quarter", *SCALAR_STEP]


@given(st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), unique=True, max_size=8))
def test_column_count_is_scalars_plus_per_type_times_types(types):
    per_type_step = sum(o.per_type for o in STEP_OUTCOMES)
    per_type_run = sum(o.per_type for o in RUN_OUTCOMES)
    assert len(step_columns(types)) == 2 + len(SCALAR_STEP) + per_type_step * len(types)
    assert len(run_columns(types)) == len(RUN_OUTCOMES) - per_type_run + per_type_run * len(types)
    assert len(set(step_columns(types))) == len(step_columns(types))


def test_the_default_columns_are_the_six_uk_types():
    assert len(ACTOR_TYPES) == 6
    assert step_columns() == STEP_COLUMNS == step_columns(ACTOR_TYPES)
    assert STEP_COLUMNS[-1] == f"reach_{ACTOR_TYPES[-1]}"


@pytest.mark.parametrize("outcome", STEP_OUTCOMES + RUN_OUTCOMES, ids=lambda o: o.name)
def test_each_outcome_is_labelled_and_has_a_unit(outcome):
    assert outcome.label and outcome.unit and outcome.description
    assert outcome.name.isidentifier()


def test_names_are_unique_and_indexed():
    assert len(OUTCOMES_BY_NAME) == len(STEP_OUTCOMES)
    assert len(RUN_OUTCOMES_BY_NAME) == len(RUN_OUTCOMES)
    assert OUTCOMES_BY_NAME["progress"].unit == "share"


def test_effect_and_binary_outcomes():
    assert EFFECT_OUTCOMES == ("final_metric", "milestone_metric")
    assert BINARY_OUTCOMES == ("milestone_met",)
    assert [o.name for o in RUN_OUTCOMES if not o.numeric] == ["milestone_quarter"]


def test_an_outcome_is_a_frozen_record():
    outcome = Outcome("x", "X", "share", "a share", per_type=True)
    assert outcome.columns(("a",)) == ["x_a"]
    with pytest.raises(AttributeError):
        outcome.name = "y"  # type: ignore[misc]


def test_a_real_run_has_exactly_the_declared_step_columns(minimal):
    from mobilise import run

    frame = run(minimal, steps=2)
    assert list(frame.columns) == step_columns(minimal.type_names)
