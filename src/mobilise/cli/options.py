"""What the commands share, declared once: the exit code of bad input and the options."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from mobilise.schema.ensemble import NONE
from mobilise.schema.reforms import check_reform

INPUT_ERROR = 2


def parse_reform(text: str) -> tuple[str, float]:
    """``NAME`` (strength 1) or ``NAME=STRENGTH`` -> (name, strength), checked."""
    name, _, value = text.partition("=")
    try:
        strength = float(value) if value else 1.0
    except ValueError:
        raise click.BadParameter(
            f"strength of '{name}' must be a number in [0, 1], found '{value}'",
            param_hint="'--reform'",
        ) from None
    try:
        check_reform(name, strength)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="'--reform'") from None
    return name, strength


EXECUTION_OPTIONS = (
    click.option(
        "--out",
        type=click.Path(path_type=Path),
        default=None,
        help="Output folder (default: a new folder under runs/).",
    ),
    click.option(
        "--workers",
        type=click.IntRange(min=1),
        default=None,
        help="Local worker processes (default: all cores).",
    ),
    click.option(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="Run on a Dask cluster, e.g. tcp://10.0.0.5:8786.",
    ),
    click.option(
        "--resume",
        is_flag=True,
        help="Finish an interrupted batch in --out: run only what is missing.",
    ),
    click.option("--quiet", is_flag=True, help="No progress line."),
)


ENSEMBLE_OPTIONS = (
    click.option(
        "--ensemble",
        default=None,
        metavar="FILE|none",
        help="The plausible worlds to run: a calibrated ensemble file, or 'none' for the "
        "scenario as written (default: the scenario's own ensemble).",
    ),
    click.option(
        "--members",
        type=click.IntRange(min=1),
        default=None,
        help="Run the first N members of the ensemble (default: the experiment's, else 40).",
    ),
)

SET_OPTION = click.option(
    "--set",
    "settings",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Set a scenario field by its dotted path, e.g. influence.signal=1.2 (repeatable); "
    "validated as the file is.",
)


def ensemble_options[F: Callable[..., Any]](command: F) -> F:
    """``--ensemble`` and ``--members``: which plausible worlds a command runs."""
    for option in reversed(ENSEMBLE_OPTIONS):
        command = option(command)
    return command


def check_members(ensemble: str | None, members: int | None) -> None:
    """``--members`` counts an ensemble's members: with ``--ensemble none`` it is a mistake."""
    if members is not None and ensemble is not None and ensemble.lower() == NONE:
        raise click.BadParameter(
            "--members counts an ensemble's members; there is none with --ensemble none",
            param_hint="'--members'",
        )


def execution_options[F: Callable[..., Any]](command: F) -> F:
    """The options of every command that runs a batch, declared once."""
    for option in reversed(EXECUTION_OPTIONS):
        command = option(command)
    return command
