"""Ensembles: the plausible worlds a calibration leaves, as data a scenario names.

An ensemble is a CSV next to the scenario: one row per member, a ``member`` column
(1, 2, ...) and one column per uncertain field, named by its dotted scenario path
(``influence.signal``, ``reform_sizes.mission_councils.tie_factor``). Beside it, a
manifest (same name, ``.json``) says which scenario it was made for, each column's
range and reason (and whether calibration informed it or it is drawn from its
prior), and how it was made (targets, ε schedule, acceptance, seeds, versions,
hashes: ``mobilise calibrate --ensemble`` writes both).

Loading checks the ensemble against the scenario it is used with: made for that
scenario, every column a field of it, every value finite and within its declared
range; a problem is one line. Member 0 is the scenario as written (no ensemble).
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from mobilise.schema.files import read_text, validated
from mobilise.schema.ranges import Range
from mobilise.schema.scenario import Scenario
from mobilise.schema.strict import Strict
from mobilise.vocabulary import ScenarioError

NONE = "none"
"""``--ensemble none``: the scenario as written, member 0."""

DEFAULT_MEMBERS = 40
"""Members a command runs when neither it nor the experiment says: with 10 seeds each, the
README's comparison (5 arms) is 2,000 runs, about 8 s on two cores (benchmarks/)."""

SEEDS_PER_MEMBER = 10
"""Replications of each member by default (``compare``, ``check``): enough to split an
effect's variance between parameters and seeds."""


class Column(Strict):
    """One uncertain field of an ensemble: its range, reason and whether data informed it."""

    range: Range
    reason: str
    missions: list[str] = Field(default_factory=list, description="the missions it belongs to")
    status: Literal["inferred", "drawn", "prior"] = Field(
        description="inferred: searched by ABC-SMC; drawn: drawn from its prior for each "
        "simulation and kept with the accepted particles; prior: no target's run depends on "
        "it, so its posterior is its prior"
    )
    integer: bool = False


class Manifest(Strict):
    """What an ensemble is for and how it was made (the JSON beside the CSV)."""

    scenario: str = Field(description="the name of the scenario it was made for")
    scenario_file_sha256: str = ""
    calibration: str = Field(description="the calibration file that made it")
    members: int = Field(ge=1)
    csv_sha256: str = ""
    columns: dict[str, Column]
    made: dict[str, Any] = Field(
        default_factory=dict,
        description="how it was made: targets, priors, epsilon schedule, acceptance, seeds, "
        "versions and hashes",
    )


@dataclass(frozen=True)
class Ensemble:
    """An ensemble checked against a scenario: its members' values, by member id."""

    path: Path
    sha256: str
    manifest: Manifest
    columns: tuple[str, ...]
    members: tuple[int, ...]
    values: tuple[dict[str, float], ...]

    def __len__(self) -> int:
        return len(self.members)

    def first(self, count: int | None) -> Ensemble:
        """The first ``count`` members (all when ``None``): members are in random order."""
        if count is None or count >= len(self):
            return self
        return Ensemble(
            self.path,
            self.sha256,
            self.manifest,
            self.columns,
            self.members[:count],
            self.values[:count],
        )

    def member_values(self, index: int, mission: str) -> dict[str, float | int]:
        """Member ``index``'s fields (position in this ensemble) for a scenario of ``mission``.

        A mission's own quantity (its elasticity, its push-back) is left out for other
        missions: they keep their catalogue values.
        """
        out: dict[str, float | int] = {}
        for name, value in self.values[index].items():
            column = self.manifest.columns[name]
            if column.missions and mission not in column.missions:
                continue
            out[name] = round(value) if column.integer else value
        return out

    def record(self) -> dict[str, Any]:
        """What a run's manifest says of it: ``{path, sha256, members}``."""
        return {"path": str(self.path), "sha256": self.sha256, "members": len(self)}


def manifest_path(path: Path) -> Path:
    """The manifest beside an ensemble CSV."""
    return path.with_suffix(".json")


