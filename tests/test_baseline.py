"""Golden summaries: an unintended change to results fails here (update: tests/baseline.py)."""

import json

import pytest

from .baseline import BASELINE, summaries


def flatten(value, prefix=""):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from flatten(inner, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from flatten(inner, f"{prefix}[{i}]")
    else:
        yield prefix, value


def test_shipped_scenarios_reproduce_their_golden_summaries():
    expected = dict(flatten(json.loads(BASELINE.read_text())))
    actual = dict(flatten(summaries()))
    assert actual.keys() == expected.keys()
    for key, value in expected.items():
        if isinstance(value, float):
            assert actual[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key
        else:
            assert actual[key] == value, key
