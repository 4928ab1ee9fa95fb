"""Reforms in time: strengths per quarter, common random numbers up to a start, triggers."""

import itertools
from pathlib import Path

import numpy as np
import pytest

from mobilise.analysis.effects import t_interval
from mobilise.model.block import Block, Member
from mobilise.model.nation import build_block
from mobilise.model.outcomes import summarise_series
from mobilise.model.schedule import NOT_YET
from mobilise.running.design import replication_seeds
from mobilise.schema.reforms import REFORMS, apply_reforms
from mobilise.schema.scenario import load_scenario
from mobilise.schema.schedule import Timing, Trigger, step_of
from mobilise.schema.trends import Structures

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
ALL_REFORMS = dict.fromkeys(REFORMS, 1.0)


def run(members):
    block = build_block(members)  # a block of several missions for the five-mission scenario
    block.run()
    return block


def column(block, run, name):
    return block.rows[run, :, block.columns.index(name) - 2]


def test_strength_rises_over_the_ramp_and_stops_at_the_end(uk):
    timing = {"social_partnership": Timing(start=5, ramp=3, end=20, before=0.2)}
    block = Block([Member(uk, 1, {"social_partnership": 0.8}, timing)])
    expected = {0: 0.2, 1: 0.2, 4: 0.2, 5: 0.35, 6: 0.5, 7: 0.65, 8: 0.8, 19: 0.8, 20: 0.0, 40: 0.0}
    for step, strength in expected.items():
        assert block.schedules.at(step)[0, 0] == pytest.approx(strength)
    assert block.schedules.at(8)[0, 0] == 0.8  # full strength exactly, not a sum of steps


def test_a_reform_in_force_tracks_its_strength_quarter_by_quarter(uk):
    """Union reach is the reform's reach at each quarter's strength, and returns at the end.

    Structures frozen here but for the trend the reform itself gives density (its level
    and its trend are the reform's alone; tests/model/test_structures.py has the rest).
    """
    still = Structures(union_recruitment=0.0, volunteer_recruitment=0.0)
    frozen = uk.model_copy(update={"structures": still})
    timing = {"social_partnership": Timing(start=5, ramp=3, end=20)}
    block = run([Member(frozen, 1, {"social_partnership": 1.0}, timing)])
    reach = column(block, 0, "reach_union")
    steeper = REFORMS["social_partnership"].sized(frozen.reform_sizes).density_trend
    trend = 0.0  # the reform also steepens density's trend, by its strength each quarter
    for step in range(41):
        strength = float(block.schedules.at(step)[0, 0])
        trend += steeper * strength if step > 0 else 0.0
        params = apply_reforms(frozen, {"social_partnership": strength})
        assert reach[step] == pytest.approx(params.constraints.union_density + trend, abs=1e-12)
    assert block.starts(0) == {"social_partnership": 5}


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_run_is_identical_bit_for_bit_until_its_reforms_start(path):
    scenario = load_scenario(path)
    start = scenario.quarters // 2 + 1
    timing = {name: Timing(start=start, ramp=2) for name in REFORMS}
    seeds = (1, 2)
    members = [Member(scenario, seed) for seed in seeds]
    members += [Member(scenario, seed, ALL_REFORMS, timing) for seed in seeds]
    members += [Member(scenario, seed, {name: 1.0}, {name: timing[name]})
                for seed in seeds for name in ("mission_councils", "patient_capital")]  # fmt: skip
    block = run(members)
    for r, member in enumerate(members[2:], start=2):
        baseline = block.rows[seeds.index(member.seed)]
        np.testing.assert_array_equal(block.rows[r, :start], baseline[:start])
        assert not np.array_equal(block.rows[r, start:], baseline[start:])


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_reform_started_in_the_first_quarter_at_once_is_the_reform_without_timing(path):
    scenario = load_scenario(path)
    timing = {name: Timing(start=scenario.start) for name in REFORMS}
    block = run([Member(scenario, 3, ALL_REFORMS), Member(scenario, 3, ALL_REFORMS, timing)])
    np.testing.assert_array_equal(block.rows[0], block.rows[1])


def test_a_timed_run_in_a_block_is_the_run_alone(uk):
    missed = Trigger(indicator="milestone_missed")
    timing = {"mission_councils": Timing(start="2026Q3", ramp=4),
              "multi_year_funding": Timing(trigger=missed)}  # fmt: skip
    reforms = {"mission_councils": 1.0, "multi_year_funding": 1.0}
    members = [Member(uk, seed, reforms, timing) for seed in (4, 5)] + [Member(uk, 4)]
    together = run(members)
    for r, member in enumerate(members):
        np.testing.assert_array_equal(together.rows[r], run([member]).rows[0])


