"""Scenario files: shipped ones validate; every bad file gets one clear line."""

import textwrap

import pytest

from mobilise import ScenarioError, load_scenario
from mobilise.schema.scenario import parse_scenario

from ..conftest import SCENARIOS

GOOD = """\
name: t
mission: nhs
populations:
  volunteer: {count: 10}
"""


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_scenarios_validate(path):
    scenario = load_scenario(path)
    assert scenario.size > 0
    assert scenario.content_hash() == load_scenario(path).content_hash()


BAD = [
    ("yaml syntax", "name: t\nmission: [nhs\n", "YAML syntax error"),
    ("not a mapping", "- 1\n- 2\n", "expected a mapping of scenario fields, found list"),
    ("empty", "", "found an empty file"),
    ("unknown top key", GOOD + "seeed: 3\n", "unknown key 'seeed'; did you mean 'seed'?"),
    (
        "unknown nested key",
        GOOD.replace("{count: 10}", "{count: 10, thresold: 0.2}"),
        "populations.volunteer: unknown key 'thresold'; did you mean 'threshold'?",
    ),
    ("wrong type", GOOD.replace("count: 10", "count: ten"), "populations.volunteer.count: "),
    (
        "negative count",
        GOOD.replace("count: 10", "count: -5"),
        "greater than or equal to 0 (found -5)",
    ),
    ("out of range", GOOD + "constraints: {union_density: 1.4}\n", "constraints.union_density: "),
    (
        "unknown reform",
        GOOD + "reforms: {mission_council: 1}\n",
        "unknown reform 'mission_council'",
    ),
    ("reform strength", GOOD + "reforms: {pooled_budgets: 2}\n", "must be in [0, 1], found 2"),
    (
        "unknown mission",
        GOOD.replace("mission: nhs", "mission: moonshot"),
        "unknown mission 'moonshot'",
    ),
    (
        "unknown actor type",
        GOOD.replace("volunteer:", "volunter:"),
        "unknown actor type 'volunter'",
    ),
    (
        "impossible beta",
        GOOD.replace("{count: 10}", "{count: 10, threshold: {dist: beta, a: -1, b: 2}}"),
        "populations.volunteer.threshold.a: Input should be greater than 0 (found -1)",
    ),
    (
        "unknown distribution",
        GOOD.replace("{count: 10}", "{count: 10, trust: {dist: cauchy, x: 1}}"),
        "populations.volunteer.trust: ",
    ),
    (
        "uniform reversed",
        GOOD.replace("{count: 10}", "{count: 10, trust: {dist: uniform, a: 0.9, b: 0.1}}"),
        "uniform needs a <= b",
    ),
    ("bad quarter", GOOD + "start: 2025-01\n", "expected a quarter like 2025Q1"),
    ("missing field", "name: t\nmission: nhs\n", "populations: required field is missing"),
    (
        "no agents",
        GOOD.replace("count: 10", "count: 0"),
        "at least one actor type needs a positive count",
    ),
    (
        "bad network pair",
        GOOD + "network: {cross_overrides: {union-union: 2}}\n",
        "pair 'union-union' must be two different types",
    ),
]


@pytest.mark.parametrize(("case", "text", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_scenario_gives_one_line_naming_file_and_field(tmp_path, case, text, expected):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert expected in message


def test_missing_file_is_one_line(tmp_path):
    with pytest.raises(ScenarioError, match=r"nope\.yaml: no such file here") as info:
        load_scenario(tmp_path / "nope.yaml")
    assert "\n" not in str(info.value)


def test_an_unreadable_file_is_one_line(tmp_path):
    with pytest.raises(ScenarioError, match="is a folder; expected a YAML file"):
        load_scenario(tmp_path)  # a folder: it exists, so it is not taken for a name


def test_shorthand_distributions():
    scenario = parse_scenario(
        {
            "name": "t",
            "mission": "nhs",
            "populations": {"union": {"count": 3, "trust": 0.4, "threshold": [0.1, 0.2, 0.3]}},
        }
    )
    assert scenario.populations["union"].trust.mean() == pytest.approx(0.4)
    assert scenario.populations["union"].threshold.values == [0.1, 0.2, 0.3]


def test_inline_mission_is_validated(tmp_path):
    text = textwrap.dedent(
        """\
        name: t
        mission: {name: m, title: M, kind: socioeconomic, metric: x, unit: u, baseline: 0,
                  target: 1, milestones: [{quarter: 2026Q1, value: 1}], weights: {charity: 1},
                  sigma: 0, payoff_lag: 4, rate: 0.1, source: s}
        populations: {charity: {count: 5}}
        """
    )
    path = tmp_path / "m.yaml"
    path.write_text(text)
    with pytest.raises(ScenarioError, match=r"mission\.sigma: Input should be greater than 0"):
        load_scenario(path)


def test_updated_sets_a_dotted_field_and_validates(uk):
    assert uk.updated("constraints.union_density", 0.5).constraints.union_density == 0.5
    with pytest.raises(ScenarioError, match="no field 'union_dens'"):
        uk.updated("constraints.union_dens", 0.5)


def test_a_scenario_is_resolved_from_itself_a_path_or_a_shipped_name(uk):
    from mobilise.schema.scenario import resolve_scenario

    assert resolve_scenario(uk) is uk
    assert resolve_scenario("uk_2024") == uk == resolve_scenario(SCENARIOS / "uk_2024.yaml")
    assert resolve_scenario(str(SCENARIOS / "uk_2024.yaml")) == uk
    with pytest.raises(ScenarioError, match=r"^uk2024: .*'uk2024'; did you mean 'uk_2024'"):
        resolve_scenario("uk2024")
    with pytest.raises(ScenarioError, match="no such file here"):
        resolve_scenario("no/such/scenario.yaml")
