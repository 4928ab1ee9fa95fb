"""``mobilise validate``: every kind of file judged as its command would, without running it."""

import math
import shutil

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from mobilise import ScenarioError
from mobilise.analysis.validation import KINDS, kind_of, validate_file

from ..bad_input import assert_refused, broken, run_cli
from ..conftest import ROOT, SCENARIOS

EXPERIMENTS = ROOT / "experiments"
UK = SCENARIOS / "uk_2024.yaml"


def uk_data():
    return yaml.safe_load(UK.read_text())


def write(path, data):
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def test_every_shipped_file_is_judged_ok_as_its_kind():
    expected = {
        "uk_2024.yaml": "scenario",
        "uk_early_1980s.yaml": "scenario",
        "minimal_threshold.yaml": "scenario",
        "technological_vaccine.yaml": "scenario",
        "denmark_2024.yaml": "scenario",
        "uk_nhs_danish_structures.yaml": "scenario",
        "uk_2024_five_missions.yaml": "scenario",
        "reform_comparison.yaml": "experiment",
        "structures_sweep.yaml": "experiment",
        "civil_society_factorial.yaml": "experiment",
        "nhs_adaptive_pathway.yaml": "experiment",
        "when_to_start.yaml": "experiment",
        "uk_sensitivity.yaml": "sensitivity",
        "nhs_robust_packages.yaml": "robust",
    }
    files = [*SCENARIOS.glob("*.yaml"), *EXPERIMENTS.glob("*.yaml")]
    assert {f.name for f in files} == set(expected)
    for path in files:
        assert kind_of(yaml.safe_load(path.read_text())).name == expected[path.name]
    outcome = run_cli("validate", *map(str, files), seconds=120)
    assert outcome.code == 0, outcome.err
    assert outcome.out.count(": ok (") == len(files)
    assert f"{EXPERIMENTS / 'reform_comparison.yaml'}: ok (experiment reform_comparison: " in (
        outcome.out
    )


def test_an_experiment_is_no_longer_judged_as_a_scenario():
    summary = validate_file(EXPERIMENTS / "reform_comparison.yaml")
    assert summary == "experiment reform_comparison: 2,600 runs"  # 5 missions x 13 arms x 20


def test_the_kind_can_be_given_and_is_then_held_to():
    outcome = run_cli("validate", "--kind", "scenario", str(EXPERIMENTS / "reform_comparison.yaml"))
    assert_refused(outcome, "reform_comparison.yaml: unknown key 'scenarios'")
    assert [k.name for k in KINDS] == ["robust", "sensitivity", "experiment", "scenario"]


