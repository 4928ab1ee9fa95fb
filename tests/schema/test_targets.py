"""Targets: observed values with an error and a source, read from runs of their time."""

import csv

import pytest

from mobilise import ScenarioError
from mobilise.schema.targets import load_targets, parse_targets

from ..conftest import ROOT, SCENARIOS

UK_TARGETS = SCENARIOS / "targets" / "uk.yaml"


def target(**fields):
    base = {
        "name": "t",
        "kind": "level",
        "observed": 0.16,
        "error": 0.02,
        "source": "CLS",
        "output": "engaged_volunteer",
    }
    return {**base, **fields}


def _data(reference):
    file, _, key = reference.partition(":")
    series, _, when = key.partition(",")
    with (ROOT / "data" / file).open() as handle:
        rows = list(csv.DictReader(handle))
    column = "date" if "date" in rows[0] else "year"
    return [float(r["value"]) for r in rows if r["series"] == series and r[column] == when]


def test_the_uk_targets_are_enough_and_could_fail():
    targets = load_targets(UK_TARGETS)
    calibrating = targets.calibrating
    assert len(targets.targets) >= 8
    assert len(calibrating) >= 8
    assert sum(t.kind in ("series", "episode") for t in calibrating) >= 3
    assert any(t.use == "validate" for t in targets.targets)
    for t in targets.targets:
        assert t.error > 0 and t.source.strip()
        assert t.output != "reach_volunteer"  # nothing read that holds by construction


def test_every_target_cites_a_row_of_data_it_agrees_with():
    """The observed values are the data's (the interpolated one lies between two rows)."""
    for t in load_targets(UK_TARGETS).targets:
        assert t.data, t.name
        values = _data(t.data)
        assert values, f"{t.name}: {t.data} not in data/"
        if "interpolated" in t.source:
            assert t.observed < values[0], t.name
        else:
            assert t.observed == pytest.approx(values[0]), t.name


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"error": None}, "targets[0].error"),
        ({"source": ""}, "targets[0].source"),
        ({"source": "   "}, "needs its source"),
        ({"error": 0}, "greater than 0"),
        ({"observed": float("nan")}, "targets[0].observed"),
        ({"kind": "trend"}, "targets[0].kind"),
        ({"output": "metric level"}, "unknown output 'metric level'"),  # its form; names: claims
        ({"data": "facts.csv:x"}, "expected a data row like"),
        ({"at": "2024Q5"}, "expected a quarter like 2025Q1"),
        ({"name": "Bad Name"}, "expected lower-case"),
    ],
)
def test_targets_without_an_error_or_source_are_refused(changes, message):
    data = target(**changes)
    data = {k: v for k, v in data.items() if v is not None}
    with pytest.raises(ScenarioError) as error:
        parse_targets({"name": "x", "targets": [data]}, "t.yaml")
    assert message in str(error.value) and "\n" not in str(error.value)


def test_a_missing_error_field_is_named():
    data = target()
    del data["error"]
    with pytest.raises(ScenarioError, match=r"t.yaml: targets\[0\].error: required field"):
        parse_targets({"name": "x", "targets": [data]}, "t.yaml")


def test_names_are_unique_and_one_target_calibrates():
    with pytest.raises(ScenarioError, match="used twice"):
        parse_targets({"name": "x", "targets": [target(), target()]}, "t.yaml")
    with pytest.raises(ScenarioError, match="at least one target needs use: calibrate"):
        parse_targets({"name": "x", "targets": [target(use="validate")]}, "t.yaml")


def test_a_target_is_read_at_its_quarter():
    t = parse_targets({"name": "x", "targets": [target(at="2018Q1")]}).targets[0]
    assert t.step("2017Q4", 28) == 2
    assert parse_targets({"name": "x", "targets": [target()]}).targets[0].step("2025Q1", 40) == 40
    with pytest.raises(ValueError, match="not within the run"):
        t.step("2019Q1", 8)
    assert t.meets(0.17) and not t.meets(0.19)
