"""Structural constraints: each field presented and sourced; shipped values within its bounds."""

import csv
import math
import re

import pytest
from annotated_types import Ge, Gt, Le, Lt

from mobilise.schema.constraints import Constraints
from mobilise.schema.scenario import read_yaml

from ..conftest import ROOT, SCENARIOS

FIELDS = Constraints.model_fields
SHIPPED = sorted(SCENARIOS.glob("*.yaml"))  # scenario files, not priors/ or targets/


def bounds(name):
    """(low, low inclusive, high, high inclusive) read from the field's own metadata."""
    low, low_in, high, high_in = -math.inf, True, math.inf, True
    for item in FIELDS[name].metadata:
        if isinstance(item, Ge):
            low, low_in = item.ge, True
        elif isinstance(item, Gt):
            low, low_in = item.gt, False
        elif isinstance(item, Le):
            high, high_in = item.le, True
        elif isinstance(item, Lt):
            high, high_in = item.lt, False
    return low, low_in, high, high_in


def within(name, value):
    low, low_in, high, high_in = bounds(name)
    above = value >= low if low_in else value > low
    below = value <= high if high_in else value < high
    return above and below


def facts():
    with (ROOT / "data" / "stylised_facts.csv").open() as handle:
        return {(row["series"], row["year"]): row for row in csv.DictReader(handle)}


def extra(name):
    return FIELDS[name].json_schema_extra


@pytest.mark.parametrize("name", list(FIELDS))
def test_each_field_says_how_to_present_it(name):
    meta = extra(name)
    assert set(meta) == {"label", "unit", "source", "shown", "step"}
    assert meta["label"] and meta["unit"] and meta["source"]
    assert FIELDS[name].description


@pytest.mark.parametrize("name", list(FIELDS))
def test_each_fields_slider_range_is_valid_and_holds_todays_value(name):
    meta = extra(name)
    low, high = meta["shown"]
    assert low < high and meta["step"] > 0
    assert within(name, low) and within(name, high)
    default = FIELDS[name].default
    assert within(name, default)
    assert low <= default <= high
    steps = (default - low) / meta["step"]
    assert steps == pytest.approx(round(steps)), "today's value is off the slider's grid"
    if FIELDS[name].annotation is int:
        assert isinstance(meta["step"], int) and isinstance(default, int)


@pytest.mark.parametrize("name", list(FIELDS))
def test_each_cited_fact_is_a_row_of_the_stylised_facts(name):
    cited = re.findall(r"stylised_facts\.csv (\w+),(\d{4})", extra(name)["source"])
    if "assumption" in extra(name)["source"]:
        assert not cited
        return
    assert len(cited) == 1
    row = facts().get(cited[0])
    assert row is not None, f"{name} cites {cited[0]}, not in data/stylised_facts.csv"
    if row["unit"].startswith(extra(name)["unit"]):  # same quantity: today's value is the data's
        assert FIELDS[name].default == pytest.approx(float(row["value"]))


def test_todays_defaults_are_the_data():
    today = Constraints()
    assert (today.union_density, today.overseas_share, today.weekly_hours) == (0.22, 0.577, 36.5)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(SCENARIOS).as_posix())
def test_shipped_scenarios_set_constraints_within_bounds_and_sliders(path):
    written = read_yaml(path).get("constraints", {})
    for name, value in written.items():
        assert name in FIELDS
        assert within(name, value), f"{path.name}: constraints.{name} = {value} out of bounds"
        low, high = extra(name)["shown"]
        assert low <= value <= high, f"{path.name}: constraints.{name} beyond the slider"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("union_density", 1.01),
        ("union_density", -0.01),
        ("holding_period_years", 0.0),
        ("weekly_hours", 100.0),
        ("government_silo_share", 1.0),
        ("feedback_lag_quarters", 41),
    ],
)
def test_values_beyond_the_bounds_are_refused(name, value):
    assert not within(name, value)
    with pytest.raises(ValueError, match=name):
        Constraints.model_validate({name: value})


def _docs_rows() -> dict[str, list[str]]:
    """docs/model.md's parameter table rows for the constraints, by field name."""
    rows = {}
    for line in (ROOT / "docs" / "model.md").read_text().splitlines():
        if line.startswith("| `constraints."):
            cells = [c.strip() for c in line.strip("|").split("|")]
            rows[cells[0].strip("`").removeprefix("constraints.")] = cells
    return rows


@pytest.mark.parametrize("name", FIELDS)
def test_docs_parameter_table_agrees_with_the_schema(name):
    """The docs' row for each constraint says the schema's default, unit and source."""
    rows = _docs_rows()
    assert name in rows, f"docs/model.md has no row for constraints.{name}"
    _, _, default, _, unit, source = rows[name]
    info = Constraints.model_fields[name]
    extra = info.json_schema_extra
    assert float(default) == info.default
    assert unit == extra["unit"]
    cited = re.search(r"stylised_facts\.csv (\w+,\d{4})", extra["source"])
    if cited:
        assert f"`{cited.group(1)}`" in source
    else:
        assert extra["source"].startswith("assumption") and source.startswith("assumption")
