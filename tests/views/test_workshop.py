"""The workshop's library side: sliders from the schema, settings, headlines, log, pool."""

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from mobilise.analysis.effects import paired_effects
from mobilise.running.design import in_memory
from mobilise.running.runs import run_chunk
from mobilise.running.simulate import run
from mobilise.schema.constraints import Constraints
from mobilise.schema.experiment import BASELINE
from mobilise.schema.reforms import REFORMS
from mobilise.schema.scenario import ScenarioError, load_scenario
from mobilise.views.headline import MIN_RUNS_PER_ARM, headline, log_entry
from mobilise.views.workshop import (
    WITH_REFORMS,
    Comparison,
    compare,
    constraint_sliders,
    make_settings,
    parse_seed,
    preset_settings,
    workshop_scenario,
)

from ..conftest import ROOT, SCENARIOS

SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))  # scenario files, not priors or targets


def on_grid(value, low, step):
    return ((Fraction(str(value)) - Fraction(str(low))) / Fraction(str(step))).denominator == 1


# --- sliders ------------------------------------------------------------------------------


def test_every_constraint_has_a_slider_from_its_schema():
    sliders = {s.field: s for s in constraint_sliders()}
    assert list(sliders) == list(Constraints.model_fields)  # contract_subsidy_share included
    for name, info in Constraints.model_fields.items():
        extra = info.json_schema_extra
        assert {"label", "unit", "source", "shown", "step"} <= set(extra), name
        slider = sliders[name]
        assert (slider.label, slider.unit, slider.source) == (
            extra["label"],
            extra["unit"],
            extra["source"],
        )
        # the shown range is valid input: both ends make a valid scenario
        Constraints(**{name: slider.low})
        Constraints(**{name: slider.high})
        assert slider.on_grid(info.default), name


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_schema_steps_hit_every_shipped_scenario_value(path):
    """0.577 must not become 0.58, nor 0.625 become 0.75: the declared steps fit the data."""
    scenario = load_scenario(path)
    for slider in constraint_sliders():  # the schema's own ranges and steps, not widened
        value = getattr(scenario.constraints, slider.field)
        assert slider.low <= value <= slider.high, (path.name, slider.field, value)
        assert on_grid(value, slider.low, slider.step), (path.name, slider.field, value)


def test_sliders_widen_and_refine_for_a_preset_of_ones_own(uk):
    data = uk.model_dump(by_alias=True)
    data["constraints"].update(union_density=0.8123, holding_period_years=12.0)
    odd = type(uk).model_validate(data)
    sliders = {s.field: s for s in constraint_sliders([uk, odd])}
    assert sliders["union_density"].on_grid(0.8123) and sliders["union_density"].on_grid(0.22)
    assert sliders["holding_period_years"].high == 12.0
    assert sliders["holding_period_years"].on_grid(0.625)


# --- settings and sentences -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fragment"),
    [("-3", "found -3."), ("x", "found 'x'."), ("1.5", "found '1.5'."), ("", "found ''.")],
)
def test_a_bad_seed_is_one_plain_sentence(text, fragment):
    with pytest.raises(ScenarioError) as error:
        parse_seed(text)
    message = str(error.value)
    assert message.startswith("The seed must be a whole number, 0 or more") and fragment in message
    assert "\n" not in message and "http" not in message and "pydantic" not in message


def test_settings_refuse_bad_values_in_one_sentence(uk):
    base = preset_settings("uk_2024", uk, replications=6, seed=1).model_dump()
    for field, value in (("replications", 0), ("replications", 51), ("seed", -1)):
        with pytest.raises(ScenarioError) as error:
            make_settings(**{**base, field: value})
        assert "\n" not in str(error.value) and "http" not in str(error.value)
    with pytest.raises(ScenarioError, match="unknown reform"):
        make_settings(**{**base, "reforms": {"free_lunch": 1.0}})


def test_a_preset_sets_every_constraint_to_its_own_values():
    early = load_scenario(ROOT / "scenarios" / "uk_early_1980s.yaml")
    settings = preset_settings("uk_early_1980s", early, replications=3, seed=0)
    assert settings.constraints == early.constraints.model_dump()
    assert workshop_scenario(early, settings).constraints == early.constraints


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_scenario_with_its_own_mission_is_assessable(path):
    scenario = load_scenario(path)
    settings = preset_settings(path.stem, scenario, replications=1, seed=0)
    workshop_scenario(scenario, settings)


