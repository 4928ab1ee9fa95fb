"""A scenario's claims are checked against the model's outputs before anything runs."""

import pytest

from mobilise.running.claims import check_claims, load_checked
from mobilise.schema.patterns import Pattern
from mobilise.schema.scenario import load_scenario
from mobilise.vocabulary import ScenarioError

from ..conftest import ROOT

SCENARIOS = ROOT / "scenarios"


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_scenarios_claims_can_be_read(path):
    check_claims(load_scenario(path), str(path), path.parent)


def test_a_shipped_name_loads_checked():
    assert load_checked("uk_2024") == load_scenario(SCENARIOS / "uk_2024.yaml")


def claim(**fields):
    return Pattern(name="p", above=0.0, **{"output": "metric", **fields})


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (claim(output="engaged_robot"), "patterns[0] ('p').output: unknown output 'engaged_robot'"),
        (claim(minus="progres"), "patterns[0] ('p').minus: unknown output 'progres'"),
        (claim(at=41), "patterns[0] ('p').at: step 41 is beyond the run's 40 quarters"),
        (claim(conditions={"trust.sped": 0.1}), "patterns[0] ('p').conditions: scenario field"),
        (
            claim(versus={"scenario": "no_such.yaml"}),
            "patterns[0] ('p').versus.scenario: scenario file not found: no_such.yaml",
        ),
    ],
)
def test_a_claim_no_run_could_read_is_one_line_naming_where(pattern, expected):
    uk = load_scenario(SCENARIOS / "uk_2024.yaml")
    with pytest.raises(ScenarioError) as raised:
        check_claims(uk.model_copy(update={"patterns": [pattern]}), "file.yaml", SCENARIOS)
    message = str(raised.value)
    assert message.startswith(f"file.yaml: {expected}") and "\n" not in message


def test_a_milestone_read_outside_the_run_is_refused():
    uk = load_scenario(SCENARIOS / "uk_2024.yaml")
    short = uk.model_copy(update={"quarters": 8, "patterns": [claim(at="milestone")]})
    with pytest.raises(ScenarioError, match=r"the key milestone \(2029Q1\) is not within the run"):
        check_claims(short, "file.yaml", SCENARIOS)
