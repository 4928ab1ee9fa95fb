"""Judging any file the CLI reads, without running anything: ``mobilise validate``.

A file's kind is told from its content (the top-level keys only that kind has), or
given (``--kind``). Each kind is judged by the same functions its command uses before
its first run, so a file that passes here is one its command accepts:

- ``scenario`` (``populations``): strict YAML and schema, then its patterns as ``check``
  meets them (:func:`mobilise.running.claims.check_claims`), and its ensemble as the
  commands that run it load it (every member a valid scenario);
- ``experiment`` (``scenarios``): the experiment, its scenario files and sweep points,
  as ``batch`` loads them;
- ``sensitivity`` (``sensitivity``): an experiment, plus the sample ``mobilise
  sensitivity`` would run, every sample point a valid scenario;
- ``robust`` (``levers`` or ``uncertainties``): an experiment, plus what ``mobilise
  robust`` needs: packages and states of the world;
- ``calibration`` (``infer``): what ``mobilise calibrate`` loads before its first run: the
  priors and targets files it names, its scenarios, each target's run and output;
- ``priors`` (``inputs``): the uncertain inputs, each with a range and a reason;
- ``targets`` (``targets``): the observed facts, each with an error and a source, and the
  run of each that names its scenario;
- ``ensemble`` (a ``.csv``): its manifest, every column declared there, every member
  numbered once, every value finite and within its column's range.

A new kind of file is one more :class:`FileKind` in :data:`KINDS`: its name, the
top-level keys that mark it (or, for a file that is not YAML, its suffix), and a
function ``check(path) -> summary`` that raises
:class:`~mobilise.vocabulary.ScenarioError` (one line naming the file) for what its
command would refuse. Put it before any kind whose marks its files also carry (the
more specific first); the CLI's ``--kind`` choices follow :data:`KINDS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mobilise.running.claims import load_checked, load_checked_setup, load_checked_targets
from mobilise.schema.ensemble import choose_ensemble, read_ensemble
from mobilise.schema.files import read_yaml
from mobilise.schema.priors import load_priors
from mobilise.vocabulary import ScenarioError

if TYPE_CHECKING:
    from mobilise.running.design import Design, Uncertainty
    from mobilise.schema.experiment import Sensitivity
    from mobilise.schema.levers import Levers, Robustness


@dataclass(frozen=True)
class FileKind:
    """One kind of input file: how to recognise it and how to judge it."""

    name: str
    marks: tuple[str, ...]  # top-level keys that say a file is of this kind
    check: Callable[[Path], str]  # the summary of a good file; ScenarioError if not
    suffix: str | None = None  # a file that is not YAML: told by its suffix alone


def _scenario(path: Path) -> str:
    scenario = load_checked(path)
    summary = f"scenario {scenario.name}: {scenario.size} agents, {len(scenario.patterns)} patterns"
    worlds = choose_ensemble(path, scenario)
    if worlds is None:
        return summary + ", no ensemble"
    mission = scenario.mission_spec.name
    for index, member in enumerate(worlds.members):  # as a design resolves each member
        scenario.with_values(
            worlds.member_values(index, mission), f"{worlds.path}: member {member}"
        )
    return summary + f", an ensemble of {len(worlds)} members"


def _calibration(path: Path) -> str:
    setup = load_checked_setup(path)
    return (
        f"calibration {setup.spec.name}: {len(setup.inferred())} of {len(setup.inputs)} "
        f"uncertain inputs inferred from {len(setup.targets.calibrating)} targets, for "
        f"{len(setup.scenarios)} scenarios"
    )


def _priors(path: Path) -> str:
    priors = load_priors(path)
    return f"priors {priors.name}: {len(priors.inputs)} uncertain inputs"


def _targets(path: Path) -> str:
    targets, arms = load_checked_targets(path)
    alone = len(targets.targets) - sum(len(arm.targets) for arm in arms)
    later = f"; {alone} read a calibration's scenario, checked with it" if alone else ""
    return (
        f"targets {targets.name}: {len(targets.targets)} targets, "
        f"{len(targets.calibrating)} to calibrate{later}"
    )


def _ensemble(path: Path) -> str:
    worlds = read_ensemble(path)
    return (
        f"ensemble for scenario {worlds.manifest.scenario}: {len(worlds)} members, "
        f"{len(worlds.columns)} uncertain fields"
    )


def _experiment(path: Path) -> str:
    from mobilise.running.design import OWN_ENSEMBLES, load_experiment

    design = load_experiment(path, OWN_ENSEMBLES)  # as batch loads it
    return f"experiment {design.experiment.name}: {design.run_count():,} runs"


def sensitivity_design(
    path: Path, method: str | None = None, samples: int | None = None
) -> tuple[Design, Sensitivity]:
    """The design ``mobilise sensitivity`` runs: the experiment with its sample as points."""
    from mobilise.analysis.sensitivity import with_samples
    from mobilise.running.design import load_experiment

    design = load_experiment(path)
    spec = design.experiment.sensitivity
    if spec is None:
        raise ScenarioError(f"{path}: sensitivity: required for mobilise sensitivity")
    given = {k: v for k, v in (("method", method), ("samples", samples)) if v}
    spec = spec.model_copy(update=given)
    design.experiment = design.experiment.model_copy(update={"sensitivity": spec})
    return with_samples(design, spec, str(path)), spec


def _sensitivity(path: Path) -> str:
    design, spec = sensitivity_design(path)
    return (
        f"sensitivity {design.experiment.name}: {spec.method} over {len(spec.parameters)} "
        f"parameter{'s' if len(spec.parameters) != 1 else ''}, {design.run_count():,} runs"
    )


def robust_design(
    data: Any, path: Path, uncertainty: Uncertainty | None = None
) -> tuple[Design, Levers, Robustness]:
    """The design ``mobilise robust`` runs from the file's (maybe overridden) ``data``.

    ``uncertainty`` says which plausible worlds it crosses the states with (default: none,
    the scenarios as written).
    """
    from mobilise.analysis.robust import check_robust
    from mobilise.running.design import AS_WRITTEN, parse_experiment

    design = parse_experiment(
        data, str(path), base=path.parent, uncertainty=uncertainty or AS_WRITTEN
    )
    design.path = path
    levers, options = check_robust(design, str(path))
    return design, levers, options


def _robust(path: Path) -> str:
    from mobilise.running.design import OWN_ENSEMBLES

    design, levers, _ = robust_design(read_yaml(path), path, OWN_ENSEMBLES)  # as robust does
    return (
        f"robust study {design.experiment.name}: {levers.method()}, "
        f"{len(design.arms)} packages x {len(design.points)} states"
    )


KINDS: tuple[FileKind, ...] = (
    FileKind("ensemble", (), _ensemble, suffix=".csv"),
    FileKind("calibration", ("infer", "priors"), _calibration),
    FileKind("robust", ("levers", "uncertainties", "robustness"), _robust),
    FileKind("sensitivity", ("sensitivity",), _sensitivity),
    FileKind("experiment", ("scenarios",), _experiment),
    FileKind("priors", ("inputs",), _priors),
    FileKind("targets", ("targets",), _targets),
    FileKind("scenario", ("populations", "mission"), _scenario),
)
"""Every kind ``mobilise validate`` knows, the more specific first."""

KINDS_BY_NAME = {kind.name: kind for kind in KINDS}


def kind_of(data: Any) -> FileKind:
    """The kind whose marks the data carries first; a scenario when none.

    A file of no kind is judged as a scenario: its errors then say which keys one takes.
    """
    if isinstance(data, dict):
        for kind in KINDS:
            if any(mark in data for mark in kind.marks):
                return kind
    return KINDS_BY_NAME["scenario"]


def kind_of_file(path: Path) -> FileKind:
    """The kind of a file: by its suffix when a kind claims it, else by its keys."""
    for kind in KINDS:
        if kind.suffix is not None and path.suffix == kind.suffix:
            return kind
    return kind_of(read_yaml(path))


def validate_file(path: str | Path, kind: str | None = None) -> str:
    """What a good file holds, in a few words; :class:`ScenarioError` (one line) if it is bad."""
    path = Path(path)
    chosen = KINDS_BY_NAME[kind] if kind else kind_of_file(path)
    return chosen.check(path)
