"""``mobilise validate``: every kind of file judged as its command would, without running it."""

import math
import shutil

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobilise import ScenarioError, load_scenario
from mobilise.analysis.validation import KINDS, kind_of, kind_of_file, validate_file
from mobilise.schema.priors import load_priors

from ..bad_input import assert_refused, broken, run_cli
from ..conftest import ROOT, SCENARIOS, movable

EXPERIMENTS = ROOT / "experiments"
UK = SCENARIOS / "uk_2024.yaml"
PRIORS = SCENARIOS / "priors" / "uk.yaml"
TARGETS = SCENARIOS / "targets" / "uk.yaml"
CALIBRATION = SCENARIOS / "calibration" / "uk.yaml"
ENSEMBLES = SCENARIOS / "ensembles"


def uk_data():
    return movable("uk_2024")


def targets_data():
    """The UK targets as data, each run's scenario by its full path."""
    data = yaml.safe_load(TARGETS.read_text())
    for target in data["targets"]:
        target["scenario"] = str((TARGETS.parent / target["scenario"]).resolve())
    return data


def calibration_data():
    """The UK calibration as data, every file it names by its full path."""
    data = yaml.safe_load(CALIBRATION.read_text())
    for key in ("priors", "targets"):
        data[key] = str((CALIBRATION.parent / data[key]).resolve())
    data["scenarios"] = [str((CALIBRATION.parent / s).resolve()) for s in data["scenarios"]]
    return data


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
    support = {PRIORS: "priors", TARGETS: "targets", CALIBRATION: "calibration"}
    support |= {path: "ensemble" for path in sorted(ENSEMBLES.glob("*.csv"))}
    assert len(support) == 6  # three ensembles: uk_2024, uk_early_1980s, technological_vaccine
    for path, kind in support.items():
        assert kind_of_file(path).name == kind
    outcome = run_cli("validate", *map(str, [*files, *support]), seconds=180)
    assert outcome.code == 0, outcome.err
    assert outcome.out.count(": ok (") == len(files) + len(support)
    assert f"{EXPERIMENTS / 'reform_comparison.yaml'}: ok (experiment reform_comparison: " in (
        outcome.out
    )
    patterns = len(load_scenario(UK).patterns)
    assert f"{UK}: ok (scenario uk_2024: 2000 agents, {patterns} patterns, an ensemble of 100 " in (
        outcome.out
    )
    inputs = [e for e in load_priors(PRIORS).inputs if not e.of_several]  # one mission's each
    inferred = len(yaml.safe_load(CALIBRATION.read_text())["infer"])
    assert (
        f"{CALIBRATION}: ok (calibration uk: {inferred} of {len(inputs)} uncertain inputs "
        "inferred from 11 "
    ) in outcome.out


def test_an_experiment_is_no_longer_judged_as_a_scenario():
    summary = validate_file(EXPERIMENTS / "reform_comparison.yaml")
    assert summary == "experiment reform_comparison: 2,600 runs"  # 5 missions x 13 arms x 20


