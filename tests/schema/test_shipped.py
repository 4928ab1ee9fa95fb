"""The shipped files by name: one resolver for a checkout (here) and a wheel (test_package)."""

import pytest

from mobilise import load_scenario
from mobilise.running.design import comparison, load_experiment
from mobilise.schema.shipped import (
    SCENARIO_SUPPORT,
    catalogue,
    resolve,
    shipped_data,
    shipped_folder,
    shipped_root,
)
from mobilise.vocabulary import InputError

from ..conftest import ROOT, SCENARIOS


def test_a_checkout_ships_the_folders_at_its_root():
    assert shipped_root() == ROOT
    assert shipped_folder("scenario") == SCENARIOS
    assert shipped_folder("experiment") == ROOT / "experiments"
    assert shipped_data("stylised_facts.csv") == ROOT / "data" / "stylised_facts.csv"


def test_the_catalogue_names_every_yaml_file_by_its_path_below_the_folder():
    found = catalogue("scenario")
    assert found["uk_2024"] == SCENARIOS / "uk_2024.yaml"
    assert list(found) == sorted(found)
    support = {SCENARIOS / folder for folder in SCENARIO_SUPPORT}
    scenarios = [p for p in SCENARIOS.rglob("*.yaml") if not support & set(p.parents)]
    assert sorted(found.values()) == sorted(scenarios)


def test_the_scenario_catalogue_holds_scenarios_not_what_they_name(tmp_path):
    """Priors, targets, calibrations, ensembles: beside scenarios, in folders of their own."""
    found = catalogue("scenario")
    assert all(load_scenario(path).name == name for name, path in found.items())
    shipped_support = [p for f in SCENARIO_SUPPORT for p in (SCENARIOS / f).glob("*.yaml")]
    assert len(shipped_support) == 3  # priors/uk, targets/uk, calibration/uk
    assert not set(shipped_support) & set(found.values())
    # a folder of one's own laid out the same way lists the same way, nested scenarios too
    (tmp_path / "priors").mkdir()
    (tmp_path / "priors" / "mine.yaml").write_text("name: mine\ninputs: []\n")
    (tmp_path / "variants").mkdir()
    (tmp_path / "variants" / "low.yaml").write_text("name: low\n")
    assert list(catalogue("scenario", tmp_path)) == ["variants/low"]
    with pytest.raises(InputError, match="unknown shipped scenario 'priors/uk'"):
        resolve("scenario", "priors/uk")


@pytest.mark.parametrize("text", ["uk_2024", "uk_2024.yaml", "scenarios/uk_2024.yaml"])
def test_a_name_finds_the_shipped_file_from_any_folder(text, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve("scenario", text) == SCENARIOS / "uk_2024.yaml"


def test_a_path_that_exists_wins_over_a_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "uk_2024").write_text((SCENARIOS / "minimal_threshold.yaml").read_text())
    assert resolve("scenario", "uk_2024").resolve() == tmp_path / "uk_2024"
    assert load_scenario("uk_2024").name == "minimal_threshold"
    assert load_scenario("uk_2024.yaml").name == "uk_2024"  # no such path: the shipped name


def test_a_relative_path_is_taken_from_its_base():
    assert resolve("scenario", "uk_2024.yaml", base=SCENARIOS) == SCENARIOS / "uk_2024.yaml"
    assert resolve("experiment", "reform_comparison", base=SCENARIOS) == (
        ROOT / "experiments" / "reform_comparison.yaml"
    )


@pytest.mark.parametrize(
    ("kind", "text", "closest"),
    [
        ("scenario", "uk_2042", "uk_2024"),
        ("scenario", "scenarios/uk_early_1908s.yaml", "uk_early_1980s"),
        ("experiment", "reform_comparisn", "reform_comparison"),
    ],
)
def test_an_unknown_name_is_one_line_with_the_closest(kind, text, closest, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as info:
        resolve(kind, text)
    message = str(info.value)
    assert message.startswith(f"{text}: no such file here; unknown shipped {kind}")
    assert f"did you mean '{closest}'?" in message
    assert "\n" not in message


def test_loading_by_name_is_loading_the_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert load_scenario("uk_2024") == load_scenario(SCENARIOS / "uk_2024.yaml")
    design = load_experiment("reform_comparison")
    assert design.path == ROOT / "experiments" / "reform_comparison.yaml"
    # the experiment's ../scenarios/uk_2024.yaml resolves beside it, not from here
    assert design.scenario_files["uk_2024"] == (SCENARIOS / "uk_2024.yaml").resolve()
    by_name = comparison("uk_2024", {"pooled_budgets": 1.0}, replications=2)
    by_path = comparison(SCENARIOS / "uk_2024.yaml", {"pooled_budgets": 1.0}, replications=2)
    assert by_name.content_hash() == by_path.content_hash()


def test_an_experiment_may_name_a_shipped_scenario(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("name: mine\nscenarios: [minimal_threshold]\nreplications: 2\n")
    design = load_experiment(path)
    assert design.scenario_files["minimal_threshold"] == SCENARIOS / "minimal_threshold.yaml"