def pattern(**fields):
    return {"name": "p", "output": "metric", "above": 0.0, **fields}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"patterns": [pattern(output="engaged_unoin")]},
            "patterns[0] ('p').output: unknown output 'engaged_unoin'; did you mean "
            "'engaged_union'?",
        ),
        (
            {"patterns": [pattern(minus="reach_charities")]},
            "patterns[0] ('p').minus: unknown output 'reach_charities'; did you mean "
            "'reach_charity'?",
        ),
        (
            {"patterns": [pattern(conditions={"government.clarty": 0.0})]},
            "patterns[0] ('p').conditions: scenario field 'government.clarty': no field 'clarty'",
        ),
        (
            {"patterns": [pattern(conditions={"government.clarity": 7})]},
            "patterns[0] ('p').conditions: scenario field 'government.clarity': "
            "government.clarity: Input should be less than or equal to 1",
        ),
        (
            {"patterns": [pattern(conditions={"government.clarity": "0.5"})]},
            "government.clarity: Input should be a valid number (found '0.5')",
        ),
        ({"patterns": [pattern(at=500)]}, "patterns[0] ('p').at: step 500 is beyond the run's 40"),
        (
            {"quarters": 8, "patterns": [pattern(at="milestone")]},
            "patterns[0] ('p').at: the key milestone (2029Q1) is not within the run (2024Q4 to "
            "2026Q4)",
        ),
        (
            {"patterns": [pattern(versus={"scenario": "missing.yaml"})]},
            "patterns[0] ('p').versus.scenario: scenario file not found: missing.yaml",
        ),
        (
            {"patterns": [pattern(versus={"conditions": {"trust.sped": 0.1}})]},
            "patterns[0] ('p').versus.conditions: scenario field 'trust.sped'",
        ),
        (
            {"calibration.parameters": {"influence.signl": [0, 1]}},
            "calibration.parameters.influence.signl: scenario field 'influence.signl': no field",
        ),
        (
            {"calibration.parameters": {"influence.noise": [-1, 1]}},
            "calibration.parameters.influence.noise: scenario field 'influence.noise': "
            "influence.noise: Input should be greater than or equal to 0",
        ),
        (
            {
                "calibration.targets": [
                    {"fact": "f", "output": "engagd", "value": 0.1, "tolerance": 0.1}
                ]
            },
            "calibration.targets[0] ('f').output: unknown output 'engagd'",
        ),
        (
            {
                "calibration.targets": [
                    {
                        "fact": "f",
                        "output": "engaged_union",
                        "value": 0.1,
                        "tolerance": 0.1,
                        "conditions": {"seed": -1},
                    }
                ]
            },
            "calibration.targets[0] ('f').conditions: scenario field 'seed': seed: Input should "
            "be greater than or equal to 0",
        ),
        (
            {"network.within_degree": 1e12},
            "network: its degrees draw about 1,000,000,000,00",
        ),
        (
            {"populations.union.count": 10**30},
            "populations.union.count: Input should be less than or equal to 1000000",
        ),
        (
            {"populations.charity.alignment": {"dist": "uniform", "a": -1e12, "b": 0.9}},
            "populations.charity.alignment: draws from -1e+12 to 0.9",
        ),
        (
            {"populations.union.capacity": {"dist": "lognormal", "median": 1, "sigma": 1000}},
            "populations.union.capacity: draws from 0 to inf have no finite mean",
        ),
        (
            {"populations.union.trust": {"dist": "lognormal", "median": 3, "sigma": 0.2}},
            "populations.union.trust: draws from 0 to inf (mean 3.06",
        ),
    ],
)
def test_what_check_and_calibrate_would_refuse_validate_refuses_naming_the_file(
    tmp_path, change, expected
):
    data = uk_data()
    for dotted, value in change.items():
        node = data
        *parents, last = dotted.split(".")
        for key in parents:
            node = node[key]
        node[last] = value
    path = write(tmp_path / "bad.yaml", data)
    assert_refused(run_cli("validate", str(path)), f"{path}: ", expected)


def test_a_duplicate_key_and_yes_for_a_count_are_refused_naming_the_file(tmp_path):
    text = UK.read_text()
    cases = {
        "twice.yaml": text.replace("    count: 600\n", "    count: 600\n    count: 60\n"),
        "yes.yaml": text.replace("    count: 600\n", "    count: yes\n"),
        "quoted.yaml": text.replace("    count: 600\n", '    count: "600"\n'),
    }
    for name, body in cases.items():
        assert body != text
        (tmp_path / name).write_text(body)
        outcome = run_cli("validate", str(tmp_path / name))
        assert_refused(outcome, f"{tmp_path / name}: ")
    assert "key 'count' appears twice" in run_cli("validate", str(tmp_path / "twice.yaml")).err


def experiment_data(name):
    data = yaml.safe_load((EXPERIMENTS / name).read_text())
    data["scenarios"] = [str(UK)]
    return data