def read_ensemble(path: str | Path, source: str | None = None) -> Ensemble:
    """Read an ensemble and check it against its manifest (one line on any problem).

    Every column declared, every member a new whole number from 1, every value finite
    and within its column's declared range. What ``mobilise validate`` can say of the
    file alone; :func:`load_ensemble` also checks it against a scenario.
    """
    path = Path(path)
    where = source or str(path)
    try:
        text = read_text(path, "CSV")
    except ScenarioError as exc:  # it names the file; say it is the ensemble
        raise ScenarioError(f"{where}: {_problem(exc, path)}") from None
    manifest = _manifest(manifest_path(path))
    rows = list(csv.reader(text.splitlines()))
    if not rows or not rows[0]:
        raise ScenarioError(f"{where}: expected a header row with 'member' and field paths")
    header = rows[0]
    if header[0] != "member":
        raise ScenarioError(f"{where}: the first column must be 'member', found {header[0]!r}")
    columns = header[1:]
    for name in columns:
        if name not in manifest.columns:
            raise ScenarioError(
                f"{where}: column '{name}' is not declared in {manifest_path(path).name}"
            )
    members: list[int] = []
    values: list[dict[str, float]] = []
    for line, row in enumerate(rows[1:], start=2):
        if len(row) != len(header):
            raise ScenarioError(
                f"{where}: line {line}: expected {len(header)} values, found {len(row)}"
            )
        member = _number(row[0], where, line, "member")
        if member != int(member) or member < 1 or int(member) in members:
            raise ScenarioError(
                f"{where}: line {line}: member: expected a new whole number >= 1, found {row[0]!r}"
            )
        members.append(int(member))
        entry = {}
        for name, text in zip(columns, row[1:], strict=True):
            value = _number(text, where, line, name)
            span = manifest.columns[name].range
            if not span.low <= value <= span.high:
                raise ScenarioError(
                    f"{where}: line {line}: {name}: expected a value in "
                    f"[{span.low:g}, {span.high:g}] (its declared range), found {value:g}"
                )
            entry[name] = value
        values.append(entry)
    if not members:
        raise ScenarioError(f"{where}: the ensemble has no members")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Ensemble(path, digest, manifest, tuple(columns), tuple(members), tuple(values))


def load_ensemble(path: str | Path, scenario: Scenario, source: str | None = None) -> Ensemble:
    """Read an ensemble and check it against ``scenario`` too (one line on any problem).

    Made for that scenario, and every column a numeric field of it.
    """
    where = source or str(path)
    ensemble = read_ensemble(path, where)
    if ensemble.manifest.scenario != scenario.name:
        raise ScenarioError(
            f"{where}: made for scenario '{ensemble.manifest.scenario}', not '{scenario.name}' "
            "(recalibrate with mobilise calibrate SCENARIO --ensemble, or --ensemble none)"
        )
    for name in ensemble.columns:
        try:
            current = scenario.value_at(name)
        except ScenarioError as exc:
            raise ScenarioError(f"{where}: column '{name}': {exc}") from None
        if isinstance(current, bool) or not isinstance(current, int | float):
            raise ScenarioError(
                f"{where}: column '{name}': expected a numeric scenario field, "
                f"found {type(current).__name__}"
            )
    return ensemble


def _number(text: str, where: str, line: int, name: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ScenarioError(
            f"{where}: line {line}: {name}: expected a number, found {text!r}"
        ) from None
    if not math.isfinite(value):
        raise ScenarioError(f"{where}: line {line}: {name}: expected a finite number, found {text}")
    return value


def _problem(exc: ScenarioError, path: Path) -> str:
    """What :func:`read_text` found, without the file name it begins with."""
    return str(exc).removeprefix(f"{path}: ")


def _manifest(path: Path) -> Manifest:
    """The manifest beside an ensemble: JSON, read as strictly as a YAML file (one line)."""
    try:
        text = read_text(path, "JSON")
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: the ensemble's manifest: {_problem(exc, path)}") from None
    try:
        data = json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ScenarioError(f"{path}: line {exc.lineno}: invalid JSON: {exc.msg}") from None
    except ValueError as exc:
        raise ScenarioError(f"{path}: {exc}") from None
    return validated(Manifest, data, str(path), "ensemble manifest")


def _no_constant(name: str) -> float:
    """JSON has no NaN or infinity (Python's reader allows them): refuse them."""
    raise ValueError(f"expected a finite number, found {name}")


def ensemble_path(scenario_file: str | Path, scenario: Scenario) -> Path | None:
    """The ensemble a scenario file names, resolved against the file's folder."""
    if scenario.ensemble is None:
        return None
    return (Path(scenario_file).parent / scenario.ensemble).resolve()


def choose_ensemble(
    scenario_file: str | Path,
    scenario: Scenario,
    override: str | None = None,
    members: int | None = None,
) -> Ensemble | None:
    """The ensemble a command uses: ``override`` (a file, or ``none``) or the scenario's own.

    ``members`` keeps the first that many. ``None`` when there is none (the scenario
    as written).
    """
    if override is not None and override.lower() == NONE:
        return None
    if override is not None:
        path: Path | None = Path(override)
        where = f"--ensemble {override}"
    else:
        path = ensemble_path(scenario_file, scenario)
        where = f"{scenario_file}: ensemble: {scenario.ensemble}"
    if path is None:
        return None
    return load_ensemble(path, scenario, where).first(members)


def write_ensemble(path: Path, members: list[dict[str, float | int]], columns: list[str]) -> str:
    """Write members as the ensemble CSV (shortest round-trip numbers); its SHA-256."""
    lines = [",".join(["member", *columns])]
    for i, member in enumerate(members, start=1):
        lines.append(",".join([str(i), *(_text(member[c]) for c in columns)]))
    text = "\n".join(lines) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return hashlib.sha256(text.encode()).hexdigest()


def _text(value: float | int) -> str:
    """A number as the CSV holds it: integers as such, floats as their shortest round trip."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return repr(float(value))
