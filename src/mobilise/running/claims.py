"""A scenario's claims checked before anything runs: what its patterns and targets read.

Output names are the model's (:mod:`mobilise.model.outcomes`), so this check lives
above the model, not in the schema: :func:`load_checked` is what commands load
scenario files with, so that a file that loads is a file every command can use, and
:func:`load_checked_setup` is how a calibration's targets (in its targets file) are
held to the same test before ``calibrate`` runs anything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mobilise.model.outcomes import BINARY_OUTCOMES, step_columns
from mobilise.schema.calibration import Arm, Setup, load_setup, target_arms
from mobilise.schema.scenario import Scenario, load_scenario
from mobilise.schema.shipped import resolve
from mobilise.schema.targets import Targets, load_targets
from mobilise.vocabulary import ScenarioError, quarter_index, quarter_label, unknown_name


def load_checked(path: str | Path) -> Scenario:
    """:func:`~mobilise.schema.scenario.load_scenario`, then its claims (:func:`check_claims`)."""
    scenario = load_scenario(path)
    file = resolve("scenario", path)
    check_claims(scenario, str(path), file.parent)
    return scenario


def check_claims(scenario: Scenario, source: str, base: Path) -> None:
    """Refuse, in one line, a pattern a run could not read, or a calibration file not there.

    Without running anything, as ``mobilise check`` would meet them: outputs must be
    columns of this scenario's runs (``engaged_<type>`` of its types), conditions must
    make a valid scenario, the step read must lie within the run, and a ``versus`` file
    must exist and load. ``base`` is the folder ``versus`` and calibration files are
    relative to. (The calibration's targets are checked by :func:`load_checked_setup`,
    which loads every file it names: ``calibrate`` and ``validate`` do.)
    """
    for i, pattern in enumerate(scenario.patterns):
        where = f"{source}: patterns[{i}] ('{pattern.name}')"
        arm = _conditioned(scenario, pattern.conditions, f"{where}.conditions")
        _readable(arm, pattern.output, pattern.minus, pattern.at, where)
        if pattern.versus is None:
            continue
        other = scenario
        if pattern.versus.scenario is not None:
            file = base / pattern.versus.scenario
            if not file.is_file():
                raise ScenarioError(
                    f"{where}.versus.scenario: scenario file not found: {pattern.versus.scenario}"
                )
            try:
                other = load_scenario(file)
            except ScenarioError as exc:  # it names its own file; say which pattern uses it
                raise ScenarioError(f"{where}.versus.scenario: {exc}") from None
        other = _conditioned(other, pattern.versus.conditions, f"{where}.versus.conditions")
        _readable(other, pattern.output, pattern.minus, pattern.at, f"{where}.versus")
    if scenario.calibration is not None:
        calibration_file(scenario, source, base)


def calibration_file(scenario: Scenario, source: str, base: Path) -> Path:
    """The calibration file a scenario names (relative to ``base``); one line if it is not there."""
    if scenario.calibration is None:
        raise ScenarioError(f"{source}: calibration: the scenario names no calibration file")
    path = base / scenario.calibration
    if not path.is_file():
        raise ScenarioError(f"{source}: calibration: file not found: {scenario.calibration}")
    return path


def load_checked_setup(path: str | Path) -> Setup:
    """:func:`~mobilise.schema.calibration.load_setup`, then its targets (:func:`check_targets`)."""
    setup = load_setup(path)
    check_targets(setup.arms, setup.targets_path)
    return setup


def load_checked_targets(path: str | Path) -> tuple[Targets, list[Arm]]:
    """A targets file alone: each target that names its scenario checked (:func:`check_targets`)."""
    path = Path(path)
    targets = load_targets(path)
    arms = target_arms(targets, path)
    check_targets(arms, path)
    return targets, arms


def check_targets(arms: list[Arm], source: Path) -> None:
    """Refuse, in one line, a target whose run could not give its output at its step."""
    for arm in arms:
        for target, step in zip(arm.targets, arm.steps, strict=True):
            _readable(arm.scenario, target.output, None, step, f"{source}: target '{target.name}'")


def _conditioned(scenario: Scenario, conditions: dict[str, Any], where: str) -> Scenario:
    for path, value in conditions.items():
        try:
            scenario = scenario.updated(path, value)
        except ScenarioError as exc:
            raise ScenarioError(f"{where}: {exc}") from None
    return scenario


def _readable(scenario: Scenario, output: str, minus: str | None, at: Any, where: str) -> None:
    """``output`` (less ``minus``) can be read from a run of ``scenario`` at ``at``."""
    columns = [*step_columns(scenario.type_names)[2:], *BINARY_OUTCOMES]
    for field, name in (("output", output), ("minus", minus)):
        if name is not None and name not in columns:
            raise ScenarioError(f"{where}.{field}: {unknown_name('output', name, columns)}")
    if output in BINARY_OUTCOMES:
        return
    first = quarter_index(scenario.start) - 1  # step 0: the quarter before the first
    last = first + scenario.quarters
    if isinstance(at, int) and at > scenario.quarters:
        raise ScenarioError(
            f"{where}.at: step {at} is beyond the run's {scenario.quarters} quarters "
            f"(expected a step from 0 to {scenario.quarters}, 'horizon' or 'milestone')"
        )
    due = scenario.mission_spec.key_milestone.quarter
    if at == "milestone" and not first <= quarter_index(due) <= last:
        raise ScenarioError(
            f"{where}.at: the key milestone ({due}) is not within the run "
            f"({quarter_label(first)} to {quarter_label(last)}); read it at the horizon or a step"
        )
