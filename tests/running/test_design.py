"""Designs: replication seeds, the ordered run list, comparison(), in_memory(), parse errors."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobilise import ScenarioError
from mobilise.running.design import (
    Uncertainty,
    comparison,
    in_memory,
    member_seed,
    parse_experiment,
    provenance,
    replication_seeds,
)
from mobilise.schema.ensemble import choose_ensemble

from ..conftest import SCENARIOS

MINIMAL = SCENARIOS / "minimal_threshold.yaml"


def test_replication_seeds_are_spawned_from_the_master_seed():
    children = np.random.SeedSequence(42).spawn(3)
    expected = [int(c.generate_state(1, dtype=np.uint32)[0]) for c in children]
    assert replication_seeds(42, 3) == expected
    assert replication_seeds(42, 0) == []


@given(st.integers(0, 2**32 - 1), st.integers(1, 30), st.integers(0, 30))
def test_more_replications_extend_fewer_and_seeds_differ(master, few, more):
    short, long = replication_seeds(master, few), replication_seeds(master, few + more)
    assert long[:few] == short
    assert len(set(long)) == len(long)
    assert all(0 <= s < 2**32 for s in long)


def test_different_masters_give_different_seeds():
    assert replication_seeds(0, 5) != replication_seeds(1, 5)


def test_comparison_is_baseline_each_reform_and_together():
    design = comparison(
        MINIMAL, {"mission_councils": 1.0, "pooled_budgets": 0.5}, replications=3, seed=7
    )
    assert design.arms == {
        "baseline": {},
        "mission_councils": {"mission_councils": 1.0},
        "pooled_budgets": {"pooled_budgets": 0.5},
        "together": {"mission_councils": 1.0, "pooled_budgets": 0.5},
    }
    runs = design.runs()
    assert [r.run_id for r in runs] == list(range(12))
    seeds = replication_seeds(7, 3)
    for spec in runs:
        assert spec.seed == seeds[spec.replication]  # common random numbers across arms
        assert spec.reforms == design.arms[spec.arm]
    assert runs[3].reform_text() == "mission_councils=1;pooled_budgets=0.5"


def test_one_reform_has_no_together_arm():
    design = comparison(MINIMAL, {"pooled_budgets": 1.0}, replications=1)
    assert list(design.arms) == ["baseline", "pooled_budgets"]


def test_run_ids_are_positions_whatever_arms_or_replications_are_asked_for():
    design = comparison(MINIMAL, {"mission_councils": 1.0, "pooled_budgets": 1.0}, replications=2)
    every = {(s.replication, s.arm): s.run_id for s in design.runs()}
    some = design.runs(arms=["together"])
    assert [s.run_id for s in some] == [every[(0, "together")], every[(1, "together")]]
    extended = design.runs(replications=4)
    assert [s.run_id for s in extended[:8]] == [s.run_id for s in design.runs()]
    assert [s.seed for s in extended[:8]] == [s.seed for s in design.runs()]


def test_in_memory_puts_the_baseline_first_and_shares_a_files_seeds(minimal):
    arms = {"baseline": {"pooled_budgets": 1.0}, "pooled_budgets": {"pooled_budgets": 1.0}}
    design = in_memory(minimal, arms, replications=3, seed=7)
    assert design.arms == {"baseline": {}, "pooled_budgets": {"pooled_budgets": 1.0}}
    assert design.points == [{}]
    assert design.scenarios == {minimal.name: minimal}
    from_file = comparison(MINIMAL, {"pooled_budgets": 1.0}, replications=3, seed=7)
    assert [s.seed for s in design.runs()] == [s.seed for s in from_file.runs()]
    assert design.runs()[0].scenario == minimal


def test_resolved_scenarios_carry_the_sweep_values_and_quarters():
    design = parse_experiment(
        {
            "name": "s",
            "scenarios": [str(MINIMAL)],
            "sweep": {"grid": {"influence.peer": [0.5, 1.0]}},
            "quarters": 6,
            "replications": 1,
        }
    )
    assert design.points == [{"influence.peer": 0.5}, {"influence.peer": 1.0}]
    specs = design.runs()
    assert [s.scenario.influence.peer for s in specs] == [0.5, 1.0]
    assert all(s.scenario.quarters == 6 for s in specs)


def test_the_content_hash_follows_the_content():
    a = comparison(MINIMAL, {"pooled_budgets": 1.0}, replications=2, seed=1)
    same = comparison(MINIMAL, {"pooled_budgets": 1.0}, replications=2, seed=1)
    other = comparison(MINIMAL, {"pooled_budgets": 1.0}, replications=2, seed=2)
    assert a.content_hash() == same.content_hash() != other.content_hash()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (None, "x.yaml: expected a mapping of experiment fields, found an empty file"),
        ([1, 2], "x.yaml: expected a mapping of experiment fields, found list"),
        ({"name": "e"}, "x.yaml: scenarios: required field is missing"),
        (
            {"name": "e", "scenarios": [str(MINIMAL)], "replicatons": 2},
            "x.yaml: unknown key 'replicatons'; did you mean 'replications'?",
        ),
        (
            {"name": "e", "scenarios": ["nowhere.yaml"]},
            "x.yaml: scenarios[0]: nowhere.yaml: no such file here; unknown shipped scenario",
        ),
        (
            {"name": "e", "scenarios": [str(MINIMAL), str(MINIMAL)]},
            "x.yaml: scenarios[1]: two scenarios are named 'minimal_threshold'",
        ),
        (
            {
                "name": "e",
                "scenarios": [str(MINIMAL)],
                "sweep": {"grid": {"influence.peer": [0.5, -1]}},
            },
            "x.yaml: sweep point {'influence.peer': -1}: scenario field 'influence.peer'",
        ),
    ],
)
def test_a_bad_experiment_is_one_line(data, expected):
    with pytest.raises(ScenarioError) as info:
        parse_experiment(data, "x.yaml")
    message = str(info.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_a_robust_design_runs_each_package_at_each_start_it_allows():
    """Levers with starts: a package per reform, strength and start; its runs carry the timing."""
    uk = SCENARIOS / "uk_2024.yaml"
    data = {
        "name": "when", "scenarios": [str(uk)], "replications": 2,
        "levers": {"reforms": ["multi_year_funding"], "max_reforms": 1,
                   "starts": ["2027Q1", "missed"],
                   "triggers": {"missed": {"indicator": "milestone_missed"}}},
        "uncertainties": {"ranges": {"influence.peer": [0.4, 0.6]}, "samples": 2},
    }  # fmt: skip
    design = parse_experiment(data, "when.yaml")
    packages = ["multi_year_funding", "multi_year_funding~2027Q1", "multi_year_funding~missed"]
    assert list(design.arms) == ["baseline", *packages]
    specs = {spec.arm: spec for spec in design.runs() if spec.replication == 0 and spec.point == 0}
    assert specs["multi_year_funding~2027Q1"].timing["multi_year_funding"].start == "2027Q1"
    assert specs["multi_year_funding~missed"].reform_text() == "multi_year_funding=1@trigger"
    assert specs["multi_year_funding"].timing == {}
    assert len(design.runs()) == 4 * 2 * 2


# --- members: plausible worlds as a dimension of the design ----------------------------

UK_FILE = SCENARIOS / "uk_2024.yaml"


def test_each_member_has_its_own_seeds_shared_by_its_arms():
    design = comparison(
        UK_FILE,
        {"mission_councils": 1.0},
        replications=3,
        seed=7,
        uncertainty=Uncertainty(ensemble=None, members=4),
    )
    runs = design.runs()
    assert len(runs) == 4 * 3 * 2
    assert [r.run_id for r in runs] == list(range(len(runs)))
    for member in (1, 2, 3, 4):
        mine = [r for r in runs if r.member == member]
        seeds = replication_seeds(member_seed(7, member), 3)
        for r in mine:
            assert r.seed == seeds[r.replication]  # both arms: common random numbers
    assert member_seed(7, 0) == 7 and member_seed(7, 1) != member_seed(7, 2)


def test_a_members_scenario_carries_its_fields(uk):
    ensemble = choose_ensemble(UK_FILE, uk, None, 3)
    design = comparison(UK_FILE, {"pooled_budgets": 1.0}, replications=1,
                        uncertainty=Uncertainty(ensemble=None, members=3))  # fmt: skip
    for spec in design.runs():
        index = ensemble.members.index(spec.member)
        for path, value in ensemble.member_values(index, "nhs").items():
            assert spec.scenario.value_at(path) == value


def test_as_written_is_member_zero_with_the_master_seeds():
    design = comparison(UK_FILE, {"pooled_budgets": 1.0}, replications=2, seed=5)
    assert {r.member for r in design.runs()} == {0}
    assert [r.seed for r in design.runs()][::2] == replication_seeds(5, 2)


def test_sets_apply_before_members_and_may_not_name_their_fields():
    settings = ("constraints.union_density=0.3",)
    design = comparison(UK_FILE, {"pooled_budgets": 1.0}, replications=1,
                        uncertainty=Uncertainty("none", None, settings))  # fmt: skip
    assert all(r.scenario.constraints.union_density == 0.3 for r in design.runs())
    with pytest.raises(
        ScenarioError, match=r"--set influence.signal: the ensemble uk_2024\.csv varies"
    ):
        comparison(UK_FILE, {"pooled_budgets": 1.0}, replications=1,
                   uncertainty=Uncertainty(None, 2, ("influence.signal=1",)))  # fmt: skip


def test_a_sweep_over_an_ensemble_field_is_refused(tmp_path):
    data = {
        "name": "x",
        "scenarios": [str(UK_FILE)],
        "sweep": {"grid": {"influence.signal": [1.0, 2.0]}},
    }
    with pytest.raises(ScenarioError, match=r"sweep field 'influence\.signal' is also a column"):
        parse_experiment(data, "x.yaml", uncertainty=Uncertainty(None, 2))


def test_the_ensemble_enters_the_hash_and_the_provenance():
    plain = comparison(UK_FILE, {"pooled_budgets": 1.0}, replications=1)
    worlds = comparison(UK_FILE, {"pooled_budgets": 1.0}, replications=1,
                        uncertainty=Uncertainty(None, 2))  # fmt: skip
    fewer = comparison(UK_FILE, {"pooled_budgets": 1.0}, replications=1,
                       uncertainty=Uncertainty(None, 1))  # fmt: skip
    assert len({plain.content_hash(), worlds.content_hash(), fewer.content_hash()}) == 3
    record = provenance(worlds, "x")["ensemble"]
    assert record["members"] == 2 and record["path"].endswith("uk_2024.csv")
    assert provenance(plain, "x")["ensemble"] is None


def test_a_runs_point_numbers_its_scenario_and_sweep_point_within_the_mission():
    data = {
        "name": "two",
        "scenarios": [str(MINIMAL), str(SCENARIOS / "uk_2024.yaml")],
        "missions": ["nhs"],
        "sweep": {"grid": {"influence.signal": [0.5, 1.5]}},
        "replications": 2,
    }
    design = parse_experiment(data, "two.yaml")
    specs = design.runs()
    assert design.run_count() == len(specs) == 2 * 2 * 2  # scenarios x points x replications
    seen = {(s.scenario_name, s.sweep["influence.signal"], s.point) for s in specs}
    assert seen == {
        ("minimal_threshold", 0.5, 0),
        ("minimal_threshold", 1.5, 1),
        ("uk_2024", 0.5, 2),
        ("uk_2024", 1.5, 3),
    }
    for spec in specs:  # the point numbers the setting; the scenario is still the sweep's
        assert spec.scenario.influence.signal == spec.sweep["influence.signal"]
        assert spec.scenario.size == (100 if spec.scenario_name == "minimal_threshold" else 2000)
    one = parse_experiment({**data, "scenarios": [str(MINIMAL)]}, "one.yaml")
    assert sorted({s.point for s in one.runs()}) == [0, 1]  # one scenario: the sweep point


def test_too_many_runs_are_refused_before_any_is_listed():
    data = {"name": "big", "scenarios": [str(MINIMAL)], "arms": {"single": "all"}}
    design = parse_experiment({**data, "replications": 80_000}, "big.yaml")  # 12 arms: 960,000
    with pytest.raises(ScenarioError, match=r"big\.yaml: 1,080,000 runs; at most 1,000,000"):
        parse_experiment({**data, "replications": 90_000}, "big.yaml")
    with pytest.raises(ScenarioError, match="1,200,000 runs"):
        design.check_size(100_000)
