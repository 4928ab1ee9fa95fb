"""Experiment files: validation, arms, sweeps, run ids and shared seeds."""

import pytest

from mobilise import REFORMS, ScenarioError
from mobilise.running.design import comparison, load_experiment, replication_seeds
from mobilise.schema.experiment import BASELINE

from ..conftest import ROOT, SCENARIOS

EXPERIMENTS = ROOT / "experiments"
UK = SCENARIOS / "uk_2024.yaml"


def write(tmp_path, body, name="e.yaml"):
    path = tmp_path / name
    path.write_text(f"name: t\nscenarios: [{UK}]\n" + body)
    return path


@pytest.mark.parametrize("path", sorted(EXPERIMENTS.glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_experiments_load(path):
    design = load_experiment(path)
    runs = design.runs()
    assert len(runs) == len({r.run_id for r in runs})
    assert next(iter(design.arms)) == BASELINE


def test_reform_comparison_has_baseline_each_reform_and_all():
    design = load_experiment(EXPERIMENTS / "reform_comparison.yaml")
    assert set(design.arms) == {BASELINE, *REFORMS, "all_reforms"}
    assert design.arms["all_reforms"] == dict.fromkeys(REFORMS, 1.0)
    assert design.missions_by_scenario["uk_2024"] == [
        "growth",
        "clean_energy",
        "safer_streets",
        "opportunity",
        "nhs",
    ]


def test_factorial_has_every_combination():
    design = load_experiment(EXPERIMENTS / "civil_society_factorial.yaml")
    assert len(design.arms) == 2**5
    assert len({tuple(sorted(r)) for r in design.arms.values()}) == 2**5


def test_grid_sweep_points_are_the_product():
    design = load_experiment(EXPERIMENTS / "structures_sweep.yaml")
    assert len(design.points) == 4 * 5
    assert design.resolved("uk_2024", "nhs", 3).constraints.overseas_share == 0.577


def test_latin_hypercube_covers_each_stratum(tmp_path):
    path = write(
        tmp_path,
        "sweep: {lhs: {constraints.union_density: [0.1, 0.5]}, samples: 10, seed: 3}\n",
    )
    values = sorted(p["constraints.union_density"] for p in load_experiment(path).points)
    strata = [int((v - 0.1) / 0.04) for v in values]
    assert strata == list(range(10))


def test_replications_share_seeds_across_arms_missions_and_points():
    design = load_experiment(EXPERIMENTS / "structures_sweep.yaml")
    by_replication = {}
    for spec in design.runs(3):
        by_replication.setdefault(spec.replication, set()).add(spec.seed)
    assert all(len(seeds) == 1 for seeds in by_replication.values())
    assert len({s.pop() for s in by_replication.values()}) == 3


def test_more_replications_extend_fewer():
    assert replication_seeds(42, 10)[:4] == replication_seeds(42, 4)
    design = load_experiment(EXPERIMENTS / "reform_comparison.yaml")
    few = {(r.run_id, r.seed, r.arm) for r in design.runs(2)}
    many = {(r.run_id, r.seed, r.arm) for r in design.runs(3)}
    assert few < many


def test_comparison_design():
    design = comparison(UK, {"mission_councils": 0.5, "pooled_budgets": 1.0}, replications=3)
    assert design.arms == {
        BASELINE: {},
        "mission_councils": {"mission_councils": 0.5},
        "pooled_budgets": {"pooled_budgets": 1.0},
        "together": {"mission_councils": 0.5, "pooled_budgets": 1.0},
    }


BAD = [
    ("unknown key", "replicatons: 3\n", "unknown key 'replicatons'; did you mean 'replications'?"),
    ("unknown reform", "arms: {single: [mission_council]}\n", "arms.single: unknown reform"),
    ("unknown mission", "missions: [moonshot]\n", "missions: unknown mission 'moonshot'"),
    ("bad strength", "arms: {bundles: {b: {pooled_budgets: 3}}}\n", "must be in [0, 1]"),
    ("reserved arm", "arms: {bundles: {baseline: {pooled_budgets: 1}}}\n", "reserved"),
    (
        "replications",
        "replications: 0\n",
        "replications: Input should be greater than or equal to 1",
    ),
    ("sweep path", "sweep: {grid: {constraints.union_dens: [0.1]}}\n", "no field 'union_dens'"),
    (
        "sweep value",
        "sweep: {grid: {constraints.union_density: [0.1, 1.7]}}\n",
        "constraints.union_density",
    ),
    ("lhs samples", "sweep: {lhs: {constraints.union_density: [0.1, 0.5]}}\n", "samples"),
    ("format", "record: {format: xlsx}\n", "record.format"),
]


@pytest.mark.parametrize(("case", "body", "expected"), BAD, ids=[b[0] for b in BAD])
def test_bad_experiment_is_one_line(tmp_path, case, body, expected):
    path = write(tmp_path, body)
    with pytest.raises(ScenarioError) as info:
        load_experiment(path)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    assert expected in message


def test_missing_scenario_file(tmp_path):
    path = tmp_path / "e.yaml"
    path.write_text("name: t\nscenarios: [nope.yaml]\n")
    with pytest.raises(ScenarioError, match=r"scenarios\[0\]: nope.yaml: no such file here"):
        load_experiment(path)