def test_the_kind_can_be_given_and_is_then_held_to():
    outcome = run_cli("validate", "--kind", "scenario", str(EXPERIMENTS / "reform_comparison.yaml"))
    assert_refused(outcome, "reform_comparison.yaml: unknown key 'scenarios'")
    assert [k.name for k in KINDS] == [
        "ensemble", "calibration", "robust", "sensitivity", "experiment", "priors", "targets",
        "scenario",
    ]  # fmt: skip
    outcome = run_cli("validate", "--kind", "priors", str(TARGETS))
    assert_refused(outcome, f"{TARGETS}: unknown key 'targets'")


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
        ({"calibration": "gone.yaml"}, "calibration: file not found: gone.yaml"),
        ({"ensemble": "gone.csv"}, "ensemble: gone.csv: cannot read file (No such file"),
        (
            {"ensemble": str(ENSEMBLES / "technological_vaccine.csv")},
            "made for scenario 'technological_vaccine', not 'uk_2024'",
        ),
        (
            {"reform_sizes": {"mission_councils": {"tie_factor": -1.0}}},
            "reform_sizes.mission_councils.tie_factor: Input should be greater than or equal to 0",
        ),
        (
            {"reform_sizes": {"mission_council": {"tie_factor": 1.0}}},
            "reform_sizes: unknown reform 'mission_council'; did you mean 'mission_councils'?",
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


def _changed(data, path, value):
    """``data`` with the value at ``path`` (keys and list positions) replaced."""
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return data


@pytest.mark.parametrize(
    ("kind", "path", "value", "expected"),
    [
        ("priors", ("inputs", 0, "range"), [0.5, 0.4], "inputs[0].range: expected low <= high"),
        ("priors", ("inputs", 0, "reason"), "a guess", "expected 'source: <where the range"),
        ("priors", ("inputs", 1, "field"), "influence.signal", "declared twice"),
        ("priors", ("inputs", 0, "missions"), ["nsh"], "unknown mission 'nsh'"),
        ("targets", ("targets", 0, "error"), 0, "targets[0].error: Input should be greater"),
        ("targets", ("targets", 0, "source"), " ", "a target needs its source"),
        ("targets", ("targets", 0, "output"), "engaged_volunters", "unknown output"),
        ("targets", ("targets", 0, "data"), "stylised_facts.csv:x,2024", "no row x,2024"),
        ("targets", ("targets", 0, "at"), "1999Q1", "is not within the run"),
        ("targets", ("targets", 0, "conditions"), {"trust.sped": 0.1}, "no field 'sped'"),
        ("calibration", ("infer", 0), "influence.signl", "unknown uncertain input"),
        ("calibration", ("priors",), "gone.yaml", "priors: file not found: gone.yaml"),
        ("calibration", ("particles",), 5, "particles: Input should be greater than or equal"),
        ("calibration", ("members",), float("nan"), "members: Input should be a valid integer"),
    ],
)
def test_priors_targets_and_calibrations_are_judged_naming_the_file(
    tmp_path, kind, path, value, expected
):
    made = {
        "priors": lambda: yaml.safe_load(PRIORS.read_text()),
        "targets": targets_data,
        "calibration": calibration_data,
    }[kind]()
    file = write(tmp_path / f"{kind}.yaml", _changed(made, path, value))
    assert_refused(run_cli("validate", str(file), seconds=60), f"{file}: ", expected)


ENSEMBLE_CSV = ENSEMBLES / "uk_2024.csv"


def ensemble_copy(folder, text):
    """An ensemble CSV of ``text`` beside a copy of the shipped manifest."""
    shutil.copy(ENSEMBLE_CSV.with_suffix(".json"), folder / "e.json")
    (folder / "e.csv").write_text(text)
    return folder / "e.csv"


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda h, r: (h.replace("influence.signal", "influence.signl"), r),
         "column 'influence.signl' is not declared in e.json"),
        (lambda h, r: (h, [r[0].replace(r[0].split(",")[1], "nan", 1), *r[1:]]),
         "line 2: influence.signal: expected a finite number, found nan"),
        (lambda h, r: (h, [r[0].replace(r[0].split(",")[1], "inf", 1), *r[1:]]),
         "line 2: influence.signal: expected a finite number, found inf"),
        (lambda h, r: (h, [r[0].replace(r[0].split(",")[1], "9.5", 1), *r[1:]]),
         "line 2: influence.signal: expected a value in [0.75, 2.25] (its declared range)"),
        (lambda h, r: (h, [r[0].replace(r[0].split(",")[1], "high", 1), *r[1:]]),
         "line 2: influence.signal: expected a number, found 'high'"),
        (lambda h, r: (h, [r[0], r[0], *r[2:]]), "line 3: member: expected a new whole number"),
        (lambda h, r: (h, [r[0].rsplit(",", 1)[0], *r[1:]]),
         f"line 2: expected {len(ENSEMBLE_CSV.read_text().splitlines()[0].split(','))} values"),
        (lambda h, r: (h, []), "the ensemble has no members"),
    ],
)  # fmt: skip
def test_a_bad_ensemble_is_one_line_naming_file_line_and_column(tmp_path, edit, expected):
    header, *rows = ENSEMBLE_CSV.read_text().splitlines()
    header, rows = edit(header, rows)
    path = ensemble_copy(tmp_path, "\n".join([header, *rows]) + "\n")
    assert_refused(run_cli("validate", str(path)), f"{path}: {expected}")


def test_an_ensembles_manifest_is_read_strictly(tmp_path):
    path = ensemble_copy(tmp_path, ENSEMBLE_CSV.read_text())
    manifest = tmp_path / "e.json"
    text = manifest.read_text()
    manifest.write_text(text.replace('"members": 100', '"members": NaN', 1))
    assert_refused(run_cli("validate", str(path)), f"{manifest}: expected a finite number, found")
    head, _, tail = text.rpartition('"members": 100')  # the manifest's own, after "made"
    manifest.write_text(head + '"members": "100"' + tail)
    assert_refused(run_cli("validate", str(path)), f"{manifest}: members: Input should be a valid")
    manifest.unlink()
    assert_refused(run_cli("validate", str(path)), f"{manifest}: the ensemble's manifest: cannot")


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
    "priors": (yaml.safe_load(PRIORS.read_text()), ("name", "inputs")),
    "targets": (targets_data(), ("name", "targets")),
    "calibration": (
        calibration_data(),
        ("name", "priors", "targets", "infer", "scenarios"),
    ),
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
    write(folder / "uk_2024.yaml", uk_data())

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


@st.composite
def broken_cell(draw, rows):
    """The ensemble's rows with one cell made bad: text, NaN, an infinity, or out of range."""
    row = draw(st.integers(0, len(rows) - 1))
    column = draw(st.integers(1, len(rows[row]) - 1))  # a field (members: the cases above)
    value = draw(
        st.sampled_from(["nan", "inf", "-inf", "", "x", "1e999", "0x10", "9e9", "-9e9", "0.5.1"])
    )
    changed = [list(r) for r in rows]
    changed[row][column] = value
    return changed


def test_a_generated_corpus_of_bad_ensembles_gets_one_line_and_exit_2(tmp_path_factory):
    header, *lines = ENSEMBLE_CSV.read_text().splitlines()
    rows = [line.split(",") for line in lines[:5]]
    folder = tmp_path_factory.mktemp("ensemble")

    @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(broken_cell(rows))
    def judge(changed):
        path = ensemble_copy(folder, "\n".join([header, *map(",".join, changed)]) + "\n")
        assert_refused(run_cli("validate", str(path), seconds=30), f"{path}: line ")

    judge()


def test_nan_written_in_a_file_is_refused_wherever_it_goes(tmp_path):
    data = uk_data()
    data["patterns"][0]["conditions"] = {"government.clarity": math.nan}
    path = write(tmp_path / "nan.yaml", data)
    assert_refused(run_cli("validate", str(path)), "finite number")
    with pytest.raises(ScenarioError, match="finite number"):
        validate_file(path)
