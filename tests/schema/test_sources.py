"""Sources: a scenario's constraints cite data rows (or state assumptions), checked on loading.

Issue 24's bad input "Danish data without a source": a constraint with no source, or a
cited row that is missing or has no source of its own, is one line and exit 2.
"""

import shutil

import pytest
import yaml

from mobilise import ScenarioError, load_scenario
from mobilise.schema.constraints import Constraints
from mobilise.schema.sources import DATA_COLUMNS, Citation, check_complete, read_data

from ..bad_input import assert_refused, run_cli
from ..conftest import ROOT, SCENARIOS

DENMARK = SCENARIOS / "denmark_2024.yaml"
DATA = ROOT / "data"


def denmark():
    return yaml.safe_load(DENMARK.read_text())


def write(path, data):
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


# --- the data files ---------------------------------------------------------------------


@pytest.mark.parametrize("path", sorted(DATA.glob("*.csv")), ids=lambda p: p.name)
def test_every_shipped_data_row_reads_and_has_a_source(path):
    rows = read_data(path)
    lines = path.read_text().splitlines()
    assert lines[0] == ",".join(DATA_COLUMNS)
    assert len(rows) == len(lines) - 1  # every line a row, none twice
    assert all(row.source for row in rows.values())


def test_a_data_row_reads_as_written():
    row = read_data(DATA / "denmark_facts.csv")["union_density_employees", 2019]
    assert (row.value, row.approx) == (0.67, True)
    assert row.source.startswith("OECD Data Explorer Trade union density 2019")


HEADER = ",".join(DATA_COLUMNS)
GOOD_ROW = "x,2020,0.5,share,0,somewhere"


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "line 1: expected the header series,year,value,unit,approx,source"),
        ("series,value\n" + GOOD_ROW, "line 1: expected the header"),
        (f"{HEADER}\nx,2020,0.5,share,0,", "line 2: x,2020 has no source"),
        (f"{HEADER}\n{GOOD_ROW}\nx,2021,0.5,share,0,  ", "line 3: x,2021 has no source"),
        (f"{HEADER}\nx,2020,0.5,share,0", "line 2: expected 6 fields, found 5"),
        (f"{HEADER}\nx,2020,half,share,0,s", "line 2: value: expected a number, found 'half'"),
        (f"{HEADER}\nx,2020,nan,share,0,s", "line 2: value: expected a finite number"),
        (f"{HEADER}\nx,twenty,0.5,share,0,s", "line 2: year: expected a number, found 'twenty'"),
        (f"{HEADER}\nx,2020,0.5,share,yes,s", "line 2: approx: expected 0 or 1, found 'yes'"),
        (f"{HEADER}\n{GOOD_ROW}\n{GOOD_ROW}", "line 3: x,2020 appears twice"),
    ],
)
def test_a_data_file_that_does_not_read_is_refused_naming_file_and_line(tmp_path, text, words):
    path = tmp_path / "d.csv"
    path.write_text(text)
    with pytest.raises(ScenarioError) as caught:
        read_data(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and words in message
    assert "\n" not in message


# --- the schema ---------------------------------------------------------------------------


def test_a_bare_text_is_a_row_and_a_mapping_may_carry_a_note_or_an_assumption():
    assert Citation.model_validate("d.csv:x,2020").row == "d.csv:x,2020"
    noted = Citation.model_validate({"row": "d.csv:x,2020", "note": "UK value kept"})
    assert noted.note == "UK value kept"
    assert Citation.model_validate({"assumption": "as for the UK"}).row is None


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ({}, "either a data row or an assumption"),
        ({"row": "d.csv:x,2020", "assumption": "and this"}, "either a data row or an assumption"),
        ("union_density_employees,2019", "expected a data row like 'file.csv:series,2019'"),
        ("d.csv:x,20", "expected a data row like"),
        ({"assumption": "  "}, "must say what is assumed"),
    ],
)
def test_a_citation_is_one_row_or_one_assumption(value, words):
    with pytest.raises(ValueError, match=words):
        Citation.model_validate(value)


def test_once_one_constraint_is_cited_every_one_must_be():
    assert check_complete({}) == {}
    every = {name: Citation(assumption="a") for name in Constraints.model_fields}
    assert check_complete(every) == every
    with pytest.raises(ValueError, match="constraint 'weekly_hours' has no source"):
        check_complete({k: v for k, v in every.items() if k != "weekly_hours"})
    with pytest.raises(ValueError, match="unknown constraint 'union_densty'; did you mean"):
        check_complete({**every, "union_densty": Citation(assumption="a")})


# --- loading a scenario ---------------------------------------------------------------------


def test_denmark_cites_a_row_or_an_assumption_for_every_constraint():
    scenario = load_scenario(DENMARK)
    assert set(scenario.sources) == set(Constraints.model_fields)
    for name, citation in scenario.sources.items():
        if citation.row is None:
            assert citation.assumption
            continue
        file, cited = citation.row.split(":")
        series, year = cited.split(",")
        row = read_data(DATA / file)[series, int(year)]
        value = getattr(scenario.constraints, name)
        assert citation.note or value == pytest.approx(row.value), name
        if citation.row.startswith("stylised_facts.csv"):  # a UK value kept says so
            assert "UK" in citation.note, name