def test_a_missed_milestone_starts_its_reform_the_next_quarter(uk):
    """The 2026Q1 milestone (0.65) is missed by push alone: the reform starts in 2026Q2."""
    trigger = Trigger(indicator="milestone_missed", milestone="2026Q1")
    timing = {"multi_year_funding": Timing(trigger=trigger, ramp=4)}
    seeds = replication_seeds(0, 6)
    members = [Member(uk, seed) for seed in seeds]
    members += [Member(uk, seed, {"multi_year_funding": 1.0}, timing) for seed in seeds]
    block = run(members)
    due = step_of("2026Q1", uk.start)
    for r in range(len(seeds)):
        base = summarise_series(block.series(r))
        met = next(m for m in base["milestones"] if m["quarter"] == "2026Q1")["met"]
        started = block.starts(len(seeds) + r)["multi_year_funding"]
        assert started == (None if met else due + 1)
        until = due + 1 if started else block.quarters + 1
        np.testing.assert_array_equal(block.rows[len(seeds) + r, :until], block.rows[r, :until])
    assert any(block.starts(len(seeds) + r)["multi_year_funding"] for r in range(len(seeds)))


def test_a_signpost_fires_on_the_first_quarter_it_is_crossed_and_after_its_delay(uk):
    trigger = Trigger.model_validate(
        {"indicator": "credibility", "above": 0.45, "from": 6, "delay": 2}
    )
    timing = {"mission_ownership": Timing(trigger=trigger)}
    block = run([Member(uk, 2), Member(uk, 2, {"mission_ownership": 1.0}, timing)])
    credibility = column(block, 0, "credibility")
    crossed = [s for s in range(6, 41) if credibility[s] > 0.45]
    assert crossed, "credibility never rose above 0.45: pick another threshold"
    assert block.starts(1)["mission_ownership"] == crossed[0] + 3
    start = crossed[0] + 3
    np.testing.assert_array_equal(block.rows[1, :start], block.rows[0, :start])


def test_a_signpost_never_crossed_leaves_the_run_as_the_baseline(uk):
    timing = {"pooled_budgets": Timing(trigger=Trigger(indicator="engaged_union", above=0.99))}
    block = run([Member(uk, 8), Member(uk, 8, {"pooled_budgets": 1.0}, timing)])
    np.testing.assert_array_equal(block.rows[0], block.rows[1])
    assert block.starts(1) == {"pooled_budgets": None}
    assert block.schedules.start[1, 0] == NOT_YET


def paired(uk, arms, seeds):
    """Each arm's summaries on the same seeds: {arm: [summary per seed]}."""
    members = [Member(uk, seed, reforms, timing) for reforms, timing in arms.values()
               for seed in seeds]  # fmt: skip
    summaries = []
    for start in range(0, len(members), 60):
        block = run(members[start : start + 60])
        summaries += [summarise_series(block.series(r)) for r in range(block.runs)]
    return {name: summaries[i * len(seeds) : (i + 1) * len(seeds)]
            for i, name in enumerate(arms)}  # fmt: skip


def values(summaries, outcome):
    return np.array([s[outcome] for s in summaries])


def test_a_reform_started_after_the_milestone_leaves_it_alone_and_helps_by_the_horizon(uk):
    reforms = {"mission_councils": 1.0}
    after = {"mission_councils": Timing(start="2029Q2")}  # the key milestone is 2029Q1
    seeds = replication_seeds(0, 16)
    arms = paired(uk, {"baseline": ({}, {}), "after": (reforms, after)}, seeds)
    base, late = arms["baseline"], arms["after"]
    np.testing.assert_array_equal(
        values(late, "milestone_metric"), values(base, "milestone_metric")
    )
    assert [s["milestone_met"] for s in late] == [s["milestone_met"] for s in base]
    gain = values(late, "final_metric") - values(base, "final_metric")
    mean, low, _ = t_interval(gain)
    assert low > 0, f"a late start should still help by the horizon: {mean:+.4f}, low {low:+.4f}"


def test_starting_earlier_helps_more_by_the_milestone(uk):
    reforms = {"mission_councils": 1.0}
    starts = ("2025Q1", "2026Q3", "2028Q1")
    arms = {start: (reforms, {"mission_councils": Timing(start=start)}) for start in starts}
    seeds = replication_seeds(0, 16)
    summaries = paired(uk, arms, seeds)
    for earlier, later in itertools.pairwise(starts):
        gain = values(summaries[earlier], "milestone_metric") - values(
            summaries[later], "milestone_metric"
        )
        mean, low, _ = t_interval(gain)
        assert low > 0, f"{earlier} vs {later}: {mean:+.4f}, low {low:+.4f}"
