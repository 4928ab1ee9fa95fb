"""Calibration files: everything they name is loaded and checked before any run."""

import pytest
import yaml

from mobilise import ScenarioError
from mobilise.schema.calibration import load_setup, member_values, parse_calibration

from ..conftest import SCENARIOS

UK = SCENARIOS / "calibration" / "uk.yaml"


def test_the_uk_calibration_resolves_every_file_and_target_run():
    setup = load_setup(UK)
    assert set(setup.scenarios) == {"uk_2024", "uk_early_1980s", "technological_vaccine"}
    arms = {arm.targets[0].name: arm for arm in setup.arms}
    history = arms["nhs_rtt_2018"]
    assert (history.scenario.start, history.scenario.quarters) == ("2017Q4", 28)
    assert history.scenario.government.clarity == 0.0  # no mission
    assert history.steps == [2, 14, 28]
    assert arms["dwellings_2022"].scenario.mission_spec.name == "growth"
    assert {e.key for e in setup.inferred()} == set(setup.spec.infer)
    # a reform's size informs no target (no target applies a reform): its prior is its posterior
    informed = setup.informed()
    assert "reform_sizes.mission_councils.tie_factor" not in informed
    assert "influence.signal" in informed and "mission.decay@growth" in informed


def test_member_values_are_a_missions_own_fields(uk):
    setup = load_setup(UK)
    values = {e.key: e.range.low for e in setup.inputs}
    nhs = member_values(setup.inputs, values, "nhs", setup.integer)
    vaccine = member_values(setup.inputs, values, "vaccine_taskforce", setup.integer)
    assert nhs["mission.sigma"] == 0.2 and vaccine["mission.sigma"] == 2.0
    assert "mission.weights.union" not in vaccine
    uk.with_values(nhs)  # every field a valid value of the scenario


def _write(tmp_path, **changes):
    data = yaml.safe_load(UK.read_text())
    data.update(changes)
    for key in ("priors", "targets"):
        data[key] = str((UK.parent / data[key]).resolve())
    data["scenarios"] = [str((UK.parent / s).resolve()) for s in data["scenarios"]]
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"infer": ["influence.signl"]}, "infer[0]: unknown uncertain input 'influence.signl'"),
        ({"priors": "missing.yaml"}, "priors: file not found: missing.yaml"),
        ({"particles": 3}, "particles: Input should be greater than or equal to 10"),
        ({"infer": []}, "infer: List should have at least 1 item"),
    ],
)
def test_bad_calibration_files_are_one_line(tmp_path, changes, message):
    path = _write(tmp_path, **changes)
    if "priors" in changes:
        data = yaml.safe_load(path.read_text())
        data["priors"] = "missing.yaml"
        path.write_text(yaml.safe_dump(data))
    with pytest.raises(ScenarioError) as error:
        load_setup(path)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_target_may_not_fix_an_uncertain_input(tmp_path):
    targets = yaml.safe_load((UK.parent / "../targets/uk.yaml").resolve().read_text())
    targets["targets"][0]["conditions"]["influence.signal"] = 1.0
    for t in targets["targets"]:
        t["scenario"] = str((SCENARIOS / t["scenario"].removeprefix("../")).resolve())
    file = tmp_path / "t.yaml"
    file.write_text(yaml.safe_dump(targets))
    path = _write(tmp_path, targets=str(file))
    with pytest.raises(ScenarioError, match=r"'influence\.signal' is an uncertain input"):
        load_setup(path)


def test_unknown_keys_are_refused():
    with pytest.raises(ScenarioError, match="unknown key 'particle'"):
        parse_calibration({"name": "x", "particle": 3}, "c.yaml")
