"""Patterns: the shipped scenarios' declared claims hold, and the checker measures right.

The shipped patterns (DESIGN's pattern-oriented modelling, issue "Model v1":
P1-P5) are asserted with stated seeds: 20 replications from master seed 0, as
`mobilise check` runs them by default.
"""

import numpy as np
import pytest
import yaml

from mobilise import ScenarioError, load_scenario, run
from mobilise.analysis.patterns import check
from mobilise.cli import main
from mobilise.running.design import replication_seeds
from mobilise.schema.patterns import Pattern

from ..conftest import SCENARIOS

SEEDS, MASTER = 20, 0


@pytest.mark.parametrize(
    "file",
    [
        "uk_2024.yaml",
        "uk_early_1980s.yaml",
        "technological_vaccine.yaml",
        "minimal_threshold.yaml",
        "denmark_2024.yaml",
        "uk_nhs_danish_structures.yaml",
        "uk_2024_five_missions.yaml",
    ],
)
def test_shipped_scenario_reproduces_every_declared_pattern(file):
    scenario = load_scenario(SCENARIOS / file)
    results = check(scenario, replications=SEEDS, seed=MASTER, base=SCENARIOS)
    assert results, "every shipped scenario declares its patterns"
    missed = [r.line() for r in results if not r.ok]
    assert not missed, "\n".join(missed)


def test_uk_declares_the_issue_patterns(uk):
    names = " ".join(p.name for p in uk.patterns)
    for label in ("P1", "P2", "P3", "P5"):
        assert label in names
    outputs = {p.output for p in uk.patterns if p.name.startswith("P2")}
    assert {f"engaged_{t}" for t in ("business", "union", "investor", "charity", "volunteer")} <= (
        outputs
    )


# --- the checker measures what it says -------------------------------------------------


def _pattern(**fields):
    return Pattern(**{"name": "t", "output": "engaged_business", "at_least": 0.0, **fields})


def evaluate(scenario, pattern, seeds, base=None):
    """One pattern measured over ``seeds`` = (master, replications), the scenario as written."""
    master, count = seeds
    return check(scenario, replications=count, seed=master, patterns=[pattern], base=base)[0]


def test_reads_the_step_asked_for(minimal):
    seeds = (0, 2)
    domino = evaluate(minimal, _pattern(at=3, near=0.03, tolerance=1e-9), seeds)
    assert domino.value == pytest.approx(0.03) and domino.ok  # one more agent per step
    assert evaluate(minimal, _pattern(at_least=1.0), seeds).value == 1.0  # the horizon


def test_mean_sd_and_band_match_the_runs_themselves(uk):
    short = uk.updated("quarters", 8)
    seeds = replication_seeds(5, 6)
    values = np.array([run(short, seed=s)["metric"].iloc[-1] for s in seeds])
    mean = evaluate(short, _pattern(output="metric"), (5, 6))
    assert mean.value == pytest.approx(values.mean())
    assert (mean.low, mean.high) == pytest.approx(tuple(np.quantile(values, [0.05, 0.95])))
    sd = evaluate(short, _pattern(output="metric", statistic="sd"), (5, 6))
    assert sd.value == pytest.approx(values.std())


def test_versus_is_a_paired_difference_in_shares_of_the_gap(uk):
    short = uk.updated("quarters", 8)
    seeds = replication_seeds(1, 4)
    runner = (1, 4)
    same = evaluate(short, _pattern(output="metric", versus={}), runner)
    assert same.value == 0.0 and same.low == 0.0 == same.high  # common random numbers
    pattern = _pattern(
        output="metric", conditions={"constraints.union_density": 0.5}, versus={}, scale="gap"
    )
    gap = short.mission_spec.target - short.mission_spec.baseline
    stronger = short.updated("constraints.union_density", 0.5)
    expected = np.mean(
        [(run(stronger, seed=s)["metric"].iloc[-1] - run(short, seed=s)["metric"].iloc[-1]) / gap
         for s in seeds]
    )  # fmt: skip
    assert evaluate(short, pattern, runner).value == pytest.approx(expected)


def test_the_danish_contrast_is_the_paired_difference_of_the_two_files(uk):
    """C1 reads the NHS metric under Denmark's structures minus uk_2024's, seed by seed."""
    contrast = load_scenario(SCENARIOS / "uk_nhs_danish_structures.yaml")
    (c1,) = [p for p in contrast.patterns if p.name == "C1 NHS metric at the horizon"]
    assert c1.versus is not None and c1.versus.scenario == "uk_2024.yaml"
    seeds = replication_seeds(0, 3)
    result = evaluate(contrast, c1, (0, 3), base=SCENARIOS)
    gap = uk.mission_spec.target - uk.mission_spec.baseline
    differences = [
        (run(contrast, seed=s)["metric"].iloc[-1] - run(uk, seed=s)["metric"].iloc[-1]) / gap
        for s in seeds
    ]
    assert result.value == pytest.approx(np.mean(differences))
    assert (result.low, result.high) == pytest.approx(tuple(np.quantile(differences, [0.05, 0.95])))


