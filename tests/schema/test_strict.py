"""The strict base: closed to unknown keys (named, with a suggestion), frozen, finite numbers."""

import pytest
from pydantic import ValidationError

from mobilise import ScenarioError
from mobilise.schema.constraints import Constraints
from mobilise.schema.distributions import Normal
from mobilise.schema.scenario import parse_scenario
from mobilise.schema.sections import Government
from mobilise.schema.strict import Strict

BASE = {"name": "t", "mission": "nhs", "populations": {"volunteer": {"count": 10}}}


def test_every_scenario_part_is_strict():
    assert issubclass(Constraints, Strict) and issubclass(Government, Strict)
    assert Strict.model_config["extra"] == "forbid"


def test_an_unknown_key_is_named_with_the_known_key_it_resembles():
    with pytest.raises(ValidationError, match="unknown key 'union_densty'; did you mean "):
        Constraints.model_validate({"union_densty": 0.2})


def test_an_unknown_key_far_from_any_lists_the_known_ones():
    with pytest.raises(ValidationError) as info:
        Government.model_validate({"zzz": 1})
    message = str(info.value)
    assert "unknown key 'zzz' (expected one of: " in message
    assert "did you mean" not in message
    assert "budget" in message and "clarity" in message


def test_an_alias_and_the_field_name_are_both_known_keys():
    by_alias = Normal.model_validate({"dist": "normal", "mean": 1.0, "sd": 0.5})
    by_name = Normal.model_validate({"dist": "normal", "mean_": 1.0, "sd": 0.5})
    assert by_alias == by_name
    assert by_alias.mean_ == 1.0


def test_instances_are_frozen():
    constraints = Constraints()
    with pytest.raises(ValidationError, match="frozen"):
        constraints.union_density = 0.5  # type: ignore[misc]


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_numbers_are_refused_even_where_no_bound_would_catch_them(value):
    # government.budget has only ge=0 (inf would pass it); mission baselines have no bounds
    with pytest.raises(ValidationError, match="finite number"):
        Government(budget=value)
    with pytest.raises(ValidationError, match="finite number"):
        Normal.model_validate({"dist": "normal", "mean": value, "sd": 1})


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (
            {"constraints": {"weekly_hours": float("nan")}},
            "s.yaml: constraints.weekly_hours: Input should be a finite number (found nan)",
        ),
        (
            {"government": {"budget": float("inf")}},
            "s.yaml: government.budget: Input should be a finite number (found inf)",
        ),
        (
            {
                "populations": {
                    "volunteer": {
                        "count": 10,
                        "threshold": {"dist": "normal", "mean": float("-inf"), "sd": 1},
                    }
                }
            },
            "s.yaml: populations.volunteer.threshold.mean: Input should be a finite number "
            "(found -inf)",
        ),
    ],
)
def test_a_non_finite_scenario_value_is_one_line_naming_the_field(extra, expected):
    with pytest.raises(ScenarioError) as info:
        parse_scenario({**BASE, **extra}, "s.yaml")
    assert str(info.value) == expected


def test_a_nested_unknown_key_is_one_line_naming_where():
    with pytest.raises(ScenarioError) as info:
        parse_scenario({**BASE, "constraints": {"union_densty": 0.2}}, "s.yaml")
    message = str(info.value)
    assert message.startswith(
        "s.yaml: constraints: unknown key 'union_densty'; did you mean 'union_density'?"
    )
    assert "\n" not in message
