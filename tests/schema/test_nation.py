"""Several missions in a scenario: the fields, their checks, and bad input in one line."""

import pytest
import yaml

from mobilise import ScenarioError
from mobilise.schema.nation import Attention, check_spillovers
from mobilise.schema.scenario import load_scenario

from ..bad_input import assert_refused, run_cli
from ..conftest import SCENARIOS

FIVE = SCENARIOS / "uk_2024_five_missions.yaml"


def five_data():
    return yaml.safe_load(FIVE.read_text())


def write(tmp_path, data, name="bad.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def test_the_five_missions_load_in_order_with_the_first_as_mission():
    five = load_scenario(FIVE)
    assert five.mission_names == ("growth", "clean_energy", "safer_streets", "opportunity", "nhs")
    assert five.several and five.mission_spec.name == "growth"
    assert five.mission_label == "growth+clean_energy+safer_streets+opportunity+nhs"


def test_one_mission_listed_is_the_single_mission_scenario(tmp_path):
    uk = load_scenario(SCENARIOS / "uk_2024.yaml")
    data = yaml.safe_load((SCENARIOS / "uk_2024.yaml").read_text())
    del data["mission"]
    data["missions"] = ["nhs"]
    listed = load_scenario(write(tmp_path, data, "one.yaml"))
    assert not listed.several and listed.content_hash() == uk.content_hash()


def test_for_mission_keeps_the_reforms_aimed_at_it(tmp_path):
    data = five_data()
    data["reforms"] = {"mission_councils": 1.0, "patient_capital": 0.5}
    data["timing"] = {"mission_councils": {"start": "2026Q1", "missions": ["nhs", "growth"]}}
    five = load_scenario(write(tmp_path, data))
    nhs, clean = five.for_mission("nhs"), five.for_mission("clean_energy")
    assert nhs.reforms == {"mission_councils": 1.0, "patient_capital": 0.5}
    assert nhs.timing["mission_councils"].start == "2026Q1"
    assert nhs.timing["mission_councils"].missions is None
    assert clean.reforms == {"patient_capital": 0.5} and clean.timing == {}
    assert nhs.mission_spec.name == "nhs" and not nhs.several


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"missions": ["nhs", "growth", "nhs"]},
         "missions: expected each mission once, found 'nhs' twice"),
        ({"missions": ["nhs", "groth"]},
         "missions: unknown mission 'groth'; did you mean 'growth'?"),
        ({"mission": "nhs"}, "mission: with missions, mission is the first of them or left out"),
        ({"reforms": {"mission_councils": 1.0},
          "timing": {"mission_councils": {"missions": ["defence"]}}},
         "timing.mission_councils.missions: unknown mission 'defence'"),
        ({"reforms": {"mission_councils": 1.0},
          "timing": {"mission_councils": {"missions": ["nhs", "nhs"]}}},
         "timing.mission_councils.missions: expected each mission once, found 'nhs' twice"),
        ({"spillovers": {"nhs": {"defence": 0.1}}},
         "spillovers.nhs.defence: unknown mission 'defence'"),
        ({"spillovers": {"nhs": {"nhs": 0.1}}},
         "spillovers: nhs.nhs: a mission does not spill over into itself"),
        ({"spillovers": {"nhs": {"growth": 1.5}}},
         "spillovers: nhs.growth: expected a weight in [-1, 1], found 1.5"),
        ({"attention": {"concentration": 9}}, "attention.concentration"),
    ],
)  # fmt: skip
def test_bad_several_missions_input_is_one_line_naming_file_and_field(tmp_path, change, expected):
    data = {**five_data(), **change}
    path = write(tmp_path, data)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path)), message
    assert expected in message, message
    assert_refused(run_cli("validate", str(path)), str(path), expected)


def test_a_reform_aimed_at_a_missing_mission_on_the_command_line_is_one_line():
    outcome = run_cli("compare", str(FIVE), "--reform", "mission_councils:nsh", "--no-figures")
    assert_refused(outcome, "uk_2024_five_missions.yaml", "timing.mission_councils.missions",
                   "unknown mission 'nsh'; did you mean 'nhs'?")  # fmt: skip
    twice = run_cli("compare", str(FIVE), "--reform", "mission_councils:nhs+nhs")
    assert_refused(twice, "--reform", "expected each mission once, found 'nhs' twice")


def test_spillover_weights_and_attention_are_declared_with_their_ranges():
    assert check_spillovers({"a": {"b": -1.0, "c": 1.0}}) == {"a": {"b": -1.0, "c": 1.0}}
    field = Attention.model_fields["concentration"]
    assert field.default == 1.0 and "assumption" in str(field.description)
