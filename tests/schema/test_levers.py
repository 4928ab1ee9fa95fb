"""Levers, uncertainties, robustness: packages expanded, states sampled, bad specs named."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from mobilise.schema.levers import (
    BASELINE,
    Levers,
    Robustness,
    Uncertainties,
    package_name,
)
from mobilise.schema.reforms import REFORMS

THREE = ["mission_councils", "multi_year_funding", "pooled_budgets"]


def test_package_names_follow_catalogue_order_and_show_partial_strengths():
    assert package_name({}) == BASELINE
    assert package_name({"pooled_budgets": 0}) == BASELINE
    assert package_name({"pooled_budgets": 1, "mission_councils": 0.5}) == (
        "mission_councils@0.5+pooled_budgets"
    )


def test_every_subset_up_to_the_budget_at_each_strength():
    levers = Levers(reforms=THREE, strengths=[1.0, 0.5], max_reforms=2)
    packages = levers.subsets()
    # baseline + 3 singles x 2 strengths + 3 pairs x 4 strength pairs
    assert len(packages) == levers.subset_count() == 1 + 6 + 12
    assert packages[BASELINE] == {}
    assert packages["mission_councils@0.5+pooled_budgets"] == {
        "mission_councils": 0.5,
        "pooled_budgets": 1.0,
    }
    assert all(len(p) <= 2 for p in packages.values())
    assert levers.strengths == [0.5, 1.0]  # sorted


@settings(deadline=None, max_examples=30)
@given(
    st.integers(1, 5),
    st.lists(st.sampled_from([0.25, 0.5, 0.75, 1.0]), min_size=1, max_size=3, unique=True),
    st.data(),
)
def test_subset_count_is_the_number_of_subsets(n, strengths, data):
    max_reforms = data.draw(st.integers(1, n))
    levers = Levers(reforms=list(REFORMS)[:n], strengths=strengths, max_reforms=max_reforms)
    expected = sum(math.comb(n, i) * len(strengths) ** i for i in range(max_reforms + 1))
    assert levers.subset_count() == expected == len(levers.subsets())


def test_all_means_the_whole_catalogue_in_catalogue_order():
    levers = Levers(max_reforms=1)
    assert levers.lever_reforms() == list(REFORMS)
    assert Levers(reforms=list(reversed(THREE)), max_reforms=1).lever_reforms() == THREE


def test_auto_is_exhaustive_when_packages_are_few_and_evolutionary_when_many():
    few = Levers(reforms=THREE, max_reforms=3)
    assert few.method() == "exhaustive"
    assert set(few.packages_to_run()) == set(few.subsets())
    many = Levers(max_reforms=len(REFORMS), search={"exhaustive_limit": 10})
    assert many.subset_count() == 2 ** len(REFORMS)
    assert many.method() == "evolutionary"
    assert list(many.packages_to_run()) == [BASELINE, *REFORMS]


def test_the_reference_set_is_push_alone_each_reform_at_top_strength_and_named_packages():
    levers = Levers(
        reforms=THREE,
        strengths=[0.5, 1.0],
        packages={"pair": {"mission_councils": 0.5, "pooled_budgets": 0.5}},
        search={"method": "evolutionary"},
    )
    assert levers.reference() == {
        BASELINE: {},
        "mission_councils": {"mission_councils": 1.0},
        "multi_year_funding": {"multi_year_funding": 1.0},
        "pooled_budgets": {"pooled_budgets": 1.0},
        "pair": {"mission_councils": 0.5, "pooled_budgets": 0.5},
    }


def test_cost_scales_with_strength_and_defaults_objectives():
    levers = Levers(
        reforms=THREE,
        max_reforms=2,
        costs={"pooled_budgets": {"value": 4, "source": "assumption"}},
    )
    assert levers.cost({"pooled_budgets": 0.5, "mission_councils": 1}) == 2.0
    assert levers.objectives() == ["satisficing", "regret_p90", "cost"]
    assert Levers(reforms=THREE, max_reforms=1).objectives() == [
        "satisficing",
        "regret_p90",
        "reforms",
    ]
    assert Levers(reforms=THREE, max_reforms=1).cost({"pooled_budgets": 1}) == 0.0


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"reforms": [], "max_reforms": 1}, "at least one reform"),
        ({"reforms": ["pooled_budget"], "max_reforms": 1}, "did you mean 'pooled_budgets'"),
        ({"reforms": THREE + THREE[:1], "max_reforms": 1}, "reforms must not repeat"),
        ({"strengths": [0], "max_reforms": 1}, r"strengths must be in \(0, 1\], found 0"),
        ({"strengths": [1.5], "max_reforms": 1}, r"found 1.5"),
        ({"strengths": [1, 1], "max_reforms": 1}, "strengths must not repeat"),
        ({"reforms": THREE, "max_reforms": 4}, "max_reforms must be between 1 and 3"),
        ({"reforms": THREE, "max_reforms": 0}, "max_reforms must be between 1 and 3"),
        ({"packages": {BASELINE: {}}}, "'baseline' is reserved"),
        (
            {"reforms": THREE, "packages": {"p": {"patient_capital": 1}}},
            "package 'p': 'patient_capital' is not one of the lever reforms",
        ),
        (
            {"reforms": THREE, "max_reforms": 1,
             "costs": {"patient_capital": {"value": 1, "source": "x"}}},
            "costs: 'patient_capital' is not one of the lever reforms",
        ),
        ({"reforms": THREE}, "give max_reforms"),
        ({"reforms": THREE, "search": {"method": "exhaustive"}}, "give max_reforms"),
        (
            {"reforms": THREE, "max_reforms": 1,
             "search": {"objectives": ["satisficing", "cost"]}},
            "the objective 'cost' needs costs",
        ),
        (
            {"max_reforms": 1, "search": {"objectives": ["satisficing", "regret"]}},
            "unknown objective 'regret'; did you mean",
        ),
        (
            {"max_reforms": 1, "search": {"objectives": ["satisficing"]}},
            "at least two different objectives",
        ),
        (
            {"max_reforms": 1, "costs": {"pooled_budgets": {"value": -1, "source": "x"}}},
            "costs.pooled_budgets.value",
        ),
    ],
)  # fmt: skip
def test_bad_levers_are_refused_naming_what_is_wrong(spec, message):
    with pytest.raises(ValidationError, match=message):
        Levers.model_validate(spec)


def test_evolutionary_search_needs_neither_budget_nor_packages():
    levers = Levers(reforms=THREE, search={"method": "evolutionary"})
    assert levers.budget() == 3 and levers.subset_count() == 1
    assert levers.method() == "evolutionary"


UNCERTAIN = {
    "ranges": {
        "influence.signal": [0.5, 1.5],
        "constraints.feedback_lag_quarters": [1, 8],
    },
    "samples": 12,
    "seed": 3,
}


def test_states_lie_in_their_ranges_one_per_stratum_with_integers_rounded(uk):
    states = Uncertainties.model_validate(UNCERTAIN).states(uk)
    assert len(states) == 12
    signals = np.array([s["influence.signal"] for s in states])
    lags = [s["constraints.feedback_lag_quarters"] for s in states]
    assert np.all((signals >= 0.5) & (signals <= 1.5))
    strata = np.floor((signals - 0.5) / 1.0 * 12).astype(int)
    assert sorted(strata.tolist()) == list(range(12))
    assert all(isinstance(lag, int) and 1 <= lag <= 8 for lag in lags)


def test_states_are_fixed_by_the_design_seed(uk):
    first = Uncertainties.model_validate(UNCERTAIN).states(uk)
    assert first == Uncertainties.model_validate(UNCERTAIN).states(uk)
    assert first != Uncertainties.model_validate({**UNCERTAIN, "seed": 4}).states(uk)


def test_uncertainties_refuse_an_empty_range_and_a_bad_path(uk):
    with pytest.raises(ValidationError, match="must have low < high"):
        Uncertainties.model_validate({"ranges": {"influence.signal": [1, 1]}})
    with pytest.raises(ValidationError, match="at least 1 item"):
        Uncertainties.model_validate({"ranges": {}})
    bad = Uncertainties.model_validate({"ranges": {"influence.signl": [0, 1]}})
    with pytest.raises(ValueError, match=r"^x.yaml: uncertainties.ranges.influence.signl: "):
        bad.states(uk, "x.yaml")


def test_robustness_defaults_and_a_misspelt_criterion():
    assert Robustness().rank_by == ["satisficing", "regret_p90", "milestone_mean"]
    with pytest.raises(ValidationError, match="unknown criterion 'maxmin'; did you mean 'maximin'"):
        Robustness(rank_by=["maxmin"])
    with pytest.raises(ValidationError, match="met_share"):
        Robustness(met_share=0)


def test_starts_are_levers_too_each_a_quarter_or_a_named_signpost():
    levers = Levers.model_validate({
        "reforms": ["mission_councils", "multi_year_funding"], "max_reforms": 1,
        "starts": ["2027Q1", "missed"],
        "triggers": {"missed": {"indicator": "milestone_missed", "milestone": "2026Q1"}},
    })  # fmt: skip
    packages, timings = levers.subsets(), levers.timings()
    assert len(packages) == levers.subset_count() == 1 + 2 * 3
    assert "multi_year_funding~missed" in packages and "mission_councils~2027Q1" in packages
    assert packages["mission_councils~2027Q1"] == {"mission_councils": 1.0}
    assert timings["mission_councils~2027Q1"]["mission_councils"].start == "2027Q1"
    trigger = timings["multi_year_funding~missed"]["multi_year_funding"].trigger
    assert trigger is not None and trigger.milestone == "2026Q1"
    assert "mission_councils" not in timings  # from the first quarter: no timing
    assert package_name({"mission_councils": 0.5}, {"mission_councils": "9"}) == (
        "mission_councils@0.5~9"
    )


def test_a_start_that_is_neither_a_quarter_nor_a_signpost_is_refused():
    spec = {"max_reforms": 1, "starts": ["mised"],
            "triggers": {"missed": {"indicator": "milestone_missed"}}}  # fmt: skip
    with pytest.raises(ValidationError, match="unknown start \\(a quarter or trigger\\) 'mised'"):
        Levers.model_validate(spec)
