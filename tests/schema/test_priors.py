"""Uncertain inputs: declared once, with a range and a reason; bad files are one line."""

import pytest

from mobilise import ScenarioError
from mobilise.schema.priors import load_priors, parse_priors

from ..conftest import SCENARIOS

UK_PRIORS = SCENARIOS / "priors" / "uk.yaml"


def entry(**fields):
    return {"field": "influence.signal", "range": [1, 2], "reason": "assumption: why", **fields}


def test_the_uk_priors_cover_every_assumption_family_and_every_reform_size(uk):
    priors = load_priors(UK_PRIORS)
    fields = {e.field for e in priors.inputs}
    for family in ("influence.", "trust.", "government.", "network.", "mission.weights."):
        assert any(f.startswith(family) for f in fields), family
    for name in ("influence.noise", "influence.adjustment", "influence.fatigue", "mission.decay",
                 "mission.sigma", "populations.business.cost"):  # fmt: skip
        assert name in fields
    for reform, sizes in uk.reform_sizes.items():
        for size in sizes:
            assert f"reform_sizes.{reform}.{size}" in fields, (reform, size)


@pytest.mark.parametrize("file", ["uk_2024", "uk_early_1980s", "technological_vaccine"])
def test_each_uk_scenario_sits_inside_its_priors(file):
    from mobilise import load_scenario

    scenario = load_scenario(SCENARIOS / f"{file}.yaml")
    priors = load_priors(UK_PRIORS)
    priors.check_against(scenario, "priors")
    for e in priors.for_mission(scenario.mission_spec.name):
        value = scenario.value_at(e.field)
        assert e.range.low <= value <= e.range.high, (e.key, value)


def test_a_mission_quantity_is_declared_per_mission():
    priors = load_priors(UK_PRIORS)
    sigma = [e for e in priors.inputs if e.field == "mission.sigma"]
    assert {tuple(e.missions) for e in sigma} == {("nhs",), ("vaccine_taskforce",)}
    assert [e.key for e in priors.for_mission("nhs") if e.field == "mission.sigma"] == [
        "mission.sigma@nhs"
    ]


@pytest.mark.parametrize(
    ("inputs", "message"),
    [
        ([entry(reason="because")], "inputs[0].reason: expected 'source: <where"),
        ([entry(reason="assumption:  ")], "expected 'source:"),
        ([entry(range=[2, 1])], "expected low <= high"),
        ([entry(range=[1, 1])], "must have low < high"),
        ([entry(missions=["nhs_"])], "unknown mission 'nhs_'"),
        ([entry(), entry()], "inputs[1]: 'influence.signal' is declared twice"),
        ([entry(missions=["nhs"]), entry(missions=["nhs", "growth"])], "declared twice"),
        ([entry(range=[1, float("nan")])], "inputs[0].range.high"),
        ([{"range": [1, 2], "reason": "assumption: x"}], "inputs[0].field: required field"),
    ],
)
def test_bad_priors_are_one_line(inputs, message):
    with pytest.raises(ScenarioError) as error:
        parse_priors({"name": "p", "inputs": inputs}, "p.yaml")
    assert message in str(error.value) and "\n" not in str(error.value)
    assert str(error.value).startswith("p.yaml")


def test_a_field_the_scenario_lacks_is_refused_by_path(uk):
    priors = parse_priors({"name": "p", "inputs": [entry(field="influence.signl")]}, "p.yaml")
    with pytest.raises(ScenarioError, match=r"p.yaml: inputs.influence.signl: .*no field 'signl'"):
        priors.check_against(uk, "p.yaml")
