"""Outcomes declared once, with their functions: columns, summaries and docs follow from them."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobilise.model.outcomes import (
    BINARY_OUTCOMES,
    EFFECT_OUTCOMES,
    OUTCOMES_BY_NAME,
    RUN_OUTCOMES,
    RUN_OUTCOMES_BY_NAME,
    STEP_COLUMNS,
    STEP_OUTCOMES,
    Outcome,
    StepOutcome,
    check_output,
    reference,
    run_columns,
    step_columns,
)
from mobilise.schema.actor_types import ACTOR_TYPES
from mobilise.schema.reforms import REFORMS
from mobilise.schema.trends import STRUCTURAL

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
        *STRUCTURAL,  # one column per structural constraint, named as in the constraints
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
        *(f"start_{r}" for r in REFORMS),
    ]
    assert run_columns(("a",)) == every
    labels = {"milestone_quarter", *(f"start_{r}" for r in REFORMS)}
    assert run_columns(("a",), numeric=True) == [c for c in every if c not in labels]


def test_without_types_the_per_type_outcomes_have_no_columns():
    assert step_columns(()) == ["step", "quarter", *SCALAR_STEP, *STRUCTURAL]


@given(st.lists(st.from_regex(r"[a-z]{1,8}", fullmatch=True), unique=True, max_size=8))
def test_column_count_is_scalars_plus_per_type_times_types(types):
    per_type_step = sum(o.per_type for o in STEP_OUTCOMES)
    per_type_run = sum(o.per_type for o in RUN_OUTCOMES)
    per_reform_run = sum(o.per_reform for o in RUN_OUTCOMES)
    assert len(step_columns(types)) == (
        2 + len(SCALAR_STEP) + per_type_step * len(types) + len(STRUCTURAL)
    )
    scalars = len(RUN_OUTCOMES) - per_type_run - per_reform_run
    assert len(run_columns(types)) == (
        scalars + per_type_run * len(types) + per_reform_run * len(REFORMS)
    )
    assert len(set(step_columns(types))) == len(step_columns(types))


def test_the_default_columns_are_the_six_uk_types():
    assert len(ACTOR_TYPES) == 6
    assert step_columns() == STEP_COLUMNS == step_columns(ACTOR_TYPES)
    assert STEP_COLUMNS[-len(STRUCTURAL) - 1] == f"reach_{ACTOR_TYPES[-1]}"
    assert STEP_COLUMNS[-len(STRUCTURAL) :] == list(STRUCTURAL)


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
    assert [o.name for o in RUN_OUTCOMES if not o.numeric] == ["milestone_quarter", "start"]


def test_an_outcome_is_a_frozen_record():
    outcome = Outcome(name="x", label="X", unit="share", description="a share", per_type=True)
    assert outcome.columns(("a",)) == ["x_a"]
    with pytest.raises(AttributeError):
        outcome.name = "y"  # type: ignore[misc]


def test_a_real_run_has_exactly_the_declared_step_columns(minimal):
    from mobilise import run

    frame = run(minimal, steps=2)
    assert list(frame.columns) == step_columns(minimal.type_names)


def test_each_step_outcome_computes_what_it_says(uk):
    """The functions against the run's own state: its agents, its owner and its mission."""
    from mobilise.running.simulate import simulate

    done = simulate(uk.updated("quarters", 6), seed=3, record_agents=True)
    frame, agents, model = done.frame, done.agents, done.model
    mission, spec = uk.mission_spec, uk.government
    np.testing.assert_allclose(frame["metric"], mission.metric_at(frame["progress"]))
    by_type = agents.groupby(["step", "actor_type"])
    for t in uk.type_names:
        engaged = by_type["engagement"].mean().xs(t, level="actor_type")
        trust = by_type["trust"].mean().xs(t, level="actor_type")
        np.testing.assert_allclose(frame[f"engaged_{t}"], engaged, rtol=1e-12)
        np.testing.assert_allclose(frame[f"trust_{t}"], trust, rtol=1e-12)
    np.testing.assert_allclose(frame["spend"], spec.budget * frame["engaged_government"])
    np.testing.assert_allclose(
        frame["signal"], spec.clarity * frame["credibility"] * mission.salience
    )
    ceiling = model.population.ceiling  # at the last step: reach moves with structures
    for t, part in model.population.slices.items():
        assert frame[f"reach_{t}"].iloc[-1] == pytest.approx(ceiling[part].mean(), rel=1e-12)
    np.testing.assert_array_equal(frame["reach_union"], frame["union_density"])
    for name in STRUCTURAL:
        assert frame[name].iloc[0] == getattr(uk.constraints, name)
    assert frame["roadmap"].iloc[0] == pytest.approx(mission.baseline)


@pytest.mark.parametrize("name", [*STEP_COLUMNS[2:], *BINARY_OUTCOMES])
def test_every_declared_column_is_an_output_patterns_can_read(name):
    assert check_output(name) == name


def test_a_per_type_output_may_name_a_type_declared_elsewhere():
    assert check_output("engaged_mentor") == "engaged_mentor"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("progres", "unknown output 'progres'; did you mean 'progress'?"),
        ("engaged", "unknown output 'engaged'"),  # a per-type outcome needs its type
        ("engaged_", "unknown output 'engaged_'"),
        ("final_metric", "unknown output 'final_metric'"),  # a run outcome, not true/false
    ],
)
def test_an_unknown_output_is_one_line(name, message):
    with pytest.raises(ValueError, match=message):
        check_output(name)


def test_the_docs_list_every_outcome_as_declared():
    """docs/model.md's output tables are these declarations' (regenerate: see its comment)."""
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "model.md").read_text()
    assert reference(STEP_OUTCOMES) in text
    assert reference(RUN_OUTCOMES) in text


def test_a_step_outcome_names_its_function():
    outcome = StepOutcome(name="n", label="N", unit="count", description="agents",
                          of=lambda runs: runs.crowd.counts)  # fmt: skip
    assert outcome.columns(("a", "b")) == ["n"] and callable(outcome.of)


def test_by_mission_reads_a_run_of_several_missions_as_a_row_per_mission():
    from mobilise.model.outcomes import by_mission, mission_column

    runs = pd.DataFrame(
        {
            "run_id": [0, 1, 2],
            "mission": ["nhs+growth", "nhs+growth", "nhs"],
            "arm": ["baseline", "x", "baseline"],
            mission_column("final_metric", "nhs"): [0.6, 0.7, None],
            mission_column("final_metric", "growth"): [2e5, 3e5, None],
            "final_metric": [None, None, 0.5],
        }
    )
    rows = by_mission(runs).set_index(["run_id", "mission"])["final_metric"]
    assert rows.to_dict() == {
        (2, "nhs"): 0.5, (0, "nhs"): 0.6, (1, "nhs"): 0.7,
        (0, "growth"): 2e5, (1, "growth"): 3e5,
    }  # fmt: skip
    single = runs[runs["mission"] == "nhs"].drop(columns=[c for c in runs if ":" in c])
    assert by_mission(single) is single  # nothing of several missions: as it was
