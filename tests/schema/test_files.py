"""Reading files strictly: YAML 1.2 scalars, unique keys, limits, and one line for any problem."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mobilise import ScenarioError
from mobilise.schema.files import MAX_DEPTH, MAX_FILE_BYTES, parse_yaml, read_text, read_yaml
from mobilise.schema.scenario import parse_scenario

from ..bad_input import assert_refused, run_cli, time_limit

BASE = "name: t\nmission: nhs\npopulations: {volunteer: {count: 10}}\n"


def refusal(text: str) -> str:
    with pytest.raises(ScenarioError) as info:
        parse_yaml(text, "s.yaml")
    message = str(info.value)
    assert message.startswith("s.yaml: ") and "\n" not in message
    return message


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("x: yes", "yes"),  # YAML 1.1 made these booleans; 1.2 leaves them text
        ("x: on", "on"),
        ("x: true", True),
        ("x: False", False),
        ("x: 010", 10),  # decimal, not octal
        ("x: 1:30", "1:30"),  # not sexagesimal 90
        ("x: 1_000", "1_000"),
        ("x: 1e3", 1000.0),
        ("x: -2.5", -2.5),
        ("x: 2025-01-01", "2025-01-01"),  # dates stay text
        ("x: ~", None),
        ('x: "600"', "600"),
    ],
)
def test_scalars_are_read_as_yaml_1_2_core_reads_them(text, value):
    assert parse_yaml(text, "s.yaml") == {"x": value}


def test_non_finite_numbers_are_read_and_left_to_the_schema():
    data = parse_yaml("a: .nan\nb: -.inf\n", "s.yaml")
    assert data["a"] != data["a"] and data["b"] == float("-inf")


def test_a_duplicate_key_is_refused_naming_both_lines():
    message = refusal("a: 1\nb: {c: 2}\na: 3\n")
    assert message == "s.yaml: line 3: key 'a' appears twice (also line 1)"
    assert "appears twice" in refusal("b: {c: 1, c: 2}")


def test_a_merge_key_may_repeat_what_it_merges():
    data = parse_yaml("base: &b {x: 1, y: 2}\nthis: {<<: *b, x: 5}\n", "s.yaml")
    assert data["this"] == {"x": 5, "y": 2}


def test_keys_are_text():
    assert refusal("1: a") == "s.yaml: line 1: a key must be text, found 1"
    assert "found True" in refusal("true: a")


def test_nesting_is_limited_before_anything_recurses():
    with time_limit(10):
        message = refusal("a: " + "[" * 50_000)
    assert f"nested deeper than {MAX_DEPTH} levels" in message
    parse_yaml("a: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1), "s.yaml")


def test_aliases_cannot_expand_into_a_billion_values():
    bomb = "a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(8)
    )
    with time_limit(10):
        assert "once its aliases are expanded" in refusal(bomb)


def test_an_alias_to_itself_is_refused():
    assert "refers to itself" in refusal("a: &a [*a]")


def test_one_document_per_file():
    assert "YAML syntax error" in refusal("a: 1\n---\nb: 2\n")


def test_an_explicit_tag_that_cannot_hold_its_value_is_one_line():
    assert "YAML value cannot be read" in refusal("a: !!float abc")


def test_syntax_errors_say_where():
    assert refusal("a: [1, 2\nb: 3").startswith("s.yaml: line ")


def test_binary_non_utf8_and_large_files_are_refused_in_one_line(tmp_path):
    cases = {
        "binary.yaml": (b"name: x\n\x00\x01", "a binary file"),
        "latin1.yaml": ("name: Zoë\n".encode("latin-1"), "not UTF-8 text (byte 0xeb at offset 8)"),
        "large.yaml": (b"# " + b"x" * MAX_FILE_BYTES, "larger than 2 MiB"),
    }
    for name, (data, expected) in cases.items():
        path = tmp_path / name
        path.write_bytes(data)
        with pytest.raises(ScenarioError) as info:
            read_yaml(path)
        assert str(info.value).startswith(f"{path}: {expected}")
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbfa: 1\n")
    assert read_yaml(tmp_path / "bom.yaml") == {"a": 1}
    with pytest.raises(ScenarioError, match="is a folder"):
        read_text(tmp_path)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("count: yes", "count: Input should be a valid integer (found 'yes')"),
        ('count: "10"', "count: Input should be a valid integer (found '10')"),
        ("count: true", "count: Input should be a valid integer (found True)"),
        ("count: 1.0", "count: Input should be a valid integer (found 1.0)"),
        ("{count: 10, cost: '0.5'}", "cost: Input should be a valid number (found '0.5')"),
        (
            "count: 1000000000000000000000000000000",
            "count: Input should be less than or equal to 1000000",
        ),
        (
            "{count: 10, alignment: {dist: uniform, a: -1.0e12, b: 0.9}}",
            "alignment: draws from -1e+12 to 0.9 (mean -5e+11), but alignment has a meaning "
            "only in [0, 1]",
        ),
    ],
)
def test_a_file_is_validated_strictly_and_within_domains(fields, expected):
    if not fields.startswith("{"):
        fields = "{" + fields + "}"
    text = f"name: t\nmission: nhs\npopulations:\n  volunteer: {fields}\n"
    with pytest.raises(ScenarioError) as info:
        parse_scenario(parse_yaml(text, "s.yaml"), "s.yaml")
    assert str(info.value).startswith(f"s.yaml: populations.volunteer.{expected}")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=400) | st.text(max_size=400).map(str.encode))
def test_any_bytes_are_judged_in_one_line_never_a_traceback(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("bytes") / "any.yaml"
    path.write_bytes(data)
    outcome = run_cli("validate", str(path), seconds=10)
    if outcome.code:
        assert_refused(outcome, str(path))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(BASE)), st.text(max_size=12))
def test_a_scenario_cut_or_spliced_anywhere_loads_or_is_one_line(tmp_path_factory, cut, splice):
    path = tmp_path_factory.mktemp("spliced") / "s.yaml"
    path.write_text(BASE[:cut] + splice + BASE[cut:])
    outcome = run_cli("validate", str(path), seconds=10)
    if outcome.code:
        assert_refused(outcome, str(path))
