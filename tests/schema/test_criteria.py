"""Robustness criteria declared once: the analysis computes exactly them, ranked their way."""

import numpy as np
import pandas as pd
import pytest

from mobilise.analysis.robustness import criteria_arrays, outcome_arrays, ranks, robustness_table
from mobilise.model.outcomes import EFFECT_OUTCOMES, RUN_OUTCOMES_BY_NAME
from mobilise.schema.criteria import (
    CRITERIA,
    CRITERIA_BY_NAME,
    DEFAULT_RANK_BY,
    HORIZON_OUTCOME,
    KEY_OUTCOME,
    Criterion,
)


def runs(values):
    """A runs table: values[package][state] as both outcomes, one replication; met if >= 1."""
    rows = [
        {
            "arm": package,
            "point": state,
            "replication": 0,
            KEY_OUTCOME: value,
            HORIZON_OUTCOME: value,
            "milestone_met": value >= 1,
        }
        for package, by_state in values.items()
        for state, value in enumerate(by_state)
    ]
    return pd.DataFrame(rows)


def test_names_are_unique_and_indexed():
    assert len(CRITERIA_BY_NAME) == len(CRITERIA) == 10
    assert all(isinstance(c, Criterion) for c in CRITERIA)


@pytest.mark.parametrize("criterion", CRITERIA, ids=lambda c: c.name)
def test_each_criterion_is_labelled_defined_and_sourced(criterion):
    assert criterion.label and criterion.definition and criterion.source
    assert criterion.name.isidentifier()


def test_only_regrets_are_better_lower():
    lower = {c.name for c in CRITERIA if not c.higher_is_better}
    assert lower == {"regret_p90", "minimax_regret"}


def test_default_ranking_uses_declared_criteria():
    assert DEFAULT_RANK_BY == ("satisficing", "regret_p90", "milestone_mean")
    assert set(DEFAULT_RANK_BY) <= set(CRITERIA_BY_NAME)


def test_the_judged_outcomes_are_run_outcomes_reported_as_effects():
    assert (KEY_OUTCOME, HORIZON_OUTCOME) == ("milestone_metric", "final_metric")
    for name in (KEY_OUTCOME, HORIZON_OUTCOME):
        assert name in RUN_OUTCOMES_BY_NAME and name in EFFECT_OUTCOMES


def test_the_analysis_computes_exactly_the_declared_criteria_in_order():
    outcomes = outcome_arrays(runs({"a": [0.5, 1.0], "b": [1.0, 0.0]}))
    computed = criteria_arrays(outcomes, np.ones((1, 1)))
    assert list(computed) == [c.name for c in CRITERIA]
    table = robustness_table(runs({"a": [0.5, 1.0], "b": [1.0, 0.0]}), resamples=0)
    declared = [c.name for c in CRITERIA]
    assert [c for c in table.columns if c in CRITERIA_BY_NAME] == declared


def test_criteria_on_two_packages_in_two_states_match_their_definitions():
    # a: 0.5 then 1.0; b: 1.0 then 0.0. Best per state: 1.0, 1.0.
    table = robustness_table(runs({"a": [0.5, 1.0], "b": [1.0, 0.0]}), resamples=0)
    a, b = (table.set_index("package").loc[p] for p in ("a", "b"))
    assert (a["maximin"], b["maximin"]) == (0.5, 0.0)
    assert (a["minimax_regret"], b["minimax_regret"]) == (0.5, 1.0)
    assert (a["milestone_mean"], b["milestone_mean"]) == (0.75, 0.5)
    assert (a["hurwicz"], b["hurwicz"]) == (0.75, 0.5)
    assert (a["satisficing"], b["satisficing"]) == (0.5, 0.5)  # each met in one state
    assert (a["p_met"], b["p_met"]) == (0.5, 0.5)


def test_ranking_follows_each_criterions_declared_direction():
    table = pd.DataFrame({"regret_p90": [0.3, 0.1], "maximin": [0.3, 0.1]})
    assert ranks(table, ["regret_p90"]).tolist() == [2, 1]  # lower regret first
    assert ranks(table, ["maximin"]).tolist() == [1, 2]  # higher worst state first