def test_impossible_scenario_mission_pairs_are_refused_in_one_sentence(uk, vaccine):
    before = make_settings(**{**preset_settings("uk_2024", uk, replications=1, seed=0)
                              .model_dump(), "mission": "vaccine_taskforce"})  # fmt: skip
    with pytest.raises(ScenarioError) as error:
        workshop_scenario(uk, before)
    assert "2021Q3" in str(error.value) and "before the uk_2024 scenario starts (2025Q1)" in str(
        error.value
    )
    after = make_settings(**{**preset_settings("technological_vaccine", vaccine, replications=1,
                                               seed=0).model_dump(), "mission": "nhs"})  # fmt: skip
    with pytest.raises(ScenarioError) as error:
        workshop_scenario(vaccine, after)
    assert "after the technological_vaccine scenario's last quarter (2022Q2)" in str(error.value)


# --- comparisons, headline, log -------------------------------------------------------


@pytest.fixture(scope="module")
def comparison(uk):
    return compare(uk, {"social_partnership": 1.0}, replications=4, seed=3)


def test_the_comparison_is_the_batch_comparison(uk, comparison):
    design = in_memory(uk, {WITH_REFORMS: {"social_partnership": 1.0}}, replications=4, seed=3)
    rows = pd.DataFrame(run_chunk(design.runs()).rows)
    pd.testing.assert_frame_equal(comparison.runs, rows)


def test_the_headline_counts_the_runs_and_states_the_effect(uk, comparison):
    line = headline(comparison, uk.mission_spec)
    runs = comparison.runs
    for arm in (BASELINE, WITH_REFORMS):
        assert line.met[arm] == int(runs.loc[runs["arm"] == arm, "milestone_met"].sum())
    assert line.runs == 4
    key = uk.mission_spec.key_milestone
    assert f"Milestone “{key.label}”, due {key.quarter}: met in" in line.sentence()
    assert f"{line.met[BASELINE]} of 4 runs with government push alone" in line.sentence()
    effect = paired_effects(runs, outcome="milestone_metric").iloc[0]
    assert f"{effect['mean_diff'] * 100:+.1f} percentage points" in line.effect
    assert f"95% interval {effect['t_low'] * 100:+.1f} to {effect['t_high'] * 100:+.1f}" in (
        line.effect
    )
    assert "With only 4 runs per arm" in line.caution  # below MIN_RUNS_PER_ARM


def synthetic(n, met_base, met_arm):
    """Runs where the arms meet the milestone a given number of times (paired by replication)."""
    rows = []
    for arm, met in ((BASELINE, met_base), (WITH_REFORMS, met_arm)):
        for r in range(n):
            rows.append({"mission": "nhs", "point": 0, "arm": arm, "replication": r, "reforms": "",
                         "milestone_met": r < met, "milestone_metric": 0.8 + 0.1 * (r < met),
                         "final_metric": 0.9})  # fmt: skip
    return Comparison(pd.DataFrame(rows), pd.DataFrame(), {"social_partnership": 1.0})


def test_the_caution_says_in_plain_words_when_and_why_the_runs_cannot_tell(uk):
    mission = uk.mission_spec
    assert headline(synthetic(MIN_RUNS_PER_ARM, 0, MIN_RUNS_PER_ARM), mission).caution == ""
    unclear = synthetic(MIN_RUNS_PER_ARM, 3, 4)
    low, high = (unclear.headline_effect[c] * 100 for c in ("diff_met_low", "diff_met_high"))
    assert low < 0 < high
    caution = headline(unclear, mission).caution
    assert caution == (
        "With the reforms, the share of runs that meet the milestone could fall by "
        f"{-low:.0f} points or rise by {high:.0f} points (95% interval): chance alone could "
        "give this difference."
    )
    n = MIN_RUNS_PER_ARM
    cases = {  # every run alike in both arms: no interval to speak of, so words instead
        (0, 0): f"Neither arm met the milestone in any of its {n} runs",
        (n, n): f"Both arms met the milestone in all {n} runs",
        (3, 3): "The reforms changed no run's outcome: the same runs met the milestone",
    }
    for (base, arm), words in cases.items():
        caution = headline(synthetic(n, base, arm), mission).caution
        assert caution.startswith(words) and "(0 to 0" not in caution and "points" not in caution
    few = headline(synthetic(2, 0, 2), mission).caution
    assert few.endswith(
        "With only 2 runs per arm, one run more or less moves the share by 50 points: add "
        f"replications (at least {MIN_RUNS_PER_ARM} per arm) before reading a difference."
    )
    one = headline(synthetic(1, 0, 1), mission).caution
    assert one.startswith("One run per arm cannot tell the arms apart")


