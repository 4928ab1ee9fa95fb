"""The workshop's library side: sliders from the schema, settings, headlines, log, pool."""

import math
import time
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from mobilise.analysis.effects import paired_effects
from mobilise.model.model import MissionModel
from mobilise.running.design import in_memory
from mobilise.running.runs import run_chunk
from mobilise.schema.actor_types import BUILT_IN
from mobilise.schema.constraints import Constraints
from mobilise.schema.experiment import BASELINE
from mobilise.schema.reforms import REFORMS
from mobilise.schema.scenario import ScenarioError, load_scenario
from mobilise.views.app_pool import Place, WorkPool
from mobilise.views.headline import MIN_RUNS_PER_ARM, headline, log_entry
from mobilise.views.plots_workshop import network_svg, spring_positions
from mobilise.views.workshop import (
    WITH_REFORMS,
    Comparison,
    compare,
    constraint_sliders,
    make_settings,
    network_snapshot,
    parse_seed,
    preset_settings,
    workshop_scenario,
)

from ..conftest import ROOT

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
    assert "with 4 runs per arm" in line.caution  # below MIN_RUNS_PER_ARM


def synthetic(n, met_base, met_arm):
    """Runs where the arms meet the milestone a given number of times (paired by replication)."""
    rows = []
    for arm, met in ((BASELINE, met_base), (WITH_REFORMS, met_arm)):
        for r in range(n):
            rows.append({"mission": "nhs", "point": 0, "arm": arm, "replication": r, "reforms": "",
                         "milestone_met": r < met, "milestone_metric": 0.8 + 0.1 * (r < met),
                         "final_metric": 0.9})  # fmt: skip
    return Comparison(pd.DataFrame(rows), pd.DataFrame(), {"social_partnership": 1.0})


def test_the_caution_appears_exactly_when_the_runs_cannot_tell(uk):
    clear = headline(synthetic(MIN_RUNS_PER_ARM, 0, MIN_RUNS_PER_ARM), uk.mission_spec)
    assert clear.caution == ""
    unclear = headline(synthetic(MIN_RUNS_PER_ARM, 3, 4), uk.mission_spec)
    assert "includes zero" in unclear.caution and "runs per arm" not in unclear.caution
    few = headline(synthetic(2, 0, 2), uk.mission_spec)
    assert "with 2 runs per arm each run moves a share by 50 points" in few.caution


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


def test_the_network_picture_shows_each_agents_engagement(uk):
    model = MissionModel(uk, seed=5)
    for _ in range(3):
        model.step()
    snapshot = network_snapshot(model, max_nodes=60, seed=5)
    svg = network_svg(snapshot, spring_positions(snapshot, 5), model.population.engagement[
        snapshot["nodes"]], model.quarter(model.steps))  # fmt: skip
    assert f'data-quarter="{model.quarter(3)}"' in svg
    for node in snapshot["nodes"][:10]:
        value = model.population.engagement[node]
        assert f'data-node="{node}" data-engagement="{value:.6f}"' in svg
    assert svg.count("data-node=") == len(snapshot["nodes"])
    kinds = {int(k) for k in snapshot["kind"]}
    assert all(BUILT_IN[snapshot["names"][k]].label in svg for k in kinds)


# --- the worker pool ------------------------------------------------------------------


@pytest.fixture(scope="module")
def pool():
    work = WorkPool(1)
    yield work
    work.close()


def test_the_pool_queues_first_come_and_tells_each_job_its_place(pool):
    running = pool.submit("a", time.sleep, 1.0)
    second = pool.submit("b", sum, [1, 2])
    third = pool.submit("c", sum, [3])
    assert pool.place(running) == Place(-1, 1)
    assert pool.place(second) == Place(0, 1) and pool.place(third) == Place(1, 1)
    assert "1 comparison before yours, 1 running" in pool.place(third).sentence()
    newer = pool.submit("b", sum, [5, 5])  # the same owner moved on: takes the old place
    assert second.superseded and second.wait(0) and second.result() is None
    assert pool.place(newer) == Place(0, 1) and pool.place(third) == Place(1, 1)
    assert newer.wait(30) and third.wait(30)
    assert newer.result() == 10 and third.result() == 3


def test_a_superseded_running_job_gives_no_result(pool):
    slow = pool.submit("a", time.sleep, 0.5)
    assert pool.place(slow).ahead == -1
    replacement = pool.submit("a", math.factorial, 5)
    assert slow.superseded and slow.wait(0) and slow.result() is None
    assert replacement.wait(30) and replacement.result() == 120


def test_a_failing_job_raises_its_error_for_its_owner_only(pool):
    bad = pool.submit("x", math.factorial, -1)
    good = pool.submit("y", math.factorial, 3)
    assert bad.wait(30) and good.wait(30)
    with pytest.raises(ValueError):
        bad.result()
    assert good.result() == 6


# --- catalogue order is one key -------------------------------------------------------


def test_settings_name_reforms_in_catalogue_order(uk):
    base = preset_settings("uk_2024", uk, replications=2, seed=0).model_dump()
    names = list(REFORMS)
    one = make_settings(**{**base, "reforms": {names[3]: 1.0, names[0]: 0.5}})
    two = make_settings(**{**base, "reforms": {names[0]: 0.5, names[3]: 1.0}})
    assert one.key() == two.key()
    assert list(one.reforms) == [names[0], names[3]]
    assert np.isclose(one.reforms[names[0]], 0.5)


def test_later_jobs_wait_behind_every_other_job(pool):
    running = pool.submit("a", time.sleep, 0.5)
    figures = pool.submit("a/figures", sum, [1], later=True)
    headline = pool.submit("b", sum, [2])
    assert pool.place(running).ahead == -1
    assert pool.place(headline) == Place(0, 1) and pool.place(figures) == Place(1, 1)
    assert figures.wait(30) and headline.wait(30)
    assert (headline.result(), figures.result()) == (2, 1)
