"""Reforms in time, as written: timing, triggers, and bad timing in one line."""

import pytest
from pydantic import ValidationError

from mobilise.schema.scenario import parse_scenario
from mobilise.schema.schedule import (
    INDICATORS,
    Timing,
    Trigger,
    budget_arm,
    check_budget,
    check_indicator,
    parse_start,
    step_of,
)
from mobilise.vocabulary import ScenarioError


def with_timing(uk, timing, reforms=None):
    """The shipped UK scenario's data with ``reforms`` and ``timing`` written into it."""
    data = uk.model_dump(by_alias=True)
    data["reforms"] = reforms if reforms is not None else dict.fromkeys(timing, 1.0)
    data["timing"] = timing
    return parse_scenario(data, "uk_timed.yaml")


def test_quarters_are_labels_or_quarter_numbers_of_the_run():
    assert step_of("2025Q1", "2025Q1") == 1
    assert step_of("2027Q1", "2025Q1") == 9
    assert step_of(12, "2025Q1") == 12
    assert parse_start("2027Q1") == "2027Q1"
    assert parse_start("9") == 9
    with pytest.raises(ValueError, match="expected a start like 2027Q1"):
        parse_start("next year")


def test_a_timed_scenario_loads_and_keeps_its_timing(uk):
    scenario = with_timing(uk, {"mission_councils": {"start": "2027Q1", "ramp": 4, "end": 30}})
    timing = scenario.timing["mission_councils"]
    assert (timing.start, timing.ramp, timing.end) == ("2027Q1", 4, 30)
    assert not timing.is_static
    assert Timing().is_static and Timing(start=1).is_static


@pytest.mark.parametrize(
    ("timing", "message"),
    [
        ({"start": "2024Q4"}, "timing.mission_councils.start: 2024Q4 is before the run"),
        ({"start": "2035Q1"}, "timing.mission_councils.start: 2035Q1 is after its end"),
        ({"start": 41}, "quarter 41 is after its end"),
        ({"end": "2024Q1"}, "timing.mission_councils.end: 2024Q1 is before the run"),
        ({"start": 10, "end": 10}, "end: must come after its start"),
        ({"ramp": -1}, "ramp: Input should be greater than or equal to 0"),
        ({"start": 0}, "a quarter number counts from 1"),
        ({"start": "soon"}, "expected a quarter like 2027Q1"),
        ({"trigger": {"indicator": "mood", "below": 1}}, "unknown indicator 'mood'"),
        ({"trigger": {"indicator": "engaged_clergy", "below": 0.1}},
         "unknown actor type 'clergy'"),
        ({"trigger": {"indicator": "credibility"}}, "give one threshold, below or above"),
        ({"trigger": {"indicator": "credibility", "below": 0.3, "above": 0.6}},
         "give one threshold, below or above"),
        ({"trigger": {"indicator": "milestone_missed", "below": 0.3}}, "takes no threshold"),
        ({"trigger": {"indicator": "milestone_missed", "milestone": "2027Q3"}},
         "unknown milestone '2027Q3'"),
        ({"start": 5, "trigger": {"indicator": "credibility", "below": 0.3}},
         "give a start or a trigger, not both"),
        ({"trigger": {"indicator": "credibility", "below": 0.3, "from": "2040Q1"}},
         "trigger.from: 2040Q1 is after its end"),
        ({"startt": 5}, "unknown key 'startt'"),
    ],
)  # fmt: skip
def test_bad_timing_is_one_line_naming_the_field(uk, timing, message):
    with pytest.raises(ScenarioError) as error:
        with_timing(uk, {"mission_councils": timing})
    text = str(error.value)
    assert message in text
    assert "\n" not in text and text.startswith("uk_timed.yaml: ")


def test_timing_for_a_reform_that_is_not_in_force_is_refused(uk):
    with pytest.raises(ScenarioError, match="'social_partnership' is not one of the reforms"):
        with_timing(uk, {"social_partnership": {"start": 5}}, reforms={"mission_councils": 1})


def test_every_indicator_is_checked_and_engagement_names_any_type():
    for name in INDICATORS:
        if "<" not in name:
            assert check_indicator(name) == name
    assert check_indicator("engaged_volunteer") == "engaged_volunteer"
    with pytest.raises(ValueError, match="did you mean 'credibility'"):
        check_indicator("credibilty")


def test_a_trigger_reads_from_as_its_first_quarter():
    trigger = Trigger.model_validate({"indicator": "credibility", "below": 0.4, "from": 8})
    assert trigger.watch_from == 8 and trigger.delay == 0
    with pytest.raises(ValidationError):
        Trigger.model_validate({"indicator": "credibility", "below": 0.4, "delay": -1})


def test_budgets_are_finite_multipliers():
    assert check_budget(1.5) == 1.5 and check_budget(0) == 0
    for bad in (-0.1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="must be a finite number >= 0"):
            check_budget(bad)
    assert budget_arm(1.5) == "budget_x1.5"


def test_two_schedules_for_one_reform_in_a_file_are_one_line(tmp_path):
    """A scenario's timing or an arm naming a reform twice: refused, not last-one-wins."""
    from mobilise.running.design import load_experiment
    from mobilise.schema.scenario import load_scenario

    scenario = tmp_path / "twice.yaml"
    scenario.write_text(
        "name: x\nmission: nhs\npopulations: {business: {count: 10}}\n"
        "reforms: {mission_councils: 1}\ntiming:\n"
        "  mission_councils: {start: 3}\n  mission_councils: {ramp: 2}\n"
    )
    with pytest.raises(ScenarioError, match="key 'mission_councils' appears twice") as error:
        load_scenario(scenario)
    assert "\n" not in str(error.value)
    experiment = tmp_path / "arm.yaml"
    experiment.write_text(
        "name: arm\nscenarios: [uk_2024]\narms:\n  bundles:\n    b:\n"
        "      mission_councils: {start: 2026Q1}\n      mission_councils: {start: 2027Q1}\n"
    )
    with pytest.raises(ScenarioError, match="key 'mission_councils' appears twice"):
        load_experiment(experiment)
