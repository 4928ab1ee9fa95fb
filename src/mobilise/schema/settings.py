"""``--set FIELD=VALUE``: any scenario field by its dotted path, validated as the file is.

The value is read as a scenario file's YAML reads a scalar (:func:`~mobilise.schema.files.
parse_yaml`: ``2``, ``0.35``, ``true``, ``nhs``; ``yes`` stays text, ``.nan`` is refused by
the field), so a ``--set`` means what the same line would in the scenario file, and a member
of an ensemble is reproduced alone by its fields as ``--set``s.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mobilise.schema.files import parse_yaml
from mobilise.schema.scenario import Scenario
from mobilise.vocabulary import ScenarioError


def parse_setting(text: str) -> tuple[str, Any]:
    """``FIELD=VALUE`` as (dotted path, value); one line if it is not of that form."""
    path, sep, raw = text.partition("=")
    path = path.strip()
    if not sep or not path or not raw.strip():
        raise ScenarioError(f"--set {text}: expected FIELD=VALUE, e.g. influence.signal=1.2")
    try:
        value = parse_yaml(raw, "value")
    except ScenarioError:
        raise ScenarioError(f"--set {text}: cannot read the value {raw!r}") from None
    return path, value


def apply_settings(scenario: Scenario, texts: Sequence[str]) -> Scenario:
    """The scenario with every ``--set`` applied in order, each validated as the file is."""
    for text in texts:
        path, value = parse_setting(text)
        try:
            scenario = scenario.updated(path, value)
        except ScenarioError as exc:
            raise ScenarioError(f"--set {text}: {exc}") from None
    return scenario


def settings_fields(texts: Sequence[str]) -> list[str]:
    """The dotted paths a list of ``--set``s names."""
    return [parse_setting(text)[0] for text in texts]