def test_experiment_sensitivity_and_robust_problems_are_named(tmp_path):
    cases = [
        ({"sweep": {"grid": {"constraints.union_densty": [0.2]}}}, "no field 'union_densty'"),
        ({"sweep": {"grid": {"constraints.union_density": [2.0]}}}, "less than or equal to 1"),
        ({"arms": {"single": ["mission_council"]}}, "unknown reform 'mission_council'"),
        ({"missions": ["nsh"]}, "unknown mission 'nsh'; did you mean 'nhs'?"),
        ({"missions": ["nhs", "nhs"]}, "missions: missions must not repeat"),
        (
            {"scenarios": [str(EXPERIMENTS / "structures_sweep.yaml")]},
            f"scenarios[0]: {EXPERIMENTS / 'structures_sweep.yaml'}: unknown key 'scenarios'",
        ),
        ({"scenarios": ["nowhere.yaml"]}, "scenarios[0]: nowhere.yaml: no such file here"),
        ({"replications": 100_000, "max_replications": 10**6}, "max_replications"),
        (
            {"replications": 100_000, "arms": {"single": "all"}},
            "runs; at most 1,000,000 in one batch",
        ),
        (
            {
                "sweep": {
                    "grid": {
                        f"constraints.{f}": [0.1] * 20
                        for f in (
                            "union_density",
                            "overseas_share",
                            "volunteering_rate",
                            "weekly_hours",
                        )
                    }
                }
            },
            "160,000 sweep points; at most 100,000",
        ),
    ]
    for i, (change, expected) in enumerate(cases):
        path = write(
            tmp_path / f"e{i}.yaml", {**experiment_data("reform_comparison.yaml"), **change}
        )
        assert_refused(run_cli("validate", str(path)), f"{path}: ", expected)
    sensitivity = experiment_data("uk_sensitivity.yaml")
    sensitivity["sensitivity"]["outcomes"] = []
    path = write(tmp_path / "s0.yaml", sensitivity)
    assert_refused(run_cli("validate", str(path)), "sensitivity.outcomes: List should have at")
    sensitivity = experiment_data("uk_sensitivity.yaml")
    sensitivity["sensitivity"]["parameters"]["influence.noise"] = [-0.1, 0.1]
    path = write(tmp_path / "s.yaml", sensitivity)
    assert_refused(
        run_cli("validate", str(path)),
        f"{path}: sensitivity.parameters.influence.noise: ",
        "greater than or equal to 0",
    )
    robust = experiment_data("nhs_robust_packages.yaml")
    del robust["levers"]
    path = write(tmp_path / "r.yaml", robust)
    assert_refused(run_cli("validate", str(path)), f"{path}: levers: required for mobilise robust")


def small(name):
    """A shipped experiment made small enough to judge many times over."""
    data = experiment_data(name)
    if "sensitivity" in data:
        data["sensitivity"]["samples"] = 2
    if "uncertainties" in data:
        data["uncertainties"]["samples"] = 2
        data["levers"]["max_reforms"] = 1
    return data


CORPUS = {
    "scenario": (uk_data(), ("name", "mission", "populations")),
    "sourced scenario": (  # constraints that cite data rows (issue 24: Danish data)
        yaml.safe_load((SCENARIOS / "denmark_2024.yaml").read_text()),
        ("name", "mission", "populations"),
    ),
    "experiment": (small("reform_comparison.yaml"), ("name", "scenarios")),
    "sweep": (small("structures_sweep.yaml"), ("name", "scenarios")),
    "factorial": (small("civil_society_factorial.yaml"), ("name", "scenarios")),
    "sensitivity": (small("uk_sensitivity.yaml"), ("name", "scenarios")),
    "robust": (small("nhs_robust_packages.yaml"), ("name", "scenarios", "levers")),
}


def test_the_corpus_bases_are_good_files(tmp_path):
    for name, (document, _) in CORPUS.items():
        path = write(tmp_path / f"{name}.yaml", document)
        outcome = run_cli("validate", str(path), seconds=60)
        assert outcome.code == 0, (name, outcome.err)


@pytest.mark.parametrize("base", list(CORPUS))
def test_a_generated_corpus_of_bad_files_gets_one_line_and_exit_2(tmp_path_factory, base):
    document, required = CORPUS[base]
    folder = tmp_path_factory.mktemp(base)
    shutil.copy(UK, folder / "uk_2024.yaml")

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(broken(document, required))
    def judge(mutation):
        path = folder / "bad.yaml"
        path.write_text(yaml.safe_dump(mutation.data, sort_keys=False, allow_unicode=True))
        outcome = run_cli("validate", str(path), seconds=60)
        assert outcome.code == 2, (mutation.what, mutation.path, outcome.out)
        assert_refused(outcome, f"{path}")

    judge()


def test_nan_written_in_a_file_is_refused_wherever_it_goes(tmp_path):
    data = uk_data()
    data["patterns"][0]["conditions"] = {"government.clarity": math.nan}
    path = write(tmp_path / "nan.yaml", data)
    assert_refused(run_cli("validate", str(path)), "finite number")
    with pytest.raises(ScenarioError, match="finite number"):
        validate_file(path)
