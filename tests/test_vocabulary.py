"""The ground floor: the quarter calendar, unknown names, and the error classes."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mobilise.vocabulary import (
    InputError,
    OutputError,
    ScenarioError,
    UnknownNameError,
    check_known,
    quarter_index,
    quarter_label,
    unknown_name,
)


def test_quarter_index_counts_quarters_since_year_zero():
    assert quarter_index("0000Q1") == 0
    assert quarter_index("0001Q1") == 4
    assert quarter_index("2025Q1") == 8100
    assert quarter_index("2025Q4") == 8103


def test_consecutive_quarters_differ_by_one_across_a_year_end():
    assert quarter_index("2026Q1") - quarter_index("2025Q4") == 1
    assert quarter_index("2035Q1") - quarter_index("2025Q1") == 40


@given(st.integers(1000, 9999), st.integers(1, 4))
def test_label_of_index_is_the_label(year, quarter):
    label = f"{year}Q{quarter}"
    assert quarter_label(quarter_index(label)) == label


@given(st.integers(4000, 39_999))
def test_index_of_label_is_the_index(index):
    assert quarter_index(quarter_label(index)) == index


@pytest.mark.parametrize("label", ["2025Q0", "2025Q5", "2025q1", "25Q1", "2025-Q1", "Q1 2025", ""])
def test_a_label_that_is_not_a_quarter_is_one_line(label):
    with pytest.raises(ValueError, match=r"expected a quarter like 2025Q1") as info:
        quarter_index(label)
    assert repr(label) in str(info.value)
    assert "\n" not in str(info.value)


def test_a_label_with_a_trailing_newline_is_refused():
    with pytest.raises(ValueError):
        quarter_index("2025Q1\n")


def test_unknown_name_suggests_the_closest_known_name_in_one_line():
    error = unknown_name("reform", "pooled_budget", ["mission_councils", "pooled_budgets"])
    assert isinstance(error, UnknownNameError)
    assert str(error) == (
        "unknown reform 'pooled_budget'; did you mean 'pooled_budgets'? "
        "(expected one of: mission_councils, pooled_budgets)"
    )


def test_unknown_name_without_a_close_match_gives_no_hint():
    error = unknown_name("mission", "moonshot", ["nhs", "growth"])
    assert str(error) == "unknown mission 'moonshot' (expected one of: nhs, growth)"


def test_unknown_name_accepts_any_iterable_and_non_string_names():
    error = unknown_name("key", 3, iter(["a", "b"]))
    assert str(error) == "unknown key '3' (expected one of: a, b)"


def test_check_known_returns_a_known_name():
    assert check_known("actor type", "union", ("union", "charity")) == "union"


def test_check_known_reads_a_one_shot_iterable_once_for_both_check_and_message():
    with pytest.raises(UnknownNameError) as info:
        check_known("actor type", "unoin", (name for name in ("union", "charity")))
    assert str(info.value) == (
        "unknown actor type 'unoin'; did you mean 'union'? (expected one of: union, charity)"
    )


def test_check_known_on_a_mapping_uses_its_keys():
    with pytest.raises(UnknownNameError, match=r"\(expected one of: a, b\)$"):
        check_known("output", "c", {"a": 1, "b": 2})


def test_error_classes():
    # ValueError, so that raised inside a pydantic validator they become validation errors
    for cls in (InputError, OutputError, UnknownNameError):
        assert issubclass(cls, ValueError)
    assert ScenarioError is InputError
    assert not issubclass(OutputError, InputError)
    assert not issubclass(UnknownNameError, InputError)


def test_the_extras_are_those_pyproject_declares_and_are_installed_here():
    import tomllib

    from mobilise.vocabulary import EXTRAS, require_extra

    from .conftest import ROOT

    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    optional = set(declared["optional-dependencies"]) - {"test", "docs"}
    assert set(EXTRAS) == optional  # a new extra is named with the modules it brings
    for extra in EXTRAS:
        require_extra(extra, "the test suite")  # the test extra installs every one


def test_a_missing_extra_is_one_line_naming_it():
    from mobilise.vocabulary import extra_of, missing_extra

    assert str(missing_extra("app", "mobilise app")) == (
        "mobilise app needs the 'app' extra: pip install 'mobilise[app]'"
    )
    assert extra_of("SALib.sample") == "sensitivity"
    assert extra_of("distributed") == "dask"
    assert extra_of("numpy") is None and extra_of(None) is None
