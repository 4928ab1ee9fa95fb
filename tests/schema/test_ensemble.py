"""Ensembles: members as data, checked against the scenario they are used with."""

import json
import shutil

import pytest

from mobilise import ScenarioError, load_scenario
from mobilise.schema.ensemble import (
    choose_ensemble,
    load_ensemble,
    manifest_path,
    write_ensemble,
)

from ..conftest import SCENARIOS

SHIPPED = SCENARIOS / "ensembles" / "uk_2024.csv"


@pytest.fixture
def copy(tmp_path):
    """A writable copy of the shipped UK ensemble and its manifest."""
    target = tmp_path / "e.csv"
    shutil.copy(SHIPPED, target)
    shutil.copy(manifest_path(SHIPPED), manifest_path(target))
    return target


def test_every_uk_scenario_names_a_calibrated_ensemble_made_for_it():
    for name in ("uk_2024", "uk_early_1980s", "technological_vaccine"):
        path = SCENARIOS / f"{name}.yaml"
        scenario = load_scenario(path)
        ensemble = choose_ensemble(path, scenario)
        assert ensemble is not None and ensemble.manifest.scenario == name
        assert len(ensemble) == ensemble.manifest.members >= 40
        assert ensemble.members == tuple(range(1, len(ensemble) + 1))
        statuses = {c.status for c in ensemble.manifest.columns.values()}
        assert statuses == {"inferred", "drawn", "prior"}


def test_the_uk_scenarios_share_their_members_quantities(uk):
    today = choose_ensemble(SCENARIOS / "uk_2024.yaml", uk)
    vaccine = choose_ensemble(
        SCENARIOS / "technological_vaccine.yaml",
        load_scenario(SCENARIOS / "technological_vaccine.yaml"),
    )
    shared = [c for c in today.columns if c in vaccine.columns and not c.startswith("mission.")]
    assert shared and "influence.signal" in shared
    for a, b in zip(today.values, vaccine.values, strict=True):
        assert all(a[c] == b[c] for c in shared if c != "government.initial_credibility")
    assert today.values[0]["mission.sigma"] != vaccine.values[0]["mission.sigma"]


def test_members_keep_their_values_exactly_and_first_n_is_a_prefix(uk, copy):
    full = load_ensemble(copy, uk)
    five = full.first(5)
    assert five.members == full.members[:5] and five.values == full.values[:5]
    assert full.first(None) is full
    values = full.member_values(0, "nhs")
    assert uk.with_values(values).value_at("influence.signal") == values["influence.signal"]
    # another mission keeps its own quantities; only inputs of every mission reach it
    columns = full.manifest.columns
    for_growth = full.member_values(0, "growth")
    assert "mission.sigma" in values and "mission.sigma" not in for_growth
    assert all(not columns[k].missions or "growth" in columns[k].missions for k in for_growth)


def test_written_numbers_read_back_bit_for_bit(tmp_path):
    values = [{"a": 0.1 + 0.2, "b": 3}, {"a": 1 / 3, "b": 4}]
    write_ensemble(tmp_path / "x.csv", values, ["a", "b"])
    lines = (tmp_path / "x.csv").read_text().splitlines()
    assert lines[0] == "member,a,b"
    assert float(lines[1].split(",")[1]) == 0.1 + 0.2 and lines[1].endswith(",3")


def _edit(path, row, column, value):
    lines = path.read_text().splitlines()
    cells = lines[row].split(",")
    cells[column] = value
    lines[row] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")


@pytest.mark.parametrize(
    ("row", "column", "value", "message"),
    [
        (1, 1, "9.9", "line 2: influence.signal: expected a value in [0.75, 2.25]"),
        (1, 1, "nan", "expected a finite number, found nan"),
        (1, 1, "x", "expected a number, found 'x'"),
        (2, 0, "1", "member: expected a new whole number"),
        (0, 1, "influence.signl", "column 'influence.signl' is not declared"),
        (0, 0, "id", "the first column must be 'member'"),
    ],
)
def test_bad_ensembles_are_one_line(uk, copy, row, column, value, message):
    _edit(copy, row, column, value)
    with pytest.raises(ScenarioError) as error:
        load_ensemble(copy, uk)
    assert message in str(error.value) and "\n" not in str(error.value)


def test_an_ensemble_made_for_another_scenario_is_refused(copy):
    vaccine = load_scenario(SCENARIOS / "technological_vaccine.yaml")
    with pytest.raises(ScenarioError, match="made for scenario 'uk_2024', not 'technological"):
        load_ensemble(copy, vaccine)


def test_a_declared_column_the_scenario_lacks_is_refused(uk, copy):
    manifest = json.loads(manifest_path(copy).read_text())
    manifest["columns"]["influence.signl"] = manifest["columns"]["influence.signal"]
    manifest_path(copy).write_text(json.dumps(manifest))
    _edit(copy, 0, 1, "influence.signl")
    with pytest.raises(ScenarioError, match=r"column 'influence\.signl': .*no field 'signl'"):
        load_ensemble(copy, uk)


def test_a_broken_manifest_is_one_line(uk, copy):
    manifest_path(copy).write_text("{")
    with pytest.raises(ScenarioError, match=r"e.json: line 1: invalid JSON"):
        load_ensemble(copy, uk)


def test_none_means_the_scenario_as_written(uk):
    assert choose_ensemble(SCENARIOS / "uk_2024.yaml", uk, "none") is None
    assert choose_ensemble(SCENARIOS / "minimal_threshold.yaml",
                           load_scenario(SCENARIOS / "minimal_threshold.yaml")) is None  # fmt: skip
