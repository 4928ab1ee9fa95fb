"""The documentation site builds with ``mkdocs build --strict``, offline, from the code.

The build runs every tutorial (docs/hooks.py), so a tutorial that fails fails here; the
references it generates must name every field, column and command the code declares.
"""

import os
import re
import subprocess
import sys
from html import unescape
from pathlib import Path

import pytest

from mobilise.analysis.effects import DRIVER_COLUMNS, EFFECT_COLUMNS, PAIR_COLUMNS, RANK_COLUMNS
from mobilise.cli import cli
from mobilise.model.outcomes import RUN_OUTCOMES, STEP_OUTCOMES
from mobilise.schema.calibration import Calibration
from mobilise.schema.constraints import Constraints
from mobilise.schema.criteria import CRITERIA
from mobilise.schema.ensemble import Column, Manifest
from mobilise.schema.missions import MISSIONS
from mobilise.schema.priors import Priors, UncertainInput
from mobilise.schema.reforms import REFORMS
from mobilise.schema.scenario import Scenario
from mobilise.schema.sections import Population
from mobilise.schema.shipped import catalogue
from mobilise.schema.targets import Target, Targets

from .conftest import ROOT


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    assert built.returncode == 0, built.stderr[-4000:]
    return out


def text(site: Path, page: str) -> str:
    """A page's text, tags dropped, entities decoded, spaces collapsed."""
    html = (site / page).read_text()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def test_the_file_formats_name_every_field_with_its_default(site):
    page = text(site, "reference/scenario.html")
    for model in (Scenario, Population, Constraints):
        for name, field in model.model_fields.items():
            assert f" {field.alias or name} " in page, f"{model.__name__}.{name}"
    for name, field in Constraints.model_fields.items():  # the UK value is the default
        assert re.search(rf" {name} (number|integer) {re.escape(repr(field.default))} ", page), name
    experiment = text(site, "reference/experiment.html")
    assert "max_replications integer 1000 ≥ 1, ≤ 100000 cap on replications per arm" in experiment


def test_the_output_columns_are_the_declared_outcomes(site):
    page = text(site, "reference/outputs.html")
    for outcome in (*STEP_OUTCOMES, *RUN_OUTCOMES):
        column = f"{outcome.name}_<type>" if outcome.per_type else outcome.name
        column = f"{outcome.name}_<reform>" if outcome.per_reform else column
        assert f"{column} {outcome.label} {outcome.unit}" in page, column


def test_the_output_reference_names_every_column_of_the_tables_across_worlds(site):
    page = text(site, "reference/outputs.html")
    for columns in (EFFECT_COLUMNS, RANK_COLUMNS, PAIR_COLUMNS, DRIVER_COLUMNS):
        for column in columns:
            assert re.search(rf"\b{column}\b", page), column
    for name in ("ranks.csv", "pairs.csv", "drivers.csv", "members.csv", "member"):
        assert name in page, name


def test_the_calibration_files_reference_names_every_field(site):
    page = text(site, "reference/calibration.html")
    for model in (Priors, UncertainInput, Targets, Target, Calibration, Manifest, Column):
        for name, field in model.model_fields.items():
            assert f" {field.alias or name} " in page, f"{model.__name__}.{name}"
    sizes = text(site, "reference/catalogues.html")
    for reform in REFORMS.values():
        for name, field in reform.sizes.model_fields.items():
            assert f"{reform.name} {name} {field.default:g} " in sizes, (reform.name, name)


def test_the_command_line_reference_is_each_commands_help(site):
    page = text(site, "reference/cli.html")
    for name, command in cli.commands.items():
        assert f"Usage: mobilise {name}" in page, name
        for parameter in command.params:
            for option in parameter.opts if parameter.param_type_name == "option" else []:
                assert option in page, f"{name} {option}"


def test_the_catalogues_list_every_mission_reform_and_criterion(site):
    page = text(site, "reference/catalogues.html")
    for name in (*MISSIONS, *REFORMS):
        assert f" {name}" in page, name
    guide = text(site, "guides/robust.html")
    for criterion in CRITERIA:
        assert f"{criterion.name} {criterion.label}" in guide, criterion.name
        assert criterion.source in guide, criterion.name


def test_the_tutorials_ran_and_show_what_they_printed(site):
    first = text(site, "tutorials/first_comparison.html")
    assert "48 runs done, 0 failed" in first  # push alone, two reforms, together: 4 x 3 each
    assert "runs.csv: the same bytes effects.csv: the same bytes" in first
    experiment = text(site, "tutorials/experiment.html")
    assert "48 runs done, 0 failed" in experiment
    for script in ("first_comparison.py", "experiment.py"):  # downloadable as they ran
        assert (site / "tutorials" / script).read_bytes() == (
            ROOT / "docs" / "tutorials" / script
        ).read_bytes()


def test_the_site_fetches_nothing_from_the_network(site):
    external = re.compile(r"<(?:script|link|img|iframe)\b[^>]*(?:src|href)=\"(?:https?:)?//")
    for page in site.rglob("*.html"):
        html = page.read_text()
        assert not external.search(html), page
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html, page
    for sheet in site.rglob("*.css"):
        assert not re.search(r"url\((['\"]?)(https?:)?//", sheet.read_text()), sheet


def test_the_readme_keeps_what_a_newcomer_needs_first():
    readme = (ROOT / "README.md").read_text()
    assert len(readme.splitlines()) <= 250
    headings = re.findall(r"^## (.+)$", readme, flags=re.M)
    assert headings[:2] == ["Quickstart", "What the model says, in brief"]
    assert "The command line" in headings
    for name in cli.commands:  # the command table names every command
        assert f"`mobilise {name}" in readme, name


def test_the_project_cites_its_own_docs_not_a_brief_outside_it():
    places = [ROOT / "README.md", *(ROOT / f for f in ("scenarios", "experiments", "docs", "src"))]
    files = [p for place in places for p in ([place] if place.is_file() else place.rglob("*"))]
    citing = [p for p in files if p.is_file() and b"DESIGN.md" in p.read_bytes()]
    assert not citing


def test_the_scenario_reference_lists_every_shipped_scenario():
    table = (ROOT / "docs" / "reference" / "scenario.md").read_text()
    for name, path in catalogue("scenario").items():
        assert f"| `{name}{path.suffix}` |" in table, name
