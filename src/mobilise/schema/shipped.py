"""The shipped scenarios, experiments and data, found by name from any folder.

One resolver for a source checkout and an installed wheel: the wheel carries the
project's ``scenarios/``, ``experiments/`` and ``data/`` under ``mobilise/_shipped/``
in the layout they have at the project's root (``pyproject.toml``, force-include), so
relative references between files (an experiment's ``../scenarios/uk_2024.yaml``, a
pattern's ``versus.scenario``) resolve the same way in both.

A name is a file's path below its folder without ``.yaml``: ``uk_2024``,
``denmark_2024``. A path that exists always wins over a name.

``scenarios/`` also holds what scenarios name, each kind in a folder of its own
(:data:`SCENARIO_SUPPORT`: priors, targets, calibrations, ensembles); those are not
scenarios, so the scenario catalogue leaves them out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from mobilise.vocabulary import InputError, unknown_name

Kind = Literal["scenario", "experiment"]

FOLDERS: dict[Kind, str] = {"scenario": "scenarios", "experiment": "experiments"}
"""The folder of each kind of file, at the project's root and in the wheel."""

SUFFIXES = (".yaml", ".yml")

SCENARIO_SUPPORT = ("priors", "targets", "calibration", "ensembles")
"""Folders of ``scenarios/`` holding the files scenarios name (``calibration:``, ``ensemble:``
and what a calibration names): uncertain inputs, observed targets, calibration settings
and calibrated ensembles. Not scenarios: :func:`catalogue` leaves them out."""

_PACKAGE = Path(__file__).resolve().parent.parent


def shipped_root() -> Path:
    """The folder holding ``scenarios/``, ``experiments/`` and ``data/`` as shipped.

    In an installed wheel it is ``mobilise/_shipped``; in a source checkout (an editable
    install, or ``src`` on the path) it is the project's root, two folders above the package.
    """
    inside = _PACKAGE / "_shipped"
    return inside if inside.is_dir() else _PACKAGE.parent.parent


def shipped_folder(kind: Kind) -> Path:
    """The shipped folder of ``kind`` (``scenarios/`` or ``experiments/``)."""
    return shipped_root() / FOLDERS[kind]


def shipped_data(name: str) -> Path:
    """A shipped data file by its name in ``data/`` (e.g. ``stylised_facts.csv``)."""
    return shipped_root() / "data" / name


def catalogue(kind: Kind, folder: Path | None = None) -> dict[str, Path]:
    """Every file of ``kind`` by name, sorted (``folder`` defaults to the shipped one).

    Scenarios are the YAML files of the folder and its subfolders, except those of
    :data:`SCENARIO_SUPPORT` (a folder of your own laid out the same way lists the same).
    """
    folder = shipped_folder(kind) if folder is None else folder
    files = [p for p in folder.rglob("*") if p.suffix in SUFFIXES and p.is_file()]
    if kind == "scenario":
        files = [p for p in files if p.relative_to(folder).parts[0] not in SCENARIO_SUPPORT]
    return {_name_of(p, folder): p for p in sorted(files, key=lambda p: _name_of(p, folder))}


def _name_of(path: Path, folder: Path) -> str:
    return path.relative_to(folder).with_suffix("").as_posix()


def resolve(kind: Kind, text: str | Path, base: Path | None = None) -> Path:
    """The file that ``text`` names: an existing path as given, else a shipped name.

    A relative path is taken from ``base`` (default: the current folder). ``uk_2024``,
    ``uk_2024.yaml`` and ``scenarios/uk_2024.yaml`` all name the shipped scenario when
    no such path exists, so the README's commands also work from an empty folder.
    Anything else raises :class:`~mobilise.vocabulary.InputError` in one line with the
    closest shipped name ("did you mean").
    """
    path = Path(text)
    if base is not None and not path.is_absolute():
        path = base / path
    if path.exists():
        return path
    name = _as_name(kind, Path(text))
    found = catalogue(kind)
    if name in found:
        return found[name]
    raise InputError(f"{text}: no such file here; {unknown_name(f'shipped {kind}', name, found)}")


def _as_name(kind: Kind, path: Path) -> str:
    """``scenarios/uk_2024.yaml`` -> ``uk_2024``: the folder prefix and suffix dropped."""
    parts = path.parts
    if len(parts) > 1 and parts[0] == FOLDERS[kind]:
        parts = parts[1:]
    name = Path(*parts) if parts else path
    return (name.with_suffix("") if name.suffix in SUFFIXES else name).as_posix()