def test_a_log_row_holds_the_settings_and_the_numbers_on_screen(uk, comparison):
    settings = make_settings(**{**preset_settings("uk_2024", uk, replications=4, seed=3)
                                .model_dump(), "reforms": {"social_partnership": 1.0}})  # fmt: skip
    row = log_entry(settings, comparison, uk.mission_spec, group="Table 9", guess={BASELINE: 1})
    line = headline(comparison, uk.mission_spec)
    assert row["group"] == "Table 9" and row["seed"] == 3 and row["replications"] == 4
    assert row["constraint_overseas_share"] == 0.577
    assert row["strength_social_partnership"] == 1.0 and row["strength_patient_capital"] == 0.0
    assert row["met_runs_baseline"] == line.met[BASELINE]
    assert row["met_runs_with_reforms"] == line.met[WITH_REFORMS]
    assert row["guess_met_runs_baseline"] == 1
    effect = paired_effects(comparison.runs, outcome="milestone_metric").iloc[0]
    assert row["effect"] == pytest.approx(effect["mean_diff"])


# --- catalogue order is one key -------------------------------------------------------


def test_settings_name_reforms_in_catalogue_order(uk):
    base = preset_settings("uk_2024", uk, replications=2, seed=0).model_dump()
    names = list(REFORMS)
    one = make_settings(**{**base, "reforms": {names[3]: 1.0, names[0]: 0.5}})
    two = make_settings(**{**base, "reforms": {names[0]: 0.5, names[3]: 1.0}})
    assert one.key() == two.key()
    assert list(one.reforms) == [names[0], names[3]]
    assert np.isclose(one.reforms[names[0]], 0.5)


def test_a_start_outside_the_run_is_one_sentence(uk, vaccine):
    settings = make_settings(
        **{**preset_settings("uk_2024", uk, replications=2, seed=0).model_dump(),
           "reforms": {"pooled_budgets": 1.0}, "starts": {"pooled_budgets": "2027Q1"}}
    )  # fmt: skip
    assert workshop_scenario(uk, settings).name == "uk_2024"
    assert settings.timing()["pooled_budgets"].start == "2027Q1"
    on_vaccine = settings.model_copy(update={"preset": "vaccine", "mission": "vaccine_taskforce"})
    with pytest.raises(ScenarioError) as error:  # the vaccine run is 2020Q3 to 2022Q2
        workshop_scenario(vaccine, on_vaccine)
    assert str(error.value) == (
        "Pooled budgets is set to start in 2027Q1, outside the technological_vaccine "
        "scenario's run (2020Q3 to 2022Q2): choose another start."
    )
    with pytest.raises(ScenarioError, match="expected a start like 2027Q1"):
        make_settings(**{**settings.model_dump(), "starts": {"pooled_budgets": "soon"}})


def test_the_app_shows_one_mission_of_several_run_together():
    """The app's comparison of a five-mission preset: the chosen mission's rows.

    From the runs of all five together (not the mission alone).
    """
    from mobilise.views.workshop import compare, preset_settings, workshop_scenario

    five = load_scenario(SCENARIOS / "uk_2024_five_missions.yaml")
    settings = preset_settings("uk_2024_five_missions", five, replications=2, seed=0)
    scenario = workshop_scenario(five, settings.model_copy(update={"mission": "nhs"}))
    shown = compare(scenario, {"pooled_budgets": 1.0}, replications=2, seed=0, mission="nhs")
    assert set(shown.runs["mission"]) == {"nhs"} and len(shown.runs) == 4
    together = run(scenario, seed=int(shown.runs["seed"].iloc[0]))["metric:nhs"].iloc[-1]
    baseline = shown.runs[shown.runs["arm"] == "baseline"].iloc[0]
    assert baseline["final_metric"] == pytest.approx(together)
    with pytest.raises(ScenarioError, match="choose one of them"):
        workshop_scenario(five, settings.model_copy(update={"mission": "vaccine_taskforce"}))


def test_a_presets_worlds_are_its_own_the_facilitators_file_for_its_scenario_or_none(uk):
    """``mobilise app --ensemble FILE`` serves the preset it was made for; others keep theirs."""
    from mobilise.views.workshop import members_of, preset_ensemble

    early_file = ROOT / "scenarios" / "uk_early_1980s.yaml"
    early = load_scenario(early_file)
    own = preset_ensemble(early_file, early)
    uk_file = ROOT / "scenarios" / "uk_2024.yaml"
    ensembles = ROOT / "scenarios" / "ensembles"
    assert own is not None and own.path == (ensembles / "uk_early_1980s.csv").resolve()
    kept = preset_ensemble(early_file, early, str(ensembles / "uk_2024.csv"))
    assert kept is not None and kept.path == own.path  # made for uk_2024, not this preset
    chosen = preset_ensemble(uk_file, uk, str(ensembles / "uk_2024.csv"))
    assert chosen is not None and chosen.path == ensembles / "uk_2024.csv"
    assert preset_ensemble(uk_file, uk, "none") is None
    settings = make_settings(preset="uk_2024", mission="nhs", constraints={}, members=7)
    assert members_of(chosen, settings).members == chosen.members[:7]
    assert members_of(chosen, make_settings(**{**settings.model_dump(), "members": 0})) is None
