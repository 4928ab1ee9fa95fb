"""What the commands share, declared once: the exit code of bad input, file names, options."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from mobilise.schema.reforms import check_reform
from mobilise.schema.schedule import Quarter, check_budget, parse_start
from mobilise.schema.shipped import Kind, resolve
from mobilise.vocabulary import require_extra

INPUT_ERROR = 2


class ShippedFile(click.ParamType[Path, Any]):
    """A file argument that also takes a shipped file's name (``uk_2024``), as a path.

    A path that exists wins; an unknown name is one line with the closest shipped name.
    """

    def __init__(self, kind: Kind) -> None:
        self.kind: Kind = kind
        self.name = kind

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Path:
        """The file ``value`` names (:func:`mobilise.schema.shipped.resolve`)."""
        return resolve(self.kind, value)


SCENARIO = ShippedFile("scenario")
EXPERIMENT = ShippedFile("experiment")


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


def parse_reforms(
    texts: tuple[str, ...],
) -> tuple[dict[str, float], dict[str, Quarter], dict[str, str]]:
    """``--reform NAME[=STRENGTH][@START]`` options -> strengths, starts, and each one's text.

    ``START`` is a quarter (``2027Q1``) or a quarter number of the run (1 = its first).
    The same reform twice is two schedules for one reform: refused in one line.
    """
    strengths: dict[str, float] = {}
    starts: dict[str, Quarter] = {}
    names: dict[str, str] = {}
    for text in texts:
        reform, at, when = text.partition("@")
        name, strength = parse_reform(reform)
        if name in strengths:
            raise click.BadParameter(
                f"'{name}' is given twice: one schedule per reform", param_hint="'--reform'"
            )
        strengths[name] = strength
        names[name] = text
        if at:
            try:
                starts[name] = parse_start(when)
            except ValueError as exc:
                raise click.BadParameter(f"{name}: {exc}", param_hint="'--reform'") from None
    return strengths, starts, names


def parse_budget(
    ctx: click.Context, param: click.Parameter, values: tuple[float, ...]
) -> tuple[float, ...]:
    """``--budget FACTOR`` options, each a finite number >= 0 (a multiplier of the budget)."""
    for value in values:
        try:
            check_budget(value, "--budget")
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="'--budget'") from None
    return values


def budget_option[F: Callable[..., Any]](help_text: str) -> Callable[[F], F]:
    """``--budget FACTOR`` (repeatable), declared once: a multiple of the scenario's budget."""
    option: Callable[[F], F] = click.option(
        "--budget",
        "budgets",
        multiple=True,
        type=float,
        callback=parse_budget,
        metavar="FACTOR",
        help=help_text,
    )
    return option


def _needs_dask(scheduler: str | None) -> str | None:
    """A scheduler address, once the dask extra is known to be there (before any output)."""
    if scheduler is not None:
        require_extra("dask", "--scheduler")
    return scheduler


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
        callback=lambda ctx, param, value: _needs_dask(value),
        help="Run on a Dask cluster, e.g. tcp://10.0.0.5:8786.",
    ),
    click.option(
        "--resume",
        is_flag=True,
        help="Finish an interrupted batch in --out: run only what is missing.",
    ),
    click.option("--quiet", is_flag=True, help="No progress line."),
)


def execution_options[F: Callable[..., Any]](command: F) -> F:
    """The options of every command that runs a batch, declared once."""
    for option in reversed(EXECUTION_OPTIONS):
        command = option(command)
    return command
