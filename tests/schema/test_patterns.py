"""The pattern schema: what a claim about the model may say, and one line when it is wrong."""

import pytest
from pydantic import ValidationError

from mobilise import ScenarioError
from mobilise.schema.patterns import Pattern, Versus, check_output_name, check_reforms
from mobilise.schema.scenario import parse_scenario
from mobilise.vocabulary import UnknownNameError

BASE = {"name": "t", "mission": "nhs", "populations": {"volunteer": {"count": 10}}}
GOOD = {"name": "p", "output": "progress", "above": 0.1}


@pytest.mark.parametrize("name", ["progress", "engaged_mentor", "milestone_met", "anything"])
def test_any_identifier_can_name_an_output(name):
    """Which outputs exist is the model's to say (tests/model/test_outcomes.py)."""
    assert check_output_name(name) == name


@pytest.mark.parametrize("name", ["engaged two words", "", "step", "quarter", "2x"])
def test_a_name_no_output_can_have_is_refused(name):
    with pytest.raises(UnknownNameError, match=f"unknown output '{name}'"):
        check_output_name(name)


def test_check_reforms_passes_known_reforms_in_range():
    assert check_reforms({"pooled_budgets": 0.5}) == {"pooled_budgets": 0.5}
    with pytest.raises(ValueError, match=r"must be in \[0, 1\], found 2"):
        check_reforms({"pooled_budgets": 2})
    with pytest.raises(UnknownNameError):
        check_reforms({"pooled_budget": 1})


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (
            {"name": "p", "output": "prog ress", "above": 0},
            "s.yaml: patterns[0].output: unknown output 'prog ress' (expected a step outcome's "
            "column, e.g. metric or engaged_union, or milestone_met)",
        ),
        (
            {**GOOD, "minus": "step"},
            "s.yaml: patterns[0].minus: unknown output 'step'",
        ),
        (
            {"name": "p", "output": "progress"},
            "s.yaml: patterns[0]: pattern 'p': expected one of above, below, at_least, "
            "at_most, near",
        ),
        (
            {**GOOD, "near": 1},
            "s.yaml: patterns[0]: pattern 'p': near and tolerance go together",
        ),
        (
            {**GOOD, "at": -1},
            "s.yaml: patterns[0]: pattern 'p': at must be a step >= 0, found -1",
        ),
        (
            {**GOOD, "statistic": "median"},
            "s.yaml: patterns[0].statistic: Input should be 'mean', 'sd', 'min' or 'max' "
            "(found 'median')",
        ),
        (
            {**GOOD, "reforms": {"pooled_budget": 1}},
            "s.yaml: patterns[0].reforms: unknown reform 'pooled_budget'; did you mean "
            "'pooled_budgets'?",
        ),
        (
            {**GOOD, "versus": {"reforms": {"pooled_budgets": 2}}},
            "s.yaml: patterns[0].versus.reforms: strength of 'pooled_budgets' must be in "
            "[0, 1], found 2",
        ),
        (
            {**GOOD, "near": 1, "tolerance": 0},
            "s.yaml: patterns[0].tolerance: Input should be greater than 0 (found 0)",
        ),
        (
            {**GOOD, "scale": "share"},
            "s.yaml: patterns[0].scale: Input should be 'gap'",
        ),
        (
            {**GOOD, "abvoe": 1},
            "s.yaml: patterns[0]: unknown key 'abvoe'; did you mean 'above'?",
        ),
    ],
)
def test_a_bad_pattern_is_one_line_naming_the_field(pattern, expected):
    with pytest.raises(ScenarioError) as info:
        parse_scenario({**BASE, "patterns": [pattern]}, "s.yaml")
    message = str(info.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_a_good_pattern_reads_the_horizon_mean_by_default():
    pattern = Pattern.model_validate(GOOD)
    assert (pattern.at, pattern.statistic, pattern.versus, pattern.scale) == (
        "horizon",
        "mean",
        None,
        None,
    )
    assert Pattern.model_validate({**GOOD, "at": 12}).at == 12
    assert Pattern.model_validate({**GOOD, "at": "milestone"}).at == "milestone"


def test_versus_defaults_to_this_scenario_with_no_changes():
    assert Versus() == Versus(scenario=None, conditions={}, reforms={})


@pytest.mark.parametrize(
    ("bounds", "words"),
    [
        ({"above": 0.02, "below": 0.85}, "in (0.02, 0.85)"),
        ({"above": 0.5}, "> 0.5"),
        ({"below": 0.5}, "< 0.5"),
        ({"at_least": 0.8}, ">= 0.8"),
        ({"at_most": 0.1}, "<= 0.1"),
        ({"near": 0.16, "tolerance": 0.03}, "0.16 +/- 0.03"),
        ({"near": 0.16, "tolerance": 0.03, "at_least": 0.1}, "0.16 +/- 0.03 and >= 0.1"),
    ],
)
def test_the_expectation_in_words(bounds, words):
    pattern = Pattern.model_validate({"name": "p", "output": "progress", **bounds})
    assert pattern.expected() == words


def test_holds_checks_every_bound_with_strict_and_inclusive_edges():
    between = Pattern.model_validate({"name": "p", "output": "progress", "above": 0, "below": 1})
    assert [between.holds(v) for v in (0.0, 0.5, 1.0)] == [False, True, False]
    inclusive = Pattern.model_validate(
        {"name": "p", "output": "progress", "at_least": 0, "at_most": 1}
    )
    assert [inclusive.holds(v) for v in (-0.01, 0.0, 1.0, 1.01)] == [False, True, True, False]
    near = Pattern.model_validate(
        {"name": "p", "output": "progress", "near": 0.5, "tolerance": 0.25}
    )
    assert [near.holds(v) for v in (0.2, 0.25, 0.75, 0.8)] == [False, True, True, False]


def test_misses_by_counts_tolerances():
    near = Pattern.model_validate(
        {"name": "p", "output": "progress", "near": 0.5, "tolerance": 0.1}
    )
    assert near.misses_by(0.8) == pytest.approx(3.0)
    assert near.misses_by(0.45) == pytest.approx(-0.5)
    assert Pattern.model_validate(GOOD).misses_by(123.0) == 0.0


def test_patterns_are_strict_models():
    with pytest.raises(ValidationError, match="unknown key"):
        Pattern.model_validate({**GOOD, "tolerence": 1})
