"""A scenario's claims are checked against the model's outputs before anything runs."""

import pytest
import yaml

from mobilise.running.claims import (
    calibration_file,
    check_claims,
    load_checked,
    load_checked_setup,
    load_checked_targets,
)
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


# --- a calibration's targets, in the targets file it names --------------------------------

UK_TARGETS = SCENARIOS / "targets" / "uk.yaml"


def test_the_shipped_calibration_and_targets_can_be_read():
    setup = load_checked_setup(SCENARIOS / "calibration" / "uk.yaml")
    targets, arms = load_checked_targets(UK_TARGETS)
    assert len(targets.targets) == sum(len(arm.targets) for arm in setup.arms)
    assert [len(a.targets) for a in arms] == [len(a.targets) for a in setup.arms]


def _targets_with(tmp_path, **change):
    data = yaml.safe_load(UK_TARGETS.read_text())
    for target in data["targets"]:  # the file, moved: its scenarios by their full paths
        target["scenario"] = str((UK_TARGETS.parent / target["scenario"]).resolve())
    data["targets"][0].update(change)
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"output": "engaged_robot"}, "output: unknown output 'engaged_robot'"),
        ({"output": "metrc"}, "output: unknown output 'metrc'; did you mean 'metric'?"),
        ({"at": 400}, "target"),
        ({"data": "stylised_facts.csv:formal_volunteering_monthly,1899"}, "no row"),
    ],
)
def test_a_target_no_run_could_read_is_one_line_naming_it(tmp_path, change, expected):
    path = _targets_with(tmp_path, **change)
    with pytest.raises(ScenarioError) as raised:
        load_checked_targets(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ") and expected in message and "\n" not in message


def test_a_scenario_naming_a_calibration_file_not_there_is_one_line():
    uk = load_scenario(SCENARIOS / "uk_2024.yaml")
    with pytest.raises(ScenarioError, match=r"file\.yaml: calibration: file not found: gone"):
        check_claims(uk.model_copy(update={"calibration": "gone.yaml"}), "file.yaml", SCENARIOS)
    assert calibration_file(uk, "uk", SCENARIOS).resolve() == SCENARIOS / "calibration" / "uk.yaml"
