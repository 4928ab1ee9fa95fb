"""Trends: fitted to data/ rows (checked on loading), kept within their bounds, refused in one line.

Issue 24's bad input "a trend that would push a share outside [0, 1] within the horizon":
one line naming the file, the field, what was expected and what was found; exit 2 from
``mobilise validate`` and every command that reads the scenario.
"""

import re

import pytest
import yaml

from mobilise import ScenarioError, load_scenario
from mobilise.schema.scenario import parse_scenario
from mobilise.schema.trends import STRUCTURAL, Structures, Trend, bounds, fitted_slope

from ..bad_input import assert_refused, run_cli
from ..conftest import SCENARIOS

UK = SCENARIOS / "uk_2024.yaml"


def uk_data():
    """uk_2024.yaml's data, without the calibration and ensemble files it names beside it."""
    data = yaml.safe_load(UK.read_text())
    del data["calibration"], data["ensemble"]
    return data


def write(path, data):
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def test_the_least_squares_slope_is_per_quarter():
    assert fitted_slope({2020: 0.2, 2021: 0.24, 2022: 0.28}) == pytest.approx(0.01)
    with pytest.raises(ValueError, match="at least two years"):
        fitted_slope({2020: 0.2})


def test_bounds_are_the_constraint_fields_own():
    assert bounds("union_density") == (0.0, 1.0, True, True)
    assert bounds("weekly_hours") == (0.0, 100.0, False, False)
    assert bounds("holding_period_years")[:3] == (0.0, float("inf"), False)


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_trend_is_sourced_and_within_its_bounds(path):
    scenario = load_scenario(path)  # fitted slopes checked against their rows on loading
    for name, trend in scenario.structures.trends.items():
        assert name in STRUCTURAL
        assert trend.series is not None or trend.assumption, name


def test_no_trend_and_no_recruitment_is_structures_frozen():
    frozen = Structures(union_recruitment=0.0, volunteer_recruitment=0.0)
    assert all(frozen.slope(n) == 0 and frozen.rate(n) == 0 for n in STRUCTURAL)


@pytest.mark.parametrize(
    ("trend", "words"),
    [
        ({"per_quarter": -0.001}, "expected either a fit (data, series, years) or an assumption"),
        ({"per_quarter": -0.001, "series": "x", "years": [2015, 2024]},
         "a fitted trend gives data, series and years together"),
        ({"per_quarter": -0.001, "assumption": "a", "data": ["a.csv"], "series": "x",
          "years": [2024, 2015]}, "expected either a fit"),
        ({"per_quarter": -0.001, "data": ["a.csv"], "series": "x", "years": [2024, 2015]},
         "years: expected [first, last] with first < last, found [2024, 2015]"),
    ],
)  # fmt: skip
def test_a_trend_without_a_basis_is_refused(trend, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        Trend.model_validate(trend)


def test_an_unknown_structure_is_refused_naming_the_known_ones():
    with pytest.raises(ValueError, match="unknown structural constraint 'union_densty'"):
        Structures.model_validate({"trends": {"union_densty": {"per_quarter": 0.0,
                                                               "assumption": "a"}}})  # fmt: skip


@pytest.mark.parametrize("command", ["validate", "run", "check"])
def test_a_trend_that_leaves_zero_to_one_within_the_horizon_is_one_line_and_exit_2(
    tmp_path, command
):
    data = uk_data()
    data["structures"]["trends"]["union_density"]["per_quarter"] = -0.006
    data["structures"]["trends"]["union_density"]["note"] = "steeper than its data, on purpose"
    path = write(tmp_path / "falling.yaml", data)
    args = [command, str(path)] + (["--out", str(tmp_path / "out")] if command == "run" else [])
    outcome = run_cli(*args)
    assert outcome.code == 2
    assert_refused(
        outcome,
        f"{path}: structures.trends.union_density: per_quarter -0.006 takes union_density "
        "from 0.22 to -0.02 by quarter 40 (expected it to stay within [0, 1] within the horizon)",
    )


def test_a_rising_share_is_held_to_one_and_a_horizon_counts(tmp_path):
    data = uk_data()
    data["constraints"]["overseas_share"] = 0.95
    with pytest.raises(ScenarioError, match=r"overseas_share from 0.95 to 1.002 by quarter 40"):
        parse_scenario(data, "uk.yaml")
    data["quarters"] = 38  # 0.95 + 38 x 0.0013 = 0.9994: within [0, 1]
    assert parse_scenario(data, "uk.yaml").quarters == 38


def test_a_fitted_trend_that_is_not_its_rows_slope_is_one_line(tmp_path):
    data = uk_data()
    data["structures"]["trends"]["union_density"]["per_quarter"] = -0.0009
    path = write(tmp_path / "wrong.yaml", data)
    outcome = run_cli("validate", str(path))
    assert outcome.code == 2
    assert_refused(
        outcome,
        f"{path}: structures.trends.union_density: per_quarter is -0.0009 but the least-squares "
        "slope of union_density_employees 2015-2024 is -0.0005712 per quarter",
    )
    data["structures"]["trends"]["union_density"]["note"] = "the 1995-2024 fall, steeper"
    assert run_cli("validate", str(write(tmp_path / "noted.yaml", data))).code == 0


def test_a_fitted_trend_with_no_rows_is_one_line(tmp_path):
    data = uk_data()
    data["structures"]["trends"]["union_density"]["years"] = [2030, 2034]
    path = write(tmp_path / "empty.yaml", data)
    assert_refused(
        run_cli("validate", str(path)),
        f"{path}: structures.trends.union_density: a trend needs at least two years of data, "
        "found 0",
    )


def test_a_pattern_condition_that_sends_a_trend_below_zero_is_refused(tmp_path):
    data = uk_data()
    data["patterns"] = [{"name": "low", "output": "aggregate", "above": 0.0,
                         "conditions": {"constraints.union_density": 0.01}}]  # fmt: skip
    path = write(tmp_path / "low.yaml", data)
    assert_refused(
        run_cli("validate", str(path)),
        "takes union_density from 0.01 to -0.0128485 by quarter 40",
    )
