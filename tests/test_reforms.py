"""Reforms do what they say; strength 0 is the baseline exactly (DESIGN "Must hold" 4)."""

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mobilise import REFORMS, apply_reforms, run

NAMES = list(REFORMS)


@pytest.mark.parametrize("name", NAMES)
def test_strength_zero_is_the_baseline_scenario(uk, name):
    assert REFORMS[name].apply(uk, 0.0) == uk


@pytest.mark.parametrize("name", ["mission_councils", "multi_year_funding", "patient_capital"])
def test_strength_zero_gives_identical_runs(uk, name):
    pd.testing.assert_frame_equal(run(uk, seed=4), run(uk, seed=4, reforms={name: 0.0}))


@pytest.mark.parametrize("name", NAMES)
def test_each_reform_moves_its_parameters_the_stated_way(uk, name):
    reform = REFORMS[name]
    after = reform.apply(uk, 1.0)
    assert reform.moves, "a reform must say what it moves"
    for move in reform.moves:
        before_value, after_value = move.read(uk), move.read(after)
        assert (after_value - before_value) * move.direction > 0, move.parameter


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=15, deadline=None)
@given(low=st.floats(0, 1), high=st.floats(0, 1))
def test_reforms_are_monotone_in_strength(uk, name, low, high):
    low, high = sorted((low, high))
    reform = REFORMS[name]
    for move in reform.moves:
        weak, strong = move.read(reform.apply(uk, low)), move.read(reform.apply(uk, high))
        assert (strong - weak) * move.direction >= -1e-12, move.parameter


@pytest.mark.parametrize("name", NAMES)
def test_each_reform_documents_itself(name):
    reform = REFORMS[name]
    assert reform.name == name
    assert reform.description and reform.relaxes and reform.source


def test_reforms_compose_in_catalogue_order_whatever_the_order_named(uk):
    forward = apply_reforms(uk, {"mission_councils": 0.5, "social_partnership": 1.0})
    backward = apply_reforms(uk, {"social_partnership": 1.0, "mission_councils": 0.5})
    assert forward == backward
    # mission_councils (first) triples union-business ties, social_partnership then x4 again
    base = uk.network.cross("union", "business")
    assert forward.network.cross("union", "business") == pytest.approx(base * 2.5 * 4)


def test_bad_strength_is_rejected(uk):
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        REFORMS["pooled_budgets"].apply(uk, 1.5)


def test_unknown_reform_is_rejected(uk):
    with pytest.raises(ValueError, match="unknown reform 'pooled_budget'"):
        apply_reforms(uk, {"pooled_budget": 1.0})


def test_all_reforms_raise_socioeconomic_progress(uk):
    """Not hard-coded: the mechanism should at least not make things worse on average."""
    seeds = range(6)
    baseline = [run(uk, seed=s)["progress"].iloc[17] for s in seeds]
    reformed = [
        run(uk, seed=s, reforms=dict.fromkeys(REFORMS, 1.0))["progress"].iloc[17] for s in seeds
    ]
    assert sum(reformed) > sum(baseline)
