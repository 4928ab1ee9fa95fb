"""--set FIELD=VALUE: any field by its dotted path, validated exactly as the file is."""

import pytest

from mobilise import ScenarioError
from mobilise.schema.settings import apply_settings, parse_setting, settings_fields


def test_values_are_read_as_yaml_scalars():
    assert parse_setting("influence.signal=1.2") == ("influence.signal", 1.2)
    assert parse_setting("mission=growth") == ("mission", "growth")
    assert parse_setting("government.portfolio_review=true") == (
        "government.portfolio_review",
        True,
    )
    assert settings_fields(["a.b=1", "c=2"]) == ["a.b", "c"]


def test_a_set_equals_the_same_line_in_the_file(uk):
    set_ = apply_settings(uk, ["influence.signal=2", "reform_sizes.mission_councils.tie_factor=1"])
    assert set_ == uk.updated("influence.signal", 2).updated(
        "reform_sizes.mission_councils.tie_factor", 1
    )
    assert set_.influence.signal == 2.0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "influence.signl=2",
            "--set influence.signl=2: scenario field 'influence.signl': no field",
        ),
        ("influence.signal=abc", "valid number"),
        ("constraints.union_density=1.5", "less than or equal to 1"),
        ("influence", "expected FIELD=VALUE"),
        ("influence.signal=", "expected FIELD=VALUE"),
        ("reform_sizes.mission_councils.tie_factor=-1", "greater than or equal to 0"),
        ("influence.adjustment=0.99", "adjustment + fatigue must be at most 1"),
        ("influence.signal=.nan", "finite number"),  # NaN and infinities, as in the file
        ("influence.signal=.inf", "finite number"),
        ("influence.signal=nan", "valid number"),  # text, as the file reads it
        ("influence.signal=yes", "valid number"),  # YAML 1.2: yes is text, not true
        ('populations.union.count="600"', "valid integer"),  # strict, as the file is
        ("influence.signal=[1", "cannot read the value"),
    ],
)
def test_a_bad_set_is_one_line(uk, text, message):
    with pytest.raises(ScenarioError) as error:
        apply_settings(uk, [text])
    assert message in str(error.value) and "\n" not in str(error.value)