def test_minus_subtracts_run_by_run(uk):
    short = uk.updated("quarters", 4)
    runner = (0, 3)
    result = evaluate(short, _pattern(output="engaged_union", minus="reach_union"), runner)
    engaged = evaluate(short, _pattern(output="engaged_union"), runner).value
    density = evaluate(short, _pattern(output="union_density"), runner).value  # unions' reach
    assert density < short.constraints.union_density  # on its trend
    assert result.value == pytest.approx(engaged - density)


def test_expectations_in_words_and_verdicts():
    p = _pattern(above=0.02, below=0.85, at_least=None)
    assert p.expected() == "in (0.02, 0.85)"
    assert p.holds(0.5) and not p.holds(0.02) and not p.holds(float("nan"))
    near = _pattern(near=0.16, tolerance=0.03, at_least=None)
    assert near.expected() == "0.16 +/- 0.03" and near.misses_by(0.19) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"at_least": None}, "expected one of above, below, at_least, at_most, near"),
        ({"near": 0.1}, "near and tolerance go together"),
        ({"output": "volunteers engaged"}, "unknown output 'volunteers engaged'"),
        ({"reforms": {"pooled_budget": 1}}, "unknown reform 'pooled_budget'"),
    ],
)
def test_bad_patterns_are_refused_in_one_line(uk, fields, message):
    with pytest.raises(ScenarioError, match=message):
        uk.updated("patterns", [{"name": "bad", "output": "metric", "at_least": 0, **fields}])


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"output": "volunteers_engaged"}, "unknown output 'volunteers_engaged'"),
        ({"minus": "reach_"}, "unknown output 'reach_'"),
    ],
)
def test_an_output_the_model_does_not_declare_is_refused_before_running(uk, fields, message):
    """Which outputs exist is the model's to say: checked before any run, in one line."""
    bad = uk.updated("patterns", [{"name": "bad", "output": "metric", "at_least": 0, **fields}])
    with pytest.raises(ScenarioError, match=rf"^s.yaml: pattern 'bad': {message}"):
        check(bad, replications=1, source="s.yaml")


def test_a_condition_on_an_unknown_field_names_the_pattern(uk):
    runner = (0, 2)
    with pytest.raises(ScenarioError, match=r"pattern 't': conditions: .*no field 'union_dens'"):
        evaluate(uk, _pattern(conditions={"constraints.union_dens": 0.5}), runner)


# --- the command ---------------------------------------------------------------------------


def _scenario_file(tmp_path, uk, patterns):
    data = uk.updated("quarters", 6).model_dump(mode="json", by_alias=True)
    data.update(patterns=patterns, ensemble=None, calibration=None)
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_check_exits_0_when_every_pattern_holds_and_1_on_a_miss(tmp_path, uk, capsys):
    holds = {"name": "interior", "output": "engaged_volunteer", "above": 0.0, "below": 1.0}
    cannot = {"name": "impossible", "output": "engaged_union", "above": 0.9, "source": "none"}
    main(["check", str(_scenario_file(tmp_path, uk, [holds])), "--seeds", "3"])
    assert "1 of 1 patterns ok" in capsys.readouterr().out
    with pytest.raises(SystemExit) as info:
        main(["check", str(_scenario_file(tmp_path, uk, [holds, cannot])), "--seeds", "3"])
    assert info.value.code == 1
    out = capsys.readouterr().out
    assert "MISS  impossible" in out and "expected > 0.9" in out and "[none]" in out


@pytest.mark.parametrize(
    ("patterns", "message"),
    [
        ([], "declares no patterns"),
        ([{"name": "x", "output": "metric"}], "expected one of above"),
        ([{"name": "x", "output": "metric", "at_least": 0, "versus": {"scenario": "gone.yaml"}}],
         "gone.yaml"),
    ],
)  # fmt: skip
def test_check_bad_input_is_one_line_and_exit_2(tmp_path, uk, capsys, patterns, message):
    with pytest.raises(SystemExit) as info:
        main(["check", str(_scenario_file(tmp_path, uk, patterns)), "--seeds", "2"])
    assert info.value.code == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1


def test_ratio_to_divides_by_the_same_pattern_in_another_scenario(tmp_path, uk, vaccine):
    """The thesis pattern's arithmetic: one mission's paired effect over another's, same seeds."""
    (tmp_path / "uk.yaml").write_text(yaml.safe_dump(uk.updated("quarters", 6).model_dump()))
    short = vaccine.updated("quarters", 4)
    seeds = replication_seeds(2, 4)
    fields = {"output": "metric", "at": 3, "conditions": {"government.budget": 2.0},
              "versus": {}, "scale": "gap"}  # fmt: skip
    ratio = evaluate(short, _pattern(**fields, ratio_to="uk.yaml"), (2, 4), base=tmp_path)
    other = load_scenario(tmp_path / "uk.yaml")

    def effect(scenario):
        gap = scenario.mission_spec.target - scenario.mission_spec.baseline
        richer = scenario.updated("government.budget", 2.0)
        return np.mean([(run(richer, seed=s)["metric"].iloc[3] - run(scenario, seed=s)["metric"]
                         .iloc[3]) / gap for s in seeds])  # fmt: skip

    assert ratio.value == pytest.approx(effect(short) / effect(other))
    assert ratio.low <= ratio.value <= ratio.high
    assert "over the same in uk.yaml" in ratio.line()