def test_the_danish_constraints_are_the_danish_rows():
    """Done when: union density at least 0.6; each Danish value is its row's."""
    c = load_scenario(DENMARK).constraints
    assert c.union_density >= 0.6
    rows = read_data(DATA / "denmark_facts.csv")
    assert c.union_density == rows["union_density_employees", 2019].value
    assert c.overseas_share == rows["foreign_share_c25", 2024].value
    assert c.volunteering_rate == rows["formal_volunteering_monthly", 2012].value
    assert c.weekly_hours == rows["weekly_hours_full_time", 2019].value
    assert (
        c.foundation_ownership_share == rows["foundation_owned_share_private_business", 2015].value
    )
    yearly, monthly = (
        rows["formal_volunteering_yearly", 2012],
        rows["formal_volunteering_monthly", 2012],
    )
    assert c.yearly_per_monthly_volunteers == pytest.approx(yearly.value / monthly.value)


def test_the_contrast_has_denmarks_constraints_and_sources_and_the_uks_everything_else():
    contrast = load_scenario(SCENARIOS / "uk_nhs_danish_structures.yaml")
    danish, uk = load_scenario(DENMARK), load_scenario(SCENARIOS / "uk_2024.yaml")
    assert contrast.constraints == danish.constraints and contrast.sources == danish.sources
    same = uk.model_copy(update={"constraints": danish.constraints, "sources": danish.sources})
    for field in ("mission", "quarters", "start", "populations", "influence", "network",
                  "government", "trust", "reforms"):  # fmt: skip
        assert getattr(contrast, field) == getattr(same, field), field


def test_a_danish_constraint_without_a_source_is_one_line_and_exit_2(tmp_path):
    data = denmark()
    del data["sources"]["union_density"]
    path = write(tmp_path / "dk.yaml", data)
    outcome = run_cli("validate", str(path))
    assert_refused(outcome, f"{path}: sources: constraint 'union_density' has no source")
    assert_refused(run_cli("run", str(path), "--out", str(tmp_path / "out")), "has no source")
    assert not (tmp_path / "out").exists()


def test_a_cited_row_that_is_not_there_names_the_years_there_are(tmp_path):
    data = denmark()
    data["sources"]["union_density"] = "denmark_facts.csv:union_density_employees,2024"
    path = write(tmp_path / "dk.yaml", data)
    assert_refused(
        run_cli("validate", str(path)),
        f"{path}: sources.union_density: no row union_density_employees,2024 in denmark_facts.csv",
        "1960, 1961",
        "2016, 2019)",
    )
    data["sources"]["union_density"] = "denmark_facts.csv:union_density_employes,2019"
    assert_refused(
        run_cli("validate", str(write(path, data))), "did you mean union_density_employees?"
    )
    data["sources"]["union_density"] = "danish_facts.csv:union_density_employees,2019"
    assert_refused(run_cli("validate", str(write(path, data))), "no data file 'danish_facts.csv'")


def test_a_value_that_is_not_its_rows_needs_a_note(tmp_path):
    data = denmark()
    data["constraints"]["union_density"] = 0.76  # a typo for 0.67
    path = write(tmp_path / "dk.yaml", data)
    assert_refused(
        run_cli("validate", str(path)),
        f"{path}: sources.union_density: constraints.union_density is 0.76 but denmark_facts.csv "
        "union_density_employees,2019 is 0.67",
    )
    data["sources"]["union_density"] = {
        "row": "denmark_facts.csv:union_density_employees,2019",
        "note": "raised by a tenth for a counterfactual",
    }
    assert load_scenario(write(path, data)).constraints.union_density == 0.76


def test_a_cited_data_row_without_a_source_is_one_line_and_exit_2(tmp_path):
    """A data file beside the scenario is read before the shipped one, and checked whole."""
    facts = (DATA / "denmark_facts.csv").read_text().splitlines()
    unsourced = next(i for i, line in enumerate(facts) if line.startswith("foreign_share_c25,2024"))
    facts[unsourced] = ",".join(facts[unsourced].split(",")[:5]) + ","
    (tmp_path / "denmark_facts.csv").write_text("\n".join(facts) + "\n")
    path = write(tmp_path / "dk.yaml", denmark())
    assert_refused(
        run_cli("validate", str(path)),
        f"{path}: sources.union_density: {tmp_path / 'denmark_facts.csv'}: line {unsourced + 1}: "
        "foreign_share_c25,2024 has no source",
    )
    shutil.copy(DATA / "denmark_facts.csv", tmp_path / "denmark_facts.csv")
    assert load_scenario(path).constraints.overseas_share == 0.68


def test_a_scenario_without_sources_is_as_before():
    uk = load_scenario(SCENARIOS / "uk_2024.yaml")
    assert uk.sources == {}
    assert uk.constraints == Constraints()
