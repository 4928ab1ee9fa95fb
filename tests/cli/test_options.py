"""Every bad value of every command, generated: one line, exit 2, nothing started or made."""

import math

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobilise.schema.reforms import REFORMS

from ..bad_input import assert_refused, run_cli
from ..conftest import SCENARIOS, movable

UK = str(SCENARIOS / "uk_2024.yaml")
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


def number_like(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


TEXT = st.text(max_size=10).filter(lambda t: not number_like(t))
NOT_FINITE = st.sampled_from(["nan", "NaN", "inf", "-inf", "Infinity", "-infinity", "+inf"])


def integers_outside(low: int, high: int | None) -> st.SearchStrategy[str]:
    """Integer options' bad values: below, above (when bounded), text, fractions."""
    below = st.integers(max_value=low - 1, min_value=-(10**30)).map(str)
    options = [below, TEXT, st.sampled_from(["1.5", "1e3", "nan", "inf", ""])]
    if high is not None:
        options.append(st.integers(min_value=high + 1, max_value=10**30).map(str))
    return st.one_of(*options)


def numbers_outside(low: float | None, high: float | None, *, low_open: bool = False):
    """Float options' bad values: NaN, infinities, text, and numbers out of range."""
    options = [NOT_FINITE, TEXT]
    if low is not None:
        top = math.nextafter(low, -math.inf) if not low_open else low
        options.append(st.floats(max_value=top, min_value=-1e300).map(repr))
    if high is not None:
        options.append(
            st.floats(min_value=math.nextafter(high, math.inf), max_value=1e300).map(repr)
        )
    return st.one_of(*options)


METHODS = ("morris", "sobol")
REFORM = st.sampled_from(sorted(REFORMS))
BAD_REFORMS = st.one_of(
    REFORM.map(lambda r: f"{r}="),  # no strength after '='
    st.tuples(REFORM, numbers_outside(0, 1)).map(lambda t: f"{t[0]}={t[1]}"),
    st.from_regex(r"[a-z_]{1,20}", fullmatch=True).filter(lambda n: n not in REFORMS),
    REFORM.map(lambda r: f"={r}"),
)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """Small experiment, sensitivity and robust files, good ones: the values are what is bad."""
    folder = tmp_path_factory.mktemp("files")
    (folder / "uk.yaml").write_text(yaml.safe_dump(movable("uk_2024"), sort_keys=False))
    (folder / "batch.yaml").write_text(
        "name: small\nscenarios: [uk.yaml]\nquarters: 4\nreplications: 2\n"
        "arms: {single: [mission_councils]}\n"
    )
    (folder / "sensitivity.yaml").write_text(
        "name: sens\nscenarios: [uk.yaml]\nquarters: 4\nreplications: 1\n"
        "sensitivity: {samples: 2, parameters: {influence.signal: [0.5, 1.5]}}\n"
    )
    (folder / "robust.yaml").write_text(
        "name: rob\nscenarios: [uk.yaml]\nquarters: 4\nreplications: 1\n"
        "levers: {reforms: [mission_councils], max_reforms: 1}\n"
        "uncertainties: {samples: 2, ranges: {constraints.union_density: [0.1, 0.3]}}\n"
    )
    return folder


def commands(folder):
    """(command, option, strategy of bad values, what the message names)."""
    batch, sens, rob = (str(folder / f) for f in ("batch.yaml", "sensitivity.yaml", "robust.yaml"))
    out = ["--out", str(folder / "never")]
    return [
        (["run", UK, *out], "--steps", integers_outside(1, 400)),
        (["run", UK, *out], "--seed", integers_outside(0, None)),
        (["run", UK, *out], "--reform", BAD_REFORMS),
        (["compare", UK, *out], "--reform", BAD_REFORMS),
        (["compare", UK, "--reform", "mission_councils", *out], "--replications",
         integers_outside(1, 100_000)),
        (["compare", UK, "--reform", "mission_councils", *out], "--precision",
         numbers_outside(0, None, low_open=True)),
        (["batch", batch, *out], "--precision", numbers_outside(0, None, low_open=True)),
        (["batch", batch, *out], "--workers", integers_outside(1, 1024)),
        (["batch", batch, *out], "--replications", integers_outside(1, 100_000)),
        (["sensitivity", sens, *out], "--samples", integers_outside(2, 10_000)),
        (["sensitivity", sens, *out], "--method", TEXT.filter(lambda t: t not in METHODS)),
        (["robust", rob, *out], "--top", integers_outside(1, 1000)),
        (["robust", rob, *out], "--replications", integers_outside(1, 100_000)),
        (["check", UK], "--seeds", integers_outside(2, 10_000)),
        (["check", UK], "--members", integers_outside(1, 100_000)),
        (["check", UK], "--workers", integers_outside(1, 1024)),
        (["compare", UK, "--reform", "mission_councils", *out], "--members",
         integers_outside(1, 100_000)),
        (["calibrate", UK, "--check"], "--members", integers_outside(1, 100_000)),
        (["calibrate", UK, "--check"], "--seeds", integers_outside(1, 1000)),
        (["calibrate", UK, "--ensemble", *out], "--workers", integers_outside(1, 1024)),
        (["discover", str(folder)], "--threshold", st.one_of(NOT_FINITE, TEXT)),
        (["discover", str(folder)], "--min-coverage", numbers_outside(0, 1)),
    ]  # fmt: skip


def test_every_bad_option_value_is_one_line_exit_2_and_starts_nothing(files):
    cases = commands(files)

    @SETTINGS
    @given(st.data())
    def judge(data):
        args, option, values = data.draw(st.sampled_from(cases))
        value = data.draw(values)
        outcome = run_cli(*args, option, value, seconds=30)
        assert_refused(outcome, option)
        assert not (files / "never").exists()

    judge()


def test_the_same_reform_twice_and_an_empty_strength_are_refused():
    assert_refused(
        run_cli("run", UK, "--reform", "mission_councils", "--reform", "mission_councils=0.5"),
        "--reform",
        "'mission_councils' is given twice",
    )
    assert_refused(
        run_cli("compare", UK, "--reform", "mission_councils="),
        "'mission_councils=': give a strength in [0, 1] after '='",
    )
    assert_refused(run_cli("run", UK, "--reform", "pooled_budgets=nan"), "found nan")


def test_nan_and_infinity_are_refused_where_a_range_would_let_them_through():
    for value in ("nan", "inf"):
        outcome = run_cli("discover", "nowhere", "--threshold", value)
        assert_refused(outcome, "'--threshold': expected a finite number")


@pytest.mark.parametrize("scheme", ["garbage://x", "nonsense", "tcp:/missing-slash", "://"])
def test_an_address_that_is_no_dask_scheduler_is_one_line_and_makes_nothing(files, scheme):
    out = files / "scheduler"
    outcome = run_cli("batch", str(files / "batch.yaml"), "--scheduler", scheme, "--out", str(out))
    assert_refused(outcome, "'--scheduler': cannot reach a Dask scheduler at ")
    assert not out.exists()


def unusable_outputs(folder):
    (folder / "a_file").write_text("not a folder")
    return {
        str(folder / "a_file"): "is a file",
        str(folder / "a_file" / "below"): f"is under {folder / 'a_file'}, a file",
        "/proc/mobilise_out": "cannot write here (No such file or directory)",
        "/sys/mobilise_out": "cannot write here (",
    }


@pytest.mark.parametrize(
    "command",
    [
        ["run", UK, "--steps", "2"],
        ["batch", "{batch}", "--quiet"],
        ["compare", UK, "--reform", "mission_councils", "--replications", "2", "--quiet"],
        ["sensitivity", "{sensitivity}", "--quiet"],
        ["robust", "{robust}", "--quiet"],
    ],
    ids=["run", "batch", "compare", "sensitivity", "robust"],
)
def test_an_output_folder_that_cannot_be_used_is_one_line_before_any_run(files, command):
    args = [a.format(**{k: files / f"{k}.yaml" for k in ("batch", "sensitivity", "robust")})
            for a in command]  # fmt: skip
    for out, expected in unusable_outputs(files).items():
        outcome = run_cli(*args, "--out", out, seconds=60)
        assert_refused(outcome, f"{out}: {expected}")
        assert outcome.out == ""  # nothing ran: no run printed its summary


def test_calibrate_checks_where_it_will_write_before_it_fits(files):
    for out, expected in unusable_outputs(files).items():
        outcome = run_cli("calibrate", UK, "--ensemble", "--out", out, seconds=60)
        assert_refused(outcome, f"{out}: {expected}")
        assert outcome.out == "", "it fitted before finding it could not write"
    outcome = run_cli("calibrate", UK, "--ensemble", "--scheduler", "nonsense", "--out",
                      str(files / "never"))  # fmt: skip
    assert_refused(outcome, "'--scheduler': cannot reach a Dask scheduler at ")
    assert not (files / "never").exists()
